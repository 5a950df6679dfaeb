import type { Common } from '@ethereumjs/common'
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
  const common = options.common ?? createMainnetCommon()
  return new BlockExecutor(options.scheduler, options.state, common)
}
