import type { Hex, StateReader, WriteSet } from './types.js'
import type { WorkerStateSource } from './workerProtocol.js'

/**
 * A committed state: the read side every lane executes against, and a commit side that takes a
 * whole block's WriteSet atomically. `stage` computes the outcome (the state root, for backends
 * that have one) without changing anything; the block path applies it only once the block is
 * known to be valid, so a rejected block leaves the backend exactly as it was.
 */
export interface StateBackend extends StateReader {
  /** A short name for reports: `memory`, `merkle`, `lmdb`. */
  readonly kind: string
  /** The root of the committed state, or undefined for a backend without commitment. */
  stateRoot(): Uint8Array | undefined
  stage(writes: WriteSet, context?: CommitContext): Promise<StagedCommit>
  /**
   * The state root after each of `steps` applies in turn on top of the committed state, nothing
   * committed. Pre-Byzantium receipts hold the root after their transaction: a backend that offers
   * this gets those blocks' receipts root checked.
   */
  intermediateRoots?(steps: readonly WriteSet[]): Promise<Uint8Array[]>
  /**
   * The whole committed state as one write set (every account `'created'`, codes by hash), for
   * shipping to worker threads. A backend too large to copy leaves it out; a parallel scheduler
   * then runs its blocks on the calling thread (or, for a database, workers open it themselves).
   */
  exportState?(): WriteSet
  /**
   * How a worker thread opens the committed state itself (a database it can read concurrently):
   * preferred over `exportState`, since nothing is copied across threads.
   */
  workerSource?(): WorkerStateSource
}

/** The block a commit belongs to: a persistent backend records it as its head and keys its history by it. */
export interface CommitContext {
  readonly blockNumber: bigint
  readonly blockHash: Hex
  /** The parent block's hash: a backend that knows its head's hash checks the block follows it. */
  readonly parentHash?: Hex
}

export interface StagedCommit {
  /** The state root the backend will have once applied; undefined without commitment. */
  readonly stateRoot: Uint8Array | undefined
  apply(): Promise<void>
  discard(): Promise<void>
}
