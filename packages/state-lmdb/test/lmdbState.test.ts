import { statSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { EMPTY_CODE_HASH, InvalidOptionError, StagedCommitPendingError, StagedCommitSettledError } from '@parallel-evm/core'
import type { WriteSet } from '@parallel-evm/core'
import { EMPTY_TRIE_ROOT } from '@parallel-evm/state-merkle'
import { afterEach, describe, expect, it } from 'vitest'
import { DatabaseHeadError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import type { LmdbState } from '../src/lmdbState.js'
import { FORMAT_VERSION } from '../src/records.js'
import { TABLES } from '../src/tables.js'
import { address, applyToModel, headHex, blockHashOf, cloneModel, codeHashOf, commitBlock, expectModelReads, expectSameReads, genesisOf, merkleAt, Probes, randomBlocks, randomModel, slot, TempDirs } from './helpers.js'
import type { Model } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const A = address(0xaa)
const B = address(0xbb)
const C = address(0xcc)
const CODE_B = Uint8Array.of(0x60, 0x00, 0x54)
const CODE_NEW = Uint8Array.of(0x60, 0x01, 0x55, 0x00)

/** An EOA, a contract with storage, a contract without. */
function smallModel(): Model {
  return new Map([
    [A, { nonce: 1n, balance: 10n ** 18n, code: new Uint8Array(), storage: new Map() }],
    [B, { nonce: 1n, balance: 0n, code: CODE_B, storage: new Map([[slot(0), 1n], [slot(7), 2n ** 255n]]) }],
    [C, { nonce: 0n, balance: 5n, code: Uint8Array.of(0xfe), storage: new Map() }],
  ])
}

/** Deletes A, changes and clears B's slots, re-creates C with storage and new code. */
function changingWrites(): WriteSet {
  return {
    accounts: new Map([
      [A, { lifecycle: 'deleted', storage: new Map() }],
      [B, { balance: 3n, storage: new Map([[slot(0), 0n], [slot(1), 9n]]) }],
      [C, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash: codeHashOf(CODE_NEW), storage: new Map([[slot(3), 3n]]) }],
    ]),
    codes: new Map([[codeHashOf(CODE_NEW), CODE_NEW]]),
  }
}

/** A database with `model` imported at block 10. */
async function importedState(model: Model, path = dirs.make()): Promise<LmdbState> {
  const state = dirs.track(openLmdbState({ path }))
  await state.importState([genesisOf(model)], { number: 10n, blockHash: blockHashOf(10n) })
  return state
}

/** What a failed or discarded commit must leave exactly as it was. */
function snapshotOf(state: LmdbState) {
  const info = state.info()
  return { head: headHex(state.head()), root: bytesToHex(state.stateRoot()), entries: info.entries, history: info.history, hash11: state.blockHash(11n) === undefined ? undefined : bytesToHex(state.blockHash(11n)!) }
}

describe('openLmdbState', () => {
  it('default: a new database has no head, the empty root, no history, and reads nothing', async () => {
    const path = dirs.make()
    const state = dirs.track(openLmdbState({ path }))
    expect(state.kind).toBe('lmdb')
    expect(state.path).toBe(path)
    expect(state.reorgDepth).toBe(64)
    expect(state.head()).toBeUndefined()
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(EMPTY_TRIE_ROOT))
    expect(state.getAccount(A)).toBeUndefined()
    expect(state.getStorage(A, slot(0))).toBe(0n)
    expect(state.hasStorage(A)).toBe(false)
    expect(state.getCode(EMPTY_CODE_HASH)).toEqual(new Uint8Array(0))
    expect(state.getCode(codeHashOf(CODE_B))).toBeUndefined()
    expect(state.blockHash(0n)).toBeUndefined()
    const info = state.info()
    expect(info.head).toBeUndefined()
    expect(info.history).toBeUndefined()
    expect(info.formatVersion).toBe(FORMAT_VERSION)
    // Only the format record.
    expect(info.entries).toEqual({ meta: 1, accounts: 0, storage: 0, codes: 0, nodes: 0, changes: 0, hashes: 0 })
  })

  it('error: staging, unwinding or asking for a worker source before any import throws DatabaseHeadError', async () => {
    const state = dirs.track(openLmdbState({ path: dirs.make() }))
    await expect(state.stage({ accounts: new Map(), codes: new Map() }, { blockNumber: 1n, blockHash: blockHashOf(1n) })).rejects.toBeInstanceOf(DatabaseHeadError)
    await expect(state.unwind(1)).rejects.toBeInstanceOf(DatabaseHeadError)
    expect(() => state.workerSource()).toThrow(DatabaseHeadError)
    // The refused stage left nothing pending: an import still runs.
    await state.importState([genesisOf(smallModel())], { number: 0n })
    expect(state.head()?.number).toBe(0n)
  })
})

