import type { VM } from '@ethereumjs/vm'
import type { TxStateView } from './txStateView.js'

interface EvmInternals {
  _addToBalance(toAccount: unknown, message: unknown): Promise<void>
  _reduceSenderBalance(account: unknown, message: unknown): Promise<void>
  runCall(opts: { message?: unknown }): Promise<unknown>
  journal: { cleanup(): Promise<void> }
}

/**
 * Tells the view *why* the EVM touches a balance, which `StateManagerInterface` does not say:
 * - value transfers (`_addToBalance`, `_reduceSenderBalance`) are credits and debits;
 * - after the top-level call returns, runTx credits the fee recipient: a credit too;
 * - EIP-161 cleanup only asks whether touched accounts are empty.
 * These are ethereumjs 10.1.x internals (pinned); the differential tests against runBlock catch
 * any change in them, since a missed real read would change results.
 */
export function instrumentLane(vm: VM, view: TxStateView): void {
  const evm = vm.evm as unknown as EvmInternals
  const asCredit = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => async (...args: A) => {
    const previous = view.balanceAccess
    view.balanceAccess = 'credit'
    try {
      await fn(...args)
    } finally {
      view.balanceAccess = previous
    }
  }
  evm._addToBalance = asCredit(evm._addToBalance.bind(evm))
  // The value debit of a call: the caller's balance was already checked, this only subtracts.
  evm._reduceSenderBalance = asCredit(evm._reduceSenderBalance.bind(evm))
  const runCall = evm.runCall.bind(evm)
  evm.runCall = async (opts) => {
    // Nested calls pass a message; only runTx's own call starts and ends execution.
    const topLevel = opts.message === undefined
    if (topLevel) view.inExecution = true
    try {
      return await runCall(opts)
    } finally {
      if (topLevel) {
        view.inExecution = false
        view.inFeePhase = true
      }
    }
  }
  const journal = evm.journal
  const cleanup = journal.cleanup.bind(journal)
  journal.cleanup = async () => {
    view.inFeePhase = false
    view.balanceAccess = 'emptiness'
    try {
      await cleanup()
    } finally {
      view.balanceAccess = 'observe'
    }
  }
}
