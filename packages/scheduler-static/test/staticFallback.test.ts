import { createExecutor, createSequentialScheduler, InvalidOptionError, type BlockResult } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectSameResult } from '../../../test/blockResults.js'
import { createStaticScheduler, InvalidHintsError } from '../src/index.js'

const generated = generateBlock({ workload: 'random', seed: 3, txCount: 3 })
const withDefaults = createStaticScheduler({ workers: 2 })
const onWorkers = createStaticScheduler({ workers: 2, fallback: false })
afterAll(async () => {
  await withDefaults.close()
  await onWorkers.close()
})

let sequential: BlockResult
beforeAll(async () => {
  sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
})

const run = async (scheduler: ReturnType<typeof createStaticScheduler>) =>
  createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)

describe('static scheduler fallback', () => {
  it('behavior: with the default thresholds a block of 3 transactions runs sequentially and says why', async () => {
    const result = await run(withDefaults)
    expect(result.txCount).toBe(3)
    expect(result.stats.fellBack).toBe('3 transactions, under 8')
    expect(result.stats.scheduler).toBe('static')
    expectSameResult(result, sequential, 'fell back')
  })

  it('behavior: with fallback false the same block runs on the workers, with the same result', async () => {
    const result = await run(onWorkers)
    expect(result.stats.fellBack).toBeUndefined()
    expect(result.stats.scheduler).toBe('static')
    expect(result.stats.lanes).toBe(2)
    expect(result.stats.executions).toBeGreaterThanOrEqual(3)
    expect(result.stats.plan?.source).toBe('static+access-list')
    expectSameResult(result, sequential, 'on workers')
  })

  it('behavior: a threshold set lower lets the small block run on the workers', async () => {
    const scheduler = createStaticScheduler({ workers: 2, fallback: { minTransactions: 1, minGasUsed: 0n, minSpeedupBound: 0 } })
    try {
      const result = await run(scheduler)
      expect(result.stats.fellBack).toBeUndefined()
      expectSameResult(result, sequential, 'lower thresholds')
    } finally {
      await scheduler.close()
    }
  })

  it('error: hints naming a transaction past the block fail the block with InvalidHintsError', async () => {
    const scheduler = createStaticScheduler({ workers: 1, hints: { kind: 'dependencies', dependencies: new Map([[3, [0]]]) } })
    try {
      const error = await run(scheduler).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(InvalidHintsError)
      expect(error).toMatchObject({ code: 'INVALID_HINTS', path: 'transaction 3' })
    } finally {
      await scheduler.close()
    }
  })

  it('error: a closed scheduler refuses blocks', async () => {
    const scheduler = createStaticScheduler({ workers: 1 })
    await scheduler.close()
    const error = await run(scheduler).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error).toMatchObject({ option: 'scheduler' })
  })
})
