import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { generateBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from '../../../test/blockResults.js'
import { createShardedScheduler, routedSpeedupBound, type ShardedScheduler } from '../src/index.js'

const open: ShardedScheduler[] = []
afterAll(async () => {
  for (const scheduler of open) await scheduler.close()
})
const scheduler = (options: Omit<Parameters<typeof createShardedScheduler>[0], 'workers'>) => {
  const created = createShardedScheduler({ workers: 2, ...options })
  open.push(created)
  return created
}

async function runBoth(block: GeneratedBlock, chosen: ShardedScheduler) {
  const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  const result = await createExecutor({ scheduler: chosen, state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  expectSameResult(result, sequential, 'fallback')
  return result
}

describe('sharded scheduler fallback', () => {
  it('behavior: with the default thresholds a block of 3 transactions runs sequentially and says why', async () => {
    const result = await runBoth(generateBlock({ workload: 'random', seed: 3, txCount: 3 }), scheduler({}))
    expect(result.stats.fellBack).toBe('3 transactions, under 8')
    expect(result.stats.scheduler).toBe('sharded')
  })

  it('behavior: a block whose every transaction swaps on one pool is bounded by its routes and runs sequentially', async () => {
    const result = await runBoth(generateBlock({ workload: 'amm-swaps', seed: 5, txCount: 120 }), scheduler({ fallback: { minGasUsed: 0n } }))
    expect(result.stats.fellBack).toMatch(/^the routes bound the speedup to 1\.\d\dx, under 1\.3x$/)
  })

  it('behavior: independent transfers clear every threshold and run on the shards', async () => {
    const result = await runBoth(generateBlock({ workload: 'eth-transfers', seed: 5, txCount: 120 }), scheduler({ partitioner: 'activity', fallback: { minGasUsed: 0n } }))
    expect(result.stats.fellBack).toBeUndefined()
    expect(result.stats.sharded?.crossShardRatio).toBeLessThan(0.2)
  })

  it('behavior: routedSpeedupBound is the gas over the longest chain of shared shards', () => {
    const gas = [10n, 10n, 10n, 10n]
    // Two independent shards: twice as fast.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], participants: [0b01, 0b10, 0b01, 0b10] }, gas, 2)).toBe(2)
    // Every transaction on both shards: no gain.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], participants: [0b11, 0b11, 0b11, 0b11] }, gas, 2)).toBe(1)
    // One cross-shard transaction in the middle joins the two timelines: 40 gas over 30.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], participants: [0b01, 0b10, 0b11, 0b10] }, gas, 2)).toBeCloseTo(40 / 30)
    expect(routedSpeedupBound({ home: [], participants: [] }, [], 2)).toBe(Infinity)
  })
})
