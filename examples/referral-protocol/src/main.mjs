// A protocol integrating the referral kit, on Hardhat's in-process network (offline, nothing to
// start): compiles contracts/ReferralSwap.sol with the npm solc (it imports the kit's registry
// interface from the npm package), deploys the kit with its viem client, wires the swap as a
// reporter, then two referred traders and one unreferred trader swap. The second referee lifts the
// referrer to tier 1, so later swaps of its referees pay a discounted fee; the referrer claims.
//   npm start -w @parallel-evm/example-referral-protocol
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import {
  codeFor,
  deployReferralKit,
  readReferralKitEvents,
  referralKitContracts,
  signRegistryAttestation,
  summarizeReferralKit,
} from '@parallel-evm/referral-kit'
import solc from 'solc'
import { createPublicClient, createWalletClient, custom, formatEther, parseEther, parseEventLogs, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { hardhat as hardhatChain } from 'viem/chains'

process.env.HARDHAT_CONFIG = fileURLToPath(new URL('../hardhat.config.cjs', import.meta.url))
const { default: hre } = await import('hardhat')

const swapArtifact = compile(fileURLToPath(new URL('../contracts/ReferralSwap.sol', import.meta.url)), 'ReferralSwap')
const transport = custom(hre.network.provider)
const publicClient = createPublicClient({ chain: hardhatChain, transport })
// Hardhat's default accounts #0-#5: owner, verifier, referrer, three traders.
const keys = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
]
const [owner, verifier, referrer, alice, bob, carol] = keys.map((key) => createWalletClient({ account: privateKeyToAccount(key), chain: hardhatChain, transport }))
const mined = async (hash) => {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash })
  if (receipt.status !== 'success') throw new Error(`transaction ${receipt.transactionHash} reverted`)
  return receipt
}
const week = 7n * 86_400n
const now = (await publicClient.getBlock()).timestamp

// The kit: a registry with two tiers (10% of each fee; from 2 qualified referees 20% and 10% off the
// fee), an ETH vault funded with 5 ETH, badges.
const addresses = await deployReferralKit(owner, {
  registry: {
    config: { verifier: verifier.account.address, epochLength: week, maxCycleDepth: 4, signUpCapPerEpoch: 100, requireAttestation: true },
    tiers: [
      { minQualified: 0, rewardBps: 1_000, discountBps: 0 },
      { minQualified: 2, rewardBps: 2_000, discountBps: 1_000 },
    ],
  },
  rewards: { config: { epochLength: week, vestingDelay: 86_400n, programEnd: now + 52n * week, claimWindow: 4n * week, payoutCapPerEpoch: parseEther('1'), minQualifyingValue: parseEther('0.001') } },
  badgesUri: 'https://badges.example/{id}.json',
  funding: parseEther('5'),
})
const kit = (wallet) => referralKitContracts(wallet, addresses)

// The protocol: deployed against the kit, then authorized to report.
const swapReceipt = await mined(owner.deployContract({ abi: swapArtifact.abi, bytecode: swapArtifact.bytecode, args: [addresses.registry, addresses.rewards] }))
const swap = swapReceipt.contractAddress
await mined(kit(owner).rewards.write.setReporter([swap, true]))
console.log(`kit: registry ${addresses.registry}, vault ${addresses.rewards}, badges ${addresses.badges}; protocol: ReferralSwap ${swap}`)

const salt = toHex('swap-launch', { size: 32 })
await mined(kit(referrer).registry.write.registerCode([salt]))
const code = codeFor(referrer.account.address, salt)
let nonce = 0n
for (const trader of [alice, bob]) {
  const attestation = { referee: trader.account.address, code, deadline: now + week, nonce: ++nonce }
  const { v, r, s } = await signRegistryAttestation(keys[1], attestation, { chainId: hardhatChain.id, registry: addresses.registry })
  await mined(kit(trader).registry.write.signUpWithAttestation([code, attestation.deadline, attestation.nonce, v, r, s]))
}

const swaps = []
for (const [name, trader] of [['alice', alice], ['bob', bob], ['carol', carol], ['alice', alice]]) {
  const receipt = await mined(trader.writeContract({ address: swap, abi: swapArtifact.abi, functionName: 'swap', value: parseEther('1') }))
  const [swapped] = parseEventLogs({ abi: swapArtifact.abi, logs: receipt.logs, eventName: 'Swapped' })
  swaps.push(swapped.args)
  console.log(`${name.padEnd(5)} swaps 1 ETH: fee ${formatEther(swapped.args.fee)} ETH (${Number(swapped.args.discountBps) / 100}% off), ${swapped.args.points} points`)
}

await hre.network.provider.request({ method: 'evm_increaseTime', params: [86_401] })
await hre.network.provider.request({ method: 'evm_mine' })
await mined(kit(referrer).rewards.write.claim([[alice.account.address, bob.account.address]]))

const summary = summarizeReferralKit(await readReferralKitEvents(publicClient, addresses))
const [top] = summary.referrers
console.log(
  `from getLogs: ${summary.signUps} sign-ups, ${summary.qualified} qualified, ${summary.actions.rewarded} rewarded swaps, ` +
    `accrued ${formatEther(summary.actions.accrued)} ETH, claimed ${formatEther(summary.claims.paid)} ETH, badges ${summary.badges}`,
)
console.log(`referrer ${top.referrer}: tier ${await kit(publicClient).registry.read.tierOf([referrer.account.address])}, badge of tier 1: ${await kit(publicClient).badges.read.balanceOf([referrer.account.address, 1n])}`)
const discounted = swaps.at(-1).discountBps === 1_000n && swaps[0].discountBps === 0n && swaps[2].discountBps === 0n
const ok = discounted && summary.claims.paid === summary.actions.accrued && summary.actions.rewarded === 3
console.log(ok ? 'OK: the referred trader pays the tier discount after the referrer qualifies, and the referrer was paid every reward.' : 'MISMATCH: see above.')
process.exitCode = ok ? 0 : 1

/** Compiles one contract with the npm solc, resolving library imports from node_modules. */
function compile(file, name) {
  const require = createRequire(import.meta.url)
  const input = {
    language: 'Solidity',
    sources: { [name]: { content: readFileSync(file, 'utf8') } },
    settings: { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { [name]: ['abi', 'evm.bytecode.object'] } } },
  }
  const findImports = (path) => {
    try {
      return { contents: readFileSync(require.resolve(path), 'utf8') }
    } catch {
      return { error: `${path}: not found in node_modules` }
    }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
  const errors = (output.errors ?? []).filter((problem) => problem.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((problem) => problem.formattedMessage).join('\n'))
  const artifact = output.contracts[name][name]
  return { abi: artifact.abi, bytecode: `0x${artifact.evm.bytecode.object}` }
}
