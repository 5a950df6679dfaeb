import { describeCommon } from './commonDescriptor.js'
import type { SchedulerContext } from './scheduler.js'
import type { ShardOwnership } from './shardOwnership.js'
import type { WriteSet } from './types.js'
import type { WorkerIdentity, WorkerPool } from './workerPool.js'
import type { SpeculationBlock, VersionUpdate, WorkerRequest } from './workerProtocol.js'

/** One entry of the update log: a transaction's new writes, or (no writes) its ESTIMATE mark. */
interface LogEntry {
  index: number
  writes: WriteSet | undefined
  /** The worker that produced the writes (its replica holds them already), or `coordinator`. */
  origin: string
}

let blocksFed = 0

/**
 * Keeps each worker's replica of a block's multi-version memory current: a log of every outcome
 * and ESTIMATE the coordinator recorded, and per worker how much of it that worker has seen, so a
 * task carries exactly the updates its worker lacks (and the block itself on first contact).
 */
export class ReplicaFeed {
  private readonly log: LogEntry[] = []
  /** Per worker (index:generation), how much of the log its replica holds; absent: no replica yet. */
  private readonly replicas = new Map<string, number>()
  /** Per transaction, its latest writes (undefined: an ESTIMATE or none yet), their version and producer. */
  private readonly latest = new Map<number, { writes: WriteSet | undefined; version: number; origin: string }>()
  /** Per worker, the version of each transaction's writes its replica holds (selective feeding). */
  private readonly held = new Map<string, Map<number, number>>()
  private readonly blockKey: string
  private block: SpeculationBlock | undefined

  constructor(
    private readonly ctx: SchedulerContext,
    /** Where the workers' parent state is named: task requests carry its id. */
    private readonly pool: Pick<WorkerPool, 'stateId'>,
    prefix: string,
  ) {
    this.blockKey = `${prefix}-${++blocksFed}`
  }

  static originOf(worker: WorkerIdentity): string {
    return `${worker.index}:${worker.generation}`
  }

  /** Transaction `index`'s latest writes, produced by `origin` (a worker's origin, or `coordinator`). */
  writes(index: number, writes: WriteSet, origin: string): void {
    this.log.push({ index, writes, origin })
    const version = (this.latest.get(index)?.version ?? 0) + 1
    this.latest.set(index, { writes, version, origin })
    // The producing worker's replica recorded this version when it ran the transaction.
    this.held.get(origin)?.set(index, version)
  }

  /** The transactions of which `worker`'s replica holds a version that is no longer the latest. */
  staleAt(worker: WorkerIdentity): number[] {
    const stale: number[] = []
    for (const [index, version] of this.held.get(ReplicaFeed.originOf(worker)) ?? []) if (this.latest.get(index)?.version !== version) stale.push(index)
    return stale
  }

  /** Transaction `index` is being re-computed: replicas mark its writes as an ESTIMATE. */
  estimate(index: number): void {
    this.log.push({ index, writes: undefined, origin: 'coordinator' })
    this.latest.set(index, { writes: undefined, version: (this.latest.get(index)?.version ?? 0) + 1, origin: 'coordinator' })
  }

  /**
   * The request that executes `indices` on `worker` with only the writes of `needed` (the
   * transactions they are known to read from) that its replica lacks, instead of every update:
   * what else it reads comes from the parent state and is checked at commit like any read.
   */
  requestFor(taskId: number, worker: WorkerIdentity, indices: number[], needed: Iterable<number>): Extract<WorkerRequest, { type: 'speculate' }> {
    return { type: 'speculate', taskId, ...this.catchUp(worker, needed), indices }
  }

  /**
   * Agreement on commit: the request for `worker`'s digest of the partition `shard` owns, carrying
   * the writes of `needed` (every transaction that wrote a key it owns) its replica lacks.
   */
  digestRequestFor(taskId: number, worker: WorkerIdentity, needed: Iterable<number>, ownership: ShardOwnership, shard: number): Extract<WorkerRequest, { type: 'digest' }> {
    return { type: 'digest', taskId, ...this.catchUp(worker, needed), ownership, shard, transactionCount: this.ctx.prepared.transactions.length }
  }

  /** What `worker`'s replica lacks of `needed`'s latest writes, and the block itself on first contact. */
  private catchUp(worker: WorkerIdentity, needed: Iterable<number>): { stateId: number; blockKey: string; block?: SpeculationBlock; updates: VersionUpdate[] } {
    const origin = ReplicaFeed.originOf(worker)
    let versions = this.held.get(origin)
    const first = versions === undefined
    if (versions === undefined) this.held.set(origin, (versions = new Map()))
    const updates: VersionUpdate[] = []
    for (const index of needed) {
      const entry = this.latest.get(index)
      if (entry === undefined || versions.get(index) === entry.version) continue
      versions.set(index, entry.version)
      updates.push(entry.writes === undefined ? { index, estimate: true } : { index, writes: entry.writes })
    }
    return { stateId: this.pool.stateId, blockKey: this.blockKey, ...(first ? { block: this.speculationBlock() } : {}), updates }
  }

  /** The request that executes `indices` on `worker`, carrying what its replica lacks. */
  request(taskId: number, worker: WorkerIdentity, indices: number[]): Extract<WorkerRequest, { type: 'speculate' }> {
    const origin = ReplicaFeed.originOf(worker)
    const held = this.replicas.get(origin)
    const updates = this.updatesSince(held ?? 0, origin)
    this.replicas.set(origin, this.log.length)
    return {
      type: 'speculate',
      taskId,
      stateId: this.pool.stateId,
      blockKey: this.blockKey,
      ...(held === undefined ? { block: this.speculationBlock() } : {}),
      updates,
      indices,
    }
  }

  private updatesSince(position: number, origin: string): VersionUpdate[] {
    const latest = new Map<number, LogEntry>()
    for (let p = position; p < this.log.length; p++) latest.set(this.log[p]!.index, this.log[p]!)
    const updates: VersionUpdate[] = []
    for (const entry of latest.values()) {
      // The worker recorded its own outcome when it produced it.
      if (entry.origin === origin) continue
      updates.push(entry.writes === undefined ? { index: entry.index, estimate: true } : { index: entry.index, writes: entry.writes })
    }
    return updates
  }

  private speculationBlock(): SpeculationBlock {
    const { prepared, preBlock } = this.ctx
    this.block ??= {
      common: describeCommon(prepared.common),
      rlp: prepared.block.serialize(),
      senders: prepared.senders,
      ancestorHashes: prepared.ancestorHashes,
      preBlock,
    }
    return this.block
  }
}
