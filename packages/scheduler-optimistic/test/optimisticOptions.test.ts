import { availableParallelism } from 'node:os'
import { InvalidOptionError, type WorkerPool } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { createOptimisticScheduler } from '../src/index.js'

describe('createOptimisticScheduler options', () => {
  it("default: workers 'auto' is one lane per core with the calling thread as a lane, so one worker fewer (at least one); without calling-thread work, one per core", async () => {
    const cores = availableParallelism()
    for (const scheduler of [createOptimisticScheduler(), createOptimisticScheduler({ workers: 'auto' })]) {
      expect(scheduler.workers).toBe(Math.max(1, cores - 1))
      await scheduler.close()
    }
    const coordinatorOnly = createOptimisticScheduler({ callingThreadGasCap: 0n })
    expect(coordinatorOnly.workers).toBe(cores)
    await coordinatorOnly.close()
  })

  it("behavior: beside a pool, 'auto' takes the pool's size and a different count is INVALID_OPTION on workers", async () => {
    const pool = { size: 3, close: async () => {} } as unknown as WorkerPool
    const onPool = createOptimisticScheduler({ pool })
    expect(onPool.workers).toBe(3)
    await onPool.close()
    expect(() => createOptimisticScheduler({ workers: 2, pool })).toThrow(/differs from the 3 workers of the given pool/)
  })

  it('error: workers 0, fractional or past the thread limit (1000) is INVALID_OPTION on workers, before any thread starts', () => {
    for (const workers of [0, 1.5, 1000]) {
      let error: unknown
      try {
        createOptimisticScheduler({ workers })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect((error as InvalidOptionError).option).toBe('workers')
    }
  })
})
