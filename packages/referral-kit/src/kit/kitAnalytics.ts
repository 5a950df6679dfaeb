import type { BlockResult } from '@parallel-evm/core'
import { getAddress, type Hex } from 'viem'
import { decodeReferralKitLog, type ReferralKitEvent } from './decode.js'
import type { ReferralKitAddresses } from './types.js'

/** One kit event and where it happened. */
export interface ReferralKitEventRecord {
  event: ReferralKitEvent
  blockNumber: bigint
  transactionHash: Hex
  /** The log's position in its block. */
  logIndex: number
}

/** What a client needs for `readReferralKitEvents`: viem's public actions have it. */
export interface LogReader {
  getLogs(parameters: { address: Hex[]; fromBlock?: bigint | 'earliest'; toBlock?: bigint | 'latest' }): Promise<
    readonly { address: Hex; topics: readonly Hex[]; data: Hex; blockNumber: bigint | null; transactionHash: Hex | null; logIndex: number | null }[]
  >
}

const kitContracts = (addresses: ReferralKitAddresses): Hex[] => [addresses.registry, addresses.rewards, ...(addresses.badges === undefined ? [] : [addresses.badges])]

/** The kit's events from a deployed kit's logs (`eth_getLogs` through any viem public client), in chain order. */
export async function readReferralKitEvents(client: LogReader, addresses: ReferralKitAddresses, range: { fromBlock?: bigint; toBlock?: bigint } = {}): Promise<ReferralKitEventRecord[]> {
  const contracts = kitContracts(addresses)
  const logs = await client.getLogs({ address: contracts, fromBlock: range.fromBlock ?? 'earliest', toBlock: range.toBlock ?? 'latest' })
  const records: ReferralKitEventRecord[] = []
  for (const log of logs) {
    const event = decodeReferralKitLog(log, { contracts })
    if (event === undefined || log.blockNumber === null || log.transactionHash === null || log.logIndex === null) continue
    records.push({ event, blockNumber: log.blockNumber, transactionHash: log.transactionHash, logIndex: log.logIndex })
  }
  return records.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1))
}

/** The kit's events from our executor's block results, in chain order: the same records `readReferralKitEvents` gives. */
export function referralKitEventsFromResults(results: readonly BlockResult[], addresses: ReferralKitAddresses): ReferralKitEventRecord[] {
  const contracts = kitContracts(addresses)
  const records: ReferralKitEventRecord[] = []
  for (const result of results) {
    let logIndex = 0
    for (const outcome of result.outcomes) {
      for (const log of outcome.logs) {
        const event = decodeReferralKitLog(log, { contracts })
        if (event !== undefined) records.push({ event, blockNumber: result.number, transactionHash: outcome.txHash, logIndex })
        logIndex += 1
      }
    }
  }
  return records
}

/** One referrer's standing, from its events. */
export interface ReferralKitReferrer {
  referrer: Hex
  signUps: number
  qualified: number
  /** The highest tier a reward was accrued at. */
  tier: bigint
  accrued: bigint
  claimed: bigint
  badges: bigint[]
}

/** What a kit's events say about its program: the same from `getLogs` as from our executor. */
export interface ReferralKitSummary {
  codes: number
  signUps: number
  attestationsUsed: number
  qualified: number
  actions: { rewarded: number; value: bigint; accrued: bigint; seasonal: number; unfunded: bigint }
  claims: { count: number; paid: bigint }
  vault: { funded: bigint; withdrawn: bigint }
  badges: number
  /** By accrued rewards, largest first (ties by address). */
  referrers: ReferralKitReferrer[]
}

/** A summary of no events. */
export function emptyReferralKitSummary(): ReferralKitSummary {
  return {
    codes: 0,
    signUps: 0,
    attestationsUsed: 0,
    qualified: 0,
    actions: { rewarded: 0, value: 0n, accrued: 0n, seasonal: 0, unfunded: 0n },
    claims: { count: 0, paid: 0n },
    vault: { funded: 0n, withdrawn: 0n },
    badges: 0,
    referrers: [],
  }
}

/**
 * Sums a kit's events. Failed transactions leave no logs, so what the contracts refused (fraud
 * attempts, capped sign-ups) is not here: count those from receipts and revert data.
 */
export function summarizeReferralKit(records: readonly ReferralKitEventRecord[]): ReferralKitSummary {
  const summary = emptyReferralKitSummary()
  const referrers = new Map<Hex, ReferralKitReferrer>()
  const referrer = (address: Hex) => {
    const key = getAddress(address)
    let entry = referrers.get(key)
    if (entry === undefined) {
      entry = { referrer: key, signUps: 0, qualified: 0, tier: 0n, accrued: 0n, claimed: 0n, badges: [] }
      referrers.set(key, entry)
    }
    return entry
  }
  for (const { event } of records) {
    switch (event.eventName) {
      case 'CodeRegistered':
        summary.codes += 1
        break
      case 'SignedUp':
        summary.signUps += 1
        referrer(event.args.referrer).signUps += 1
        break
      case 'AttestationUsed':
        summary.attestationsUsed += 1
        break
      case 'Qualified':
        summary.qualified += 1
        referrer(event.args.referrer).qualified += 1
        break
      case 'RewardAccrued': {
        const entry = referrer(event.args.referrer)
        summary.actions.rewarded += 1
        summary.actions.value += event.args.value
        summary.actions.accrued += event.args.reward
        if (event.args.seasonal) summary.actions.seasonal += 1
        entry.accrued += event.args.reward
        if (event.args.tier > entry.tier) entry.tier = event.args.tier
        break
      }
      case 'RewardShortfall':
        summary.actions.unfunded += event.args.unfunded
        break
      case 'Claimed':
        summary.claims.count += 1
        summary.claims.paid += event.args.total
        referrer(event.args.referrer).claimed += event.args.total
        break
      case 'Funded':
        summary.vault.funded += event.args.amount
        break
      case 'Withdrawn':
        summary.vault.withdrawn += event.args.amount
        break
      case 'BadgeAwarded':
        summary.badges += 1
        referrer(event.args.referrer).badges.push(event.args.tier)
        break
    }
  }
  summary.referrers = [...referrers.values()].sort((a, b) => (a.accrued === b.accrued ? a.referrer.localeCompare(b.referrer) : a.accrued > b.accrued ? -1 : 1))
  return summary
}
