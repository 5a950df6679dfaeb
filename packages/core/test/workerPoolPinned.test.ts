import { loadMainnetBlock, listMainnetBlocks, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMainnetCommon, InvalidOptionError, WorkerPool, type WorkerPoolOptions } from '../src/index.js'
import { decodeBlockInput, describeCommon, type TaskResult, type WorkerIdentity } from '../src/internal.js'

const blockDir = listMainnetBlocks().find((dir) => dir.endsWith('/4370000'))!
let fixture: MainnetBlockFixture
let pool: WorkerPool | undefined

beforeAll(async () => {
  fixture = await loadMainnetBlock(blockDir)
})

afterEach(async () => {
  await pool?.close()
  pool = undefined
})

/** The workers each task was built for, by the transaction index it recovers. */
interface Recorded {
  built: { index: number; worker: WorkerIdentity }[]
  answered: number[]
}

async function createPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  pool = await WorkerPool.create(options)
  return pool
}

/** Recovers the sender of transaction `index` (the cheapest real task: no state needed), pinned to `worker`. */
function recover(target: WorkerPool, index: number, worker: number, recorded: Recorded): Promise<TaskResult[]> {
  const block = decodeBlockInput({ block: fixture.block.block }, { common: createMainnetCommon() })
  const request = { common: describeCommon(block.common), hardfork: block.common.hardfork(), indices: [index], transactions: [block.transactions[index]!.serialize()] }
  return target
    .submit((taskId, identity) => (recorded.built.push({ index, worker: identity }), { type: 'recover', taskId, ...request }), { worker })
    .then((results) => (recorded.answered.push(index), results))
}

const senderOf = (results: TaskResult[]) => results.map((result) => ('sender' in result ? result.sender : result))

describe('WorkerPool.submit pinned to a worker', () => {
  it('behavior: a pinned task runs on that worker even while others are free, with the right result', async () => {
    const target = await createPool({ size: 3 })
    const recorded: Recorded = { built: [], answered: [] }
    const results = await Promise.all([recover(target, 0, 2, recorded), recover(target, 1, 1, recorded), recover(target, 2, 2, recorded)])
    expect(results.map(senderOf)).toEqual([[fixture.block.senders![0]], [fixture.block.senders![1]], [fixture.block.senders![2]]])
    expect(recorded.built.map(({ index, worker }) => [index, worker.index])).toEqual(expect.arrayContaining([[0, 2], [1, 1], [2, 2]]))
    expect(recorded.built).toHaveLength(3)
    expect(target.stats().map((worker) => worker.tasks)).toEqual([0, 1, 2])
  })

  it('behavior: several tasks pinned to one worker are built and answered in submission order', async () => {
    const target = await createPool({ size: 2 })
    const recorded: Recorded = { built: [], answered: [] }
    const order = [5, 3, 8, 1, 6]
    const results = await Promise.all(order.map((index) => recover(target, index, 1, recorded)))
    expect(results.map(senderOf)).toEqual(order.map((index) => [fixture.block.senders![index]]))
    expect(recorded.built.map(({ index }) => index)).toEqual(order)
    expect(recorded.answered).toEqual(order)
    expect(recorded.built.every(({ worker }) => worker.index === 1 && worker.generation === 0)).toBe(true)
    expect(target.stats()[0]!.tasks).toBe(0)
  })

  it('error: a worker outside the pool (or not an integer) rejects with InvalidOptionError on worker, building nothing', async () => {
    const target = await createPool({ size: 2 })
    const recorded: Recorded = { built: [], answered: [] }
    for (const worker of [2, -1, 0.5]) {
      const error = await recover(target, 0, worker, recorded).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'worker' })
    }
    expect(recorded.built).toEqual([])
  })

  it('behavior: a pinned task whose worker crashes is retried on the replacement of the same slot (generation 1)', async () => {
    const faults: { worker: number; attempt: number }[] = []
    // The first task to reach worker 1 makes it exit.
    const target = await createPool({
      size: 2,
      faults: ({ worker, attempt }) => {
        faults.push({ worker, attempt })
        return worker === 1 && attempt === 1 ? 'exit' : undefined
      },
    })
    const recorded: Recorded = { built: [], answered: [] }
    const results = await recover(target, 4, 1, recorded)
    expect(senderOf(results)).toEqual([fixture.block.senders![4]])
    expect(recorded.built.map(({ worker }) => worker)).toEqual([
      { index: 1, generation: 0 },
      { index: 1, generation: 1 },
    ])
    expect(faults).toEqual([
      { worker: 1, attempt: 1 },
      { worker: 1, attempt: 2 },
    ])
    expect(target.stats().map((worker) => worker.restarts)).toEqual([0, 1])
  })
})
