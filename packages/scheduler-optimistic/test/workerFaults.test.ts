import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, WorkerCrashedError, WorkerPool } from '@parallel-evm/core'
import { listMainnetBlocks, loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOptimisticScheduler } from '../src/index.js'

let fixture: MainnetBlockFixture
let sequentialRoot: string

beforeAll(async () => {
  fixture = await loadMainnetBlock(listMainnetBlocks().find((dir) => dir.endsWith('/19934116'))!)
  const state = await createMerkleState({ genesis: fixture.preState })
  sequentialRoot = bytesToHex((await createExecutor({ scheduler: createSequentialScheduler(), state }).executeBlock(fixture.block)).stateRoot!)
})

// The calling thread executes nothing here, so every transaction goes through the workers' tasks.
describe('optimistic scheduler when a worker dies mid-block', () => {
  it('behavior: a worker that exits during a task is replaced, its task re-runs, and the block result is unchanged', async () => {
    let faults = 0
    const pool = await WorkerPool.create({
      size: 2,
      faults: ({ taskId, attempt }) => (taskId === 2 && attempt === 1 && ++faults === 1 ? 'exit' : undefined),
    })
    const scheduler = createOptimisticScheduler({ workers: 2, pool, fallback: false, callingThreadGasCap: 0n })
    try {
      const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(faults).toBe(1)
      expect(pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)).toBe(1)
      expect(bytesToHex(result.stateRoot!)).toBe(sequentialRoot)
      expect(result.matches.gasUsed).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it('error: a task that kills its worker twice fails the block with WorkerCrashedError and commits nothing', async () => {
    const pool = await WorkerPool.create({ size: 2, faults: ({ taskId }) => (taskId === 2 ? 'exit' : undefined) })
    const scheduler = createOptimisticScheduler({ workers: 2, pool, fallback: false, callingThreadGasCap: 0n })
    const state = await createMerkleState({ genesis: fixture.preState })
    const rootBefore = bytesToHex(state.stateRoot())
    try {
      const error = await createExecutor({ scheduler, state }).executeBlock(fixture.block).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(WorkerCrashedError)
      expect((error as WorkerCrashedError).message).toMatch(/again after a restart/)
      expect(bytesToHex(state.stateRoot())).toBe(rootBefore)
    } finally {
      await pool.close()
    }
  })

  it('error: workers that die on every first attempt exhaust the per-block restart budget: WorkerCrashedError after 4 restarts, nothing committed', async () => {
    const pool = await WorkerPool.create({ size: 2, faults: ({ attempt }) => (attempt === 1 ? 'exit' : undefined) })
    const scheduler = createOptimisticScheduler({ workers: 2, pool, fallback: false, callingThreadGasCap: 0n })
    const state = await createMerkleState({ genesis: fixture.preState })
    const rootBefore = bytesToHex(state.stateRoot())
    try {
      const error = await createExecutor({ scheduler, state }).executeBlock(fixture.block).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(WorkerCrashedError)
      expect((error as WorkerCrashedError).message).toMatch(/no restart is left \(the budget is 4 per block\)/)
      // The four restarts the budget allows, then a fresh worker for the next block in place of
      // each that died after it ran out (the one that hit the limit, perhaps the other as well).
      const restarts = pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)
      expect(restarts).toBeGreaterThanOrEqual(5)
      expect(restarts).toBeLessThanOrEqual(4 + 2)
      expect(bytesToHex(state.stateRoot())).toBe(rootBefore)
    } finally {
      await pool.close()
    }
  })

  it('error: past the pool\'s restart budget every later block fails at once with WorkerCrashedError, nothing committed', async () => {
    const pool = await WorkerPool.create({ size: 2, restartBudget: { perBlock: 10, perPool: 3 }, faults: ({ attempt }) => (attempt === 1 ? 'exit' : undefined) })
    const scheduler = createOptimisticScheduler({ workers: 2, pool, fallback: false, callingThreadGasCap: 0n })
    const state = await createMerkleState({ genesis: fixture.preState })
    const rootBefore = bytesToHex(state.stateRoot())
    try {
      for (let block = 0; block < 2; block++) {
        const error = await createExecutor({ scheduler, state }).executeBlock(fixture.block).catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(WorkerCrashedError)
        expect((error as WorkerCrashedError).message).toMatch(/the budget is 3 over the pool's life/)
        expect(pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)).toBe(3)
        expect(bytesToHex(state.stateRoot())).toBe(rootBefore)
      }
    } finally {
      await pool.close()
    }
  })

  it('behavior: a hung worker is replaced after the task timeout and the block result is unchanged', async () => {
    let hung = false
    const pool = await WorkerPool.create({
      size: 2,
      taskTimeoutMs: 2_000,
      faults: ({ taskId }) => (taskId === 2 && !hung ? ((hung = true), 'hang') : undefined),
    })
    const scheduler = createOptimisticScheduler({ workers: 2, pool, fallback: false, callingThreadGasCap: 0n })
    try {
      const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(hung).toBe(true)
      expect(bytesToHex(result.stateRoot!)).toBe(sequentialRoot)
    } finally {
      await pool.close()
    }
  })
})