describe('persistence', () => {
  it('behavior: close and reopen keeps the head, root, block hashes, history and every read', async () => {
    const path = dirs.make()
    const genesisModel = randomModel(5, 30)
    const blocks = randomBlocks(6, genesisModel, 6)
    const probes = new Probes()
    probes.add(genesisOf(genesisModel))
    for (const writes of blocks) probes.add(writes)
    const first = openLmdbState({ path })
    await first.importState([genesisOf(genesisModel)], { number: 0n, blockHash: blockHashOf(0n) })
    for (let n = 1; n <= 5; n++) await commitBlock(first, blocks[n - 1]!, BigInt(n))
    const head = first.head()
    const info = first.info()
    await first.close()

    const reopened = dirs.track(openLmdbState({ path }))
    const reference = await merkleAt(genesisOf(genesisModel), blocks.slice(0, 5))
    expect(headHex(reopened.head())).toEqual(headHex(head))
    expect(bytesToHex(reopened.stateRoot())).toBe(bytesToHex(reference.stateRoot()))
    for (let n = 0n; n <= 5n; n++) expect(bytesToHex(reopened.blockHash(n)!)).toBe(blockHashOf(n))
    const reinfo = reopened.info()
    expect({ ...reinfo, head: headHex(reinfo.head) }).toEqual({ ...info, head: headHex(info.head), dataFileBytes: reinfo.dataFileBytes })
    expectSameReads(reopened, reference, probes, 'reopened', true)

    // The reopened database goes on from its head, and unwinds blocks committed before the close.
    await commitBlock(reopened, blocks[5]!, 6n)
    expect(bytesToHex(reopened.stateRoot())).toBe(bytesToHex((await merkleAt(genesisOf(genesisModel), blocks)).stateRoot()))
    await reopened.unwind(4)
    const at2 = await merkleAt(genesisOf(genesisModel), blocks.slice(0, 2))
    expect(bytesToHex(reopened.stateRoot())).toBe(bytesToHex(at2.stateRoot()))
    expectSameReads(reopened, at2, probes, 'reopened and unwound')
  })

  it('behavior: a head reached by unwinding survives a reopen', async () => {
    const path = dirs.make()
    const model = smallModel()
    const state = await importedState(model, path)
    await commitBlock(state, changingWrites(), 11n)
    await state.unwind(1)
    await state.close()
    const reopened = dirs.track(openLmdbState({ path }))
    expect(reopened.head()?.number).toBe(10n)
    expect(reopened.blockHash(11n)).toBeUndefined()
    expectModelReads(reopened, model)
    expect(reopened.getStorage(B, slot(1))).toBe(0n)
  })
})

