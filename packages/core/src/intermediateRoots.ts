import { Hardfork } from '@ethereumjs/common'
import type { StateBackend } from './stateBackend.js'
import { StateOverlay } from './stateOverlay.js'
import type { PreparedBlock, TxOutcome, WriteSet } from './types.js'
import { createWriteSet, mergeWriteSet, resolveDeltas } from './writeSet.js'

/**
 * Before Byzantium a receipt holds the state root after its transaction. Given a backend that can
 * compute roots step by step and a complete state, the outcomes get those roots (so the receipts
 * root is checked); otherwise, and on later forks, they are returned as they are.
 */
export async function withIntermediateRoots(
  prepared: PreparedBlock,
  outcomes: TxOutcome[],
  parent: StateOverlay,
  preBlock: WriteSet,
  state: StateBackend,
  partialState: boolean | undefined,
): Promise<TxOutcome[]> {
  if (prepared.common.gteHardfork(Hardfork.Byzantium) || state.intermediateRoots === undefined || partialState === true) return outcomes
  // Each step's credits become balances against the state the steps before it left.
  const running = new StateOverlay(parent)
  const steps = outcomes.map((outcome) => {
    const step = resolveDeltas(mergeWriteSet(createWriteSet(), outcome.writeSet), running)
    running.apply(step)
    return step
  })
  // The backend's committed state lacks the pre-block system writes that `parent` holds.
  steps[0] = mergeWriteSet(mergeWriteSet(createWriteSet(), preBlock), steps[0]!)
  const roots = await state.intermediateRoots(steps)
  return outcomes.map((outcome, index) => ({ ...outcome, intermediateStateRoot: roots[index]! }))
}
