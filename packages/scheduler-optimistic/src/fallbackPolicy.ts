import { cannotShipState, expectedBlockGas, senderBoundSpeedup, type SchedulerContext } from '@parallel-evm/core/internal'
import type { ContentionLimit } from './blockStm.js'

/**
 * When a block runs sequentially on the calling thread instead of on the workers. The defaults
 * come from the bench (see the package README): below them, shipping the state and the block to
 * the workers and coordinating costs more than parallel execution saves.
 */
export interface FallbackThresholds {
  /** Blocks with fewer transactions run sequentially. */
  minTransactions: number
  /**
   * Blocks whose header claims less gas used (or, when the header says 0, whose transactions' gas
   * limits add up to less) run sequentially: a hint only, results never depend on it.
   */
  minGasUsed: bigint
  /**
   * Blocks whose transactions from one sender (which must run in nonce order) hold so much of the
   * block's gas that even unlimited lanes could not beat this speedup run sequentially.
   */
  minSenderBoundSpeedup: number
  /** Mid-block: when speculation keeps aborting, the rest of the block runs sequentially. */
  contention: ContentionLimit | undefined
}

export const DEFAULT_FALLBACK: FallbackThresholds = {
  minTransactions: 8,
  minGasUsed: 1_000_000n,
  minSenderBoundSpeedup: 1.5,
  contention: { minExecutions: 64, abortRatio: 0.5 },
}

/** Why `ctx`'s block should not run in parallel, or undefined when it should. */
export function fallbackReason(ctx: SchedulerContext, thresholds: FallbackThresholds): string | undefined {
  const { transactions } = ctx.prepared
  const shipping = cannotShipState(ctx)
  if (shipping !== undefined) return shipping
  if (transactions.length < thresholds.minTransactions) return `${transactions.length} transactions, under ${thresholds.minTransactions}`
  const gas = expectedBlockGas(ctx)
  if (gas < thresholds.minGasUsed) return `${gas} gas used, under ${thresholds.minGasUsed}`
  const bound = senderBoundSpeedup(ctx)
  if (bound < thresholds.minSenderBoundSpeedup) return `one sender's transactions bound the speedup to ${bound.toFixed(2)}x, under ${thresholds.minSenderBoundSpeedup}x`
  return undefined
}

export { cannotShipState, senderBoundSpeedup }
