import type { AddressHex } from '@parallel-evm/core'
import type { FraudKind } from '../campaign/types.js'
import { emptyFraudCounts } from '../fraudKinds.js'
import type { CampaignAnalytics, CohortRetention, ReferrerSummary } from './types.js'

/**
 * Raw counts of a campaign. The analytics gather them from logs and the generator from its model,
 * independently; `summarizeTallies` turns either into the reported numbers the same way.
 */
export interface CampaignTallies {
  referrers: Map<AddressHex, ReferrerSummary>
  /** Referee → program week of sign-up. */
  cohortOf: Map<AddressHex, number>
  /** Buyer → program weeks with a purchase. */
  purchaseWeeks: Map<AddressHex, Set<number>>
  /** Seconds from accrual to claim, one per claimed reward. */
  latencies: bigint[]
  signUpsByWeek: number[]
  fraudBlocked: Record<FraudKind, number>
  purchases: number
  seasonalRewards: number
}

export function emptyTallies(): CampaignTallies {
  return { referrers: new Map(), cohortOf: new Map(), purchaseWeeks: new Map(), latencies: [], signUpsByWeek: [], fraudBlocked: emptyFraudCounts(), purchases: 0, seasonalRewards: 0 }
}

/** The summary row of `referrer`, created empty on first use. */
export function referrerTally(tallies: CampaignTallies, referrer: AddressHex): ReferrerSummary {
  let entry = tallies.referrers.get(referrer)
  if (entry === undefined) tallies.referrers.set(referrer, (entry = { referrer, signUps: 0, conversions: 0, rewardsAccrued: 0n, rewardsClaimed: 0n }))
  return entry
}

export function addPurchaseWeek(tallies: CampaignTallies, buyer: AddressHex, week: number): void {
  const weeks = tallies.purchaseWeeks.get(buyer) ?? new Set<number>()
  weeks.add(week)
  tallies.purchaseWeeks.set(buyer, weeks)
}

/** The reported numbers, with weeks up to `lastWeek` (the week of the campaign's last block). */
export function summarizeTallies(tallies: CampaignTallies, lastWeek: number): CampaignAnalytics {
  const referrers = [...tallies.referrers.values()].filter((r) => r.signUps > 0).sort((a, b) => compareAddresses(a.referrer, b.referrer))
  const signUps = referrers.reduce((sum, r) => sum + r.signUps, 0)
  const conversions = referrers.reduce((sum, r) => sum + r.conversions, 0)
  const latencies = [...tallies.latencies].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    signUps,
    conversions,
    conversionRate: signUps === 0 ? 0 : conversions / signUps,
    purchases: tallies.purchases,
    rewardsAccrued: referrers.reduce((sum, r) => sum + r.rewardsAccrued, 0n),
    rewardsClaimed: referrers.reduce((sum, r) => sum + r.rewardsClaimed, 0n),
    seasonalRewards: tallies.seasonalRewards,
    claimLatency: {
      count: latencies.length,
      // The lower middle for an even count: a latency that occurred, in whole seconds.
      medianSeconds: latencies.length === 0 ? 0 : Number(latencies[(latencies.length - 1) >> 1]),
      meanSeconds: latencies.length === 0 ? 0 : Number(latencies.reduce((a, b) => a + b, 0n)) / latencies.length,
      maxSeconds: latencies.length === 0 ? 0 : Number(latencies.at(-1)),
    },
    referrers,
    leaderboard: [...referrers].sort(byLeaderboardRank).slice(0, 10),
    retention: retention(tallies.cohortOf, tallies.purchaseWeeks, lastWeek),
    signUpsByWeek: Array.from({ length: lastWeek + 1 }, (_, week) => tallies.signUpsByWeek[week] ?? 0),
    fraudBlocked: { ...tallies.fraudBlocked },
  }
}

function retention(cohortOf: Map<AddressHex, number>, purchaseWeeks: Map<AddressHex, Set<number>>, lastWeek: number): CohortRetention[] {
  const cohorts = new Map<number, AddressHex[]>()
  for (const [referee, week] of cohortOf) cohorts.set(week, [...(cohorts.get(week) ?? []), referee])
  return [...cohorts]
    .sort(([a], [b]) => a - b)
    .map(([week, members]) => ({
      week,
      size: members.length,
      retained: Array.from({ length: lastWeek - week + 1 }, (_, k) => members.filter((member) => purchaseWeeks.get(member)?.has(week + k) === true).length),
    }))
}

/** Conversions, then rewards accrued, then address: a total order, so ties rank the same everywhere. */
function byLeaderboardRank(a: ReferrerSummary, b: ReferrerSummary): number {
  if (a.conversions !== b.conversions) return b.conversions - a.conversions
  if (a.rewardsAccrued !== b.rewardsAccrued) return a.rewardsAccrued > b.rewardsAccrued ? -1 : 1
  return compareAddresses(a.referrer, b.referrer)
}

function compareAddresses(a: AddressHex, b: AddressHex): number {
  return a < b ? -1 : a > b ? 1 : 0
}
