import type { WriteSet } from '@parallel-evm/core'
import { MemoryState } from './memoryState.js'

export interface CreateMemoryStateOptions {
  /** Accounts to start from, typically every account as `lifecycle: 'created'`. */
  genesis?: WriteSet
}

/** Creates an in-memory state backend, optionally filled with a genesis or pre-state. */
export async function createMemoryState(options: CreateMemoryStateOptions = {}): Promise<MemoryState> {
  const state = new MemoryState()
  if (options.genesis !== undefined) await (await state.stage(options.genesis)).apply()
  return state
}
