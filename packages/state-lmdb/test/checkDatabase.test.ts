import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { afterEach, describe, expect, it } from 'vitest'
import { checkDatabase, type CheckProgress } from '../src/checkDatabase.js'
import { CorruptDatabaseError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import { addressKey } from '../src/records.js'
import { LmdbTables } from '../src/tables.js'
import { address, blockHashOf, commitBlock, genesisOf, randomModel, slot, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/** A database with storage, two committed blocks past its import; returns its path, closed. */
async function database(): Promise<{ path: string; accounts: number; slots: number }> {
  const path = join(dirs.make(), 'db')
  const state = openLmdbState({ path })
  await state.importState([genesisOf(randomModel(5, 40))], { number: 0n, blockHash: blockHashOf(0n) })
  await commitBlock(state, { accounts: new Map([[address(1), { balance: 7n, storage: new Map([[slot(3), 9n]]) }]]), codes: new Map() }, 1n)
  await commitBlock(state, { accounts: new Map([[address(2), { nonce: 4n, storage: new Map() }]]), codes: new Map() }, 2n)
  const info = state.info()
  await state.close()
  return { path, accounts: info.entries.accounts, slots: info.entries.storage }
}

/** Runs `change` on the closed database's tables, in one write transaction. */
async function damage(path: string, change: (tables: LmdbTables) => void): Promise<void> {
  const tables = LmdbTables.open(path)
  tables.transaction(() => change(tables))
  await tables.close()
}

async function checkError(path: string): Promise<CorruptDatabaseError> {
  const error = await checkDatabase(path).catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(CorruptDatabaseError)
  expect((error as CorruptDatabaseError).message).toContain(path)
  return error as CorruptDatabaseError
}

describe('checkDatabase (pevm db check)', () => {
  it('default: a sound database passes, every record read and every trie leaf counted against the flat tables, with progress', async () => {
    const { path, accounts, slots } = await database()
    const progress: CheckProgress[] = []
    const report = await checkDatabase(path, (step) => progress.push(step))
    expect(report.entries.accounts).toBe(accounts)
    expect(report.trie.accounts).toBe(accounts)
    expect(report.trie.slots).toBe(slots)
    expect(slots).toBeGreaterThan(0)
    expect(report.trie.nodes).toBeGreaterThan(accounts / 16)
    expect(progress.filter((step) => step.phase === 'records').map((step) => (step as { table: string }).table)).toContain('nodes')
  })

  it('error: a trie node gone from under the root is CorruptDatabaseError naming the node', async () => {
    const { path } = await database()
    const root = dirs.track(openLmdbState({ path })).head()!.stateRoot
    let removed = ''
    await damage(path, (tables) => {
      const children = (RLP.decode(tables.get('nodes', Buffer.from(root))!) as Uint8Array[]).filter((child) => child instanceof Uint8Array && child.length === 32)
      removed = Buffer.from(children[0]!).toString('hex')
      tables.remove('nodes', Buffer.from(children[0]!))
    })
    expect((await checkError(path)).message).toContain(`lacks node 0x${removed}`)
  })

  it('error: a trie node whose bytes changed (its checksum rewritten to match) does not hash to its key', async () => {
    const { path } = await database()
    const root = dirs.track(openLmdbState({ path })).head()!.stateRoot
    await damage(path, (tables) => {
      const node = tables.get('nodes', Buffer.from(root))!.slice()
      node[node.length - 1] = node[node.length - 1]! ^ 0x01
      tables.put('nodes', Buffer.from(root), node)
    })
    expect((await checkError(path)).message).toContain('does not hash to its key')
  })

  it('error: an account missing from the flat table (the trie still has it) is a count mismatch', async () => {
    const { path, accounts } = await database()
    await damage(path, (tables) => tables.remove('accounts', addressKey(address(3))))
    expect((await checkError(path)).message).toContain(`its trie holds ${accounts} accounts and its accounts table ${accounts - 1}`)
  })
})
