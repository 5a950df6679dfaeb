import { referralBadgesAbi } from '../generated/referralBadges.js'
import { referralRegistryAbi } from '../generated/referralRegistry.js'
import { referralRewardsAbi } from '../generated/referralRewards.js'

export type ReferralRegistryAbi = typeof referralRegistryAbi
export type ReferralRewardsAbi = typeof referralRewardsAbi
export type ReferralBadgesAbi = typeof referralBadgesAbi

/**
 * Every event and custom error of the registry, the rewards vault and the badges in one ABI, for
 * decoding what any of the three emitted or reverted with. Entries the contracts share (OpenZeppelin's
 * ownership events and errors, the codes' events) appear once: same signature, same meaning.
 */
export const referralKitEventsAndErrorsAbi = dedupe([...referralRegistryAbi, ...referralRewardsAbi, ...referralBadgesAbi])

function dedupe<const Entry extends { readonly type: string }>(entries: readonly Entry[]): Extract<Entry, { type: 'event' | 'error' }>[] {
  const seen = new Set<string>()
  const kept: Extract<Entry, { type: 'event' | 'error' }>[] = []
  for (const entry of entries) {
    if (entry.type !== 'event' && entry.type !== 'error') continue
    const key = JSON.stringify(entry)
    if (seen.has(key)) continue
    seen.add(key)
    kept.push(entry as Extract<Entry, { type: 'event' | 'error' }>)
  }
  return kept
}
