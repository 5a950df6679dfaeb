import { executeTransaction } from './executeTransaction.js'
import { assertBlockGasAvailable } from './finalizeBlock.js'
import { StateOverlay } from './stateOverlay.js'
import type { Scheduler, SchedulerContext, ScheduleResult } from './scheduler.js'
import type { TxOutcome } from './types.js'

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
  for (let index = 0; index < prepared.transactions.length; index++) {
    assertBlockGasAvailable(prepared, index, blockGasUsed)
    const outcome = await executeTransaction(ctx.lanes, prepared, index, state)
    state.apply(outcome.writeSet)
    blockGasUsed += outcome.blockGasUsed
    outcomes.push(outcome)
  }
  return { outcomes, stats: { scheduler: 'sequential', lanes: 1, executions: outcomes.length } }
}
