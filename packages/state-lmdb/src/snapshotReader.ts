import { statSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import type { WorkerStateReader } from '@parallel-evm/core/internal'
import { DatabaseHeadError } from './errors.js'
import { LmdbFlatReader } from './flatReader.js'
import { LmdbTables } from './tables.js'

/** What a worker is told to open: the database and the head the coordinator is executing on. */
export interface LmdbSnapshotOptions {
  path: string
  /** Decimal block number. */
  number: string
  /** 0x-hex state root. */
  stateRoot: string
}

// The environment this worker has open, kept across blocks (opening one is the costly part).
// Only one: a worker that moves to another database closes the last, so a long run over many
// databases does not keep each one's memory map. A database recreated at the same path is a new file.
let current: { path: string; inode: number; tables: LmdbTables } | undefined

/**
 * A worker's view of the committed state: a read transaction on the database, pinned until the
 * next block's state replaces it. It must be at the coordinator's head; a database that moved
 * (another writer) is refused rather than read.
 */
export function openLmdbSnapshot(options: LmdbSnapshotOptions): WorkerStateReader {
  const inode = statSync(join(options.path, 'data.mdb'), { throwIfNoEntry: false })?.ino ?? -1
  if (current === undefined || current.path !== options.path || current.inode !== inode) {
    void current?.tables.close()
    current = { path: options.path, inode, tables: LmdbTables.open(options.path, { readOnly: true, checkFileSize: false }) }
  }
  const { tables } = current
  const transaction = tables.readTransaction()
  const reader = new LmdbFlatReader(tables, transaction) as LmdbFlatReader & WorkerStateReader
  const head = reader.head()
  if (head === undefined || head.number.toString() !== options.number || bytesToHex(head.stateRoot) !== options.stateRoot) {
    transaction.done()
    const found = head === undefined ? 'no head' : `block ${head.number} root ${bytesToHex(head.stateRoot)}`
    throw new DatabaseHeadError({ path: options.path, reason: `a worker expected block ${options.number} root ${options.stateRoot}, the database holds ${found}` })
  }
  reader.release = () => transaction.done()
  return reader
}
