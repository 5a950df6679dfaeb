import { createSequentialScheduler, InvalidOptionError, type Scheduler, type StateBackend, type WriteSet } from '@parallel-evm/core'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'

export interface SchedulerOptions {
  workers: number
}

const schedulers: Record<string, (options: SchedulerOptions) => Scheduler> = {
  sequential: () => createSequentialScheduler(),
  optimistic: ({ workers }) => createOptimisticScheduler({ workers }),
}

const backends: Record<string, (genesis: WriteSet) => Promise<StateBackend>> = {
  memory: (genesis) => createMemoryState({ genesis }),
  merkle: (genesis) => createMerkleState({ genesis }),
}

export const schedulerNames = Object.keys(schedulers)
export const backendNames = Object.keys(backends)

export function createSchedulerByName(name: string, options: SchedulerOptions): Scheduler {
  const factory = schedulers[name]
  if (factory === undefined) {
    throw new InvalidOptionError({ option: '--scheduler', reason: `"${name}" is not one of ${schedulerNames.join(', ')}` })
  }
  return factory(options)
}

export async function createBackendByName(name: string, genesis: WriteSet): Promise<StateBackend> {
  const factory = backends[name]
  if (factory === undefined) {
    throw new InvalidOptionError({ option: '--state', reason: `"${name}" is not one of ${backendNames.join(', ')}` })
  }
  return factory(genesis)
}
