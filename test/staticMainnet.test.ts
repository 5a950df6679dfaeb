import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createStaticScheduler, type StaticSchedulerOptions, dependencyHintsOf, type BlockHints, type StaticScheduler } from '@parallel-evm/scheduler-static'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix, mainnetBlocksUnderTest } from './mainnetBlocks.js'
import { adversarialHints } from './staticHints.js'

// Fallback off: every block runs on the workers. Hints are set per block before each run.
let hints: BlockHints = { kind: 'dependencies', dependencies: new Map() }
const workerCounts = fullMatrix ? [1, 2, 4] : [2]
const open: StaticScheduler[] = []
const scheduler = (workers: number, predict: StaticSchedulerOptions['predict']) => {
  const created = createStaticScheduler({ workers, predict, hints: () => hints, fallback: false })
  open.push(created)
  return created
}
const bySource = workerCounts.map((workers) => ({
  workers,
  facts: scheduler(workers, ['static', 'access-list']),
  preexec: scheduler(workers, ['preexec']),
  hinted: scheduler(workers, ['hints']),
}))
afterAll(async () => {
  for (const created of open) await created.close()
})

describe('static scheduler vs sequential on mainnet blocks', () => {
  for (const [position, dir] of mainnetBlocksUnderTest().entries()) {
    const block = dir.split('/').pop()
    it(`behavior: block ${block}, every prediction source and adversarial hints, ${workerCounts.join('/')} workers, equals sequential`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(sequential.matches.gasUsed).toBe(true)
      const run = async (chosen: StaticScheduler, label: string, backend: 'merkle' | 'memory' = 'merkle'): Promise<BlockResult> => {
        const state = backend === 'merkle' ? await createMerkleState({ genesis: fixture.preState }) : await createMemoryState({ genesis: fixture.preState })
        const result = await createExecutor({ scheduler: chosen, state }).executeBlock(fixture.block)
        expect(result.stats.fellBack, label).toBeUndefined()
        expect(result.stats.executions, label).toBe(result.txCount + (result.stats.reExecutions ?? 0))
        if (backend === 'merkle') expectSameResult(result, sequential, label)
        return result
      }
      for (const { workers, facts, preexec, hinted } of bySource) {
        await run(facts, `static+access-list, ${workers} workers`)
        await run(preexec, `preexec, ${workers} workers`)
        hints = dependencyHintsOf(sequential)
        const perfect = await run(hinted, `perfect hints, ${workers} workers`)
        // The plan is the actual graph: every actual edge planned, none missed.
        expect(perfect.stats.plan?.recall).toBe(1)
        expect(perfect.stats.plan?.missedEdges).toBe(0)
        // Adversarial hints on a quarter of the blocks in npm test, on all in test:full.
        if (fullMatrix || position % 4 === 0) {
          for (const [name, wrong] of Object.entries(adversarialHints(sequential, position + 1))) {
            hints = wrong
            await run(hinted, `${name} hints, ${workers} workers`)
          }
        }
      }
      // The memory backend, against sequential on memory: on every other block in npm test.
      if (fullMatrix || position % 2 === 0) {
        const memory = await run(bySource[0]!.facts, 'static on memory', 'memory')
        const sequentialMemory = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
        expectSameResult(memory, sequentialMemory, 'static on memory')
      }
    })
  }
})
