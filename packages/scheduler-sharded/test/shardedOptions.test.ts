import { availableParallelism } from 'node:os'
import { createExecutor, InvalidOptionError, type WorkerPool } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import {
  createHashPartitioner,
  createShardedScheduler,
  NO_MIGRATION,
  shardedPredictionSources,
  type Partitioner,
  type PartitionerName,
  type ShardedPredictionSource,
  type ShardedSchedulerOptions,
  type ShardTransport,
} from '../src/index.js'

function optionError(options: ShardedSchedulerOptions): InvalidOptionError {
  let error: unknown
  try {
    createShardedScheduler(options)
  } catch (caught) {
    error = caught
  }
  expect(error).toBeInstanceOf(InvalidOptionError)
  expect((error as InvalidOptionError).code).toBe('INVALID_OPTION')
  return error as InvalidOptionError
}

/** A transport that only says how many shards it reaches: option checks never send anything. */
const transportOf = (shards: number): ShardTransport => ({
  shards,
  stateId: 0,
  withParentState: () => Promise.reject(new Error('not used by option checks')),
  send: () => Promise.reject(new Error('not used by option checks')),
  traffic: () => [],
})

/** A pool as far as the scheduler's options look at it: its size, and how often anyone closed it. */
function poolOf(size: number): { pool: WorkerPool; closes: () => number } {
  let closes = 0
  const pool = { size, close: async () => void closes++ } as unknown as WorkerPool
  return { pool, closes: () => closes }
}

describe('createShardedScheduler options', () => {
  it("default: workers 'auto' is one shard per core (at most 30), or the shards of a given pool or transport", async () => {
    for (const scheduler of [createShardedScheduler(), createShardedScheduler({ workers: 'auto' })]) {
      expect(scheduler.workers).toBe(Math.min(30, availableParallelism()))
      await scheduler.close()
    }
    const onTransport = createShardedScheduler({ transport: transportOf(3) })
    expect(onTransport.workers).toBe(3)
    await onTransport.close()
    const { pool } = poolOf(2)
    const onPool = createShardedScheduler({ workers: 'auto', pool })
    expect(onPool.workers).toBe(2)
    await onPool.close()
  })

  it('error: workers 0, 31 (over 30 shards), fractional or NaN is INVALID_OPTION on workers', () => {
    for (const workers of [0, 31, 1.5, Number.NaN]) expect(optionError({ workers }).option).toBe('workers')
  })

  it('error: a pool or transport whose shard count differs from workers is INVALID_OPTION on workers', () => {
    const fromPool = optionError({ workers: 2, pool: poolOf(3).pool })
    expect(fromPool.option).toBe('workers')
    expect(fromPool.message).toContain('differs from the 3 shards')
    const fromTransport = optionError({ workers: 4, transport: transportOf(2) })
    expect(fromTransport.option).toBe('workers')
    expect(fromTransport.message).toContain('differs from the 2 shards')
    // The transport's own count is checked too, before any comparison.
    expect(optionError({ workers: 31, transport: transportOf(31) }).option).toBe('workers')
  })

  it('error: an unknown partitioner name is INVALID_OPTION on partitioner, naming it', () => {
    const error = optionError({ workers: 2, partitioner: 'round-robin' as PartitionerName })
    expect(error.option).toBe('partitioner')
    expect(error.message).toContain('"round-robin"')
  })

  it('error: an unknown prediction source is INVALID_OPTION on predict, naming it', () => {
    const error = optionError({ workers: 2, predict: ['static', 'oracle' as ShardedPredictionSource] })
    expect(error.option).toBe('predict')
    expect(error.message).toContain('"oracle"')
  })

  it('error: maxBatch 0 or fractional is INVALID_OPTION on maxBatch', () => {
    expect(optionError({ workers: 2, maxBatch: 0 }).option).toBe('maxBatch')
    expect(optionError({ workers: 2, maxBatch: 2.5 }).option).toBe('maxBatch')
  })

  it("behavior: the partitioner is 'hash' by default, 'activity' when asked (one instance per scheduler), or the Partitioner object given", async () => {
    const custom: Partitioner = { name: 'fixed', partition: (_block, shards) => ({ ownership: { shards, accounts: new Map(), slots: new Map() }, migration: NO_MIGRATION }) }
    const byDefault = createShardedScheduler({ workers: 2 })
    const activity = createShardedScheduler({ workers: 2, partitioner: 'activity' })
    const otherChain = createShardedScheduler({ workers: 2, partitioner: 'activity' })
    const given = createShardedScheduler({ workers: 3, partitioner: custom })
    const hashObject = createShardedScheduler({ workers: 1, partitioner: createHashPartitioner() })
    try {
      expect(byDefault.partitioner.name).toBe('hash')
      expect(byDefault.name).toBe('sharded')
      expect(byDefault.workers).toBe(2)
      expect(byDefault.predict).toEqual(shardedPredictionSources)
      expect(activity.partitioner.name).toBe('activity')
      expect(otherChain.partitioner).not.toBe(activity.partitioner)
      expect(given.partitioner).toBe(custom)
      expect(given.workers).toBe(3)
      expect(hashObject.partitioner.name).toBe('hash')
    } finally {
      for (const scheduler of [byDefault, activity, otherChain, given, hashObject]) await scheduler.close()
    }
  })

  it("behavior: a pool of the right size is accepted, and closing the scheduler leaves the caller's pool open", async () => {
    const { pool, closes } = poolOf(3)
    const scheduler = createShardedScheduler({ workers: 3, pool })
    expect(scheduler.workers).toBe(3)
    await scheduler.close()
    expect(closes()).toBe(0)
  })

  it('error: a closed scheduler refuses blocks with INVALID_OPTION on scheduler', async () => {
    const generated = generateBlock({ workload: 'random', seed: 3, txCount: 3 })
    const scheduler = createShardedScheduler({ workers: 2 })
    await scheduler.close()
    const executor = createExecutor({ scheduler, state: await createMemoryState({ genesis: generated.preState }), common: generated.common })
    const error = await executor.executeBlock(generated.block).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'scheduler' })
  })
})
