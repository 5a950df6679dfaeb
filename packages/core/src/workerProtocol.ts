import type { ChainConfig } from '@ethereumjs/common'
import type { CryptoPreference } from './cryptoProvider.js'
import type { ExecuteTransactionOptions } from './executeTransaction.js'
import type { ShardOwnership } from './shardOwnership.js'
import type { AddressHex, BlockInput, Hex, StateReader, TxOutcome, WriteSet } from './types.js'

/**
 * The messages between the pool (coordinator thread) and a lane worker. They travel as
 * `v8.serialize` buffers, transferred rather than copied, so the pool can count their bytes:
 * blocks as their input encoding, state as a WriteSet, results as TxOutcomes.
 */
export type WorkerRequest =
  /** Replaces the worker's parent state (shipped once per block or state change, not per task). */
  | { type: 'state'; stateId: number; state: WriteSet }
  /** Replaces the worker's parent state with one the worker opens itself (a database snapshot). */
  | { type: 'attach'; stateId: number; source: WorkerStateSource }
  /** Drops the worker's parent state (releasing a pinned snapshot) until the next one arrives. */
  | { type: 'release' }
  /** Executes the listed transactions, each alone on the parent state plus the block's system writes. */
  | { type: 'execute'; taskId: number; stateId: number; blockKey: string; block: BlockInput; indices: number[]; options: ExecuteTransactionOptions }
  /**
   * Recovers by ECDSA the senders of `transactions` (each as the block encodes it, for the block's
   * `indices`), decoding only those at the block's fork: a lane decodes only what it runs.
   */
  | { type: 'recover'; taskId: number; common: CommonDescriptor; hardfork: string; indices: number[]; transactions: Uint8Array[] }
  /**
   * Speculative execution (Block-STM): bring the worker's replica of the block's multi-version
   * memory up to date with `updates`, then execute `indices` in order, each on the replica as of
   * its index, recording each outcome in the replica for the next.
   */
  | { type: 'speculate'; taskId: number; stateId: number; blockKey: string; block?: SpeculationBlock; updates: VersionUpdate[]; indices: number[] }
  /**
   * Agreement on commit (sharded): bring the replica up to date with `updates`, then answer the
   * digest of the final values of the keys `shard` owns (`partitionDigest`).
   */
  | { type: 'digest'; taskId: number; stateId: number; blockKey: string; block?: SpeculationBlock; updates: VersionUpdate[]; ownership: ShardOwnership; shard: number; transactionCount: number }
  /** Test hooks: make the worker die or stop answering. */
  | { type: 'fault'; kind: 'exit' | 'hang' }

/**
 * A committed state a worker opens on its own thread: `module` (a file URL of plain JavaScript)
 * exports `exportName`, a function taking `options` (structured-clone data) and returning a
 * `WorkerStateReader`. The reader must show exactly the state the coordinator holds, or throw.
 */
export interface WorkerStateSource {
  module: string
  exportName: string
  options: unknown
}

/** A state a worker opened: read while it is the worker's parent state, released when replaced. */
export interface WorkerStateReader extends StateReader {
  release?(): void
}

/** What a worker needs to build a block's Common: structured-clone data (KZG is the worker's own). */
export interface CommonDescriptor {
  chain: ChainConfig
  eips: number[]
}

/** A block under speculation, sent to each worker once per block (and again to a replacement). */
export interface SpeculationBlock {
  common: CommonDescriptor
  rlp: Uint8Array
  senders: readonly AddressHex[]
  ancestorHashes: ReadonlyMap<bigint, Uint8Array>
  /** The block's pre-transaction system writes, laid over the worker's state. */
  preBlock: WriteSet
}

/** A change to a worker's replica: a transaction's latest writes, or its mark as an ESTIMATE. */
export type VersionUpdate = { index: number; writes: WriteSet } | { index: number; estimate: true }

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'executed'; taskId: number; results: TaskResult[]; heapUsed: number; busyMs: number }

/** One transaction's result in a worker: an outcome, a sender, a dependency, or the typed error it raised. */
export type TaskResult =
  | { index: number; outcome: TxOutcome }
  | { index: number; sender: AddressHex }
  /** Speculation stopped: the transaction read a value transaction `blockedOn` is re-computing. */
  | { index: number; blockedOn: number }
  | { index: number; error: { code: string; message: string } }
  /** A shard's partition digest (index -1: it belongs to no transaction). */
  | { index: number; digest: Hex; keys: number }

/** What a worker is started with (`workerData`). */
export interface LaneWorkerData {
  /** The chain's configuration; mainnet when absent. */
  chain?: ChainConfig
  /** The worker's crypto provider; `'fast'` when absent. */
  crypto?: CryptoPreference
}
