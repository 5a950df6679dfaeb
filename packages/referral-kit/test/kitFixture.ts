import type { AddressHex, Hex } from '@parallel-evm/core'
import type { GeneratedAccount } from '@parallel-evm/fixtures'
import { bytesToHex } from '@ethereumjs/util'
import { encodeDeployData, encodeFunctionData, type Abi } from 'viem'
import { expect } from 'vitest'
import {
  codeFor,
  decodeReferralKitError,
  decodeReferralKitLog,
  deployReferralBadgesData,
  deployReferralRegistryData,
  deployReferralRewardsData,
  ETH_REWARDS,
  referralBadgesAbi,
  referralRegistryAbi,
  referralRewardsAbi,
  signRegistryAttestation,
  type ReferralKitEvent,
  type RegistryConfig,
  type RegistryTier,
  type RewardsConfig,
  type RewardsSeason,
} from '../src/index.js'
import { referralMintAbi, referralMintBytecode } from '../src/index.js'
import { testTokenAbi, testTokenBytecode } from './generated/testToken.js'
import { TestChain, type CallResult } from './testChain.js'

export const DAY = 86_400n
export const WEEK = 7n * DAY
export const ETHER = 10n ** 18n
export const FINNEY = 10n ** 15n
export const UNIT_PRICE = 100n * FINNEY

/** Base tier: 10% of each action, no discount; from 2 qualified referees 20% and 5% off; from 3, 30% and 10% off. */
export const KIT_TIERS: RegistryTier[] = [
  { minQualified: 0, rewardBps: 1_000, discountBps: 0 },
  { minQualified: 2, rewardBps: 2_000, discountBps: 500 },
  { minQualified: 3, rewardBps: 3_000, discountBps: 1_000 },
]

export interface KitCallResult extends CallResult {
  kitEvents: ReferralKitEvent[]
}

/** A registry, a rewards vault (ETH, or the test token), badges and the example mint, wired as an integrator would. */
export interface KitFixture {
  chain: TestChain
  registry: AddressHex
  rewards: AddressHex
  badges: AddressHex
  mint: AddressHex
  /** The reward token, when the vault pays one. */
  token: AddressHex | undefined
  owner: GeneratedAccount
  verifier: GeneratedAccount
  alice: GeneratedAccount
  bob: GeneratedAccount
  /** An account the owner authorized to report actions directly (an off-chain reporter). */
  reporter: GeneratedAccount
  users: GeneratedAccount[]
  aliceCode: Hex
  bobCode: Hex
  registryConfig: RegistryConfig
  rewardsConfig: RewardsConfig
  call: (from: GeneratedAccount, to: AddressHex, data: Hex, value?: bigint) => Promise<KitCallResult>
  registryCall: (from: GeneratedAccount, functionName: string, args?: readonly unknown[]) => Promise<KitCallResult>
  rewardsCall: (from: GeneratedAccount, functionName: string, args?: readonly unknown[], value?: bigint) => Promise<KitCallResult>
  signUp: (user: GeneratedAccount, code: Hex, overrides?: { deadline?: bigint; nonce?: bigint; signer?: GeneratedAccount }) => Promise<KitCallResult>
  /** The example mint, paying the discounted price of `quantity`. */
  buy: (user: GeneratedAccount, quantity?: bigint) => Promise<KitCallResult>
  read: <T>(address: AddressHex, abi: Abi, functionName: string, args?: readonly unknown[]) => Promise<T>
  nextNonce: () => bigint
}

export interface KitOptions {
  registry?: Partial<RegistryConfig>
  rewards?: Partial<RewardsConfig>
  tiers?: RegistryTier[]
  season?: RewardsSeason
  /** Pay rewards in the test token instead of ETH. */
  token?: boolean
  /** Funded into the vault at deployment (default 10 ETH or 10 tokens). */
  funding?: bigint
}

