import { executeTransaction } from './executeTransaction.js'
import { assertBlockGasAvailable } from './finalizeBlock.js'
import { StateOverlay } from './stateOverlay.js'
import type { Scheduler, SchedulerContext, ScheduleResult } from './scheduler.js'
import type { TxOutcome } from './types.js'

/**
 * How long the sequential path runs before letting the event loop in. EVM execution is one chain of
 * promise continuations, so a block would otherwise hold the thread for its whole run: the embedding
 * application's timers, I/O and worker messages would wait seconds on a large block.
 */
const YIELD_EVERY_MS = 50

/**
 * One lane, block order: each transaction sees the parent state plus every earlier transaction's
 * writes. The reference every other scheduler is tested against, and their fallback.
 */
export function createSequentialScheduler(): Scheduler {
  return { name: 'sequential', execute: executeSequential }
}

export async function executeSequential(ctx: SchedulerContext): Promise<ScheduleResult> {
  const { prepared } = ctx
  const state = new StateOverlay(ctx.parent)
  const outcomes: TxOutcome[] = []
  let blockGasUsed = 0n
  let yieldedAt = performance.now()
  for (let index = 0; index < prepared.transactions.length; index++) {
    assertBlockGasAvailable(prepared, index, blockGasUsed)
    const outcome = await executeTransaction(ctx.lanes, prepared, index, state)
    state.apply(outcome.writeSet)
    blockGasUsed += outcome.blockGasUsed
    outcomes.push(outcome)
    if (performance.now() - yieldedAt >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      yieldedAt = performance.now()
    }
  }
  return { outcomes, stats: { scheduler: 'sequential', lanes: 1, executions: outcomes.length } }
}
