import { bytesToHex } from '@ethereumjs/util'
import type { AddressHex, BlockResult, Hex } from '@parallel-evm/core'

export interface LogRecord {
  address: AddressHex
  topics: Hex[]
  data: Hex
}

/** One transaction as the chain reports it: its receipt, logs and, when it reverted, the revert data. */
export interface TransactionRecord {
  block: bigint
  timestamp: bigint
  index: number
  status: 0 | 1
  gasUsed: bigint
  logs: LogRecord[]
  revertData?: Hex
  createdAddress?: AddressHex
}

/** Everything the analytics read: the executed blocks' receipts and logs, nothing from state. */
export interface CampaignRecords {
  program: AddressHex
  /** Timestamp of the block that deployed the program: week 0 starts there. */
  programStart: bigint
  /** Seconds per program week: the program's epoch length as deployed. */
  epochLength: bigint
  blocks: { number: bigint; timestamp: bigint }[]
  transactions: TransactionRecord[]
}

/**
 * Collects the records of executed blocks, finding the program's start at its creating
 * transaction; `program` and `epochLength` as deployed (a Campaign has both).
 */
export function recordsFromResults(results: readonly BlockResult[], { program, epochLength }: { program: AddressHex; epochLength: bigint }): CampaignRecords {
  const transactions: TransactionRecord[] = []
  let programStart: bigint | undefined
  for (const result of results) {
    const timestamp = result.header.timestamp
    for (const outcome of result.outcomes) {
      if (outcome.createdAddress === program) programStart = timestamp
      transactions.push({
        block: result.number,
        timestamp,
        index: outcome.index,
        status: outcome.status,
        gasUsed: outcome.gasUsed,
        logs: outcome.logs.map(([address, topics, data]) => ({ address: bytesToHex(address) as AddressHex, topics: topics.map((t) => bytesToHex(t) as Hex), data: bytesToHex(data) as Hex })),
        ...(outcome.revertData === undefined ? {} : { revertData: outcome.revertData }),
        ...(outcome.createdAddress === undefined ? {} : { createdAddress: outcome.createdAddress }),
      })
    }
  }
  if (programStart === undefined) throw new Error(`no executed transaction created the program ${program}`)
  return { program, programStart, epochLength, blocks: results.map((r) => ({ number: r.number, timestamp: r.header.timestamp })), transactions }
}
