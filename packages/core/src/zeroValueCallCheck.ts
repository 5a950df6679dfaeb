import { interpreterPrototype } from './interpreterPrototype.js'

const HOOK = Symbol('parallel-evm.zeroValueCallCheck')

/** Told when the Interpreter enters and leaves its affordability check of a zero-value call. */
export type ZeroValueCheckHook = (checking: boolean) => void

let patched: Promise<boolean> | undefined

/**
 * Before every CALL, STATICCALL or DELEGATECALL the Interpreter checks `contract.balance < value`
 * (skipping DELEGATECALL). With a zero value the answer is "no" whatever the balance, yet reading it
 * makes every contract that calls a precompile (ecrecover) or another contract depend on every
 * payment to it. The check runs synchronously before `_baseCall`'s first await, so wrapping that
 * synchronous stretch marks exactly this read and nothing else. Only EVMs given here are affected.
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
