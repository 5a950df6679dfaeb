import { type BlockResult } from '@parallel-evm/core'
import { stateKeyId, writtenKeys } from '@parallel-evm/core/internal'
import type { TxAccessSets } from './accessSets.js'

/**
 * How the block's system calls order against its transactions. They run once, outside every
 * scheduler's lanes (before the first transaction, and from Prague after the last), so they are not
 * nodes of the dependency graph; these are the edges they would add.
 */
export interface SystemCallEdges {
  /** Transactions that read what the pre-block calls wrote (EIP-4788 beacon roots, EIP-2935 history). */
  readPreBlock: number[]
  /** Transactions whose writes the end-of-block EIP-7002/7251 calls read: the request queues they filled. */
  readByPostBlock: number[]
}

export function systemCallEdges(result: BlockResult, sets: readonly TxAccessSets[]): SystemCallEdges {
  const preBlockKeys = new Set(writtenKeys(result.systemCalls.preBlock).map(stateKeyId))
  const postBlockReads = new Set(result.systemCalls.postBlock?.readSet.keys() ?? [])
  const indices = (test: (set: TxAccessSets) => boolean) => sets.flatMap((set, index) => (test(set) ? [index] : []))
  return {
    readPreBlock: indices((set) => [...set.reads].some((key) => preBlockKeys.has(key))),
    readByPostBlock: indices((set) => [...set.writes, ...set.deltas, ...set.chained].some((key) => postBlockReads.has(key))),
  }
}
