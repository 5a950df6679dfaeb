import type { AddressHex } from '@parallel-evm/core'
import type { CampaignAnalytics, ReferrerSummary } from '../analytics/types.js'
import { emptyFraudCounts, fraudKindOf } from '../fraudKinds.js'

/**
 * The generator's own tally of the campaign as its model says it went, kept beside the blocks as
 * the answer the analytics must reproduce from receipts and logs alone.
 */
export class GroundTruthBook {
  private readonly referrers = new Map<AddressHex, ReferrerSummary>()
  private readonly cohortOf = new Map<AddressHex, number>()
  private readonly purchaseWeeks = new Map<AddressHex, Set<number>>()
  private readonly latencies: bigint[] = []
  private readonly signUpsByWeek: number[] = []
  private readonly fraudBlocked = emptyFraudCounts()
  private purchases = 0
  private conversions = 0
  private seasonalRewards = 0

  constructor(private readonly weekOf: (timestamp: bigint) => number) {}

  signedUp(referee: AddressHex, referrer: AddressHex, now: bigint): void {
    const week = this.weekOf(now)
    this.summary(referrer).signUps++
    this.cohortOf.set(referee, week)
    this.signUpsByWeek[week] = (this.signUpsByWeek[week] ?? 0) + 1
  }

  purchased(buyer: AddressHex, now: bigint): void {
    this.purchases++
    const weeks = this.purchaseWeeks.get(buyer) ?? new Set<number>()
    weeks.add(this.weekOf(now))
    this.purchaseWeeks.set(buyer, weeks)
  }

  converted(referrer: AddressHex, amount: bigint, seasonal: boolean): void {
    this.conversions++
    if (seasonal) this.seasonalRewards++
    const summary = this.summary(referrer)
    summary.conversions++
    summary.rewardsAccrued += amount
  }

  claimed(referrer: AddressHex, amount: bigint, accruedAt: bigint, now: bigint): void {
    this.summary(referrer).rewardsClaimed += amount
    this.latencies.push(now - accruedAt)
  }

  rejected(errorName: string): void {
    const kind = fraudKindOf(errorName)
    if (kind !== undefined) this.fraudBlocked[kind]++
  }

  /** The tally in the analytics' shape, up to the week of `lastTimestamp`. */
  result(lastTimestamp: bigint): CampaignAnalytics {
    const lastWeek = this.weekOf(lastTimestamp)
    const referrers = [...this.referrers.values()].filter((r) => r.signUps > 0).sort((a, b) => (a.referrer < b.referrer ? -1 : 1))
    const signUps = referrers.reduce((sum, r) => sum + r.signUps, 0)
    const latencies = [...this.latencies].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const cohorts = new Map<number, AddressHex[]>()
    for (const [referee, week] of this.cohortOf) cohorts.set(week, [...(cohorts.get(week) ?? []), referee])
    return {
      signUps,
      conversions: this.conversions,
      conversionRate: signUps === 0 ? 0 : this.conversions / signUps,
      purchases: this.purchases,
      rewardsAccrued: referrers.reduce((sum, r) => sum + r.rewardsAccrued, 0n),
      rewardsClaimed: referrers.reduce((sum, r) => sum + r.rewardsClaimed, 0n),
      seasonalRewards: this.seasonalRewards,
      claimLatency: {
        count: latencies.length,
        medianSeconds: latencies.length === 0 ? 0 : Number(latencies[Math.floor((latencies.length - 1) / 2)]),
        meanSeconds: latencies.length === 0 ? 0 : Number(latencies.reduce((a, b) => a + b, 0n)) / latencies.length,
        maxSeconds: latencies.length === 0 ? 0 : Number(latencies[latencies.length - 1]),
      },
      referrers,
      leaderboard: [...referrers]
        .sort((a, b) => b.conversions - a.conversions || (b.rewardsAccrued > a.rewardsAccrued ? 1 : b.rewardsAccrued < a.rewardsAccrued ? -1 : 0) || (a.referrer < b.referrer ? -1 : 1))
        .slice(0, 10),
      retention: [...cohorts.keys()]
        .sort((a, b) => a - b)
        .map((week) => {
          const members = cohorts.get(week)!
          const retained = Array.from({ length: lastWeek - week + 1 }, (_, k) => members.filter((m) => this.purchaseWeeks.get(m)?.has(week + k) === true).length)
          return { week, size: members.length, retained }
        }),
      signUpsByWeek: Array.from({ length: lastWeek + 1 }, (_, week) => this.signUpsByWeek[week] ?? 0),
      fraudBlocked: { ...this.fraudBlocked },
    }
  }

  private summary(referrer: AddressHex): ReferrerSummary {
    let summary = this.referrers.get(referrer)
    if (summary === undefined) {
      summary = { referrer, signUps: 0, conversions: 0, rewardsAccrued: 0n, rewardsClaimed: 0n }
      this.referrers.set(referrer, summary)
    }
    return summary
  }
}
