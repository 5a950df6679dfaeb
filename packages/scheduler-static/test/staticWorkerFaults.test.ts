import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, WorkerCrashedError, WorkerPool, type BlockResult } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectSameResult } from '../../../test/blockResults.js'
import { createStaticScheduler } from '../src/index.js'

const generated = generateBlock({ workload: 'mixed', seed: 11, txCount: 60, contention: 0.2 })
let sequential: BlockResult

beforeAll(async () => {
  sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
})

const restarts = (pool: WorkerPool) => pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)

// Fallback off: every transaction goes through the workers' tasks.
describe('static scheduler when a worker dies mid-block', () => {
  it('behavior: a worker that exits during a task is replaced, its task re-runs, and the block result equals sequential', async () => {
    let faults = 0
    const pool = await WorkerPool.create({
      size: 2,
      faults: ({ taskId, attempt }) => (taskId === 2 && attempt === 1 && ++faults === 1 ? 'exit' : undefined),
    })
    const scheduler = createStaticScheduler({ workers: 2, pool, fallback: false })
    try {
      const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
      expect(faults).toBe(1)
      expect(restarts(pool)).toBe(1)
      expect(result.stats.fellBack).toBeUndefined()
      expectSameResult(result, sequential, 'after a worker exit')
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })

  it('error: a pool whose every attempt fails gives WorkerCrashedError and commits nothing (merkle backend)', async () => {
    const pool = await WorkerPool.create({ size: 2, faults: () => 'exit' })
    const scheduler = createStaticScheduler({ workers: 2, pool, fallback: false })
    const state = await createMerkleState({ genesis: generated.preState })
    const rootBefore = bytesToHex(state.stateRoot())
    try {
      const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(generated.block).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(WorkerCrashedError)
      expect((error as WorkerCrashedError).code).toBe('WORKER_CRASHED')
      expect((error as WorkerCrashedError).message).toMatch(/again after a restart/)
      expect(bytesToHex(state.stateRoot())).toBe(rootBefore)
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })

  it('error: the same failure on a memory backend leaves its accounts as they were', async () => {
    const pool = await WorkerPool.create({ size: 2, faults: () => 'exit' })
    const scheduler = createStaticScheduler({ workers: 2, pool, fallback: false })
    const state = await createMemoryState({ genesis: generated.preState })
    const touched = [...new Set([...sequential.writeSet.accounts.keys()])]
    const before = touched.map((address) => state.getAccount(address))
    // The block does change what is checked: tx 0's sender's nonce, at least.
    const sender = sequential.senders[0]!
    expect(sequential.writeSet.accounts.get(sender)?.nonce).toBe(state.getAccount(sender)!.nonce + 1n)
    try {
      const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(generated.block).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(WorkerCrashedError)
      expect(touched.map((address) => state.getAccount(address))).toEqual(before)
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })
})
