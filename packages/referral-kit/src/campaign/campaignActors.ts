import { bytesToHex } from '@ethereumjs/util'
import type { AddressHex, Hex } from '@parallel-evm/core'
import { generatedAccount, type GeneratedAccount } from '@parallel-evm/fixtures'

/** Everyone in a campaign, with the keys the generator signs for them with. */
export interface CampaignActors {
  admin: GeneratedAccount
  verifier: GeneratedAccount
  /** Signs attestations the program must refuse. */
  forger: GeneratedAccount
  referrers: GeneratedAccount[]
  users: GeneratedAccount[]
  /** Accounts that only ever try to cheat. */
  attackers: GeneratedAccount[]
  keyOf: Map<AddressHex, Uint8Array>
}

const ATTACKERS = 12

export function campaignActors(seed: number, referrers: number, users: number): CampaignActors {
  const make = (role: string, count: number) => Array.from({ length: count }, (_, i) => generatedAccount(seed, `referral-${role}`, i))
  const [admin, verifier, forger] = make('staff', 3) as [GeneratedAccount, GeneratedAccount, GeneratedAccount]
  const actors = {
    admin,
    verifier,
    forger,
    referrers: make('referrer', referrers),
    users: make('user', users),
    attackers: make('attacker', ATTACKERS),
    keyOf: new Map<AddressHex, Uint8Array>(),
  }
  for (const account of [admin, verifier, forger, ...actors.referrers, ...actors.users, ...actors.attackers]) actors.keyOf.set(account.address, account.privateKey)
  return actors
}

export function privateKeyHex(account: GeneratedAccount): Hex {
  return bytesToHex(account.privateKey) as Hex
}

/**
 * Zipf-like popularity (weight 1 / rank^1.1): a few influencers bring most sign-ups, as referral
 * programs see. Returns cumulative weights for sampling.
 */
export function powerLawCumulative(count: number): number[] {
  const cumulative: number[] = []
  let total = 0
  for (let rank = 1; rank <= count; rank++) cumulative.push((total += 1 / rank ** 1.1))
  return cumulative
}
