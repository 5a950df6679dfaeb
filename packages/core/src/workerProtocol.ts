import type { ChainConfig } from '@ethereumjs/common'
import type { ExecuteTransactionOptions } from './executeTransaction.js'
import type { AddressHex, BlockInput, TxOutcome, WriteSet } from './types.js'

/**
 * The messages between the pool (coordinator thread) and a lane worker. Everything is structured-
 * clone data: blocks travel as their input encoding, state as a WriteSet, results as TxOutcomes.
 */
export type WorkerRequest =
  /** Replaces the worker's parent state (shipped once per block or state change, not per task). */
  | { type: 'state'; stateId: number; state: WriteSet }
  /** Executes the listed transactions, each alone on the parent state plus the block's system writes. */
  | { type: 'execute'; taskId: number; stateId: number; blockKey: string; block: BlockInput; indices: number[]; options: ExecuteTransactionOptions }
  /** Recovers the senders of the listed transactions by ECDSA. */
  | { type: 'recover'; taskId: number; block: BlockInput; indices: number[] }
  /** Test hooks: make the worker die or stop answering. */
  | { type: 'fault'; kind: 'exit' | 'hang' }

export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'executed'; taskId: number; results: TaskResult[]; heapUsed: number }

/** One transaction's result in a worker: an outcome, or the typed error it raised. */
export type TaskResult =
  | { index: number; outcome: TxOutcome }
  | { index: number; sender: AddressHex }
  | { index: number; error: { code: string; message: string } }

/** What a worker is started with (`workerData`). */
export interface LaneWorkerData {
  /** The chain's configuration; mainnet when absent. */
  chain?: ChainConfig
}
