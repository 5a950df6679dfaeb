import type { LaneFactory } from './chainContext.js'
import type { SenderRecovery } from './prepareBlock.js'
import type { StateBackend } from './stateBackend.js'
import type { PreparedBlock, SchedulerStats, StateReader, TxOutcome, WriteSet } from './types.js'

/** Everything a scheduler gets to run a block's transactions. */
export interface SchedulerContext {
  prepared: PreparedBlock
  /** The parent state after the block's pre-transaction system calls. */
  parent: StateReader
  /** Execution lanes on the calling thread (worker lanes come with the worker pool). */
  lanes: LaneFactory
  /** The committed backend under `parent`, for schedulers that ship the state to worker threads. */
  state: StateBackend
  /** The block's pre-transaction system writes, already laid over the backend in `parent`. */
  preBlock: WriteSet
}

export interface ScheduleResult {
  /** One outcome per transaction, in block order, each as if run after all earlier ones. */
  outcomes: TxOutcome[]
  stats: SchedulerStats
}

/**
 * Decides how a block's transactions run, never what the block means: pre- and post-block
 * steps, receipts and commit are the block path's, shared by every scheduler.
 */
export interface Scheduler {
  readonly name: string
  execute(ctx: SchedulerContext): Promise<ScheduleResult>
  /**
   * Recovers the senders of a block that arrives without them, e.g. on the scheduler's worker
   * threads (ECDSA, about 2 ms a transaction). Without it they are recovered on the calling thread.
   */
  recoverSenders?: SenderRecovery
  /** Releases what the scheduler holds between blocks (worker threads); it runs no block after. */
  close?(): Promise<void>
}
