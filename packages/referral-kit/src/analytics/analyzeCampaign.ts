import type { AddressHex } from '@parallel-evm/core'
import { decodeReferralError, decodeReferralLog } from '../client.js'
import { emptyFraudCounts, fraudKindOf } from '../fraudKinds.js'
import type { CampaignRecords } from './records.js'
import type { CampaignAnalytics, CohortRetention, ReferrerSummary } from './types.js'

/**
 * The campaign's numbers from receipts, logs and revert data only: sign-ups per referrer,
 * conversion rate, rewards accrued and claimed, claim latency, weekly-cohort retention, the
 * leaderboard and the fraud attempts the program rejected, by kind.
 */
export function analyzeCampaign(records: CampaignRecords): CampaignAnalytics {
  const weekOf = (timestamp: bigint) => Number((timestamp - records.programStart) / records.epochLength)
  const referrers = new Map<AddressHex, ReferrerSummary>()
  const summary = (referrer: AddressHex) => {
    let entry = referrers.get(referrer)
    if (entry === undefined) referrers.set(referrer, (entry = { referrer, signUps: 0, conversions: 0, rewardsAccrued: 0n, rewardsClaimed: 0n }))
    return entry
  }
  const cohortOf = new Map<AddressHex, number>()
  const purchaseWeeks = new Map<AddressHex, Set<number>>()
  const accruedAt = new Map<AddressHex, bigint>()
  const latencies: bigint[] = []
  const signUpsByWeek: number[] = []
  const fraudBlocked = emptyFraudCounts()
  let purchases = 0
  let seasonalRewards = 0

  for (const tx of records.transactions) {
    if (tx.status === 0) {
      const error = tx.revertData === undefined ? undefined : decodeReferralError(tx.revertData)
      const kind = error === undefined ? undefined : fraudKindOf(error.errorName)
      if (kind !== undefined) fraudBlocked[kind]++
      continue
    }
    for (const log of tx.logs) {
      if (log.address !== records.program) continue
      const event = decodeReferralLog(log)
      switch (event?.eventName) {
        case 'SignedUp': {
          const week = Number(event.args.epoch)
          const referee = event.args.referee.toLowerCase() as AddressHex
          summary(event.args.referrer.toLowerCase() as AddressHex).signUps++
          cohortOf.set(referee, week)
          signUpsByWeek[week] = (signUpsByWeek[week] ?? 0) + 1
          break
        }
        case 'Purchased': {
          purchases++
          const buyer = event.args.buyer.toLowerCase() as AddressHex
          const weeks = purchaseWeeks.get(buyer) ?? new Set<number>()
          weeks.add(weekOf(tx.timestamp))
          purchaseWeeks.set(buyer, weeks)
          break
        }
        case 'RewardAccrued': {
          const entry = summary(event.args.referrer.toLowerCase() as AddressHex)
          entry.conversions++
          entry.rewardsAccrued += event.args.amount
          if (event.args.seasonal) seasonalRewards++
          accruedAt.set(event.args.referee.toLowerCase() as AddressHex, tx.timestamp)
          break
        }
        case 'RewardClaimed': {
          summary(event.args.referrer.toLowerCase() as AddressHex).rewardsClaimed += event.args.amount
          latencies.push(tx.timestamp - accruedAt.get(event.args.referee.toLowerCase() as AddressHex)!)
          break
        }
      }
    }
  }

  const lastTimestamp = records.blocks.at(-1)?.timestamp ?? records.programStart
  const lastWeek = weekOf(lastTimestamp)
  const active = [...referrers.values()].filter((r) => r.signUps > 0).sort((a, b) => compareAddresses(a.referrer, b.referrer))
  const signUps = active.reduce((sum, r) => sum + r.signUps, 0)
  const conversions = active.reduce((sum, r) => sum + r.conversions, 0)
  latencies.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    signUps,
    conversions,
    conversionRate: signUps === 0 ? 0 : conversions / signUps,
    purchases,
    rewardsAccrued: active.reduce((sum, r) => sum + r.rewardsAccrued, 0n),
    rewardsClaimed: active.reduce((sum, r) => sum + r.rewardsClaimed, 0n),
    seasonalRewards,
    claimLatency: {
      count: latencies.length,
      medianSeconds: latencies.length === 0 ? 0 : Number(latencies[(latencies.length - 1) >> 1]),
      meanSeconds: latencies.length === 0 ? 0 : Number(latencies.reduce((a, b) => a + b, 0n)) / latencies.length,
      maxSeconds: latencies.length === 0 ? 0 : Number(latencies.at(-1)),
    },
    referrers: active,
    leaderboard: [...active].sort(byLeaderboardRank).slice(0, 10),
    retention: retention(cohortOf, purchaseWeeks, lastWeek),
    signUpsByWeek: Array.from({ length: lastWeek + 1 }, (_, week) => signUpsByWeek[week] ?? 0),
    fraudBlocked,
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

function byLeaderboardRank(a: ReferrerSummary, b: ReferrerSummary): number {
  if (a.conversions !== b.conversions) return b.conversions - a.conversions
  if (a.rewardsAccrued !== b.rewardsAccrued) return a.rewardsAccrued > b.rewardsAccrued ? -1 : 1
  return compareAddresses(a.referrer, b.referrer)
}

function compareAddresses(a: AddressHex, b: AddressHex): number {
  return a < b ? -1 : a > b ? 1 : 0
}