describe('LmdbState.stage', () => {
  it('behavior: a staged commit shows nothing until applied, and a discarded one leaves head, root, history and reads unchanged', async () => {
    const model = smallModel()
    const state = await importedState(model)
    const before = snapshotOf(state)
    const staged = await state.stage(changingWrites(), { blockNumber: 11n, blockHash: blockHashOf(11n), parentHash: blockHashOf(10n) })
    expect(bytesToHex(staged.stateRoot!)).not.toBe(before.root)
    // Staged: nothing visible.
    expect(snapshotOf(state)).toEqual(before)
    expectModelReads(state, model)
    await staged.discard()
    expect(snapshotOf(state)).toEqual(before)
    expectModelReads(state, model)
    expect(state.getCode(codeHashOf(CODE_NEW))).toBeUndefined()
    await expect(staged.apply()).rejects.toBeInstanceOf(StagedCommitSettledError)
    expect(snapshotOf(state)).toEqual(before)

    // The same block stages again to the same root and applies.
    const again = await state.stage(changingWrites(), { blockNumber: 11n, blockHash: blockHashOf(11n), parentHash: blockHashOf(10n) })
    expect(again.stateRoot).toEqual(staged.stateRoot)
    await again.apply()
    await expect(again.apply()).rejects.toBeInstanceOf(StagedCommitSettledError)
    expect(state.stateRoot()).toEqual(staged.stateRoot)
    const after = cloneModel(model)
    applyToModel(after, changingWrites())
    expectModelReads(state, after, [A])
    expect(state.getStorage(B, slot(0))).toBe(0n)
    expect(state.getStorage(C, slot(3))).toBe(3n)
    expect(headHex(state.head())).toEqual({ number: 11n, stateRoot: bytesToHex(staged.stateRoot!), blockHash: blockHashOf(11n) })
    expect(state.info().history).toEqual({ oldest: 11n, newest: 11n })
  })

  it('error: stage without a context throws InvalidOptionError and leaves nothing pending', async () => {
    const state = await importedState(smallModel())
    const before = snapshotOf(state)
    const error = await state.stage(changingWrites()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error).toMatchObject({ option: 'context' })
    expect(snapshotOf(state)).toEqual(before)
    await commitBlock(state, changingWrites(), 11n)
    expect(state.head()?.number).toBe(11n)
  })

  it('error: a block that does not follow the head throws DatabaseHeadError and changes nothing', async () => {
    const model = smallModel()
    const state = await importedState(model)
    const before = snapshotOf(state)
    for (const blockNumber of [10n, 12n, 9n, 0n]) {
      const error = await state.stage(changingWrites(), { blockNumber, blockHash: blockHashOf(blockNumber) }).catch((e: unknown) => e)
      expect(error, `block ${blockNumber}`).toBeInstanceOf(DatabaseHeadError)
      expect(error).toMatchObject({ code: 'DATABASE_HEAD', path: state.path })
      expect(snapshotOf(state)).toEqual(before)
    }
    expectModelReads(state, model)
    // Nothing was left pending by the refusals.
    await commitBlock(state, changingWrites(), 11n)
    expect(state.head()?.number).toBe(11n)
  })

  it("error: a parentHash that is not the head's hash throws DatabaseHeadError and changes nothing", async () => {
    const model = smallModel()
    const state = await importedState(model)
    const before = snapshotOf(state)
    const error = await state.stage(changingWrites(), { blockNumber: 11n, blockHash: blockHashOf(11n), parentHash: blockHashOf(10n, 1) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DatabaseHeadError)
    expect((error as Error).message).toContain(blockHashOf(10n, 1))
    expect(snapshotOf(state)).toEqual(before)
    expectModelReads(state, model)
    // Without a parentHash the number alone is checked.
    const staged = await state.stage(changingWrites(), { blockNumber: 11n, blockHash: blockHashOf(11n) })
    await staged.apply()
    expect(state.head()?.number).toBe(11n)
  })

  it('behavior: after an import without a block hash, any parentHash is accepted for the next block', async () => {
    const state = dirs.track(openLmdbState({ path: dirs.make() }))
    const head = await state.importState([genesisOf(smallModel())], { number: 7n })
    expect(head.blockHash).toEqual(new Uint8Array(0))
    expect(state.blockHash(7n)).toBeUndefined()
    await (await state.stage(changingWrites(), { blockNumber: 8n, blockHash: blockHashOf(8n), parentHash: blockHashOf(7n, 3) })).apply()
    expect(state.head()?.number).toBe(8n)
    expect(bytesToHex(state.blockHash(8n)!)).toBe(blockHashOf(8n))
    // Unwinding back to the import restores its empty hash.
    await state.unwind(1)
    expect(headHex(state.head())).toEqual({ number: 7n, stateRoot: bytesToHex(head.stateRoot), blockHash: '0x' })
    expect(headHex(state.head())).toEqual(headHex(head))
  })

  it('error: a second stage, an unwind or an import while a commit is staged throws StagedCommitPendingError', async () => {
    const model = smallModel()
    const state = await importedState(model)
    await commitBlock(state, { accounts: new Map([[A, { balance: 1n, storage: new Map() }]]), codes: new Map() }, 11n)
    const before = snapshotOf(state)
    const staged = await state.stage(changingWrites(), { blockNumber: 12n, blockHash: blockHashOf(12n) })
    await expect(state.stage(changingWrites(), { blockNumber: 12n, blockHash: blockHashOf(12n) })).rejects.toBeInstanceOf(StagedCommitPendingError)
    await expect(state.unwind(1)).rejects.toBeInstanceOf(StagedCommitPendingError)
    await expect(state.importState([], { number: 0n })).rejects.toBeInstanceOf(StagedCommitPendingError)
    expect(snapshotOf(state)).toEqual(before)
    await staged.apply()
    expect(state.head()?.number).toBe(12n)
    // Settled: the state takes the next block and unwinds again.
    await state.unwind(2)
    expectModelReads(state, model)
  })

  it('behavior: two overlapping stage calls, not awaited in between: exactly one is refused', async () => {
    const state = await importedState(smallModel())
    const context = { blockNumber: 11n, blockHash: blockHashOf(11n) }
    const results = await Promise.allSettled([state.stage(changingWrites(), context), state.stage(changingWrites(), context)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason).toBeInstanceOf(StagedCommitPendingError)
    const fulfilled = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<LmdbState['stage']>>>
    await fulfilled.value.apply()
    expect(state.head()?.number).toBe(11n)
  })

  it('behavior: an empty write set commits a block with the same root and an empty change set', async () => {
    const model = smallModel()
    const state = await importedState(model)
    const root = bytesToHex(state.stateRoot())
    await commitBlock(state, { accounts: new Map(), codes: new Map() }, 11n)
    expect(state.head()?.number).toBe(11n)
    expect(bytesToHex(state.stateRoot())).toBe(root)
    expect(state.info().entries.changes).toBe(1)
    await state.unwind(1)
    expect(state.head()?.number).toBe(10n)
    expectModelReads(state, model)
  })
})

describe('LmdbState.info', () => {
  it('default: reports the path, head, history, entries per table and the data file size', async () => {
    const model = smallModel()
    const state = await importedState(model)
    const info = state.info()
    expect(info.path).toBe(state.path)
    expect(info.formatVersion).toBe(FORMAT_VERSION)
    expect(headHex(info.head)).toEqual({ number: 10n, stateRoot: bytesToHex(state.stateRoot()), blockHash: blockHashOf(10n) })
    expect(info.history).toBeUndefined()
    expect(Object.keys(info.entries).sort()).toEqual([...TABLES].sort())
    // meta: format and head; 3 accounts, B's 2 slots, 2 codes, one hash (the import's).
    expect(info.entries).toMatchObject({ meta: 2, accounts: 3, storage: 2, codes: 2, changes: 0, hashes: 1 })
    // Nodes: at least the account trie's root and B's storage root.
    expect(info.entries.nodes).toBeGreaterThanOrEqual(2)
    expect(info.dataFileBytes).toBe(statSync(join(state.path, 'data.mdb')).size)
    expect(info.dataFileBytes).toBeGreaterThan(0)

    await commitBlock(state, changingWrites(), 11n)
    const after = state.info()
    expect(after.head?.number).toBe(11n)
    expect(after.history).toEqual({ oldest: 11n, newest: 11n })
    // A deleted; C re-created with slot 3; B lost slot 0 and gained slot 1; one new code; one more hash.
    expect(after.entries).toMatchObject({ meta: 2, accounts: 2, storage: 3, codes: 3, changes: 1, hashes: 2 })
    expect(after.entries.nodes).toBeGreaterThan(info.entries.nodes)
    expect(after.dataFileBytes).toBe(statSync(join(state.path, 'data.mdb')).size)
    expect(after.dataFileBytes).toBeGreaterThanOrEqual(info.dataFileBytes)

    await state.unwind(1)
    const unwound = state.info()
    expect(headHex(unwound.head)).toEqual(headHex(info.head))
    expect(unwound.history).toBeUndefined()
    // Flat tables as they were; code and trie nodes are content-addressed and stay.
    expect(unwound.entries).toMatchObject({ meta: 2, accounts: 3, storage: 2, changes: 0, hashes: 1 })
  })

  it('behavior: the data file grows with the state and info reports it', async () => {
    const state = await importedState(smallModel())
    const small = state.info().dataFileBytes
    const big = randomModel(9, 600, 0x1000)
    await commitBlock(state, genesisOf(big), 11n)
    const info = state.info()
    expect(info.entries.accounts).toBe(603)
    expect(info.dataFileBytes).toBeGreaterThan(small)
    expect(info.dataFileBytes).toBe(statSync(join(state.path, 'data.mdb')).size)
  })
})
