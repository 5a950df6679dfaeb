import { statSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { AddressHex, CommitContext, Hex, StagedCommit, StateBackend, WriteSet } from '@parallel-evm/core'
import type { WorkerStateSource } from '@parallel-evm/core/internal'
import { InvalidOptionError, ParallelEvmError, StagedCommitPendingError } from '@parallel-evm/core'
import { SettleOnceCommit } from '@parallel-evm/core/internal'
import type { AccountChange } from '@parallel-evm/state-merkle'
import { computeIntermediateRoots, computeStateRoot, EMPTY_TRIE_ROOT, NodeOverlay } from '@parallel-evm/state-merkle'
import { CorruptDatabaseError, DatabaseHeadError, UnwindBeyondHistoryError } from './errors.js'
import { decoded, LmdbFlatReader } from './flatReader.js'
import { undoAccountChange, writeAccountChange } from './flatWrites.js'
import type { ChangeSet, DatabaseHead } from './records.js'
import { decodeChangeSet, encodeChangeSet, encodeHead, FORMAT_VERSION, hashKey, numberKey, sameBytes } from './records.js'
import type { LmdbSnapshotOptions } from './snapshotReader.js'
import { ensureDatabaseDirectory, LmdbTables, META_HEAD, META_IMPORTING, TABLES } from './tables.js'
import type { TableName } from './tables.js'
import { builtModuleUrl, type LmdbWorkerFiles } from './workerEntry.js'
import { acquireWriterLock } from './writerLock.js'
import { shouldAutoVerify, verifyDatabase } from './verifyDatabase.js'

export interface OpenLmdbStateOptions {
  /** The database directory; created when missing. */
  path: string
  /** How many of the latest blocks keep a change set, so they can be unwound (default 64). */
  reorgDepth?: number
  /**
   * Read every record in a child process before trusting the database (see `verifyDatabase`):
   * `'auto'` (default) for data files up to 256 MiB, `'always'`, or `'never'`.
   */
  verify?: 'auto' | 'always' | 'never'
  /** The most the data file may grow to, in bytes (default 256 GiB: address space, not disk). */
  mapSize?: number
  /**
   * Open an existing database for reading only (`info`, reads, snapshots): no writer lock is
   * taken, so it works while another process writes, and every write method refuses.
   */
  readOnly?: boolean
  /** The package's worker and child-process files, for an app bundled without `node_modules` (see `LmdbWorkerFiles`). */
  workerFiles?: LmdbWorkerFiles
}

/** Where the head is, and how big the database has grown. */
export interface DatabaseInfo {
  path: string
  formatVersion: number
  head: DatabaseHead | undefined
  /** Blocks that can be unwound: the oldest and newest with a change set. */
  history: { oldest: bigint; newest: bigint } | undefined
  dataFileBytes: number
  entries: Record<TableName, number>
}

/** Opens (or creates) the database at `options.path`; throws CorruptDatabaseError or DatabaseVersionError when it cannot be trusted. */
export function openLmdbState(options: OpenLmdbStateOptions): LmdbState {
  const reorgDepth = options.reorgDepth ?? 64
  if (!Number.isInteger(reorgDepth) || reorgDepth < 0) throw new InvalidOptionError({ option: 'reorgDepth', reason: `${reorgDepth} is not a non-negative integer` })
  const verify = options.verify ?? 'auto'
  const readOnly = options.readOnly === true
  // First: a path that is a file, or not writable, is said so rather than read as a damaged database.
  if (!readOnly) ensureDatabaseDirectory(options.path)
  if (verify === 'always' || (verify === 'auto' && shouldAutoVerify(options.path))) verifyDatabase(options.path, options.workerFiles?.verifyChild)
  const tables = LmdbTables.open(options.path, { readOnly, ...(options.mapSize === undefined ? {} : { mapSize: options.mapSize }) })
  let releaseLock: (() => void) | undefined
  try {
    if (readOnly) {
      if (tables.checkFormat()) throw new CorruptDatabaseError({ path: options.path, what: 'its format record', reason: 'is missing (an empty database cannot be opened read-only)' })
    } else {
      releaseLock = acquireWriterLock(options.path)
      if (tables.checkFormat()) tables.transaction(() => tables.writeFormatRecord(FORMAT_VERSION))
    }
    const state = new LmdbState(tables, reorgDepth, releaseLock, readOnly, options.workerFiles?.snapshotReader)
    state.verifyHead()
    return state
  } catch (error) {
    releaseLock?.()
    void tables.close()
    throw error
  }
}

/**
 * The persistent backend: flat tables (accounts, storage, code) that execution reads straight from
 * LMDB's memory map, the trie nodes that give the state root, a head record and per-block change
 * sets for unwinding. Each block commits as one LMDB write transaction, so a crash at any point
 * leaves the database at the last committed block. Workers read it themselves (`workerSource`).
 */
export class LmdbState extends LmdbFlatReader implements StateBackend {
  readonly kind = 'lmdb'
  private pending = false
  private committedHead: DatabaseHead | undefined

  /** Use `openLmdbState`. */
  constructor(
    tables: LmdbTables,
    readonly reorgDepth: number,
    private readonly releaseLock: () => void = () => {},
    readonly readOnly = false,
    private readonly snapshotReaderFile?: URL | string,
  ) {
    super(tables)
    this.committedHead = super.head()
  }

  get path(): string {
    return this.tables.path
  }

  override head(): DatabaseHead | undefined {
    return this.committedHead
  }

  stateRoot(): Uint8Array {
    return (this.committedHead?.stateRoot ?? EMPTY_TRIE_ROOT).slice()
  }

  /** The hash of committed block `number`, for BLOCKHASH on a chain the database holds. */
  blockHash(number: bigint): Uint8Array | undefined {
    return this.tables.get('hashes', numberKey(number))
  }

  workerSource(): WorkerStateSource {
    const head = this.requireHead('give workers a snapshot')
    const options: LmdbSnapshotOptions = { path: this.path, number: head.number.toString(), stateRoot: bytesToHex(head.stateRoot) }
    return { module: builtModuleUrl('snapshotReader', this.snapshotReaderFile).href, exportName: 'openLmdbSnapshot', options }
  }

  /** Checks that the head's root node is present: a database that lost it cannot produce roots. */
  verifyHead(): void {
    const head = this.committedHead
    if (head === undefined || sameBytes(head.stateRoot, EMPTY_TRIE_ROOT)) return
    if (this.tables.get('nodes', Buffer.from(head.stateRoot)) === undefined) {
      throw new DatabaseHeadError({ path: this.path, reason: `the head's state root ${bytesToHex(head.stateRoot)} has no trie node` })
    }
  }

  /**
   * Computes block `context`'s root from `writes`; `apply` then writes the state, the new trie
   * nodes, the change set, the block hash and the head in one transaction.
   */
  async stage(writes: WriteSet, context?: CommitContext): Promise<StagedCommit> {
    this.assertWritable('commit a block')
    if (context === undefined) throw new InvalidOptionError({ option: 'context', reason: 'the lmdb backend records every commit under its block: pass the block number and hash' })
    if (this.pending) throw new StagedCommitPendingError()
    this.pending = true
    try {
      const head = this.requireHead(`commit block ${context.blockNumber}`)
      if (context.blockNumber !== head.number + 1n) {
        throw new DatabaseHeadError({ path: this.path, reason: `block ${context.blockNumber} does not follow the head, block ${head.number}` })
      }
      if (context.parentHash !== undefined && head.blockHash.length > 0 && bytesToHex(head.blockHash) !== context.parentHash) {
        throw new DatabaseHeadError({ path: this.path, reason: `block ${context.blockNumber}'s parent ${context.parentHash} is not the head, ${bytesToHex(head.blockHash)}` })
      }
      const { overlay, root, changes } = await this.computeRoot(head.stateRoot, writes)
      const next: DatabaseHead = { number: context.blockNumber, stateRoot: root, blockHash: hexToBytes(context.blockHash) }
      return new SettleOnceCommit(root, {
        apply: async () => {
          try {
            this.tables.transaction(() => this.writeBlock(head, next, overlay, changes, writes.codes))
            this.committedHead = next
          } finally {
            this.pending = false
          }
        },
        discard: async () => {
          this.pending = false
        },
      })
    } catch (error) {
      this.pending = false
      throw error
    }
  }

  /**
   * Loads a state into an empty database, chunk by chunk (each account in one chunk), each chunk in
   * its own transaction and the head with the last one, so a one-chunk import is atomic. Until the
   * head is written the database is marked as importing: an interrupted import is refused on open
   * rather than taken for a state.
   */
  async importState(chunks: Iterable<WriteSet> | AsyncIterable<WriteSet>, head: { number: bigint; blockHash?: Hex }): Promise<DatabaseHead> {
    this.assertWritable('import a state')
    if (this.pending) throw new StagedCommitPendingError()
    if (this.committedHead !== undefined) {
      throw new DatabaseHeadError({ path: this.path, reason: `already holds a state (block ${this.committedHead.number}): import into an empty database` })
    }
    // A failed import on this same handle leaves chunks behind: importing over them would mix states.
    if (this.tables.count('accounts') > 0 || this.tables.get('meta', META_IMPORTING) !== undefined) {
      throw new DatabaseHeadError({ path: this.path, reason: 'holds part of an interrupted import: import into a new, empty database' })
    }
    this.pending = true
    try {
      const blockHash = head.blockHash === undefined ? new Uint8Array(0) : hexToBytes(head.blockHash)
      let root = EMPTY_TRIE_ROOT
      let imported: DatabaseHead = { number: head.number, stateRoot: root, blockHash }
      for await (const [chunk, last] of withLast(chunks)) {
        const update = await this.computeRoot(root, chunk)
        root = update.root
        imported = { number: head.number, stateRoot: root, blockHash }
        this.tables.transaction(() => {
          writeNodes(this.tables, update.overlay)
          for (const [hash, code] of chunk.codes) this.tables.put('codes', hashKey(hash), code)
          for (const [address, change] of update.changes) writeAccountChange(this.tables, address, change)
          if (last) this.writeImportedHead(imported)
          else this.tables.put('meta', META_IMPORTING, new Uint8Array(0))
        })
      }
      if (this.tables.get('meta', META_HEAD) === undefined) this.tables.transaction(() => this.writeImportedHead(imported))
      this.committedHead = imported
      return imported
    } finally {
      this.pending = false
    }
  }

  /** Moves the head back `blocks` blocks, restoring each one's change set, in one transaction. */
  async unwind(blocks: number): Promise<DatabaseHead> {
    this.assertWritable('unwind')
    if (!Number.isInteger(blocks) || blocks < 1) throw new InvalidOptionError({ option: 'blocks', reason: `${blocks} is not a positive integer` })
    if (this.pending) throw new StagedCommitPendingError()
    const head = this.requireHead('unwind')
    const sets: ChangeSet[] = []
    for (let k = 0n; k < BigInt(blocks); k++) {
      const payload = head.number - k < 0n ? undefined : this.tables.get('changes', numberKey(head.number - k))
      if (payload === undefined) throw new UnwindBeyondHistoryError({ path: this.path, requested: blocks, available: sets.length })
      sets.push(decoded(this.path, `the change set of block ${head.number - k}`, () => decodeChangeSet(payload)))
    }
    const restored = sets[sets.length - 1]!.previousHead
    this.tables.transaction(() => {
      this.assertStoredHead(head)
      sets.forEach((set, k) => {
        for (const undo of set.accounts) undoAccountChange(this.tables, undo)
        this.tables.remove('changes', numberKey(head.number - BigInt(k)))
        this.tables.remove('hashes', numberKey(head.number - BigInt(k)))
      })
      this.tables.put('meta', META_HEAD, encodeHead(restored))
    })
    this.committedHead = restored
    return restored
  }

  info(): DatabaseInfo {
    const entries = Object.fromEntries(TABLES.map((table) => [table, this.tables.count(table)])) as Record<TableName, number>
    const keys = [...this.tables.range('changes', numberKey(0n), Buffer.alloc(9, 0xff))].map(([key]) => key.readBigUInt64BE(0))
    return {
      path: this.path,
      formatVersion: FORMAT_VERSION,
      head: this.committedHead,
      history: keys.length === 0 ? undefined : { oldest: keys[0]!, newest: keys[keys.length - 1]! },
      dataFileBytes: statSync(join(this.path, 'data.mdb')).size,
      entries,
    }
  }

  /** Releases the writer lock at once (nothing is written after this call), then closes the environment. */
  close(): Promise<void> {
    const closing = this.tables.close()
    this.releaseLock()
    return closing
  }

  /**
   * Inside a write transaction: the head on disk must still be the one this handle computed
   * against. Another process writing the same database would otherwise have its work mixed with
   * ours; the transaction is abandoned instead.
   */
  private assertStoredHead(expected: DatabaseHead): void {
    const stored = super.head()
    if (stored === undefined || stored.number !== expected.number || !sameBytes(stored.stateRoot, expected.stateRoot)) {
      const found = stored === undefined ? 'no head' : `block ${stored.number}`
      throw new DatabaseHeadError({ path: this.path, reason: `its head moved to ${found} under this handle (another process writing it?): nothing was written` })
    }
  }

  private writeImportedHead(head: DatabaseHead): void {
    if (head.blockHash.length > 0) this.tables.put('hashes', numberKey(head.number), head.blockHash)
    this.tables.put('meta', META_HEAD, encodeHead(head))
    this.tables.remove('meta', META_IMPORTING)
  }

  private assertWritable(action: string): void {
    if (this.readOnly) throw new InvalidOptionError({ option: 'readOnly', reason: `${this.path} was opened read-only: cannot ${action}` })
  }

  private requireHead(action: string): DatabaseHead {
    if (this.committedHead === undefined) throw new DatabaseHeadError({ path: this.path, reason: `holds no state to ${action}: import one first` })
    return this.committedHead
  }

  intermediateRoots(steps: readonly WriteSet[]): Promise<Uint8Array[]> {
    const root = this.stateRoot()
    return this.onTrie(async (overlay) => computeIntermediateRoots(overlay, root, this, steps))
  }

  private computeRoot(root: Uint8Array, writes: WriteSet) {
    return this.onTrie(async (overlay) => {
      const update = computeStateRoot(overlay, root, this, writes)
      return { overlay, root: update.root, changes: update.changes }
    })
  }

  /** Runs `work` on an overlay of the stored trie nodes, a missing node reported as corruption. */
  private async onTrie<T>(work: (overlay: NodeOverlay) => Promise<T>): Promise<T> {
    const overlay = new NodeOverlay({ getNode: (_hex, hash) => this.tables.get('nodes', Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength)) })
    try {
      return await work(overlay)
    } catch (error) {
      if (error instanceof ParallelEvmError) throw error
      // The trie library's own error for a node the tables should hold and do not.
      throw new CorruptDatabaseError({ path: this.path, what: 'its trie', reason: 'lacks a node a commit needs', cause: error })
    }
  }

  private writeBlock(head: DatabaseHead, next: DatabaseHead, overlay: NodeOverlay, changes: ReadonlyMap<AddressHex, AccountChange>, codes: ReadonlyMap<Hex, Uint8Array>): void {
    this.assertStoredHead(head)
    writeNodes(this.tables, overlay)
    for (const [hash, code] of codes) this.tables.put('codes', hashKey(hash), code)
    const accounts = [...changes].map(([address, change]) => writeAccountChange(this.tables, address, change))
    this.tables.put('changes', numberKey(next.number), encodeChangeSet({ previousHead: head, accounts }))
    this.tables.put('hashes', numberKey(next.number), next.blockHash)
    this.tables.put('meta', META_HEAD, encodeHead(next))
    // History deeper than the reorg depth is dropped in the same transaction.
    const keepFrom = next.number - BigInt(this.reorgDepth) + 1n
    if (keepFrom > 0n) for (const [key] of [...this.tables.range('changes', numberKey(0n), numberKey(keepFrom))]) this.tables.remove('changes', key)
  }
}

/**
 * In key order: node hashes are random, and LMDB inserts sorted keys along neighbouring B-tree
 * pages instead of jumping across the whole tree for each.
 */
function writeNodes(tables: LmdbTables, overlay: NodeOverlay): void {
  const hashes = [...overlay.newNodes().keys()].sort()
  for (const hash of hashes) {
    const node = overlay.newNodes().get(hash)!
    tables.put('nodes', Buffer.from(hash, 'hex'), typeof node === 'string' ? hexToBytes(`0x${node}`) : node)
  }
}

/** Each item with whether it is the last: the last chunk of an import commits with the head. */
async function* withLast<T>(items: Iterable<T> | AsyncIterable<T>): AsyncGenerator<[T, boolean]> {
  let previous: { item: T } | undefined
  for await (const item of items) {
    if (previous !== undefined) yield [previous.item, false]
    previous = { item }
  }
  if (previous !== undefined) yield [previous.item, true]
}

