import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { serialize } from 'node:v8'
import { loadMainnetBlock, listMainnetBlocks } from '@parallel-evm/fixtures'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createMainnetCommon, WorkerCrashedError, WorkerPool } from '../src/index.js'
import {
  decodeBlockInput,
  executeTransaction,
  LaneFactory,
  preBlockWrites,
  prepareBlock,
  StateOverlay,
  type TaskResult,
} from '../src/internal.js'

const blockDir = listMainnetBlocks().find((dir) => dir.endsWith('/4370000'))!
let pool: WorkerPool | undefined

afterEach(async () => {
  await pool?.close()
  pool = undefined
})

/** Each transaction alone on the parent state, on the calling thread: what workers must reproduce. */
async function onCallingThread(indices: number[]) {
  const fixture = await loadMainnetBlock(blockDir)
  const parent = new StateOverlay(new StateOverlay({ getAccount: () => undefined, getStorage: () => 0n, getCode: () => undefined, hasStorage: () => false }))
  ;(parent.base as StateOverlay).apply(fixture.preState)
  const prepared = prepareBlock(fixture.block, { common: createMainnetCommon() })
  const lanes = new LaneFactory()
  parent.apply(await preBlockWrites(prepared, await lanes.laneFor(prepared.common, prepared.ancestorHashes), parent.base))
  const outcomes = []
  for (const index of indices) outcomes.push(await executeTransaction(lanes, prepared, index, parent, { skipNonce: true, skipBalance: true }))
  return outcomes
}

function outcomesOf(results: TaskResult[]) {
  return results.map((result) => ('outcome' in result ? result.outcome : 'error' in result ? result.error : 'sender' in result ? result.sender : 'blockedOn' in result ? result.blockedOn : result.digest))
}

