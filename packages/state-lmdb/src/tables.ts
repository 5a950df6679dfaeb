import { crc32 } from 'node:zlib'
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { open } from 'lmdb'
import type { Database, GetOptions, RootDatabase, Transaction } from 'lmdb'
import { checkDataFile } from './dataFileCheck.js'
import { ParallelEvmError } from '@parallel-evm/core'
import { CorruptDatabaseError, DatabaseAccessError, DatabaseVersionError, DatabaseWriteError } from './errors.js'
import { FORMAT_VERSION } from './records.js'

/** The tables, one LMDB named database each. Keys and values are bytes; every value carries a checksum. */
export const TABLES = ['meta', 'accounts', 'storage', 'codes', 'nodes', 'changes', 'hashes'] as const
export type TableName = (typeof TABLES)[number]

export const META_FORMAT = Buffer.from('format')
export const META_HEAD = Buffer.from('head')
/** Present while a chunked import runs: a database with it never finished importing. */
export const META_IMPORTING = Buffer.from('importing')

/** Address space only (the file grows with the data): 256 GiB unless `mapSize` says otherwise. */
export const DEFAULT_MAP_SIZE = 2 ** 38

export interface OpenTablesOptions {
  readOnly?: boolean
  /** The most the data file may grow to, in bytes (default 256 GiB). */
  mapSize?: number
  /**
   * Compare the data file's size with its meta page first (default true). Only meaningful at rest:
   * while this process writes, LMDB may count pages it has not written out yet, so a worker
   * opening the database mid-run leaves it to the coordinator, which checked on open.
   */
  checkFileSize?: boolean
}

/**
 * The LMDB environment at `path` and its tables, with checksummed reads that turn every kind of
 * damage (a failed checksum, an LMDB error) into `CorruptDatabaseError` naming the path.
 */
export class LmdbTables {
  private readonly tables: Record<TableName, Database<Buffer, Buffer>>

  private constructor(
    readonly path: string,
    readonly env: RootDatabase<Buffer, Buffer>,
  ) {
    this.tables = Object.fromEntries(TABLES.map((name) => [name, env.openDB<Buffer, Buffer>({ name, keyEncoding: 'binary', encoding: 'binary' })])) as Record<TableName, Database<Buffer, Buffer>>
  }

