import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix, mainnetBlocksUnderTest } from './mainnetBlocks.js'

// Fallback off: every block really runs on the workers (the fallback has its own test).
const schedulers = new Map<number, OptimisticScheduler>([1, 2, 4].map((workers) => [workers, createOptimisticScheduler({ workers, fallback: false })]))
afterAll(async () => {
  for (const scheduler of schedulers.values()) await scheduler.close()
})

describe('optimistic (Block-STM) scheduler vs sequential on mainnet blocks', () => {
  for (const [position, dir] of mainnetBlocksUnderTest().entries()) {
    const block = dir.split('/').pop()
    // npm test: 2 workers on every block, 1 and 4 as well on every third; test:full: all three everywhere.
    const workerCounts = fullMatrix || position % 3 === 0 ? [1, 2, 4] : [2]
    it(`behavior: block ${block} with ${workerCounts.join(', ')} workers equals sequential on merkle, and 2 on memory`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(sequential.matches.gasUsed).toBe(true)
      const runs: BlockResult[] = []
      for (const [workers, scheduler] of schedulers) {
        if (!workerCounts.includes(workers)) continue
        const merkle = await createExecutor({ scheduler, state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
        expect(merkle.stats.fellBack).toBeUndefined()
        expect(merkle.stats.lanes, "workers and the calling thread").toBe(workers + 1)
        expectSameResult(merkle, sequential, `${workers} workers on merkle`)
        runs.push(merkle)
      }
      const memory = await createExecutor({ scheduler: schedulers.get(2)!, state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      const sequentialMemory = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expectSameResult(memory, sequentialMemory, '2 workers on memory')
      // Every transaction executed at least once, and the stats add up.
      for (const run of runs) {
        expect(run.stats.executions).toBeGreaterThanOrEqual(run.txCount)
        expect(run.stats.reExecutions).toBe(run.stats.executions - run.txCount)
      }
    })
  }
})
