import { bytesToHex } from '@ethereumjs/util'
import type { WorkerStateReader } from '@parallel-evm/core'
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

// One environment per database per thread, kept across blocks: opening one is the costly part.
const environments = new Map<string, LmdbTables>()

/**
 * A worker's view of the committed state: a read transaction on the database, pinned until the
 * next block's state replaces it. It must be at the coordinator's head; a database that moved
 * (another writer) is refused rather than read.
 */
export function openLmdbSnapshot(options: LmdbSnapshotOptions): WorkerStateReader {
  let tables = environments.get(options.path)
  if (tables === undefined) {
    tables = LmdbTables.open(options.path, { readOnly: true, checkFileSize: false })
    environments.set(options.path, tables)
  }
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
