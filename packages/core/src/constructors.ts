import type { Common } from '@ethereumjs/common'
import type { CryptoPreference } from './cryptoProvider.js'
import { InvalidOptionError } from './errors.js'
import { BlockExecutor, type Executor } from './executor.js'
import { createMainnetCommon } from './mainnetCommon.js'
import type { Scheduler } from './scheduler.js'
import type { StateBackend } from './stateBackend.js'

export interface CreateExecutorOptions {
  scheduler: Scheduler
  state: StateBackend
  /** The chain's Common; defaults to mainnet. Never mutated: blocks get their own copies. */
  common?: Common
  /**
   * `'fast'` (default): keccak256 in WASM and ECDSA recovery on libsecp256k1, falling back to the
   * pure-JS implementations (with the same results) when the native binary cannot load; `'js'`:
   * the pure-JS ones. It applies to the calling thread; worker threads load `'fast'`.
   * `BlockResult.stats.crypto` says what ran.
   */
  crypto?: CryptoPreference
  /**
   * Take the senders and the body a block input carries as given (for callers that checked them
   * already). By default every sender is recovered and checked against the input, and the
   * transactions and withdrawals against the header's roots.
   */
  trustSenders?: boolean
}

/**
 * Creates the executor that runs blocks through `scheduler` against `state`.
 *
 * ```ts
 * const executor = createExecutor({ scheduler: createSequentialScheduler(), state })
 * const result = await executor.executeBlock(blockInput)
 * ```
 */
export function createExecutor(options: CreateExecutorOptions): Executor {
  if (options.scheduler === undefined || typeof options.scheduler.execute !== 'function') {
    throw new InvalidOptionError({ option: 'scheduler', reason: 'a Scheduler with an execute() method is required' })
  }
  if (options.state === undefined || typeof options.state.stage !== 'function') {
    throw new InvalidOptionError({ option: 'state', reason: 'a StateBackend is required' })
  }
  if (options.crypto !== undefined && options.crypto !== 'fast' && options.crypto !== 'js') {
    throw new InvalidOptionError({ option: 'crypto', reason: `'fast' or 'js', not ${JSON.stringify(options.crypto)}` })
  }
  const common = options.common ?? createMainnetCommon()
  return new BlockExecutor(options.scheduler, options.state, common, { crypto: options.crypto ?? 'fast', trustSenders: options.trustSenders ?? false })
}
