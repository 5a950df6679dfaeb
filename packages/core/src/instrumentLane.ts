import type { VM } from '@ethereumjs/vm'
import type { TxStateView } from './txStateView.js'

interface EvmInternals {
  _addToBalance(toAccount: unknown, message: unknown): Promise<void>
  runCall(opts: { message?: unknown }): Promise<unknown>
  journal: { cleanup(): Promise<void> }
}

/**
 * Tells the view *why* the EVM touches a balance, which `StateManagerInterface` does not say:
 * - value transfers (`_addToBalance`) are credits;
 * - after the top-level call returns, runTx credits the fee recipient: a credit too;
 * - EIP-161 cleanup only asks whether touched accounts are empty.
 * These are ethereumjs 10.1.x internals (pinned); the differential tests against runBlock catch
 * any change in them, since a missed real read would change results.
 */
export function instrumentLane(vm: VM, view: TxStateView): void {
  const evm = vm.evm as unknown as EvmInternals
  const addToBalance = evm._addToBalance.bind(evm)
  evm._addToBalance = async (toAccount, message) => {
    const previous = view.balanceAccess
    view.balanceAccess = 'credit'
    try {
      await addToBalance(toAccount, message)
    } finally {
      view.balanceAccess = previous
    }
  }
  const runCall = evm.runCall.bind(evm)
  evm.runCall = async (opts) => {
    const result = await runCall(opts)
    // Nested calls pass a message; only runTx's own call ends execution.
    if (opts.message === undefined) view.inFeePhase = true
    return result
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
