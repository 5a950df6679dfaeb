import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { generateBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createStaticScheduler, dependencyHintsOf, type BlockHints, type StaticPredictionSource, type StaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix } from './mainnetBlocks.js'
import { adversarialHints } from './staticHints.js'

// Fallback off: every block runs on the workers. Replay one seed with PEVM_SEED=<n>.
let hints: BlockHints = { kind: 'dependencies', dependencies: new Map() }
const workerCounts = [1, 2, 4]
const sources: (readonly StaticPredictionSource[])[] = [['static'], ['static', 'access-list'], ['preexec'], ['hints']]
const schedulers = new Map<string, StaticScheduler>()
const schedulerFor = (workers: number, predict: readonly StaticPredictionSource[]): StaticScheduler => {
  const key = `${workers}:${predict.join('+')}`
  let scheduler = schedulers.get(key)
  if (scheduler === undefined) schedulers.set(key, (scheduler = createStaticScheduler({ workers, predict, hints: () => hints, fallback: false })))
  return scheduler
}
afterAll(async () => {
  for (const scheduler of schedulers.values()) await scheduler.close()
})

const only = process.env.PEVM_SEED === undefined ? undefined : Number(process.env.PEVM_SEED)
const seeds = only === undefined ? Array.from({ length: fullMatrix ? 200 : 24 }, (_, k) => k + 1) : [only]

async function expectStaticEqualsSequential(block: GeneratedBlock, workers: number, seed: number, label: string): Promise<void> {
  const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  const run = async (predict: readonly StaticPredictionSource[], what: string): Promise<BlockResult> => {
    const result = await createExecutor({ scheduler: schedulerFor(workers, predict), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
    expect(result.stats.fellBack, `${label}, ${what}`).toBeUndefined()
    expectSameResult(result, sequential, `${label}, ${what}`)
    return result
  }
  for (const predict of sources.slice(0, 3)) await run(predict, predict.join('+'))
  hints = dependencyHintsOf(sequential)
  const perfect = await run(['hints'], 'perfect hints')
  expect(perfect.stats.plan?.missedEdges, `${label}: perfect hints miss nothing`).toBe(0)
  for (const [name, wrong] of Object.entries(adversarialHints(sequential, seed))) {
    hints = wrong
    await run(['hints'], `${name} hints`)
  }
}

describe('static scheduler vs sequential on generated blocks', () => {
  for (const seed of seeds) {
    // npm test: each seed with one worker count in turn (all three are covered); test:full: all three.
    const counts = fullMatrix || only !== undefined ? workerCounts : [workerCounts[seed % workerCounts.length]!]
    const fork = (['shanghai', 'cancun', 'prague', 'osaka'] as const)[seed % 4]!
    it(`behavior: random block, seed ${seed} (${fork}), every prediction source and adversarial hints, ${counts.join('/')} workers (replay: PEVM_SEED=${seed})`, async () => {
      const block = generateBlock({ workload: 'random', seed, txCount: 20 + (seed % 41), fork })
      for (const workers of counts) await expectStaticEqualsSequential(block, workers, seed, `seed ${seed}, ${workers} workers`)
    })
  }

  for (const [workload, contention] of [['eth-transfers'], ['erc20-transfers'], ['amm-swaps'], ['mixed', 0.1], ['mixed', 0.5]] as const) {
    it(`behavior: ${workload}${contention === undefined ? '' : ` ${contention * 100}%`} block of 300 transactions with 2 workers, every source and adversarial hints`, async () => {
      const block = generateBlock({ workload, seed: 9, txCount: 300, ...(contention === undefined ? {} : { contention }) })
      await expectStaticEqualsSequential(block, 2, 9, workload)
    })
  }
})
