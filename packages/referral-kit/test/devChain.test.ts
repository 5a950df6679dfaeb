import { bytesToHex } from '@ethereumjs/util'
import type { BlockResult } from '@parallel-evm/core'
import type { GeneratedAccount } from '@parallel-evm/fixtures'
import { encodeFunctionData, getAddress, type Abi, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  codeFor,
  decodeReferralKitError,
  deployReferralKit,
  deployReferralKitOnExecutor,
  readReferralKitEvents,
  referralBadgesAbi,
  referralKitContracts,
  referralKitEventsFromResults,
  referralRegistryAbi,
  referralRewardsAbi,
  signRegistryAttestation,
  summarizeReferralKit,
  type ReferralKitAddresses,
  type RegistryConfig,
  type RewardsConfig,
} from '../src/index.js'
import { startDevChain } from './devChain.js'
import { ETHER, FINNEY, KIT_TIERS, WEEK } from './kitFixture.js'
import { testTokenAbi, testTokenBytecode } from './generated/testToken.js'
import { TestChain } from './testChain.js'

const SALT = bytesToHex(new Uint8Array(32).fill(7)) as Hex
const FAR_FUTURE = 4_000_000_000n // 2096: after both chains' clocks
const BADGES_URI = 'https://badges.example/{id}.json'
const FUNDING = 10n * ETHER

/** One program's life, the same on both chains: who signs up under whom, what the protocol reports, who claims. */
const SIGN_UPS = [
  { user: 0, referrer: 'alice' },
  { user: 1, referrer: 'alice' },
  { user: 2, referrer: 'alice' },
  { user: 3, referrer: 'bob' },
] as const
const ACTIONS = [
  { user: 0, value: 100n * FINNEY },
  { user: 1, value: 100n * FINNEY },
  { user: 2, value: 200n * FINNEY }, // alice is at tier 1 (20%) now
  { user: 3, value: 50n * FINNEY },
  { user: 0, value: 5n * FINNEY }, // below the minimum: nothing
] as const

interface Roles {
  owner: GeneratedAccount
  verifier: GeneratedAccount
  reporter: GeneratedAccount
  alice: GeneratedAccount
  bob: GeneratedAccount
  users: GeneratedAccount[]
}

function roles(accounts: readonly GeneratedAccount[]): Roles {
  const [owner, verifier, reporter, alice, bob, ...users] = accounts as [GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, ...GeneratedAccount[]]
  return { owner, verifier, reporter, alice, bob, users }
}

const registryConfig = (r: Roles): RegistryConfig => ({ verifier: r.verifier.address, epochLength: WEEK, maxCycleDepth: 4, signUpCapPerEpoch: 100, requireAttestation: true })
const rewardsConfig: RewardsConfig = { epochLength: WEEK, vestingDelay: WEEK, programEnd: FAR_FUTURE, claimWindow: 4n * WEEK, payoutCapPerEpoch: ETHER, minQualifyingValue: 10n * FINNEY }

async function attestation(r: Roles, user: GeneratedAccount, code: Hex, nonce: bigint, registry: Hex) {
  const signed = await signRegistryAttestation(bytesToHex(r.verifier.privateKey) as Hex, { referee: user.address, code, deadline: FAR_FUTURE, nonce }, { chainId: 1, registry })
  return [code, FAR_FUTURE, nonce, signed.v, signed.r, signed.s] as const
}

