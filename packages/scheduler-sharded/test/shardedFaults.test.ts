import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, WorkerCrashedError, WorkerPool, type BlockResult } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectSameResult } from '../../../test/blockResults.js'
import { createShardedScheduler, ShardDigestMismatchError, workerThreadTransport, type ShardTransport } from '../src/index.js'

const generated = generateBlock({ workload: 'mixed', seed: 11, txCount: 60, contention: 0.2 })
let sequential: BlockResult

beforeAll(async () => {
  sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
})

const restarts = (pool: WorkerPool) => pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)

// Fallback off: every transaction goes through the shards.
describe('sharded scheduler when a shard dies mid-block', () => {
  for (const partitioner of ['hash', 'activity'] as const) {
    it(`behavior: shard 1 dies on its first attempt at every message (pre-execution, transactions, digest), ${partitioner} partition: replaced each time, same result as sequential`, async () => {
      let faults = 0
      // The protocol's recovery at every message is the point here: a budget past the default's 4 restarts per block.
      const pool = await WorkerPool.create({ size: 2, restartBudget: { perBlock: 100 }, faults: ({ worker, attempt }) => (worker === 1 && attempt === 1 ? (faults++, 'exit') : undefined) })
      const scheduler = createShardedScheduler({ workers: 2, pool, partitioner, fallback: false })
      try {
        const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
        // A message queued behind a dying one is built again for the replacement, and may be faulted again there.
        expect(restarts(pool)).toBeGreaterThan(2)
        expect(restarts(pool)).toBeLessThanOrEqual(faults)
        expect(result.stats.sharded?.perShard[1]?.transactions).toBeGreaterThan(0)
        expectSameResult(result, sequential, `after ${faults} deaths of shard 1`)
      } finally {
        await scheduler.close()
        await pool.close()
      }
    })
  }

  it('behavior: a shard killed once in the middle of the block (its 2nd message) is replaced and rebuilt from the writes it owns', async () => {
    let messages = 0
    const pool = await WorkerPool.create({ size: 2, faults: ({ worker, attempt }) => (worker === 0 && attempt === 1 && ++messages === 2 ? 'exit' : undefined) })
    const scheduler = createShardedScheduler({ workers: 2, pool, predict: ['static'], fallback: false })
    try {
      const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
      expect(restarts(pool)).toBe(1)
      expectSameResult(result, sequential, 'after shard 0 died mid-block')
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })

  it('error: a shard that dies on every attempt gives WorkerCrashedError and commits nothing (merkle root unchanged)', async () => {
    const pool = await WorkerPool.create({ size: 2, faults: ({ worker }) => (worker === 1 ? 'exit' : undefined) })
    const scheduler = createShardedScheduler({ workers: 2, pool, fallback: false })
    const state = await createMerkleState({ genesis: generated.preState })
    const rootBefore = bytesToHex(state.stateRoot())
    try {
      const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(generated.block).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(WorkerCrashedError)
      expect((error as WorkerCrashedError).message).toMatch(/again after a restart/)
      expect(bytesToHex(state.stateRoot())).toBe(rootBefore)
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })
})

describe('sharded scheduler: agreement on commit', () => {
  it('error: forwarded values and write-backs lost on the way to shard 1 give ShardDigestMismatchError, and a memory backend keeps its accounts as they were', async () => {
    const pool = await WorkerPool.create({ size: 2 })
    const inner = workerThreadTransport(pool)
    let dropped = 0
    // A transport that loses every write sent to shard 1; the coordinator believes them delivered.
    const lossy: ShardTransport = {
      shards: inner.shards,
      get stateId() {
        return inner.stateId
      },
      withParentState: (backend, work) => inner.withParentState(backend, work),
      traffic: () => inner.traffic(),
      send: (shard, build) =>
        inner.send(shard, (messageId, incarnation) => {
          const request = build(messageId, incarnation)
          if (shard !== 1 || request === undefined || request.type === 'execute') return request
          dropped += request.updates.length
          return { ...request, updates: [] }
        }),
    }
    const scheduler = createShardedScheduler({ workers: 2, transport: lossy, partitioner: 'hash', fallback: false })
    const state = await createMemoryState({ genesis: generated.preState })
    const touched = [...sequential.writeSet.accounts.keys()]
    const before = touched.map((address) => state.getAccount(address))
    try {
      const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(generated.block).catch((caught: unknown) => caught)
      expect(dropped, 'shard 1 needed writes from elsewhere').toBeGreaterThan(0)
      expect(error).toBeInstanceOf(ShardDigestMismatchError)
      expect((error as ShardDigestMismatchError).code).toBe('SHARD_DIGEST_MISMATCH')
      expect((error as ShardDigestMismatchError).message).toMatch(/Shard \d does not agree on the block/)
      expect(touched.map((address) => state.getAccount(address))).toEqual(before)
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })

  it('behavior: the same transport, delivering everything, agrees and commits the sequential result', async () => {
    const pool = await WorkerPool.create({ size: 2 })
    const scheduler = createShardedScheduler({ workers: 2, transport: workerThreadTransport(pool), partitioner: 'hash', fallback: false })
    try {
      const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
      expect(result.stats.sharded?.digestMs).toBeGreaterThan(0)
      expectSameResult(result, sequential, 'over a given transport')
    } finally {
      await scheduler.close()
      await pool.close()
    }
  })
})
