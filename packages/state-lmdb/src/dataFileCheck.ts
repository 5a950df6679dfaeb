import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { CorruptDatabaseError } from './errors.js'

// LMDB's meta page layout, as lmdb-js 3.5 writes it (checked against files it wrote): a 24-byte
// page header, then MDB_meta: magic, version, address, map size, two MDB_db records of 48 bytes
// (the first one's pad holds the page size), the last page number and the transaction id.
const MAGIC = 0xbeefc0de
const META_OFFSET = 24
const PAGE_SIZE_OFFSET = META_OFFSET + 24
const LAST_PAGE_OFFSET = META_OFFSET + 24 + 2 * 48
const TXN_ID_OFFSET = LAST_PAGE_OFFSET + 8

interface Meta {
  pageSize: number
  lastPage: bigint
  txnId: bigint
}

/**
 * Checks `data.mdb` before LMDB maps it: a file shorter than the last page its newest meta page
 * names would be read past its end through the memory map, which kills the process (SIGBUS)
 * instead of raising an error. Both meta pages are read with plain file reads.
 */
export function checkDataFile(dataFile: string, databasePath: string): void {
  let size: number
  try {
    size = statSync(dataFile).size
  } catch {
    return // a new database: LMDB creates the file
  }
  const corrupt = (reason: string) => new CorruptDatabaseError({ path: databasePath, what: 'its data file', reason })
  if (size === 0) return
  const head = readAt(dataFile, 0, Math.min(size, 2 * 65536))
  const first = parseMeta(head, 0)
  if (first === undefined) throw corrupt(`does not start with an LMDB meta page (${size} bytes)`)
  const second = parseMeta(head, first.pageSize)
  const newest = second !== undefined && second.txnId > first.txnId ? second : first
  const needed = (newest.lastPage + 1n) * BigInt(newest.pageSize)
  if (BigInt(size) < needed) throw corrupt(`is truncated: ${size} bytes, its metadata needs ${needed}`)
}

function parseMeta(bytes: Buffer, offset: number): Meta | undefined {
  if (bytes.length < offset + TXN_ID_OFFSET + 8) return undefined
  if (bytes.readUInt32LE(offset + META_OFFSET) !== MAGIC) return undefined
  const pageSize = bytes.readUInt32LE(offset + PAGE_SIZE_OFFSET)
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return undefined
  return { pageSize, lastPage: bytes.readBigUInt64LE(offset + LAST_PAGE_OFFSET), txnId: bytes.readBigUInt64LE(offset + TXN_ID_OFFSET) }
}

function readAt(file: string, position: number, length: number): Buffer {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const read = readSync(fd, buffer, 0, length, position)
    return buffer.subarray(0, read)
  } finally {
    closeSync(fd)
  }
}
