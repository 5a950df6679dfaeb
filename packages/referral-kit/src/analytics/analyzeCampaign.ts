import type { AddressHex } from '@parallel-evm/core'
import { decodeReferralError, decodeReferralLog } from '../client.js'
import { fraudKindOf } from '../fraudKinds.js'
import type { CampaignRecords } from './records.js'
import { addPurchaseWeek, emptyTallies, referrerTally, summarizeTallies } from './summarize.js'
import type { CampaignAnalytics } from './types.js'

/**
 * The campaign's numbers from receipts, logs and revert data only: sign-ups per referrer,
 * conversion rate, rewards accrued and claimed, claim latency, weekly-cohort retention, the
 * leaderboard and the fraud attempts the program rejected, by kind.
 */
export function analyzeCampaign(records: CampaignRecords): CampaignAnalytics {
  const weekOf = (timestamp: bigint) => Number((timestamp - records.programStart) / records.epochLength)
  const address = (value: string) => value.toLowerCase() as AddressHex
  const tallies = emptyTallies()
  const accruedAt = new Map<AddressHex, bigint>()

  for (const tx of records.transactions) {
    if (tx.status === 0) {
      const error = tx.revertData === undefined ? undefined : decodeReferralError(tx.revertData)
      const kind = error === undefined ? undefined : fraudKindOf(error.errorName)
      if (kind !== undefined) tallies.fraudBlocked[kind]++
      continue
    }
    for (const log of tx.logs) {
      if (log.address !== records.program) continue
      const event = decodeReferralLog(log)
      switch (event?.eventName) {
        case 'SignedUp': {
          const week = Number(event.args.epoch)
          referrerTally(tallies, address(event.args.referrer)).signUps++
          tallies.cohortOf.set(address(event.args.referee), week)
          tallies.signUpsByWeek[week] = (tallies.signUpsByWeek[week] ?? 0) + 1
          break
        }
        case 'Purchased':
          tallies.purchases++
          addPurchaseWeek(tallies, address(event.args.buyer), weekOf(tx.timestamp))
          break
        case 'RewardAccrued': {
          const entry = referrerTally(tallies, address(event.args.referrer))
          entry.conversions++
          entry.rewardsAccrued += event.args.amount
          if (event.args.seasonal) tallies.seasonalRewards++
          accruedAt.set(address(event.args.referee), tx.timestamp)
          break
        }
        case 'RewardClaimed': {
          referrerTally(tallies, address(event.args.referrer)).rewardsClaimed += event.args.amount
          // Records that start after the accrual (a window of blocks) cannot say how long it waited.
          const accrued = accruedAt.get(address(event.args.referee))
          if (accrued !== undefined) tallies.latencies.push(tx.timestamp - accrued)
          break
        }
      }
    }
  }
  return summarizeTallies(tallies, weekOf(records.blocks.at(-1)?.timestamp ?? records.programStart))
}