/** The program on Hardhat's network, through the typed viem client. */
async function runOnDevChain(accounts: readonly GeneratedAccount[]) {
  const r = roles(accounts)
  const dev = await startDevChain(accounts)
  const addresses = await deployReferralKit(dev.wallet(r.owner), {
    registry: { config: registryConfig(r), tiers: KIT_TIERS },
    rewards: { config: rewardsConfig },
    badgesUri: BADGES_URI,
    reporters: [r.reporter.address],
    funding: FUNDING,
  })
  const as = (account: GeneratedAccount) => referralKitContracts(dev.wallet(account), addresses)
  const mined = async (hash: Promise<Hex>) => expect((await dev.publicClient.waitForTransactionReceipt({ hash: await hash })).status).toBe('success')

  for (const referrer of [r.alice, r.bob]) await mined(as(referrer).registry.write.registerCode([SALT]))
  // A revert surfaces before sending, as the contract's decoded custom error.
  await expect(as(r.users[0]!).registry.simulate.signUp([codeFor(r.alice.address, SALT)])).rejects.toThrow(/AttestationRequired/)
  let nonce = 0n
  for (const { user, referrer } of SIGN_UPS) {
    const account = r.users[user]!
    await mined(as(account).registry.write.signUpWithAttestation(await attestation(r, account, codeFor(r[referrer].address, SALT), ++nonce, addresses.registry)))
  }
  for (const { user, value } of ACTIONS) await mined(as(r.reporter).rewards.write.recordAction([r.users[user]!.address, value]))
  await dev.advance(WEEK + 1n)
  await mined(as(r.alice).rewards.write.claim([[0, 1, 2].map((i) => r.users[i]!.address)]))
  await mined(as(r.bob).rewards.write.claim([[r.users[3]!.address]]))
  await mined(as(r.owner).rewards.write.withdraw([r.owner.address, ETHER]))

  const reader = referralKitContracts(dev.publicClient, addresses)
  const views = {
    tier: await reader.registry.read.tierOf([r.alice.address]),
    discount: await reader.registry.read.discountOf([r.users[0]!.address]),
    badge: await reader.badges!.read.balanceOf([r.alice.address, 2n]),
    totals: await reader.rewards.read.totals(),
  }
  return { addresses, events: await readReferralKitEvents(dev.publicClient, addresses), views }
}

/** The same transactions, in the same order from the same accounts, on our executor. */
async function runOnExecutor(addresses: ReferralKitAddresses) {
  const chain = await TestChain.start(14, decodeReferralKitError)
  const r = roles(chain.accounts)
  const blocks: BlockResult[] = []
  const send = async (from: GeneratedAccount, to: Hex | undefined, data: Hex, value = 0n) => {
    const sent = await chain.send(from, { ...(to === undefined ? {} : { to }), data, value })
    expect(sent.status, `${sent.error}`).toBe(1)
    blocks.push(sent.block)
    return sent
  }
  const call = (abi: Abi, functionName: string, args: readonly unknown[]) => encodeFunctionData({ abi, functionName, args })
  // The same deployment steps as the client's, so the contracts land at the same addresses.
  const deployed = await deployReferralKitOnExecutor(chain.chain, bytesToHex(r.owner.privateKey) as Hex, {
    registry: { config: registryConfig(r), tiers: KIT_TIERS },
    rewards: { config: rewardsConfig },
    badgesUri: BADGES_URI,
    reporters: [r.reporter.address],
    funding: FUNDING,
    onReceipt: (_, receipt) => blocks.push(receipt.block),
  })
  expect(deployed).toEqual(addresses)
  const { registry, rewards, badges } = addresses

  for (const referrer of [r.alice, r.bob]) await send(referrer, registry, call(referralRegistryAbi, 'registerCode', [SALT]))
  let nonce = 0n
  for (const { user, referrer } of SIGN_UPS) {
    const account = r.users[user]!
    await send(account, registry, call(referralRegistryAbi, 'signUpWithAttestation', await attestation(r, account, codeFor(r[referrer].address, SALT), ++nonce, registry)))
  }
  for (const { user, value } of ACTIONS) await send(r.reporter, rewards, call(referralRewardsAbi, 'recordAction', [r.users[user]!.address, value]))
  chain.advance(WEEK + 1n)
  await send(r.alice, rewards, call(referralRewardsAbi, 'claim', [[0, 1, 2].map((i) => r.users[i]!.address)]))
  await send(r.bob, rewards, call(referralRewardsAbi, 'claim', [[r.users[3]!.address]]))
  await send(r.owner, rewards, call(referralRewardsAbi, 'withdraw', [r.owner.address, ETHER]))

  const views = {
    tier: await chain.read<bigint>(registry, referralRegistryAbi, 'tierOf', [r.alice.address]),
    discount: await chain.read<bigint>(registry, referralRegistryAbi, 'discountOf', [r.users[0]!.address]),
    badge: await chain.read<bigint>(badges!, referralBadgesAbi, 'balanceOf', [r.alice.address, 2n]),
    totals: await chain.read<readonly [bigint, bigint, bigint]>(rewards, referralRewardsAbi, 'totals'),
  }
  return { events: referralKitEventsFromResults(blocks, addresses), views }
}

