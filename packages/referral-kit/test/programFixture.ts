import type { AddressHex, Hex } from '@parallel-evm/core'
import type { GeneratedAccount } from '@parallel-evm/fixtures'
import { bytesToHex } from '@ethereumjs/util'
import { expect } from 'vitest'
import { codeFor, deployReferralProgramData, referralCalls, signSignUpAttestation, type ProgramConfig, type Season, type Tier } from '../src/index.js'
import { TestChain, type CallResult } from './testChain.js'

export const DAY = 86_400n
export const WEEK = 7n * DAY
export const FINNEY = 10n ** 15n

export const TIERS: Tier[] = [
  { minQualified: 0, rewardWei: 1n * FINNEY },
  { minQualified: 2, rewardWei: 2n * FINNEY },
]

export const NO_SEASON: Season = { start: 0n, end: 0n, bonusBps: 10_000 }

/** A deployed program with named accounts: owner (deployer), verifier, forger, alice and bob own codes. */
export interface ProgramFixture {
  chain: TestChain
  program: AddressHex
  owner: GeneratedAccount
  verifier: GeneratedAccount
  forger: GeneratedAccount
  alice: GeneratedAccount
  bob: GeneratedAccount
  /** Accounts free to sign up. */
  users: GeneratedAccount[]
  aliceCode: Hex
  bobCode: Hex
  config: ProgramConfig
  nextNonce: () => bigint
  signUp: (user: GeneratedAccount, code: Hex, overrides?: { deadline?: bigint; nonce?: bigint; signer?: GeneratedAccount; attestedReferee?: AddressHex }) => Promise<CallResult>
  call: (from: GeneratedAccount, data: Hex, value?: bigint) => Promise<CallResult>
}

/** A program deployed with the defaults below, `overrides` applied; funded with 1 ETH unless `funding` says otherwise. */
export async function deployProgram(overrides: Partial<ProgramConfig> = {}, season?: Season, options: { tiers?: Tier[]; funding?: bigint } = {}): Promise<ProgramFixture> {
  const chain = await TestChain.start(14)
  const [owner, verifier, forger, alice, bob, ...users] = chain.accounts as [GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, GeneratedAccount, ...GeneratedAccount[]]
  const start = chain.timestamp + 12n
  const config: ProgramConfig = {
    verifier: verifier.address,
    epochLength: WEEK,
    vestingDelay: WEEK,
    maxCycleDepth: 4,
    signUpCapPerEpoch: 100,
    payoutCapPerEpoch: 100n * FINNEY,
    minPurchase: 10n * FINNEY,
    programEnd: start + 10n * WEEK,
    claimWindow: 4n * WEEK,
    requireAttestation: true,
    ...overrides,
  }
  const deployed = await chain.send(owner, { data: deployReferralProgramData(config, options.tiers ?? TIERS, season ?? NO_SEASON), value: options.funding ?? 10n ** 18n })
  expect(deployed.status, `deployment: ${deployed.error}`).toBe(1)
  const program = deployed.createdAddress!
  const call = (from: GeneratedAccount, data: Hex, value = 0n) => chain.send(from, { to: program, data, value })
  const salt = bytesToHex(new Uint8Array(32).fill(7)) as Hex
  for (const account of [alice, bob]) expect((await call(account, referralCalls.registerCode(salt))).status).toBe(1)
  let nonce = 0n
  const nextNonce = () => ++nonce
  const signUp: ProgramFixture['signUp'] = async (user, code, o = {}) => {
    const attestation = { referee: o.attestedReferee ?? user.address, code, deadline: o.deadline ?? chain.timestamp + DAY, nonce: o.nonce ?? nextNonce() }
    const signature = await signSignUpAttestation(bytesToHex((o.signer ?? verifier).privateKey) as Hex, attestation, { chainId: 1, program })
    return call(user, referralCalls.signUpWithAttestation(attestation, signature))
  }
  return { chain, program, owner, verifier, forger, alice, bob, users, aliceCode: codeFor(alice.address, salt), bobCode: codeFor(bob.address, salt), config, nextNonce, signUp, call }
}