  static open(path: string, options: OpenTablesOptions = {}): LmdbTables {
    const readOnly = options.readOnly === true
    if (!readOnly) ensureDatabaseDirectory(path)
    else if (!existsSync(join(path, 'data.mdb'))) throw new CorruptDatabaseError({ path, what: 'its data file', reason: 'does not exist' })
    if (options.checkFileSize !== false) checkDataFile(join(path, 'data.mdb'), path)
    let env: RootDatabase<Buffer, Buffer>
    try {
      // Always a directory: lmdb-js would take a path with an extension ("chain.lmdb") for a single file.
      env = open<Buffer, Buffer>({ path, noSubdir: false, maxDbs: TABLES.length, mapSize: options.mapSize ?? DEFAULT_MAP_SIZE, readOnly, keyEncoding: 'binary', encoding: 'binary' })
      return new LmdbTables(path, env)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? errnoName(error)
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new DatabaseAccessError({ path, reason: `cannot be opened ${readOnly ? 'for reading' : 'for writing'}: permission denied (${code})`, cause: error })
      }
      throw new CorruptDatabaseError({ path, what: 'the environment', reason: 'cannot be opened', cause: error })
    }
  }

  /**
   * Checks the format version (writing it into a new database) and returns whether the database
   * holds nothing yet.
   */
  checkFormat(): boolean {
    const stored = this.formatRecord()
    if (stored === undefined) {
      if (this.count('meta') + this.count('accounts') > 0) throw new CorruptDatabaseError({ path: this.path, what: 'its format record', reason: 'is missing' })
      return true
    }
    if (stored.length !== 4) throw new CorruptDatabaseError({ path: this.path, what: 'its format record', reason: `has ${stored.length} bytes` })
    const found = Buffer.from(stored).readUInt32BE(0)
    if (found !== FORMAT_VERSION) throw new DatabaseVersionError({ path: this.path, found, supported: FORMAT_VERSION })
    if (this.get('meta', META_IMPORTING) !== undefined) {
      throw new CorruptDatabaseError({ path: this.path, what: 'its state', reason: 'is a partial import (the import was interrupted)' })
    }
    return false
  }

  /**
   * The format record is the one value without a checksum: a plain 4-byte big-endian version, the
   * same in every format, so any version can recognise a database it must not read.
   */
  formatRecord(): Uint8Array | undefined {
    try {
      return this.tables.meta.getBinary(META_FORMAT)
    } catch (error) {
      throw new CorruptDatabaseError({ path: this.path, what: 'table meta', reason: 'cannot be read', cause: error })
    }
  }

  /** Inside `transactionSync` only. */
  writeFormatRecord(version: number): void {
    const record = Buffer.alloc(4)
    record.writeUInt32BE(version)
    this.tables.meta.putSync(META_FORMAT, record)
  }

  /** The verified value at `key`, or undefined; `transaction` pins a snapshot (worker readers). */
  get(table: TableName, key: Buffer, transaction?: Transaction): Uint8Array | undefined {
    let sealed: Buffer | undefined
    try {
      // lmdb-js's getBinary takes read options, though its typings leave them out.
      const getBinary = this.tables[table].getBinary as (this: Database<Buffer, Buffer>, id: Buffer, options?: GetOptions) => Buffer | undefined
      sealed = getBinary.call(this.tables[table], key, transaction === undefined ? undefined : { transaction })
    } catch (error) {
      throw new CorruptDatabaseError({ path: this.path, what: `table ${table}`, reason: 'cannot be read', cause: error })
    }
    if (sealed === undefined) return undefined
    return unseal(this.path, table, key, sealed)
  }

  /** Inside `transactionSync` only. */
  put(table: TableName, key: Buffer, payload: Uint8Array): void {
    this.tables[table].putSync(key, seal(key, payload))
  }

  /** Inside `transactionSync` only. */
  remove(table: TableName, key: Buffer): void {
    this.tables[table].removeSync(key)
  }

  /** Keys and verified values from `start` (inclusive) to `end` (exclusive), in byte order. */
  *range(table: TableName, start: Buffer, end: Buffer, options: { skip?: Buffer[] } = {}): Generator<[Buffer, Uint8Array]> {
    try {
      for (const { key, value } of this.tables[table].getRange({ start, end })) {
        if (options.skip?.some((skipped) => skipped.equals(key)) === true) continue
        yield [key, unseal(this.path, table, key, value)]
      }
    } catch (error) {
      if (error instanceof CorruptDatabaseError) throw error
      throw new CorruptDatabaseError({ path: this.path, what: `table ${table}`, reason: 'cannot be read', cause: error })
    }
  }

  count(table: TableName): number {
    return this.tables[table].getStats() === undefined ? 0 : ((this.tables[table].getStats() as { entryCount: number }).entryCount ?? 0)
  }

  /** Runs `write` as one LMDB write transaction: every put and remove in it lands together or not at all. */
  transaction<T>(write: () => T): T {
    try {
      return this.env.transactionSync(write)
    } catch (error) {
      if (error instanceof ParallelEvmError) throw error
      throw new DatabaseWriteError({ path: this.path, cause: error })
    }
  }

  /**
   * A read transaction on the newest committed state, pinned until `done()`. lmdb-js hands out the
   * thread's current read transaction, renewed only on a later tick, so it is reset first: a
   * snapshot opened right after a commit must see that commit.
   */
  readTransaction(): Transaction {
    this.env.resetReadTxn()
    return this.env.useReadTransaction()
  }

  close(): Promise<void> {
    return this.env.close()
  }
}

function seal(key: Buffer, payload: Uint8Array): Buffer {
  const sealed = Buffer.allocUnsafe(payload.length + 4)
  sealed.set(payload, 0)
  sealed.writeUInt32BE(crc32(payload, crc32(key)), payload.length)
  return sealed
}

function unseal(path: string, table: TableName, key: Buffer, sealed: Buffer): Uint8Array {
  const end = sealed.length - 4
  if (end < 0 || sealed.readUInt32BE(end) !== crc32(sealed.subarray(0, end), crc32(key))) {
    throw new CorruptDatabaseError({ path, what: `the ${table} record ${key.toString('hex')}`, reason: 'fails its checksum' })
  }
  return sealed.subarray(0, end)
}

/** The database directory, created when missing; a file there, or one we may not write, is refused. */
export function ensureDatabaseDirectory(path: string): void {
  try {
    if (!existsSync(path)) mkdirSync(path, { recursive: true })
    if (!statSync(path).isDirectory()) throw new DatabaseAccessError({ path, reason: 'is a file, not a directory: give a directory (it is created when missing)' })
    accessSync(path, constants.R_OK | constants.W_OK)
  } catch (error) {
    if (error instanceof DatabaseAccessError) throw error
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const reason = code === 'ENOTDIR' ? 'is under a file, not a directory' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `is not writable: permission denied (${code})` : `cannot be created or read (${code})`
    throw new DatabaseAccessError({ path, reason, cause: error })
  }
}

/** lmdb-js reports some failures with the errno in the message only. */
function errnoName(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error)
  return /\b(EACCES|EPERM|EROFS)\b/.exec(message)?.[1] ?? (/Permission denied/i.test(message) ? 'EACCES' : undefined)
}
