// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice An ERC-20 for the reward vault's tests: whoever deploys it holds the supply.
contract TestToken is ERC20 {
    constructor(uint256 supply) ERC20("Test Reward", "TRW") {
        _mint(msg.sender, supply);
    }
}
