import { actualAccessSets, type TxAccessSets } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createShardedScheduler, partitionerNames, type ShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix, mainnetBlocksUnderTest } from './mainnetBlocks.js'
import { adversarialAccessSets } from './shardedPredictions.js'

// Fallback off: every block runs on the shards. Given access sets are set per block before each run.
let given: readonly TxAccessSets[] | undefined
const shardCounts = fullMatrix ? [1, 2, 4] : [2]
const open: ShardedScheduler[] = []
const scheduler = (workers: number, options: Omit<Parameters<typeof createShardedScheduler>[0], 'workers'>) => {
  const created = createShardedScheduler({ workers, fallback: false, ...options })
  open.push(created)
  return created
}
const byShards = shardCounts.map((shards) => ({
  shards,
  // Each partitioner with the default prediction (static facts, access lists, pre-execution).
  partitioned: partitionerNames.map((partitioner) => ({ partitioner, scheduler: scheduler(shards, { partitioner }) })),
  // Predictions from the caller only: the actual sets, nothing, or adversarial ones.
  givenOnly: scheduler(shards, { partitioner: 'activity', predict: [], accessSets: () => given }),
}))
afterAll(async () => {
  for (const created of open) await created.close()
})

describe('sharded scheduler vs sequential on mainnet blocks', () => {
  for (const [position, dir] of mainnetBlocksUnderTest().entries()) {
    const block = dir.split('/').pop()
    it(`behavior: block ${block}, hash and activity partitions, perfect, empty and adversarial predictions, ${shardCounts.join('/')} shards, equals sequential`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(sequential.matches.gasUsed).toBe(true)
      const run = async (chosen: ShardedScheduler, label: string, backend: 'merkle' | 'memory' = 'merkle'): Promise<BlockResult> => {
        const state = backend === 'merkle' ? await createMerkleState({ genesis: fixture.preState }) : await createMemoryState({ genesis: fixture.preState })
        const result = await createExecutor({ scheduler: chosen, state }).executeBlock(fixture.block)
        expect(result.stats.fellBack, label).toBeUndefined()
        expect(result.stats.sharded?.shards, label).toBe(chosen.workers)
        expect(result.stats.executions, label).toBe(result.txCount + (result.stats.reExecutions ?? 0))
        expectSameResult(result, backend === 'merkle' ? sequential : await sequentialOnMemory(), label)
        return result
      }
      const sequentialOnMemory = async () => createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      const actual = actualAccessSets(sequential)
      for (const { shards, partitioned, givenOnly } of byShards) {
        for (const { partitioner, scheduler: chosen } of partitioned) await run(chosen, `${partitioner}, ${shards} shards`)
        given = actual
        const perfect = await run(givenOnly, `perfect prediction, ${shards} shards`)
        // A perfect prediction never leaves its shards.
        expect(perfect.stats.sharded?.escapes).toBe(0)
        // Empty and adversarial predictions on a quarter of the blocks in npm test, on all in test:full.
        if (fullMatrix || position % 4 === 0) {
          given = undefined
          await run(givenOnly, `no prediction, ${shards} shards`)
          for (const [name, wrong] of Object.entries(adversarialAccessSets(actual, position + 1))) {
            given = wrong
            await run(givenOnly, `${name} prediction, ${shards} shards`)
          }
        }
      }
      // The memory backend on every other block in npm test.
      if (fullMatrix || position % 2 === 0) await run(byShards[0]!.partitioned[1]!.scheduler, 'activity on memory', 'memory')
    })
  }
})
