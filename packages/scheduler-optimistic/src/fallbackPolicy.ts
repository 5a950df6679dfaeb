import type { SchedulerContext } from '@parallel-evm/core'
import type { ContentionLimit } from './blockStm.js'

/**
 * When a block runs sequentially on the calling thread instead of on the workers. The defaults
 * come from the bench (see the package README): below them, shipping the state and the block to
 * the workers and coordinating costs more than parallel execution saves.
 */
export interface FallbackThresholds {
  /** Blocks with fewer transactions run sequentially. */
  minTransactions: number
  /** Blocks whose header claims less gas used run sequentially (a hint only: results never depend on it). */
  minGasUsed: bigint
  /** Mid-block: when speculation keeps aborting, the rest of the block runs sequentially. */
  contention: ContentionLimit | undefined
}

export const DEFAULT_FALLBACK: FallbackThresholds = {
  minTransactions: 8,
  minGasUsed: 1_000_000n,
  contention: { minExecutions: 64, abortRatio: 0.5 },
}

/** Why `ctx`'s block should not run in parallel, or undefined when it should. */
export function fallbackReason(ctx: SchedulerContext, thresholds: FallbackThresholds): string | undefined {
  const { transactions, header } = ctx.prepared
  if (ctx.state.exportState === undefined) return `the ${ctx.state.kind} backend cannot ship its state to worker threads`
  if (transactions.length < thresholds.minTransactions) return `${transactions.length} transactions, under ${thresholds.minTransactions}`
  if (header.gasUsed < thresholds.minGasUsed) return `${header.gasUsed} gas used, under ${thresholds.minGasUsed}`
  return undefined
}
