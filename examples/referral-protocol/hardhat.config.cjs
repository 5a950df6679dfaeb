// Hardhat's in-process network (EDR) with its defaults: chain id 31337, 20 funded accounts.
module.exports = {}
