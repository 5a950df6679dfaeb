import { bytesToHex } from '@ethereumjs/util'
import type { AddressHex, SlotHex, WriteSet } from '@parallel-evm/core'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptDatabaseError, DatabaseHeadError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import { LmdbTables, META_IMPORTING } from '../src/tables.js'
import { address, blockHashOf, commitBlock, expectModelReads, expectSameReads, genesisOf, headHex, Probes, randomModel, slot, TempDirs } from './helpers.js'
import type { Model } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/** 60 accounts plus one contract (BIG) with 40 slots. */
function importModel(): Model {
  const model = randomModel(31, 60)
  const storage = new Map<SlotHex, bigint>()
  for (let i = 0; i < 40; i++) storage.set(slot(i * 7 + 1), BigInt(i + 1) * 1000n)
  model.set(BIG, { nonce: 1n, balance: 77n, code: Uint8Array.of(0x60, 0x2a, 0x60, 0x00, 0x55), storage })
  return model
}
const BIG = address(0xb16)

/**
 * The whole state as 5 chunks of about 12 accounts; BIG is created with 15 of its slots in the
 * first chunk and its other slots continue, as lifecycle-less writes, in the third and the last.
 */
function chunksOf(whole: WriteSet): WriteSet[] {
  const entries = [...whole.accounts].filter(([a]) => a !== BIG)
  const chunks: WriteSet[] = []
  for (let i = 0; i < entries.length; i += 12) {
    const part = entries.slice(i, i + 12)
    const codes = new Map(part.flatMap(([, write]) => (write.codeHash !== undefined && whole.codes.has(write.codeHash) ? [[write.codeHash, whole.codes.get(write.codeHash)!] as const] : [])))
    chunks.push({ accounts: new Map(part), codes })
  }
  const big = whole.accounts.get(BIG)!
  const slots = [...big.storage]
  chunks[0]!.accounts.set(BIG, { ...big, storage: new Map(slots.slice(0, 15)) })
  chunks[0]!.codes.set(big.codeHash!, whole.codes.get(big.codeHash!)!)
  chunks[2]!.accounts.set(BIG, { storage: new Map(slots.slice(15, 30)) })
  chunks[chunks.length - 1]!.accounts.set(BIG, { storage: new Map(slots.slice(30)) })
  return chunks
}

async function* slowly(chunks: WriteSet[]): AsyncGenerator<WriteSet> {
  for (const chunk of chunks) {
    await new Promise((resolve) => setTimeout(resolve, 1))
    yield chunk
  }
}

