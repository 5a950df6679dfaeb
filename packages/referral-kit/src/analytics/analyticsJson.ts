import type { CampaignAnalytics, ReferrerSummary } from './types.js'

/** JSON-safe analytics: wei amounts as decimal strings. */
export type CampaignAnalyticsJson = Omit<CampaignAnalytics, 'rewardsAccrued' | 'rewardsClaimed' | 'referrers' | 'leaderboard'> & {
  rewardsAccrued: string
  rewardsClaimed: string
  referrers: ReferrerSummaryJson[]
  leaderboard: ReferrerSummaryJson[]
}

export type ReferrerSummaryJson = Omit<ReferrerSummary, 'rewardsAccrued' | 'rewardsClaimed'> & { rewardsAccrued: string; rewardsClaimed: string }

export function analyticsToJson(analytics: CampaignAnalytics): CampaignAnalyticsJson {
  const referrer = (r: ReferrerSummary): ReferrerSummaryJson => ({ ...r, rewardsAccrued: r.rewardsAccrued.toString(), rewardsClaimed: r.rewardsClaimed.toString() })
  return {
    ...analytics,
    rewardsAccrued: analytics.rewardsAccrued.toString(),
    rewardsClaimed: analytics.rewardsClaimed.toString(),
    referrers: analytics.referrers.map(referrer),
    leaderboard: analytics.leaderboard.map(referrer),
  }
}

export function analyticsFromJson(json: CampaignAnalyticsJson): CampaignAnalytics {
  const referrer = (r: ReferrerSummaryJson): ReferrerSummary => ({ ...r, rewardsAccrued: BigInt(r.rewardsAccrued), rewardsClaimed: BigInt(r.rewardsClaimed) })
  return {
    ...json,
    rewardsAccrued: BigInt(json.rewardsAccrued),
    rewardsClaimed: BigInt(json.rewardsClaimed),
    referrers: json.referrers.map(referrer),
    leaderboard: json.leaderboard.map(referrer),
  }
}
