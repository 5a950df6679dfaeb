import { ParallelEvmError } from '@parallel-evm/core'

/**
 * The database at `path` cannot be trusted: a data file shorter than its own metadata says, a
 * record whose checksum fails, a page LMDB reports as corrupt, a missing table or head, an import
 * that never finished. Nothing was read from it as if it were valid.
 */
export class CorruptDatabaseError extends ParallelEvmError {
  readonly code = 'CORRUPT_DATABASE'
  readonly path: string
  readonly what: string
  constructor(args: { path: string; what: string; reason: string; cause?: unknown }) {
    super(`Database ${args.path} is corrupt: ${args.what} ${args.reason}`, {
      cause: args.cause,
      metaMessages: [`Path: ${args.path}`, 'Restore it from a copy, or delete it and import the state again.'],
    })
    this.path = args.path
    this.what = args.what
  }
}

/** The database at `path` was written in a format this version does not read. */
export class DatabaseVersionError extends ParallelEvmError {
  readonly code = 'DATABASE_VERSION'
  readonly path: string
  readonly found: number
  readonly supported: number
  constructor(args: { path: string; found: number; supported: number }) {
    super(`Database ${args.path} has format version ${args.found}; this version of @parallel-evm/state-lmdb reads version ${args.supported}`, {
      metaMessages: [`Path: ${args.path}`],
    })
    this.path = args.path
    this.found = args.found
    this.supported = args.supported
  }
}

/**
 * What was asked does not fit the database's head: a block that does not follow it, an import
 * into a database that already holds a state, a worker snapshot of a head that has moved.
 */
export class DatabaseHeadError extends ParallelEvmError {
  readonly code = 'DATABASE_HEAD'
  readonly path: string
  constructor(args: { path: string; reason: string }) {
    super(`Database ${args.path}: ${args.reason}`, { metaMessages: [`Path: ${args.path}`] })
    this.path = args.path
  }
}

/** An unwind deeper than the change sets the database keeps (its reorg depth). */
export class UnwindBeyondHistoryError extends ParallelEvmError {
  readonly code = 'UNWIND_BEYOND_HISTORY'
  readonly path: string
  readonly requested: number
  readonly available: number
  constructor(args: { path: string; requested: number; available: number }) {
    super(`Database ${args.path}: cannot unwind ${args.requested} blocks, it keeps change sets for the last ${args.available}`, {
      metaMessages: [`Path: ${args.path}`],
    })
    this.path = args.path
    this.requested = args.requested
    this.available = args.available
  }
}

/** A write transaction LMDB refused or failed (a full disk, a damaged free list): nothing of it was committed. */
export class DatabaseWriteError extends ParallelEvmError {
  readonly code = 'DATABASE_WRITE'
  readonly path: string
  constructor(args: { path: string; cause: unknown }) {
    super(`Database ${args.path}: a write transaction failed and was rolled back`, { cause: args.cause, metaMessages: [`Path: ${args.path}`] })
    this.path = args.path
  }
}

/** Another live process holds the database for writing (its lock file names it). */
export class DatabaseLockedError extends ParallelEvmError {
  readonly code = 'DATABASE_LOCKED'
  readonly path: string
  readonly pid: number
  readonly host: string
  constructor(args: { path: string; pid: number; host: string }) {
    super(`Database ${args.path} is open for writing by process ${args.pid} on ${args.host}`, {
      metaMessages: [`Path: ${args.path}`, 'Wait for it to finish or stop it; a lock left by a process that no longer runs on this host is taken over.'],
    })
    this.path = args.path
    this.pid = args.pid
    this.host = args.host
  }
}

/** The database path cannot be used as one: a file where a directory belongs, or no permission to read or write it. */
export class DatabaseAccessError extends ParallelEvmError {
  readonly code = 'DATABASE_ACCESS'
  readonly path: string
  constructor(args: { path: string; reason: string; cause?: unknown }) {
    super(`Database ${args.path} ${args.reason}`, { cause: args.cause, metaMessages: [`Path: ${args.path}`, 'Nothing in it was changed.'] })
    this.path = args.path
  }
}