export async function deployKit(options: KitOptions = {}): Promise<KitFixture> {
  const chain = await TestChain.start(14, decodeReferralKitError)
  const [owner, verifier, alice, bob, reporter, ...users] = chain.accounts as [GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, ...GeneratedAccount[]]
  const call: KitFixture['call'] = async (from, to, data, value = 0n) => {
    const result = await chain.send(from, { to, data, value })
    return { ...result, kitEvents: result.outcome.logs.flatMap((log) => decodeReferralKitLog(log) ?? []) }
  }
  const deploy = async (data: Hex): Promise<AddressHex> => {
    const deployed = await chain.send(owner, { data })
    expect(deployed.status, `deployment: ${deployed.error}`).toBe(1)
    return deployed.createdAddress!
  }
  const ok = async (pending: Promise<KitCallResult>) => {
    const result = await pending
    expect(result.status, `${result.error} ${result.errorArgs.join(', ')}`).toBe(1)
    return result
  }

  const registryConfig: RegistryConfig = { verifier: verifier.address, epochLength: WEEK, maxCycleDepth: 4, signUpCapPerEpoch: 100, requireAttestation: true, ...options.registry }
  const registry = await deploy(deployReferralRegistryData(registryConfig, options.tiers ?? KIT_TIERS))
  const token = options.token === true ? await deploy(encodeDeployData({ abi: testTokenAbi, bytecode: testTokenBytecode, args: [1_000_000n * ETHER] })) : undefined
  const rewardsConfig: RewardsConfig = {
    epochLength: WEEK,
    vestingDelay: WEEK,
    programEnd: chain.timestamp + 20n * WEEK,
    claimWindow: 4n * WEEK,
    payoutCapPerEpoch: 1n * ETHER,
    minQualifyingValue: 10n * FINNEY,
    ...options.rewards,
  }
  const rewards = await deploy(deployReferralRewardsData(registry, rewardsConfig, { asset: token ?? ETH_REWARDS, ...(options.season === undefined ? {} : { season: options.season }) }))
  const badges = await deploy(deployReferralBadgesData(registry, 'https://badges.example/{id}.json'))
  const mint = await deploy(encodeDeployData({ abi: referralMintAbi, bytecode: referralMintBytecode, args: [registry, rewards, UNIT_PRICE] }))

  const registryCall: KitFixture['registryCall'] = (from, functionName, args = []) =>
    call(from, registry, encodeFunctionData({ abi: referralRegistryAbi as Abi, functionName, args }))
  const rewardsCall: KitFixture['rewardsCall'] = (from, functionName, args = [], value = 0n) =>
    call(from, rewards, encodeFunctionData({ abi: referralRewardsAbi as Abi, functionName, args }), value)
  await ok(registryCall(owner, 'setQualifier', [rewards, true]))
  await ok(registryCall(owner, 'setBadges', [badges]))
  await ok(rewardsCall(owner, 'setReporter', [mint, true]))
  await ok(rewardsCall(owner, 'setReporter', [reporter.address, true]))
  const funding = options.funding ?? 10n * ETHER
  if (funding > 0n) {
    if (token === undefined) await ok(rewardsCall(owner, 'fund', [funding], funding))
    else {
      await ok(call(owner, token, encodeFunctionData({ abi: testTokenAbi, functionName: 'approve', args: [rewards, funding] })))
      await ok(rewardsCall(owner, 'fund', [funding]))
    }
  }

  const salt = bytesToHex(new Uint8Array(32).fill(7)) as Hex
  for (const account of [alice, bob]) await ok(registryCall(account, 'registerCode', [salt]))
  let nonce = 0n
  const nextNonce = () => ++nonce
  const signUp: KitFixture['signUp'] = async (user, code, o = {}) => {
    const attestation = { referee: user.address, code, deadline: o.deadline ?? chain.timestamp + DAY, nonce: o.nonce ?? nextNonce() }
    const signature = await signRegistryAttestation(bytesToHex((o.signer ?? verifier).privateKey) as Hex, attestation, { chainId: 1, registry })
    return registryCall(user, 'signUpWithAttestation', [code, attestation.deadline, attestation.nonce, signature.v, signature.r, signature.s])
  }
  const read: KitFixture['read'] = (address, abi, functionName, args = []) => chain.read(address, abi, functionName, args)
  const buy: KitFixture['buy'] = async (user, quantity = 1n) => {
    const price = await read<bigint>(mint, referralMintAbi, 'priceFor', [user.address, quantity])
    return call(user, mint, encodeFunctionData({ abi: referralMintAbi, functionName: 'mint', args: [quantity] }), price)
  }
  return {
    chain, registry, rewards, badges, mint, token, owner, verifier, alice, bob, reporter, users,
    aliceCode: codeFor(alice.address, salt), bobCode: codeFor(bob.address, salt),
    registryConfig, rewardsConfig, call, registryCall, rewardsCall, signUp, buy, read, nextNonce,
  }
}

/** The named events of a call, in order. */
export const eventNames = (result: KitCallResult): string[] => result.kitEvents.map((event) => event.eventName)

export { referralBadgesAbi, referralRegistryAbi, referralRewardsAbi, referralMintAbi, testTokenAbi }