describe('LmdbState.importState', () => {
  it('behavior: a chunked import, an account continued in later chunks, gives the root of merkle with the whole state at once', async () => {
    const model = importModel()
    const whole = genesisOf(model)
    const chunks = chunksOf(whole)
    expect(chunks.length).toBe(5)
    const merkle = await createMerkleState({ genesis: whole })
    const state = dirs.track(openLmdbState({ path: dirs.make() }))
    const head = await state.importState(chunks, { number: 1000n, blockHash: blockHashOf(1000n) })
    expect(headHex(head)).toEqual({ number: 1000n, stateRoot: bytesToHex(merkle.stateRoot()), blockHash: blockHashOf(1000n) })
    expect(headHex(state.head())).toEqual(headHex(head))
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(merkle.stateRoot()))
    expect(bytesToHex(state.blockHash(1000n)!)).toBe(blockHashOf(1000n))
    expectModelReads(state, model)
    const probes = new Probes()
    probes.add(whole)
    expectSameReads(state, merkle, probes, 'chunked import', true)
    const info = state.info()
    expect(info.entries.accounts).toBe(61)
    expect(info.entries.storage).toBe([...model.values()].reduce((n, account) => n + account.storage.size, 0))
    expect(info.entries.changes).toBe(0)
    expect(info.entries.hashes).toBe(1)
    expect(info.history).toBeUndefined()
    // The import is not a block: nothing to unwind.
    await expect(state.unwind(1)).rejects.toMatchObject({ code: 'UNWIND_BEYOND_HISTORY' })
    // The next block follows the imported head.
    const next: WriteSet = { accounts: new Map([[BIG, { storage: new Map([[slot(1), 0n]]) }]]), codes: new Map() }
    const merkleNext = await merkle.stage(next)
    await merkleNext.apply()
    expect(bytesToHex(await commitBlock(state, next, 1001n))).toBe(bytesToHex(merkle.stateRoot()))
  })

  it('behavior: an async iterable of chunks imports to the same root as one chunk', async () => {
    const whole = genesisOf(importModel())
    const one = dirs.track(openLmdbState({ path: dirs.make() }))
    const chunked = dirs.track(openLmdbState({ path: dirs.make() }))
    const oneHead = await one.importState([whole], { number: 5n })
    const chunkedHead = await chunked.importState(slowly(chunksOf(whole)), { number: 5n })
    expect(bytesToHex(chunkedHead.stateRoot)).toBe(bytesToHex(oneHead.stateRoot))
    expect(bytesToHex((await createMerkleState({ genesis: whole })).stateRoot())).toBe(bytesToHex(oneHead.stateRoot))
  })

  it('behavior: an import of no chunks gives an empty state at that block, which then takes blocks', async () => {
    const state = dirs.track(openLmdbState({ path: dirs.make() }))
    const head = await state.importState([], { number: 3n, blockHash: blockHashOf(3n) })
    const empty = await createMerkleState()
    expect(bytesToHex(head.stateRoot)).toBe(bytesToHex(empty.stateRoot()))
    expect(state.head()?.number).toBe(3n)
    const model = randomModel(2, 5)
    await commitBlock(state, genesisOf(model), 4n)
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex((await createMerkleState({ genesis: genesisOf(model) })).stateRoot()))
    expectModelReads(state, model)
  })

  it('error: an import into a database that holds a state throws DatabaseHeadError and changes nothing', async () => {
    const path = dirs.make()
    const model = importModel()
    const state = dirs.track(openLmdbState({ path }))
    await state.importState([genesisOf(model)], { number: 0n, blockHash: blockHashOf(0n) })
    const before = { head: headHex(state.head()), info: state.info().entries }
    const other: WriteSet = { accounts: new Map([[address(0x999), { lifecycle: 'created', nonce: 1n, balance: 1n, storage: new Map() }]]), codes: new Map() }
    const error = await state.importState([other], { number: 9n }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseHeadError)
    expect(error).toMatchObject({ code: 'DATABASE_HEAD', path })
    expect({ head: headHex(state.head()), info: state.info().entries }).toEqual(before)
    expect(state.getAccount(address(0x999))).toBeUndefined()
    // Also after a reopen, and after a block.
    await state.close()
    const reopened = dirs.track(openLmdbState({ path }))
    await commitBlock(reopened, { accounts: new Map(), codes: new Map() }, 1n)
    await expect(reopened.importState([other], { number: 9n })).rejects.toBeInstanceOf(DatabaseHeadError)
    expect(reopened.head()?.number).toBe(1n)
    expectModelReads(reopened, model, [address(0x999)])
  })

  it('error: an import whose chunks fail midway rejects with that failure, and the database is refused on reopen with CorruptDatabaseError', async () => {
    const path = dirs.make()
    const chunks = chunksOf(genesisOf(importModel()))
    const failure = new Error('the snapshot source went away')
    async function* failing(): AsyncGenerator<WriteSet> {
      // Three chunks arrive (at least two are written, whatever the write-ahead), then the source fails.
      yield chunks[0]!
      yield chunks[1]!
      yield chunks[2]!
      throw failure
    }
    const state = openLmdbState({ path })
    await expect(state.importState(failing(), { number: 0n })).rejects.toBe(failure)
    expect(state.head()).toBeUndefined()
    // Some of the state did land, marked as a partial import.
    expect(state.info().entries.accounts).toBeGreaterThan(0)
    await state.close()
    for (const verify of ['never', 'auto', 'always'] as const) {
      const error = (() => {
        try {
          dirs.track(openLmdbState({ path, verify }))
        } catch (e) {
          return e
        }
        return undefined
      })()
      expect(error, `verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
      expect(error).toMatchObject({ code: 'CORRUPT_DATABASE', path })
      expect((error as Error).message).toContain('partial import')
    }
  })

  it('error: a database carrying the importing marker is refused on open with CorruptDatabaseError', async () => {
    const path = dirs.make()
    const state = openLmdbState({ path })
    await state.importState([genesisOf(importModel())], { number: 0n, blockHash: blockHashOf(0n) })
    await state.close()
    // An import that stopped between its chunk transactions: the marker is there (even with a head).
    const tables = LmdbTables.open(path)
    tables.transaction(() => tables.put('meta', META_IMPORTING, new Uint8Array(0)))
    await tables.close()
    expect(() => openLmdbState({ path, verify: 'never' })).toThrow(CorruptDatabaseError)
    expect(() => openLmdbState({ path })).toThrow(/partial import/)
    // Once the marker is gone the same database opens as before.
    const fixed = LmdbTables.open(path)
    fixed.transaction(() => fixed.remove('meta', META_IMPORTING))
    await fixed.close()
    const reopened = dirs.track(openLmdbState({ path }))
    expect(reopened.head()?.number).toBe(0n)
  })

  it("behavior: retrying an import on the same open state after a failed one never leaves the failed import's accounts beside the new root", async () => {
    const path = dirs.make()
    const first = chunksOf(genesisOf(importModel()))
    async function* failing(): AsyncGenerator<WriteSet> {
      yield first[0]!
      yield first[1]!
      yield first[2]!
      throw new Error('source failed')
    }
    const state = dirs.track(openLmdbState({ path }))
    await expect(state.importState(failing(), { number: 0n })).rejects.toThrow('source failed')
    const leftovers = [...first[0]!.accounts.keys()] as AddressHex[]
    // A retry with another (smaller) state on the same instance: either refused, or the database
    // holds exactly that state. It must not report the small state's root while its flat tables
    // still hold accounts of the failed import, which no root commits to.
    const small = randomModel(77, 4, 0x5000)
    let retried: unknown
    try {
      await state.importState([genesisOf(small)], { number: 0n })
    } catch (error) {
      retried = error
    }
    if (retried !== undefined) {
      expect(retried).toBeInstanceOf(DatabaseHeadError)
      return
    }
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex((await createMerkleState({ genesis: genesisOf(small) })).stateRoot()))
    expectModelReads(state, small, leftovers.filter((a) => !small.has(a)))
    expect(state.info().entries.accounts).toBe(small.size)
  })
})