describe('WorkerPool', () => {
  it('default: workers execute transactions exactly as the calling thread does', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 2 })
    pool.setState(fixture.preState)
    const results = await pool.execute('4370000', fixture.block, [[0, 1, 2], [3, 4], [5]], { skipNonce: true, skipBalance: true })
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5])
    expect(outcomesOf(results)).toEqual(await onCallingThread([0, 1, 2, 3, 4, 5]))
    const stats = pool.stats()
    expect(stats.reduce((sum, worker) => sum + worker.tasks, 0)).toBe(3)
    expect(stats.every((worker) => worker.messagesSent >= 2 && worker.heapUsed > 0)).toBe(true)
    // Messages are transferred, not copied: their bytes are still counted (the state alone is this big).
    expect(stats.every((worker) => worker.bytesSent > serialize(fixture.preState).byteLength)).toBe(true)
  })

  it('behavior: a worker that exits mid-task is replaced and the task re-runs with the same result', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 2, faults: ({ taskId, attempt }) => (taskId === 0 && attempt === 1 ? 'exit' : undefined) })
    pool.setState(fixture.preState)
    const results = await pool.execute('4370000', fixture.block, [[0, 1], [2]], { skipNonce: true, skipBalance: true })
    expect(outcomesOf(results)).toEqual(await onCallingThread([0, 1, 2]))
    expect(pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)).toBe(1)
  })

  it('behavior: queueable tasks wait in a busy worker\'s queue, built before the running one answers', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 1 })
    pool.setState(fixture.preState)
    const stateId = pool.stateId
    const events: string[] = []
    const task = (indices: number[]) =>
      pool!
        .submit((taskId) => (events.push(`build ${indices[0]}`), { type: 'execute', taskId, stateId, blockKey: 'queued', block: fixture.block, indices, options: { skipNonce: true, skipBalance: true } }), { queueBehind: true })
        .then((results) => (events.push(`answer ${indices[0]}`), results))
    const results = await Promise.all([task([0, 1]), task([2]), task([3])])
    expect(outcomesOf(results.flat())).toEqual(await onCallingThread([0, 1, 2, 3]))
    // The second task went out with the first; the third only when the first answered (at most two per worker).
    expect(events).toEqual(['build 0', 'build 2', 'build 3', 'answer 0', 'answer 2', 'answer 3'])
    expect(pool.stats()[0]!.tasks).toBe(3)
  })

  it('behavior: a task queued behind one that crashes its worker is retried without being charged an attempt', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    const attempts: number[] = []
    pool = await WorkerPool.create({
      size: 1,
      faults: ({ taskId, attempt }) => {
        if (taskId === 1) attempts.push(attempt)
        return taskId === 0 && attempt === 1 ? 'exit' : undefined
      },
    })
    pool.setState(fixture.preState)
    const stateId = pool.stateId
    const submit = (indices: number[]) => pool!.submit((taskId) => ({ type: 'execute', taskId, stateId, blockKey: 'crash', block: fixture.block, indices, options: { skipNonce: true, skipBalance: true } }), { queueBehind: true })
    const results = await Promise.all([submit([4]), submit([5])])
    expect(outcomesOf(results.flat())).toEqual(await onCallingThread([4, 5]))
    expect(pool.stats()[0]!.restarts).toBe(1)
    expect(attempts).toEqual([1, 1])
  })

  it('behavior: a hung worker is terminated after the task timeout and replaced', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 1, taskTimeoutMs: 3_000, faults: ({ attempt }) => (attempt === 1 ? 'hang' : undefined) })
    pool.setState(fixture.preState)
    const results = await pool.execute('4370000', fixture.block, [[7]], { skipNonce: true, skipBalance: true })
    expect(outcomesOf(results)).toEqual(await onCallingThread([7]))
    expect(pool.stats()[0]!.restarts).toBe(1)
  })

  it('behavior: recovers senders by ECDSA on the workers, as the block says they are', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 2 })
    const block = decodeBlockInput({ block: fixture.block.block }, { common: createMainnetCommon() })
    const indices = block.transactions.map((_, index) => index)
    const results = await pool.recoverSenders(block, indices)
    expect(results.map((result) => result.index)).toEqual(indices)
    expect(results.map((result) => ('sender' in result ? result.sender : result))).toEqual(fixture.block.senders)
  })

  it('behavior: a worker that cannot start fails creation with WorkerCrashedError instead of respawning forever', async () => {
    const error = await WorkerPool.create({ size: 1, chain: { name: 'broken' } as never }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
  })

  it('behavior: setState while tasks run is refused; close() settles pending tasks', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 1 })
    pool.setState(fixture.preState)
    const running = pool.execute('4370000', fixture.block, [[0], [1], [2]], { skipNonce: true, skipBalance: true }).catch((e: unknown) => e)
    expect(() => pool!.setState(fixture.preState)).toThrow(/while tasks are running/)
    await pool.close()
    expect(await running).toBeInstanceOf(WorkerCrashedError)
    await expect(pool.execute('4370000', fixture.block, [[0]])).rejects.toThrow(/closed/)
    pool = undefined
  })

  it('behavior: a task that crashes its worker twice rejects with WorkerCrashedError', async () => {
    const fixture = await loadMainnetBlock(blockDir)
    pool = await WorkerPool.create({ size: 1, faults: () => 'exit' })
    pool.setState(fixture.preState)
    await expect(pool.execute('4370000', fixture.block, [[0]])).rejects.toBeInstanceOf(WorkerCrashedError)
  })

  describe('a state the workers open themselves (attachState)', () => {
    // A state source as a database backend provides one: a plain JavaScript module each worker
    // imports, here serving the pre-state it is handed (structured clone keeps Maps and bigints).
    const sourceDir = mkdtempSync(join(tmpdir(), 'pevm-state-source-'))
    afterAll(() => rmSync(sourceDir, { recursive: true, force: true }))
    writeFileSync(
      join(sourceDir, 'source.mjs'),
      `export function openWrites({ writes }) {
        return {
          getAccount: (address) => { const a = writes.accounts.get(address); return a && { nonce: a.nonce, balance: a.balance, codeHash: a.codeHash } },
          getStorage: (address, slot) => writes.accounts.get(address)?.storage.get(slot) ?? 0n,
          getCode: (hash) => writes.codes.get(hash),
          hasStorage: (address) => [...(writes.accounts.get(address)?.storage.values() ?? [])].some((v) => v !== 0n),
        }
      }
      export function refuse() { throw new Error('the database is not there') }`,
    )
    const module = pathToFileURL(join(sourceDir, 'source.mjs')).href

    it('behavior: workers that open the state themselves execute exactly as the calling thread does, and a replaced worker opens it again', async () => {
      const fixture = await loadMainnetBlock(blockDir)
      pool = await WorkerPool.create({ size: 2, faults: ({ taskId, attempt }) => (taskId === 1 && attempt === 1 ? 'exit' : undefined) })
      pool.attachState({ module, exportName: 'openWrites', options: { writes: fixture.preState } })
      const results = await pool.execute('4370000', fixture.block, [[0, 1], [2, 3], [4]], { skipNonce: true, skipBalance: true })
      expect(outcomesOf(results)).toEqual(await onCallingThread([0, 1, 2, 3, 4]))
      expect(pool.stats().reduce((sum, worker) => sum + worker.restarts, 0)).toBe(1)
    })

    it('error: a source that fails to open makes every task answer with a typed STATE_UNAVAILABLE error, not run on an empty state', async () => {
      const fixture = await loadMainnetBlock(blockDir)
      pool = await WorkerPool.create({ size: 1 })
      pool.attachState({ module, exportName: 'refuse', options: {} })
      const results = await pool.execute('4370000', fixture.block, [[0, 1]], { skipNonce: true, skipBalance: true })
      expect(results).toHaveLength(2)
      for (const result of results) {
        expect('error' in result && result.error.code).toBe('STATE_UNAVAILABLE')
        expect('error' in result && result.error.message).toContain('the database is not there')
      }
    })

    it('behavior: releaseState drops the workers\' state; tasks need a new one', async () => {
      const fixture = await loadMainnetBlock(blockDir)
      pool = await WorkerPool.create({ size: 1 })
      pool.attachState({ module, exportName: 'openWrites', options: { writes: fixture.preState } })
      pool.releaseState()
      await expect(pool.execute('4370000', fixture.block, [[0]])).rejects.toThrow(/must be called before execute/)
      // A new state afterwards gets a new id, so no answer for an old state is taken for it.
      pool.setState(fixture.preState)
      expect(outcomesOf(await pool.execute('4370000', fixture.block, [[0]], { skipNonce: true, skipBalance: true }))).toEqual(await onCallingThread([0]))
    })
  })
})
