import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { InvalidOptionError } from '@parallel-evm/core'
import { checkDatabase, openLmdbState, type DatabaseInfo, type LmdbState } from '@parallel-evm/state-lmdb'
import { loadChainSource } from '../chainSources.js'
import { ensureHead } from '../registry.js'

/** Opens an existing database: these commands never create one by accident. */
function openExisting(db: string | undefined, options: { readOnly?: boolean } = {}): LmdbState {
  if (db === undefined) throw new InvalidOptionError({ option: '--db', reason: 'name the database directory' })
  if (!existsSync(join(db, 'data.mdb'))) throw new InvalidOptionError({ option: '--db', reason: `${db} holds no database` })
  return openLmdbState({ path: db, ...options })
}

/** `pevm db info --db <path>`: head, root, history and sizes; read-only, so it works while a replay writes. */
export async function runDbInfo(db: string | undefined, json: boolean): Promise<number> {
  const state = openExisting(db, { readOnly: true })
  try {
    const info = state.info()
    console.log(json ? JSON.stringify(infoJson(info)) : formatInfo(info))
    return 0
  } finally {
    await state.close()
  }
}

/**
 * `pevm db check --db <path>`: the full verification, at any size (opening checks only databases
 * up to 256 MiB): every record's checksum, every trie node under the head, the tries against the
 * flat tables. Progress on stderr; a damaged database is `CORRUPT_DATABASE`, exit 1.
 */
export async function runDbCheck(db: string | undefined, json: boolean): Promise<number> {
  if (db === undefined) throw new InvalidOptionError({ option: '--db', reason: 'name the database directory' })
  if (!existsSync(join(db, 'data.mdb'))) throw new InvalidOptionError({ option: '--db', reason: `${db} holds no database` })
  const onTerminal = process.stderr.isTTY === true
  const report = await checkDatabase(db, (step) => {
    const what = step.phase === 'records' ? `records of ${step.table}` : 'trie nodes'
    process.stderr.write(onTerminal ? `\rcheck: ${step.done.toLocaleString('en-US')} ${what}\u001b[K` : `check ${step.done} ${what}\n`)
  })
  if (onTerminal) process.stderr.write('\n')
  const summary = { path: db, ok: true, entries: report.entries, trie: report.trie, ms: Math.round(report.ms) }
  console.log(
    json
      ? JSON.stringify(summary)
      : `${db}: sound. ${Object.values(report.entries).reduce((a, b) => a + b, 0).toLocaleString('en-US')} records, ${report.trie.nodes.toLocaleString('en-US')} trie nodes, ${report.trie.accounts.toLocaleString('en-US')} accounts and ${report.trie.slots.toLocaleString('en-US')} slots in the tries and the tables alike (${summary.ms} ms)`,
  )
  return 0
}

/** `pevm db unwind --db <path> --blocks N`: the head goes back N blocks, restoring their change sets. */
export async function runDbUnwind(db: string | undefined, blocks: number, json: boolean): Promise<number> {
  const state = openExisting(db)
  try {
    const head = await state.unwind(blocks)
    const summary = { number: head.number.toString(), stateRoot: bytesToHex(head.stateRoot) }
    console.log(json ? JSON.stringify(summary) : `unwound ${blocks} blocks: head is block ${summary.number}, state root ${summary.stateRoot}`)
    return 0
  } finally {
    await state.close()
  }
}

/**
 * `pevm import-state <path> --db <dir>`: loads the state a chain starts from (a campaign's or a
 * BlockchainTest's genesis, a mainnet block's pre-state) into a new database.
 */
export async function runImportState(path: string, db: string | undefined, options: { json: boolean; test?: string }): Promise<number> {
  if (db === undefined) throw new InvalidOptionError({ option: '--db', reason: 'name the database directory' })
  const chain = await loadChainSource(path, options.test)
  const state = openLmdbState({ path: db })
  try {
    const started = performance.now()
    await ensureHead(state, [chain.genesis], chain.head)
    const importMs = Math.round(performance.now() - started)
    const info = state.info()
    console.log(options.json ? JSON.stringify({ ...infoJson(info), importMs }) : `imported the state of ${chain.name} in ${importMs} ms\n${formatInfo(info)}`)
    return 0
  } finally {
    await state.close()
  }
}

export function infoJson(info: DatabaseInfo) {
  return {
    path: info.path,
    formatVersion: info.formatVersion,
    head: info.head === undefined ? null : { number: info.head.number.toString(), stateRoot: bytesToHex(info.head.stateRoot), blockHash: info.head.blockHash.length === 0 ? null : bytesToHex(info.head.blockHash) },
    history: info.history === undefined ? null : { oldest: info.history.oldest.toString(), newest: info.history.newest.toString() },
    dataFileBytes: info.dataFileBytes,
    entries: info.entries,
  }
}

function formatInfo(info: DatabaseInfo): string {
  const { head } = info
  const entries = Object.entries(info.entries).map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`).join(', ')
  return [
    `database   ${info.path} (format ${info.formatVersion})`,
    `head       ${head === undefined ? 'none (empty database)' : `block ${head.number}${head.blockHash.length === 0 ? '' : ` ${bytesToHex(head.blockHash)}`}`}`,
    `state root ${head === undefined ? '-' : bytesToHex(head.stateRoot)}`,
    `unwindable ${info.history === undefined ? 'none' : `blocks ${info.history.oldest} to ${info.history.newest}`}`,
    `data file  ${(info.dataFileBytes / 2 ** 20).toFixed(1)} MiB`,
    `entries    ${entries}`,
  ].join('\n')
}
