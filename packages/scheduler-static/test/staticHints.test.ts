import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectSameResult } from '../../../test/blockResults.js'
import { createStaticScheduler, dependencyHintsOf, parseBlockHints, serializeBlockHints, type BlockHints } from '../src/index.js'

const generated = generateBlock({ workload: 'mixed', seed: 7, txCount: 200, contention: 0.5 })
let hints: BlockHints = { kind: 'dependencies', dependencies: new Map() }
const scheduler = createStaticScheduler({ workers: 2, hints: () => hints, fallback: false })
afterAll(() => scheduler.close())

let sequential: BlockResult
beforeAll(async () => {
  sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
})

const run = async (given: BlockHints): Promise<BlockResult> => {
  hints = given
  return createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
}

describe('static scheduler with dependency hints on a contended block (mixed, 50%, 200 transactions)', () => {
  it('behavior: hints taken from a sequential run re-execute nothing and score recall 1 with no missed edge', async () => {
    const perfect = dependencyHintsOf(sequential)
    const result = await run(perfect)
    expect(result.stats.fellBack).toBeUndefined()
    expect(result.stats.reExecutions).toBe(0)
    expect(result.stats.executions).toBe(200)
    expect(result.stats.plan).toMatchObject({ source: 'hints', recall: 1, missedEdges: 0, mispredictionReExecutions: 0 })
    expect(result.stats.plan!.actualEdges).toBeGreaterThan(0)
    expectSameResult(result, sequential, 'perfect hints')
  })

  it('behavior: the same hints through JSON (serialize, parse) plan the same', async () => {
    const perfect = dependencyHintsOf(sequential)
    const fromJson = parseBlockHints(JSON.parse(JSON.stringify(serializeBlockHints(perfect))), 'round trip')
    expect(fromJson).toEqual(perfect)
    const result = await run(fromJson)
    expect(result.stats.reExecutions).toBe(0)
    expectSameResult(result, sequential, 'hints from JSON')
  })

  it('behavior: empty hints still give the sequential result, at the cost of misprediction re-executions', async () => {
    const result = await run({ kind: 'dependencies', dependencies: new Map() })
    expect(result.stats.fellBack).toBeUndefined()
    expect(result.stats.plan!.mispredictionReExecutions).toBeGreaterThan(0)
    expect(result.stats.plan!.missedEdges).toBeGreaterThan(0)
    expect(result.stats.plan!.recall).toBeLessThan(1)
    expect(result.stats.reExecutions).toBeGreaterThan(0)
    expectSameResult(result, sequential, 'empty hints')
  })
})
