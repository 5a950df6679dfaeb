import { interpreterPrototype } from './interpreterPrototype.js'
import type { BalanceAccess, TxStateView } from './txStateView.js'

const HOOK = Symbol('parallel-evm.zeroValueCallCheck')

/** Told when the Interpreter enters and leaves its affordability check of a zero-value call. */
export type ZeroValueCheckHook = (checking: boolean) => void

/** The hook for a lane's view: balance reads inside the check are `zero-value-check` accesses. */
export function zeroValueCheckHook(view: TxStateView): ZeroValueCheckHook {
  let previous: BalanceAccess = 'observe'
  return (checking) => {
    if (checking) [previous, view.balanceAccess] = [view.balanceAccess, 'zero-value-check']
    else view.balanceAccess = previous
  }
}

let patched: Promise<boolean> | undefined

/**
 * Before every CALL, CALLCODE or STATICCALL the Interpreter checks `contract.balance < value`.
 * With a zero value the answer is "no" whatever the balance, yet reading it makes every contract
 * that calls a precompile (ecrecover) or another contract depend on every payment to it. The
 * check runs in `_baseCall`'s synchronous stretch before its first await; that stretch also
 * enters `EVM.runCall` up to its own first await, which reads no balance on our lanes (no
 * message listeners are attached to lane EVMs). Only EVMs given here are affected.
 */
export async function exemptZeroValueCallChecks(evm: object, hook: ZeroValueCheckHook): Promise<boolean> {
  patched ??= patchBaseCall()
  if (!(await patched)) return false
  ;(evm as Record<symbol, unknown>)[HOOK] = hook
  return true
}

async function patchBaseCall(): Promise<boolean> {
  const prototype = await interpreterPrototype()
  if (prototype === undefined || typeof prototype._baseCall !== 'function') return false
  const baseCall = prototype._baseCall
  prototype._baseCall = function (msg) {
    const hook = this._evm[HOOK] as ZeroValueCheckHook | undefined
    if (hook === undefined || msg.value !== 0n) return baseCall.call(this, msg)
    hook(true)
    try {
      return baseCall.call(this, msg)
    } finally {
      hook(false)
    }
  }
  return true
}