describe('the referral kit on a live JSON-RPC dev chain (Hardhat, EDR, offline) and on our executor', () => {
  it('behavior: the typed client deploys, wires and drives the kit over EIP-1193, and the analytics from getLogs equal those from our executor', async () => {
    const accounts = (await TestChain.start(14)).accounts
    const dev = await runOnDevChain(accounts)
    const ours = await runOnExecutor(dev.addresses)

    expect(dev.views).toEqual({ tier: 2n, discount: 1_000n, badge: 1n, totals: [FUNDING - 65n * FINNEY - ETHER, 0n, FUNDING - 65n * FINNEY - ETHER] })
    expect(ours.views).toEqual(dev.views)
    expect(dev.events.map((record) => record.event.eventName)).toEqual(ours.events.map((record) => record.event.eventName))
    const summary = summarizeReferralKit(dev.events)
    expect(summarizeReferralKit(ours.events)).toEqual(summary)
    expect(summary).toMatchObject({
      codes: 2,
      signUps: 4,
      attestationsUsed: 4,
      qualified: 4,
      actions: { rewarded: 4, value: 450n * FINNEY, accrued: 65n * FINNEY, seasonal: 0, unfunded: 0n },
      claims: { count: 2, paid: 65n * FINNEY },
      vault: { funded: FUNDING, withdrawn: ETHER },
      badges: 2,
    })
    expect(summary.referrers.map(({ referrer, qualified, tier, badges }) => ({ referrer: referrer.toLowerCase(), qualified, tier, badges }))).toEqual([
      { referrer: roles(accounts).alice.address, qualified: 3, tier: 1n, badges: [1n, 2n] },
      { referrer: roles(accounts).bob.address, qualified: 1, tier: 0n, badges: [] },
    ])
  }, 120_000)

  it('behavior: the client deploys a vault paying an ERC-20, approving and funding it from the deployer', async () => {
    const accounts = (await TestChain.start(14)).accounts
    const r = roles(accounts)
    const dev = await startDevChain(accounts)
    const wallet = dev.wallet(r.bob)
    const hash = await wallet.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode, args: [1_000n * ETHER] })
    const token = (await dev.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
    const steps: string[] = []
    const addresses = await deployReferralKit(wallet, {
      registry: { config: { ...registryConfig(r), requireAttestation: false }, tiers: KIT_TIERS },
      rewards: { config: rewardsConfig, asset: token },
      funding: 64n * ETHER,
      onStep: (step) => steps.push(step),
    })
    expect(steps).toEqual(['deploy ReferralRegistry', 'deploy ReferralRewards', 'allow the vault to qualify referees', 'approve the vault', 'fund the vault'])
    expect(addresses.badges).toBeUndefined()
    const kit = referralKitContracts(dev.publicClient, addresses)
    expect(await kit.rewards.read.asset()).toBe(getAddress(token))
    expect(await kit.rewards.read.totals()).toEqual([64n * ETHER, 0n, 64n * ETHER])
    expect(await dev.publicClient.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [addresses.rewards] })).toBe(64n * ETHER)
    // Over-funding fails in simulation with the token's own error, before anything is sent.
    await expect(deployReferralKit(wallet, { registry: { config: registryConfig(r), tiers: KIT_TIERS }, rewards: { config: rewardsConfig, asset: token }, funding: 10_000n * ETHER })).rejects.toThrow(/ERC20InsufficientBalance/)
  }, 120_000)
})
