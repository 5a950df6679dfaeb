import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { generateBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix } from './mainnetBlocks.js'

// Fallback off: every block runs on the workers. Replay one seed with PEVM_SEED=<n>.
const workerCounts = [1, 2, 4]
const schedulers = new Map<number, OptimisticScheduler>(workerCounts.map((workers) => [workers, createOptimisticScheduler({ workers, fallback: false })]))
afterAll(async () => {
  for (const scheduler of schedulers.values()) await scheduler.close()
})

const only = process.env.PEVM_SEED === undefined ? undefined : Number(process.env.PEVM_SEED)
const seeds = only === undefined ? Array.from({ length: 200 }, (_, k) => k + 1) : [only]

async function expectOptimisticEqualsSequential(block: GeneratedBlock, workers: number, label: string): Promise<void> {
  const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  const optimistic = await createExecutor({ scheduler: schedulers.get(workers)!, state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  expect(optimistic.stats.fellBack, label).toBeUndefined()
  expectSameResult(optimistic, sequential, label)
}

describe('optimistic (Block-STM) scheduler vs sequential on generated blocks', () => {
  for (const seed of seeds) {
    // npm test: each seed with one worker count in turn (all three are covered); test:full: all three.
    const counts = fullMatrix || only !== undefined ? workerCounts : [workerCounts[seed % workerCounts.length]!]
    const fork = (['shanghai', 'cancun', 'prague', 'osaka'] as const)[seed % 4]!
    it(`behavior: random block, seed ${seed} (${fork}), ${counts.join('/')} workers (replay: PEVM_SEED=${seed})`, async () => {
      const block = generateBlock({ workload: 'random', seed, txCount: 20 + (seed % 41), fork })
      for (const workers of counts) await expectOptimisticEqualsSequential(block, workers, `seed ${seed}, ${workers} workers`)
    })
  }

  for (const [workload, contention] of [['eth-transfers'], ['erc20-transfers'], ['amm-swaps'], ['mixed', 0.1], ['mixed', 0.5]] as const) {
    it(`behavior: ${workload}${contention === undefined ? '' : ` ${contention * 100}%`} block of 300 transactions with 2 workers`, async () => {
      const block = generateBlock({ workload, seed: 9, txCount: 300, ...(contention === undefined ? {} : { contention }) })
      await expectOptimisticEqualsSequential(block, 2, workload)
    })
  }
})
