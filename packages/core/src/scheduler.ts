import type { LaneFactory } from './chainContext.js'
import type { PreparedBlock, SchedulerStats, StateReader, TxOutcome } from './types.js'

/** Everything a scheduler gets to run a block's transactions. */
export interface SchedulerContext {
  prepared: PreparedBlock
  /** The parent state after the block's pre-transaction system calls. */
  parent: StateReader
  /** Execution lanes on the calling thread (worker lanes come with the worker pool). */
  lanes: LaneFactory
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
}
