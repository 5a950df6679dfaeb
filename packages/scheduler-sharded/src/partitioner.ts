import type { TxAccessSets } from '@parallel-evm/conflicts'
import type { AddressHex, PreparedBlock, StateReader } from '@parallel-evm/core'
import type { ShardOwnership } from '@parallel-evm/core/internal'

/** What a partitioner sees of a block: its predicted access sets, before any execution. */
export interface BlockProfile {
  prepared: PreparedBlock
  /** Per transaction, the keys it is predicted to read, write and credit. */
  sets: readonly TxAccessSets[]
  coinbase: AddressHex
  /** The block's parent state, for sizing the state a new placement moves. */
  parent: StateReader
}

/** State that changed owner for a block: what a deployment with separate shard stores would copy. */
export interface Migration {
  accounts: number
  slots: number
  /** Their encoded size: address, balance, nonce and code hash (and code) per account; key and value per slot. */
  bytes: number
}

export interface Partition {
  ownership: ShardOwnership
  migration: Migration
}

/**
 * Places state on shards, once per block, in chain order. A partitioner may keep what it placed
 * for earlier blocks (and must then be deterministic in the blocks it has seen), so one instance
 * serves one chain.
 */
export interface Partitioner {
  readonly name: string
  partition(block: BlockProfile, shards: number): Partition
}

export const NO_MIGRATION: Migration = { accounts: 0, slots: 0, bytes: 0 }

/** Every account on the shard its address hashes to, its storage with it: nothing ever moves. */
export function createHashPartitioner(): Partitioner {
  return {
    name: 'hash',
    partition: (_block, shards) => ({ ownership: { shards, accounts: new Map(), slots: new Map() }, migration: NO_MIGRATION }),
  }
}
