/**
 * Every failure parallel-evm reports is a `ParallelEvmError` with a stable `code`, a one-line
 * `shortMessage`, structured fields on the subclass, and the error it wraps as `cause`.
 */
export interface ParallelEvmErrorParameters {
  details?: string
  metaMessages?: string[]
  cause?: unknown
}

/**
 * Every `code` a parallel-evm error carries, in every package. `code` is the contract to match on:
 * `instanceof` holds only within one copy of a package, and an app that loads both the ESM and
 * the CommonJS build (or two versions) has two classes of each error.
 */
export const parallelEvmErrorCodes = [
  // @parallel-evm/core (and every package that reports through it)
  'BLOCK_GAS_LIMIT_EXCEEDED',
  'FIXTURE_FORMAT',
  'INVALID_BLOCK',
  'INVALID_OPTION',
  'INVALID_TRANSACTION',
  'MISSING_STATE',
  'READ_DEPENDENCY',
  'STAGED_COMMIT_PENDING',
  'STAGED_COMMIT_SETTLED',
  'STATE_UNAVAILABLE',
  'UNSUPPORTED_BLOCK',
  'UNSUPPORTED_STATE_OPERATION',
  'WORKER_CRASHED',
  // @parallel-evm/scheduler-static
  'INVALID_HINTS',
  // @parallel-evm/scheduler-sharded
  'SHARD_DIGEST_MISMATCH',
  // @parallel-evm/state-lmdb
  'CORRUPT_DATABASE',
  'DATABASE_ACCESS',
  'DATABASE_HEAD',
  'DATABASE_LOCKED',
  'DATABASE_VERSION',
  'DATABASE_WRITE',
  'UNWIND_BEYOND_HISTORY',
] as const

export type ParallelEvmErrorCode = (typeof parallelEvmErrorCodes)[number]

// A registered symbol is the same in every copy of this module, ESM or CommonJS.
const PARALLEL_EVM_ERROR = Symbol.for('@parallel-evm/error')

/** Whether `value` is an error of any parallel-evm package, from whichever build or copy of it. */
export function isParallelEvmError(value: unknown): value is ParallelEvmError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[PARALLEL_EVM_ERROR] === true
}

export abstract class ParallelEvmError extends Error {
  abstract readonly code: ParallelEvmErrorCode
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: string[]

  constructor(shortMessage: string, params: ParallelEvmErrorParameters = {}) {
    const details =
      params.details ?? (params.cause instanceof Error ? params.cause.message : undefined)
    const lines = [shortMessage, ...(params.metaMessages ?? [])]
    if (details !== undefined) lines.push(`Details: ${details}`)
    super(lines.join('\n'), params.cause === undefined ? undefined : { cause: params.cause })
    this.name = new.target.name
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = params.metaMessages ?? []
  }

  static {
    Object.defineProperty(this.prototype, PARALLEL_EVM_ERROR, { value: true })
  }

  /** Follows `cause` down the chain; returns the deepest error, or the first one `fn` accepts. */
  walk(fn?: (err: unknown) => boolean): unknown {
    let current: unknown = this
    while (current !== undefined) {
      if (fn?.(current) === true) return current
      const next: unknown = (current as { cause?: unknown }).cause
      if (next === undefined) return fn === undefined ? current : undefined
      current = next
    }
    return undefined
  }
}

/** A fixture file that is missing, unreadable, or lacks a field in the expected shape. */
export class FixtureFormatError extends ParallelEvmError {
  readonly code = 'FIXTURE_FORMAT'
  readonly file: string
  readonly field: string
  constructor(args: { file: string; field: string; reason: string; cause?: unknown }) {
    super(`Fixture ${args.file}: field "${args.field}" ${args.reason}`, {
      cause: args.cause,
      metaMessages: [`File: ${args.file}`, `Field: ${args.field}`],
    })
    this.file = args.file
    this.field = args.field
  }
}

/** A transaction the block may not contain (bad nonce, unaffordable, intrinsic gas, bad type...). */
export class InvalidTransactionError extends ParallelEvmError {
  readonly code = 'INVALID_TRANSACTION'
  readonly blockNumber: bigint
  readonly txIndex: number
  readonly txHash: string
  readonly reason: string
  constructor(args: { blockNumber: bigint; txIndex: number; txHash: string; reason: string; cause?: unknown }) {
    super(`Block ${args.blockNumber}: transaction ${args.txIndex} (${args.txHash}) is invalid: ${args.reason}`, {
      cause: args.cause,
      details: args.reason,
    })
    this.blockNumber = args.blockNumber
    this.txIndex = args.txIndex
    this.txHash = args.txHash
    this.reason = args.reason
  }
}

