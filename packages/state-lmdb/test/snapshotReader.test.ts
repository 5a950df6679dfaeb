import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { bytesToHex } from '@ethereumjs/util'
import type { AddressHex, Hex, SlotHex, StateReader } from '@parallel-evm/core'
import type { WorkerStateReader } from '@parallel-evm/core/internal'
import { afterEach, describe, expect, it } from 'vitest'
import { DatabaseHeadError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import type { LmdbState } from '../src/lmdbState.js'
import { openLmdbSnapshot } from '../src/snapshotReader.js'
import type { LmdbSnapshotOptions } from '../src/snapshotReader.js'
import { blockHashOf, codeHashOf, commitBlock, expectSameReads, genesisOf, merkleAt, Probes, randomBlocks, randomModel, slot, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const genesisModel = randomModel(61, 30)
const genesis = genesisOf(genesisModel)
const blocks = randomBlocks(62, genesisModel, 6)
const probes = new Probes()
probes.add(genesis)
for (const writes of blocks) probes.add(writes)

async function databaseAt(upTo: number): Promise<LmdbState> {
  const state = dirs.track(openLmdbState({ path: dirs.make() }))
  await state.importState([genesis], { number: 0n, blockHash: blockHashOf(0n) })
  for (let n = 1; n <= upTo; n++) await commitBlock(state, blocks[n - 1]!, BigInt(n))
  return state
}

function snapshotOptions(state: LmdbState): LmdbSnapshotOptions {
  const head = state.head()!
  return { path: state.path, number: head.number.toString(), stateRoot: bytesToHex(head.stateRoot) }
}

/** Every probed read of a reader, as plain data: what a snapshot showed at one moment. */
function readAll(reader: StateReader): unknown {
  const out: Record<string, unknown> = {}
  for (const a of probes.addresses) {
    const account = reader.getAccount(a)
    out[a] = {
      account,
      hasStorage: reader.hasStorage(a),
      slots: [...(probes.slots.get(a) ?? [])].map((s) => reader.getStorage(a, s)),
      code: account === undefined ? undefined : bytesToHex(reader.getCode(account.codeHash)!),
    }
  }
  return out
}

/** An address whose account the next block changes, to see which version a reader shows. */
function touchedBy(n: number): AddressHex {
  return [...blocks[n - 1]!.accounts.keys()][0]!
}

describe('openLmdbSnapshot', () => {
  it('default: a snapshot at the head reads exactly what the state reads', async () => {
    const state = await databaseAt(4)
    const snapshot = openLmdbSnapshot(snapshotOptions(state))
    expectSameReads(snapshot, state, probes, 'snapshot vs state', true)
    expectSameReads(snapshot, await merkleAt(genesis, blocks.slice(0, 4)), probes, 'snapshot vs merkle', true)
    expect(typeof snapshot.release).toBe('function')
    snapshot.release!()
  })

  it('error: a snapshot asked for another block number or another root throws DatabaseHeadError', async () => {
    const state = await databaseAt(3)
    const options = snapshotOptions(state)
    const wrong: LmdbSnapshotOptions[] = [
      { ...options, number: '2' },
      { ...options, number: '4' },
      { ...options, stateRoot: bytesToHex(new Uint8Array(32).fill(7)) },
      { ...options, stateRoot: bytesToHex((await merkleAt(genesis, blocks.slice(0, 2))).stateRoot()) },
    ]
    for (const asked of wrong) {
      let error: unknown
      try {
        openLmdbSnapshot(asked)
      } catch (e) {
        error = e
      }
      expect(error, JSON.stringify(asked)).toBeInstanceOf(DatabaseHeadError)
      expect(error).toMatchObject({ code: 'DATABASE_HEAD', path: state.path })
      expect((error as Error).message).toContain(`block ${asked.number}`)
    }
    // The refusals released their transactions: a right snapshot still opens and reads.
    const snapshot = openLmdbSnapshot(options)
    expectSameReads(snapshot, state, probes, 'after refusals')
    snapshot.release!()
  })

  it('error: a snapshot of a database that holds no state, or of no database, throws', async () => {
    const empty = dirs.track(openLmdbState({ path: dirs.make() }))
    expect(() => openLmdbSnapshot({ path: empty.path, number: '0', stateRoot: bytesToHex(empty.stateRoot()) })).toThrow(DatabaseHeadError)
    expect(() => openLmdbSnapshot({ path: `${dirs.make()}/missing`, number: '0', stateRoot: bytesToHex(empty.stateRoot()) })).toThrow(/does not exist/)
  })

  it('behavior: snapshots opened and released block after block each read their own block', async () => {
    const state = await databaseAt(0)
    for (let n = 1; n <= blocks.length; n++) {
      const snapshot = openLmdbSnapshot(snapshotOptions(state))
      expectSameReads(snapshot, state, probes, `snapshot at ${n - 1}`)
      snapshot.release!()
      await commitBlock(state, blocks[n - 1]!, BigInt(n))
      // A macrotask turn between blocks, as between a worker's messages.
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    const last = openLmdbSnapshot(snapshotOptions(state))
    expectSameReads(last, await merkleAt(genesis, blocks), probes, 'snapshot at the end', true)
    last.release!()
  })

  it('behavior: a snapshot keeps reading the state of its block after later blocks are committed (pinned read transaction)', async () => {
    const state = await databaseAt(2)
    const atTwo = await merkleAt(genesis, blocks.slice(0, 2))
    const snapshot = openLmdbSnapshot(snapshotOptions(state))
    const before = readAll(snapshot)
    expect(before).toEqual(readAll(atTwo))
    for (let n = 3; n <= blocks.length; n++) {
      await commitBlock(state, blocks[n - 1]!, BigInt(n))
      await new Promise((resolve) => setTimeout(resolve, 5))
      // The state moved on...
      expect(state.getAccount(touchedBy(n))).toEqual((await merkleAt(genesis, blocks.slice(0, n))).getAccount(touchedBy(n)))
      expect(readAll(state)).not.toEqual(before)
      // ...the snapshot did not.
      expect(readAll(snapshot), `snapshot of block 2 after block ${n}`).toEqual(before)
    }
    // Nor after an unwind below its block.
    await state.unwind(5)
    expect(readAll(state)).toEqual(readAll(await merkleAt(genesis, blocks.slice(0, 1))))
    expect(readAll(state)).not.toEqual(before)
    expect(readAll(snapshot), 'after an unwind to block 1').toEqual(before)
    snapshot.release!()
  })

  it('behavior: a snapshot opened in the same turn as a commit right after it reads the new head, and the older snapshot still the old one', async () => {
    const state = await databaseAt(1)
    const old = openLmdbSnapshot(snapshotOptions(state))
    const oldReads = readAll(old)
    // No macrotask turn between the commit and the next snapshot (a coordinator that commits and
    // hands out the next block at once; a worker handling two queued messages in one turn).
    await commitBlock(state, blocks[1]!, 2n)
    const fresh = openLmdbSnapshot(snapshotOptions(state))
    expect(readAll(fresh)).toEqual(readAll(await merkleAt(genesis, blocks.slice(0, 2))))
    expect(readAll(old)).toEqual(oldReads)
    fresh.release!()
    old.release!()
  })

  it('behavior: a snapshot released before the next commit, then a new one in the same turn as the commit, reads the new head', async () => {
    const state = await databaseAt(1)
    const first = openLmdbSnapshot(snapshotOptions(state))
    readAll(first)
    first.release!()
    await commitBlock(state, blocks[1]!, 2n)
    const second = openLmdbSnapshot(snapshotOptions(state))
    expect(readAll(second)).toEqual(readAll(await merkleAt(genesis, blocks.slice(0, 2))))
    second.release!()
  })

  it('behavior: a worker thread opens workerSource() itself, reads the committed state, and keeps its snapshot across a later commit', async () => {
    const state = await databaseAt(3)
    const source = state.workerSource()
    expect(source.exportName).toBe('openLmdbSnapshot')
    expect(source.options).toEqual(snapshotOptions(state))
    // Workers load the built module, never the sources.
    expect(fileURLToPath(source.module)).toMatch(/dist[/\\]snapshotReader\.js$/)

    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      let reader
      parentPort.on('message', async (message) => {
        try {
          if (message === 'open') {
            const module = await import(workerData.module)
            reader = module[workerData.exportName](workerData.options)
            parentPort.postMessage({ ok: true })
            return
          }
          if (message === 'release') {
            reader.release()
            parentPort.postMessage({ ok: true })
            return
          }
          const out = {}
          for (const [address, slots, codeHash] of workerData.probes) {
            const account = reader.getAccount(address)
            const code = account === undefined ? undefined : reader.getCode(account.codeHash)
            out[address] = {
              account,
              hasStorage: reader.hasStorage(address),
              slots: slots.map((s) => reader.getStorage(address, s)),
              code: code === undefined ? undefined : Buffer.from(code).toString('hex'),
            }
          }
          parentPort.postMessage({ ok: true, out })
        } catch (error) {
          parentPort.postMessage({ ok: false, name: error.name, message: error.message })
        }
      })
    `
    const probeList: [AddressHex, SlotHex[], Hex | undefined][] = [...probes.addresses].map((a) => [a, [...(probes.slots.get(a) ?? [])], undefined])
    // As the worker pool does: the parent's flags minus `--conditions typescript`, which would make
    // the plain-JS worker resolve packages to their TypeScript sources.
    const execArgv = process.execArgv.filter((arg, i, all) => !arg.startsWith('--conditions') && !arg.startsWith('-C') && all[i - 1] !== '--conditions' && all[i - 1] !== '-C')
    const worker = new Worker(code, { eval: true, execArgv, workerData: { ...source, probes: probeList } })
    const ask = (message: string) =>
      new Promise<{ ok: boolean; out?: Record<string, { account: unknown; hasStorage: boolean; slots: bigint[]; code: string | undefined }>; name?: string; message?: string }>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
        worker.postMessage(message)
      })
    try {
      expect(await ask('open')).toEqual({ ok: true })
      const expected = (reader: StateReader) =>
        Object.fromEntries(
          probeList.map(([a, slots]) => {
            const account = reader.getAccount(a)
            return [a, { account, hasStorage: reader.hasStorage(a), slots: slots.map((s) => reader.getStorage(a, s)), code: account === undefined ? undefined : Buffer.from(reader.getCode(account.codeHash)!).toString('hex') }]
          }),
        )
      const atThree = expected(state)
      const first = await ask('read')
      expect(first.ok, first.message).toBe(true)
      expect(first.out).toEqual(atThree)
      // The coordinator commits the next block; the worker's snapshot still shows block 3.
      await commitBlock(state, blocks[3]!, 4n)
      const second = await ask('read')
      expect(second.out).toEqual(atThree)
      expect(second.out).not.toEqual(expected(state))
      expect(await ask('release')).toEqual({ ok: true })
      // The old source is now behind the head: opening it again is refused in the worker.
      const stale = await ask('open')
      expect(stale).toMatchObject({ ok: false, name: 'DatabaseHeadError' })
    } finally {
      await worker.terminate()
    }
  })

  it('behavior: a snapshot reads code it has already read from its cache, and the stored code otherwise', async () => {
    const state = await databaseAt(6)
    const snapshot = openLmdbSnapshot(snapshotOptions(state)) as WorkerStateReader & StateReader
    for (const hash of probes.codeHashes) {
      const code = snapshot.getCode(hash)
      expect(code, hash).toBeDefined()
      expect(codeHashOf(code!)).toBe(hash)
      expect(snapshot.getCode(hash)).toBe(code)
    }
    expect(snapshot.getStorage(touchedBy(1), slot(123456))).toBe(0n)
    snapshot.release!()
  })
})
