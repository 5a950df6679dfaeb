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

  it('behavior: routedSpeedupBound is the gas over the longest path of shard turns and dependencies', () => {
    const gas = [10n, 10n, 10n, 10n]
    // Two shards with nothing between them: twice as fast.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], dependencies: [[], [], [], []] }, gas, 2)).toBe(2)
    // Each transaction on the one before: no gain.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], dependencies: [[], [0], [1], [2]] }, gas, 2)).toBe(1)
    // One cross-shard dependency (2 on 1) costs nothing here: both lanes still end at 20.
    expect(routedSpeedupBound({ home: [0, 1, 0, 1], dependencies: [[], [], [1], []] }, gas, 2)).toBe(2)
    // Everything on one shard: no gain.
    expect(routedSpeedupBound({ home: [0, 0, 0, 0], dependencies: [[], [], [], []] }, gas, 2)).toBe(1)
    expect(routedSpeedupBound({ home: [], dependencies: [] }, [], 2)).toBe(Infinity)
  })
})
