import type { AddressHex } from '@parallel-evm/core'
import type { FraudKind } from '../campaign/types.js'

export interface ReferrerSummary {
  referrer: AddressHex
  signUps: number
  conversions: number
  /** Wei. */
  rewardsAccrued: bigint
  rewardsClaimed: bigint
}

export interface CohortRetention {
  /** Program week (epoch) of sign-up. */
  week: number
  size: number
  /** retained[k]: cohort members with a purchase in week `week + k`. */
  retained: number[]
}

export interface ClaimLatency {
  /** Rewards claimed. */
  count: number
  /** Seconds from accrual to claim; the median is the lower middle for an even count. */
  medianSeconds: number
  meanSeconds: number
  maxSeconds: number
}

/** What `analyzeCampaign` reads out of receipts, logs and revert data. */
export interface CampaignAnalytics {
  signUps: number
  conversions: number
  /** conversions / sign-ups, 0 without sign-ups. */
  conversionRate: number
  purchases: number
  rewardsAccrued: bigint
  rewardsClaimed: bigint
  /** Rewards accrued inside the seasonal window (with the bonus). */
  seasonalRewards: number
  claimLatency: ClaimLatency
  /** Every referrer with at least one sign-up, by address. */
  referrers: ReferrerSummary[]
  /** Top 10 by conversions, then rewards accrued, then address. */
  leaderboard: ReferrerSummary[]
  retention: CohortRetention[]
  /** Sign-ups per program week. */
  signUpsByWeek: number[]
  /** Attempts rejected, by kind of fraud. */
  fraudBlocked: Record<FraudKind, number>
}