/** The block's transactions ask for more gas than its gas limit allows. */
export class BlockGasLimitExceededError extends ParallelEvmError {
  readonly code = 'BLOCK_GAS_LIMIT_EXCEEDED'
  readonly blockNumber: bigint
  readonly txIndex: number
  readonly gasLimit: bigint
  readonly required: bigint
  constructor(args: { blockNumber: bigint; txIndex: number; gasLimit: bigint; required: bigint }) {
    super(
      `Block ${args.blockNumber}: transaction ${args.txIndex} needs gas up to ${args.required}, over the block gas limit ${args.gasLimit}`,
    )
    this.blockNumber = args.blockNumber
    this.txIndex = args.txIndex
    this.gasLimit = args.gasLimit
    this.required = args.required
  }
}

/** The block breaks a consensus rule outside its transactions (header, body, or a computed root). */
export class InvalidBlockError extends ParallelEvmError {
  readonly code = 'INVALID_BLOCK'
  /** Undefined when the block could not even be decoded far enough to know its number. */
  readonly blockNumber: bigint | undefined
  readonly rule: string
  constructor(args: { blockNumber: bigint | undefined; rule: string; reason: string; cause?: unknown }) {
    super(`Block ${args.blockNumber ?? '(undecodable)'} is invalid (${args.rule}): ${args.reason}`, {
      cause: args.cause,
      details: args.reason,
    })
    this.blockNumber = args.blockNumber
    this.rule = args.rule
  }
}

/** The state backend lacks something execution needs (code for a hash, an account's data). */
export class MissingStateError extends ParallelEvmError {
  readonly code = 'MISSING_STATE'
  readonly what: string
  constructor(args: { what: string; reason: string }) {
    super(`State is missing ${args.what}: ${args.reason}`)
    this.what = args.what
  }
}

/** A block the executor cannot run correctly, refused up front rather than answered wrongly. */
export class UnsupportedBlockError extends ParallelEvmError {
  readonly code = 'UNSUPPORTED_BLOCK'
  readonly blockNumber: bigint
  constructor(args: { blockNumber: bigint; reason: string }) {
    super(`Block ${args.blockNumber} is not supported: ${args.reason}`)
    this.blockNumber = args.blockNumber
  }
}

/** Options that contradict each other or name something that does not exist, caught at construction. */
export class InvalidOptionError extends ParallelEvmError {
  readonly code = 'INVALID_OPTION'
  readonly option: string
  constructor(args: { option: string; reason: string }) {
    super(`Invalid option "${args.option}": ${args.reason}`)
    this.option = args.option
  }
}

/** A state operation the flat execution view does not offer (e.g. jumping to another state root). */
export class UnsupportedStateOperationError extends ParallelEvmError {
  readonly code = 'UNSUPPORTED_STATE_OPERATION'
  constructor(args: { operation: string }) {
    super(`The transaction state view does not support ${args.operation}`)
  }
}

/** `stage` was called while an earlier staged commit was neither applied nor discarded. */
export class StagedCommitPendingError extends ParallelEvmError {
  readonly code = 'STAGED_COMMIT_PENDING'
  constructor() {
    super('A staged commit is already pending: apply or discard it before staging another', {
      metaMessages: ['Each staged commit builds on the committed state, so two at once would each miss the other.'],
    })
  }
}

/** `apply` or `discard` was called on a staged commit that was already applied or discarded. */
export class StagedCommitSettledError extends ParallelEvmError {
  readonly code = 'STAGED_COMMIT_SETTLED'
  readonly settledAs: 'applied' | 'discarded'
  constructor(args: { settledAs: 'applied' | 'discarded'; attempted: 'apply' | 'discard' }) {
    super(`Cannot ${args.attempted} a staged commit that was already ${args.settledAs}`)
    this.settledAs = args.settledAs
  }
}

/** A worker died or stopped answering (twice on the same task, or at start, or the pool closed); nothing was committed. */
export class WorkerCrashedError extends ParallelEvmError {
  readonly code = 'WORKER_CRASHED'
  readonly worker: number
  readonly taskId: number
  constructor(args: { worker: number; taskId: number; reason: string }) {
    super(`Worker ${args.worker} failed on task ${args.taskId}: ${args.reason}`)
    this.worker = args.worker
    this.taskId = args.taskId
  }
}

/**
 * A speculative read hit a value an earlier transaction is being re-executed to produce (a
 * Block-STM ESTIMATE). Control flow inside a parallel scheduler, which re-runs the reader once
 * `blockingTx` has finished; it never escapes a block.
 */
export class ReadDependencyError extends ParallelEvmError {
  readonly code = 'READ_DEPENDENCY'
  readonly txIndex: number
  readonly blockingTx: number
  constructor(args: { txIndex: number; blockingTx: number }) {
    super(`Transaction ${args.txIndex} read a value transaction ${args.blockingTx} is re-computing`)
    this.txIndex = args.txIndex
    this.blockingTx = args.blockingTx
  }
}

/** A worker could not open the parent state it was given (a database it cannot read, a moved head). */
export class StateUnavailableError extends ParallelEvmError {
  readonly code = 'STATE_UNAVAILABLE'
  constructor(args: { reason: string }) {
    super(`The worker's parent state is unavailable: ${args.reason}`)
  }
}
