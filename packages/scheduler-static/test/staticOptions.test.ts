import { availableParallelism } from 'node:os'
import { InvalidOptionError, type WorkerPool } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { createStaticScheduler, type StaticPredictionSource, type StaticSchedulerOptions } from '../src/index.js'

function optionError(options: StaticSchedulerOptions): InvalidOptionError {
  let error: unknown
  try {
    createStaticScheduler(options)
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(InvalidOptionError)
  expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
  return error as InvalidOptionError
}

const hints = { kind: 'dependencies', dependencies: new Map() } as const

describe('createStaticScheduler options', () => {
  it("default: workers 'auto' is one worker per core (the calling thread only coordinates)", async () => {
    for (const scheduler of [createStaticScheduler(), createStaticScheduler({ workers: 'auto' })]) {
      expect(scheduler.workers).toBe(availableParallelism())
      await scheduler.close()
    }
  })

  it("behavior: beside a pool, 'auto' takes the pool's size and a different count is INVALID_OPTION on workers", async () => {
    const pool = { size: 3, close: async () => {} } as unknown as WorkerPool
    const onPool = createStaticScheduler({ pool })
    expect(onPool.workers).toBe(3)
    await onPool.close()
    expect(optionError({ workers: 2, pool }).option).toBe('workers')
  })

  it('error: workers 0, negative, fractional or past the thread limit (1000) is INVALID_OPTION on workers', () => {
    for (const workers of [0, -1, 1.5, Number.NaN, 1000]) expect(optionError({ workers }).option).toBe('workers')
  })

  it('error: an unknown prediction source is INVALID_OPTION on predict, naming it', () => {
    const error = optionError({ workers: 1, predict: ['static', 'oracle' as StaticPredictionSource] })
    expect(error.option).toBe('predict')
    expect(error.message).toContain('"oracle"')
  })

  it('error: an empty predict list is INVALID_OPTION on predict', () => {
    expect(optionError({ workers: 1, predict: [] }).option).toBe('predict')
  })

  it("error: the 'hints' source without hints is INVALID_OPTION on hints", () => {
    expect(optionError({ workers: 1, predict: ['hints'] }).option).toBe('hints')
    expect(optionError({ workers: 1, predict: ['static', 'hints'] }).option).toBe('hints')
  })

  it('error: maxBatch 0 or fractional is INVALID_OPTION on maxBatch', () => {
    expect(optionError({ workers: 1, maxBatch: 0 }).option).toBe('maxBatch')
    expect(optionError({ workers: 1, maxBatch: 2.5 }).option).toBe('maxBatch')
  })

  it("behavior: predict defaults to ['static', 'access-list'], or ['hints'] when hints are given", async () => {
    const plain = createStaticScheduler({ workers: 2 })
    const hinted = createStaticScheduler({ workers: 3, hints })
    const perBlock = createStaticScheduler({ workers: 1, hints: () => undefined })
    const explicit = createStaticScheduler({ workers: 1, hints, predict: ['preexec', 'hints'] })
    try {
      expect(plain.predict).toEqual(['static', 'access-list'])
      expect(plain.workers).toBe(2)
      expect(plain.name).toBe('static')
      expect(hinted.predict).toEqual(['hints'])
      expect(hinted.workers).toBe(3)
      expect(perBlock.predict).toEqual(['hints'])
      expect(explicit.predict).toEqual(['preexec', 'hints'])
    } finally {
      for (const scheduler of [plain, hinted, perBlock, explicit]) await scheduler.close()
    }
  })
})
