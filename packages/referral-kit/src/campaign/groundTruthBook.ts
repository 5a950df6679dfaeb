import type { AddressHex } from '@parallel-evm/core'
import { addPurchaseWeek, emptyTallies, referrerTally, summarizeTallies } from '../analytics/summarize.js'
import type { CampaignAnalytics } from '../analytics/types.js'
import { fraudKindOf } from '../fraudKinds.js'

/**
 * The generator's own tally of the campaign as its model says it went, kept beside the blocks as
 * the answer the analytics must reproduce from receipts and logs alone. Only the final summary
 * (`summarizeTallies`) is shared with the analytics; the counts come from the model.
 */
export class GroundTruthBook {
  private readonly tallies = emptyTallies()

  constructor(private readonly weekOf: (timestamp: bigint) => number) {}

  signedUp(referee: AddressHex, referrer: AddressHex, now: bigint): void {
    const week = this.weekOf(now)
    referrerTally(this.tallies, referrer).signUps++
    this.tallies.cohortOf.set(referee, week)
    this.tallies.signUpsByWeek[week] = (this.tallies.signUpsByWeek[week] ?? 0) + 1
  }

  purchased(buyer: AddressHex, now: bigint): void {
    this.tallies.purchases++
    addPurchaseWeek(this.tallies, buyer, this.weekOf(now))
  }

  converted(referrer: AddressHex, amount: bigint, seasonal: boolean): void {
    if (seasonal) this.tallies.seasonalRewards++
    const summary = referrerTally(this.tallies, referrer)
    summary.conversions++
    summary.rewardsAccrued += amount
  }

  claimed(referrer: AddressHex, amount: bigint, accruedAt: bigint, now: bigint): void {
    referrerTally(this.tallies, referrer).rewardsClaimed += amount
    this.tallies.latencies.push(now - accruedAt)
  }

  rejected(errorName: string): void {
    const kind = fraudKindOf(errorName)
    if (kind !== undefined) this.tallies.fraudBlocked[kind]++
  }

  /** The tally in the analytics' shape, up to the week of `lastTimestamp`. */
  result(lastTimestamp: bigint): CampaignAnalytics {
    return summarizeTallies(this.tallies, this.weekOf(lastTimestamp))
  }
}
