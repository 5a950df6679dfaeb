import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { afterEach, describe, expect, it } from 'vitest'
import { CorruptDatabaseError, DatabaseHeadError, DatabaseVersionError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import { FORMAT_VERSION } from '../src/records.js'
import { LmdbTables, META_FORMAT } from '../src/tables.js'
import { verifyDatabase } from '../src/verifyDatabase.js'
import { address, blockHashOf, codeHashOf, commitBlock, genesisOf, prng, randomModel, slot, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

const VERIFY_MODES = ['never', 'auto', 'always'] as const
const CONTRACT = address(0xc0de)
/** A code blob found nowhere else in the file: 200 seeded random bytes. */
const CODE = prng(4242).bytes(200)

/** A closed database at block 2: a genesis of 40 accounts, then CONTRACT created with CODE. */
async function closedDatabase(): Promise<string> {
  const path = dirs.make()
  const state = openLmdbState({ path })
  await state.importState([genesisOf(randomModel(8, 40))], { number: 0n, blockHash: blockHashOf(0n) })
  await commitBlock(state, { accounts: new Map([[address(1), { balance: 1n, storage: new Map() }]]), codes: new Map() }, 1n)
  await commitBlock(
    state,
    {
      accounts: new Map([[CONTRACT, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash: codeHashOf(CODE), storage: new Map([[slot(0), 5n]]) }]]),
      codes: new Map([[codeHashOf(CODE), CODE]]),
    },
    2n,
  )
  await state.close()
  return path
}

/** What `open` throws (it must throw). */
function openError(open: () => { close(): Promise<void> }): unknown {
  let state: { close(): Promise<void> }
  try {
    state = open()
  } catch (error) {
    return error
  }
  void state.close()
  return new Error('expected the open to throw, it opened')
}

/** Flips one byte in every copy of `needle` in the data file (LMDB may hold stale page copies); returns how many. */
function flipEvery(path: string, needle: Uint8Array, at: number): number {
  const file = join(path, 'data.mdb')
  const bytes = readFileSync(file)
  let flipped = 0
  for (let i = bytes.indexOf(needle); i >= 0; i = bytes.indexOf(needle, i + 1)) {
    bytes[i + at] = bytes[i + at]! ^ 0x01
    flipped++
  }
  writeFileSync(file, bytes)
  return flipped
}

describe('format', () => {
  it('error: a database written in another format version is refused with DatabaseVersionError naming the path', async () => {
    const path = await closedDatabase()
    const tables = LmdbTables.open(path)
    tables.transaction(() => tables.writeFormatRecord(FORMAT_VERSION + 1))
    await tables.close()
    for (const verify of VERIFY_MODES) {
      const error = openError(() => openLmdbState({ path, verify }))
      expect(error, `verify ${verify}`).toBeInstanceOf(DatabaseVersionError)
      expect(error).toMatchObject({ code: 'DATABASE_VERSION', path, found: FORMAT_VERSION + 1, supported: FORMAT_VERSION })
      expect((error as Error).message).toContain(path)
    }
  })

  it('error: a format record of the wrong size is refused with CorruptDatabaseError', async () => {
    const path = await closedDatabase()
    const tables = LmdbTables.open(path)
    // Raw bytes, whatever the record's own encoding: two bytes are no version of any format.
    const meta = tables.env.openDB<Buffer, Buffer>({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' })
    tables.transaction(() => meta.putSync(META_FORMAT, Buffer.of(0, 1)))
    await tables.close()
    const error = openError(() => openLmdbState({ path, verify: 'never' }))
    expect(error).toBeInstanceOf(CorruptDatabaseError)
    expect(error).toMatchObject({ path, what: 'its format record' })
    for (const verify of ['auto', 'always'] as const) {
      const verified = openError(() => openLmdbState({ path, verify }))
      expect(verified, `verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
      expect((verified as Error).message).toContain('format record')
    }
  })

  it('error: a database whose format record is gone but holds state is refused with CorruptDatabaseError', async () => {
    const path = await closedDatabase()
    const tables = LmdbTables.open(path)
    tables.transaction(() => tables.remove('meta', META_FORMAT))
    await tables.close()
    expect(openError(() => openLmdbState({ path, verify: 'never' }))).toMatchObject({ code: 'CORRUPT_DATABASE', path, what: 'its format record' })
    for (const verify of ['auto', 'always'] as const) {
      const error = openError(() => openLmdbState({ path, verify }))
      expect(error, `verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
      expect((error as Error).message).toContain('format record')
    }
  })

  it("error: a database that lost its head's root node is refused with DatabaseHeadError", async () => {
    const path = await closedDatabase()
    const probe = openLmdbState({ path })
    const root = Buffer.from(probe.stateRoot())
    await probe.close()
    const tables = LmdbTables.open(path)
    tables.transaction(() => tables.remove('nodes', root))
    await tables.close()
    const error = openError(() => openLmdbState({ path }))
    expect(error).toBeInstanceOf(DatabaseHeadError)
    expect((error as Error).message).toContain(bytesToHex(root))
  })
})

describe('corruption', () => {
  it('default: an undamaged database passes verification, in every verify mode', async () => {
    const path = await closedDatabase()
    const report = verifyDatabase(path)
    expect(report.entries).toMatchObject({ accounts: 41, codes: expect.any(Number), changes: 2, hashes: 3 })
    for (const verify of VERIFY_MODES) {
      const state = dirs.track(openLmdbState({ path, verify }))
      expect(state.head()?.number).toBe(2n)
      expect(bytesToHex(state.getCode(codeHashOf(CODE))!)).toBe(bytesToHex(CODE))
      await state.close()
    }
  })

  it('error: a flipped byte in a stored code blob: with verify never the read of that code throws CorruptDatabaseError naming the path', async () => {
    const path = await closedDatabase()
    expect(flipEvery(path, CODE, 100)).toBeGreaterThan(0)
    const state = dirs.track(openLmdbState({ path, verify: 'never' }))
    // Everything else still reads.
    expect(state.head()?.number).toBe(2n)
    expect(state.getStorage(CONTRACT, slot(0))).toBe(5n)
    expect(state.getAccount(CONTRACT)?.codeHash).toBe(codeHashOf(CODE))
    let error: unknown
    try {
      state.getCode(codeHashOf(CODE))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CorruptDatabaseError)
    expect(error).toMatchObject({ code: 'CORRUPT_DATABASE', path })
    expect((error as Error).message).toContain(path)
    expect((error as Error).message).toContain('checksum')
    // The same read fails again: a damaged record is never cached as good.
    expect(() => state.getCode(codeHashOf(CODE))).toThrow(CorruptDatabaseError)
  })

  it('error: the same flipped byte with the default verify (auto) or always throws CorruptDatabaseError at open', async () => {
    const path = await closedDatabase()
    expect(flipEvery(path, CODE, 100)).toBeGreaterThan(0)
    for (const verify of [undefined, 'auto', 'always'] as const) {
      const error = openError(() => openLmdbState({ path, ...(verify === undefined ? {} : { verify }) }))
      expect(error, `verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
      expect(error).toMatchObject({ path })
      expect((error as Error).message).toContain(path)
    }
    expect(() => verifyDatabase(path)).toThrow(CorruptDatabaseError)
  })

  it('error: a data file truncated to half is refused at open with CorruptDatabaseError, in every verify mode', async () => {
    const path = await closedDatabase()
    const file = join(path, 'data.mdb')
    truncateSync(file, Math.floor(statSync(file).size / 2))
    for (const verify of VERIFY_MODES) {
      const error = openError(() => openLmdbState({ path, verify }))
      expect(error, `verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
      expect(error).toMatchObject({ path })
      expect((error as Error).message).toMatch(/truncated/)
    }
  })

  it('error: a data file of garbage is refused at open with CorruptDatabaseError, in every verify mode', async () => {
    const rng = prng(99)
    for (const size of [100, 5000, 70_000]) {
      const path = dirs.make()
      writeFileSync(join(path, 'data.mdb'), rng.bytes(size))
      for (const verify of VERIFY_MODES) {
        const error = openError(() => openLmdbState({ path, verify }))
        expect(error, `${size} bytes, verify ${verify}`).toBeInstanceOf(CorruptDatabaseError)
        expect(error).toMatchObject({ path })
      }
      // The garbage is left as it was: nothing overwrote it.
      expect(statSync(join(path, 'data.mdb')).size).toBe(size)
    }
  })

  it('error: a damaged account record read during a stage throws CorruptDatabaseError and leaves the head as it was', async () => {
    const path = await closedDatabase()
    // The account record of CONTRACT: RLP [nonce 1, balance 0, code hash, storage root].
    const probe = openLmdbState({ path })
    const storageRoot = probe.storageRoot(CONTRACT)
    await probe.close()
    expect(flipEvery(path, storageRoot, 5)).toBeGreaterThan(0)
    const state = dirs.track(openLmdbState({ path, verify: 'never' }))
    const head = state.head()
    await expect(
      state.stage({ accounts: new Map([[CONTRACT, { balance: 9n, storage: new Map() }]]), codes: new Map() }, { blockNumber: 3n, blockHash: blockHashOf(3n) }),
    ).rejects.toBeInstanceOf(CorruptDatabaseError)
    expect(state.head()).toEqual(head)
    // Nothing is left pending: a block that does not touch the damaged record commits.
    await commitBlock(state, { accounts: new Map([[address(2), { balance: 3n, storage: new Map() }]]), codes: new Map() }, 3n)
    expect(state.head()?.number).toBe(3n)
  })

  it('error: a trie node missing under the root fails a stage with CorruptDatabaseError naming the trie, and the head stays', async () => {
    const path = await closedDatabase()
    const probe = openLmdbState({ path })
    const root = probe.head()!.stateRoot
    await probe.close()
    const tables = LmdbTables.open(path)
    const rootNode = tables.get('nodes', Buffer.from(root))
    expect(rootNode).toBeDefined()
    // The root is a branch over 8 accounts: its children are hashes of nodes below it. Remove them all.
    const children = RLP.decode(rootNode!) as Uint8Array[]
    const hashes = children.filter((child) => child instanceof Uint8Array && child.length === 32)
    expect(hashes.length).toBeGreaterThan(0)
    tables.transaction(() => hashes.forEach((hash) => tables.remove('nodes', Buffer.from(hash))))
    await tables.close()
    const state = dirs.track(openLmdbState({ path, verify: 'never' }))
    const head = state.head()
    const error = await state.stage({ accounts: new Map([[address(0), { balance: 9n, storage: new Map() }]]), codes: new Map() }, { blockNumber: 3n, blockHash: blockHashOf(3n) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CorruptDatabaseError)
    expect((error as CorruptDatabaseError).message).toContain(path)
    expect((error as CorruptDatabaseError).message).toContain('trie')
    expect(state.head()).toEqual(head)
  })
})
