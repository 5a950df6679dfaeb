import { createWriteSet, InvalidOptionError, toAddressHex, type AddressHex, type TxOutcome } from '@parallel-evm/core'
import {
  assertBlockGasAvailable,
  executeTransaction,
  MultiVersionMemory,
  ownerOfKey,
  partitionDigest,
  poolActivity,
  RunSettlement,
  ReplicaFeed,
  type SchedulerContext,
  type ShardOwnership,
  type TaskResult,
} from '@parallel-evm/core/internal'
import { ShardDigestMismatchError } from './errors.js'
import type { ShardTransport } from './shardTransport.js'
import { actualShards, changedKeyIds, type ShardMask, type TxRoutes } from './txRoutes.js'

const PENDING = 0
/** Sent to its home shard; the shard runs its messages in order, so its later transactions may follow at once. */
const DISPATCHED = 1
const EXECUTED = 2
const COMMITTED = 3

/** Messages per shard at once: the one it runs and one waiting behind it. */
const PIPELINE = 2
/** How far past a waiting transaction a shard looks for one that may run. */
const WINDOW = 64

export interface ShardedRunOptions {
  transport: ShardTransport
  ownership: ShardOwnership
  routes: TxRoutes
  /** Most transactions in one message to a shard. */
  maxBatch: number
}

/** What the protocol did for one block, beyond the outcomes. */
export interface ShardedRunStats {
  executions: number
  validations: number
  /** Transactions whose actual accesses left their predicted shards: aborted, re-run with the actual set. */
  escapes: number
  /** Transactions that stayed within their shards but read a value a later re-run changed. */
  validationAborts: number
  workerErrors: number
  /** Of those, the ones whose shard could not open the parent state (`STATE_UNAVAILABLE`). */
  stateUnavailable: number
  /** Transactions predicted to involve more than one shard. */
  predictedCrossShard: number
  /** Transactions that really involved more than one shard. */
  actualCrossShard: number
  /** Time shards sat idle with their next transaction waiting on values from other shards, summed, in ms. */
  remoteWaitMs: number
  /** Per shard: transactions executed there, their gas, its busy time, messages and bytes. */
  perShard: { transactions: number; gas: number; busyMs: number; messages: number; bytes: number }[]
  workerMs: number
  messages: number
  bytes: number
  coordinatorMs: number
  /** Agreement on commit: the round of digests, in ms. */
  digestMs: number
}

/**
 * Runs a block under the sharded protocol (Calvin's, in one node). Every shard knows the block
 * order and the routes. A transaction runs on its home shard once what it is predicted to need
 * (on each key, the last earlier transaction to set it and the credits since, as Calvin's
 * lock manager grants locks in the global order) has run, or runs first on that shard; the shard
 * is sent exactly those writes it lacks (read forwarding), and the writes it produces reach the
 * shards that own them with the next message each gets. So a shard's own transactions run back to
 * back, and a multi-shard one waits only for what it reads. Waiting follows the global order, so
 * it is acyclic: no deadlock on any routes. At its turn to commit each transaction is checked: one
 * whose accesses left its predicted shards (an escape) is aborted and re-run with its actual set,
 * on the final state; one that read a value a re-run changed is re-run too. Then every shard
 * reports the digest of the partition it owns and the block commits only if all agree.
 */
export async function runSharded(ctx: SchedulerContext, options: ShardedRunOptions): Promise<{ outcomes: TxOutcome[]; stats: ShardedRunStats }> {
  return new ShardedRun(ctx, options).run()
}

class ShardedRun {
  private readonly count: number
  private readonly shards: number
  private readonly memory: MultiVersionMemory
  private readonly feed: ReplicaFeed
  private readonly status: Uint8Array
  private readonly outcomes: (TxOutcome | undefined)[]
  private readonly failed: boolean[]
  /** Per transaction, the shards it involves (predicted, widened by an escape). */
  private readonly participants: ShardMask[]
  /** Per shard, the transactions homed there, in block order, and how many of the first are sent. */
  private readonly homed: number[][]
  private readonly sentUpTo: number[]
  private readonly inFlight: number[]
  private readonly waitingSince: (number | undefined)[]
  private readonly executedOn: Int16Array
  /** Transactions re-run on the calling thread: every shard needs their new writes. */
  private readonly reRun: number[] = []
  private readonly writtenBefore = new Set<string>()
  private readonly tasks = new Set<Promise<unknown>>()
  private commitIndex = 0
  private gasUsed = 0n
  private committing = false
  private laneQueue: Promise<unknown> = Promise.resolve()
  private readonly counters = { executions: 0, validations: 0, escapes: 0, validationAborts: 0, workerErrors: 0, stateUnavailable: 0, actualCrossShard: 0, remoteWaitMs: 0, digestMs: 0 }
  private readonly ending = new RunSettlement()

  constructor(
    private readonly ctx: SchedulerContext,
    private readonly options: ShardedRunOptions,
  ) {
    this.count = ctx.prepared.transactions.length
    this.shards = options.transport.shards
    if (options.routes.home.length !== this.count || options.routes.participants.length !== this.count) {
      throw new InvalidOptionError({ option: 'routes', reason: `${options.routes.home.length} routes for ${this.count} transactions` })
    }
    this.memory = new MultiVersionMemory(ctx.parent)
    this.feed = new ReplicaFeed(ctx, options.transport, 'sharded')
    this.status = new Uint8Array(this.count)
    this.outcomes = new Array(this.count)
    this.failed = new Array(this.count).fill(false)
    this.participants = [...options.routes.participants]
    this.executedOn = new Int16Array(this.count).fill(-1)
    const perShard = <T>(make: () => T) => Array.from({ length: this.shards }, make)
    this.homed = perShard(() => [])
    options.routes.home.forEach((home, index) => this.homed[home]!.push(index))
    this.sentUpTo = perShard(() => 0)
    this.inFlight = perShard(() => 0)
    this.waitingSince = perShard(() => undefined)
  }

  async run(): Promise<{ outcomes: TxOutcome[]; stats: ShardedRunStats }> {
    const { transport } = this.options
    const before = transport.traffic()
    const done = this.ending.done
    this.ending.coordinate(() => {
      this.pump()
      if (this.count === 0) void this.commit()
    })
    try {
      await done
    } finally {
      // The shards must be idle before the next block ships its state, and the lane free for the block path.
      while (this.tasks.size > 0) await Promise.allSettled([...this.tasks])
      await this.laneQueue
    }
    await this.agree()
    const after = transport.traffic()
    const activity = poolActivity(before, after)
    const predictedCrossShard = this.options.routes.participants.filter((mask) => (mask & (mask - 1)) !== 0).length
    const perShard = after.map((stats, shard) => {
      const earlier = before[shard]
      const executed = this.ctx.prepared.transactions.filter((_, index) => this.executedOn[index] === shard)
      return {
        transactions: executed.length,
        gas: this.outcomes.reduce((sum, outcome, index) => (this.executedOn[index] === shard && outcome !== undefined ? sum + Number(outcome.gasUsed) : sum), 0),
        busyMs: stats.busyMs - (earlier?.busyMs ?? 0),
        messages: stats.messagesSent + stats.messagesReceived - (earlier === undefined ? 0 : earlier.messagesSent + earlier.messagesReceived),
        bytes: stats.bytesSent + stats.bytesReceived - (earlier === undefined ? 0 : earlier.bytesSent + earlier.bytesReceived),
      }
    })
    const { executions, validations, escapes, validationAborts, workerErrors, stateUnavailable, actualCrossShard, remoteWaitMs, digestMs } = this.counters
    const { coordinatorMs } = this.ending
    return {
      outcomes: this.outcomes as TxOutcome[],
      stats: { executions, validations, escapes, validationAborts, workerErrors, stateUnavailable, predictedCrossShard, actualCrossShard, remoteWaitMs, perShard, ...activity, coordinatorMs, digestMs },
    }
  }

  // ------------------------------------------------------------------ dispatch

  private pump(): void {
    for (let shard = 0; shard < this.shards && !this.ending.settled; shard++) {
      while (this.inFlight[shard]! < PIPELINE) {
        const batch = this.nextBatch(shard)
        if (batch.length === 0) break
        this.send(shard, batch)
      }
      const waiting = this.inFlight[shard] === 0 && this.sentUpTo[shard]! < this.homed[shard]!.length
      if (waiting) this.waitingSince[shard] ??= performance.now()
    }
  }

  /**
   * The shard's next transactions that may run now, in block order: each has what it depends on
   * run already, or running first on this shard. A transaction still waiting does not hold back
   * later ones of the shard that do not wait for it (within a window of the next pending ones).
   */
  private nextBatch(shard: number): number[] {
    const batch: number[] = []
    const homed = this.homed[shard]!
    while (this.sentUpTo[shard]! < homed.length && this.status[homed[this.sentUpTo[shard]!]!] !== PENDING) this.sentUpTo[shard]!++
    let pending = 0
    for (let position = this.sentUpTo[shard]!; position < homed.length && batch.length < this.options.maxBatch && pending < WINDOW; position++) {
      const index = homed[position]!
      if (this.status[index] !== PENDING) continue
      pending++
      if (!this.mayRun(index, shard)) continue
      this.status[index] = DISPATCHED
      batch.push(index)
    }
    return batch
  }

  private mayRun(index: number, shard: number): boolean {
    for (const dep of this.options.routes.dependencies[index]!) {
      if (this.status[dep]! >= EXECUTED) continue
      if (this.status[dep] === DISPATCHED && this.options.routes.home[dep] === shard) continue
      return false
    }
    return true
  }

  private send(shard: number, indices: number[]): void {
    const since = this.waitingSince[shard]
    if (since !== undefined) this.counters.remoteWaitMs += performance.now() - since
    this.waitingSince[shard] = undefined
    this.inFlight[shard]!++
    let origin = ''
    const task = this.options.transport.send(shard, (taskId, worker) => {
      if (this.ending.settled) return undefined
      origin = ReplicaFeed.originOf(worker)
      return this.feed.requestFor(taskId, worker, indices, this.forwardedTo(indices))
    })
    const tracked = task.then(
      (results) => this.ending.coordinate(() => this.onResults(results, origin, shard)),
      (error: unknown) => this.ending.fail(error),
    )
    this.tasks.add(tracked)
    void tracked.finally(() => {
      this.tasks.delete(tracked)
      this.inFlight[shard]!--
      this.ending.coordinate(() => {
        this.pump()
        void this.commit()
      })
    })
  }

  /**
   * The earlier transactions whose writes the shard needs for `indices`: what they depend on, and
   * every transaction re-run since (the feed sends only versions the shard lacks).
   */
  private forwardedTo(indices: readonly number[]): number[] {
    const needed = new Set(this.reRun)
    for (const index of indices) for (const dep of this.options.routes.dependencies[index]!) needed.add(dep)
    return [...needed]
  }

  // ------------------------------------------------------------------ results

  private onResults(results: TaskResult[], origin: string, shard: number): void {
    if (this.ending.settled) return
    for (const result of results) {
      const index = result.index
      if (this.status[index] !== DISPATCHED) continue
      this.counters.executions++
      this.executedOn[index] = shard
      if ('outcome' in result) {
        this.memory.record(index, result.outcome.writeSet)
        this.feed.writes(index, result.outcome.writeSet, origin)
        this.outcomes[index] = result.outcome
      } else {
        // An error: at its turn to commit it runs again on the final state.
        this.counters.workerErrors++
        if ('error' in result && result.error.code === 'STATE_UNAVAILABLE') this.counters.stateUnavailable++
        const nothing = createWriteSet()
        this.memory.record(index, nothing)
        this.feed.writes(index, nothing, 'coordinator')
        this.failed[index] = true
      }
      this.status[index] = EXECUTED
    }
  }

  // ------------------------------------------------------------------ commit

  private async commit(): Promise<void> {
    if (this.committing || this.ending.settled) return
    this.committing = true
    try {
      while (!this.ending.settled && this.commitIndex < this.count && this.status[this.commitIndex] === EXECUTED) {
        const index = this.commitIndex
        assertBlockGasAvailable(this.ctx.prepared, index, this.gasUsed)
        const outcome = this.outcomes[index]
        if (this.failed[index] || outcome === undefined) await this.executeHere(index)
        else {
          const actual = this.actualShardsOf(index, outcome)
          if ((actual & ~this.participants[index]!) !== 0) {
            // Its accesses left its predicted shards: abort, and run with the actual set on the final state.
            this.counters.escapes++
            this.participants[index]! |= actual
            await this.executeHere(index)
          } else {
            this.counters.validations++
            if (this.memory.validate(index, outcome.readSet)) this.commitOutcome(index, outcome)
            else {
              this.counters.validationAborts++
              await this.executeHere(index)
            }
          }
        }
      }
      if (this.commitIndex === this.count) this.ending.settle()
    } catch (error) {
      this.ending.fail(error)
    } finally {
      this.committing = false
    }
    this.pump()
  }

  private actualShardsOf(index: number, outcome: TxOutcome): ShardMask {
    return actualShards(outcome, this.options.routes.home[index]!, this.options.ownership, toAddressHex(this.ctx.prepared.header.coinbase), this.writtenBefore)
  }

  /** Runs transaction `index` on the calling thread on the final state before it, and commits it. */
  private async executeHere(index: number): Promise<void> {
    const started = performance.now()
    const run = this.laneQueue.then(() => executeTransaction(this.ctx.lanes, this.ctx.prepared, index, this.memory.at(index)))
    this.laneQueue = run.catch(() => {})
    const outcome = await run
    this.ending.coordinatorMs += performance.now() - started
    this.counters.executions++
    if (this.ending.settled) return
    this.memory.record(index, outcome.writeSet)
    this.feed.writes(index, outcome.writeSet, 'coordinator')
    this.reRun.push(index)
    this.failed[index] = false
    this.participants[index]! |= this.actualShardsOf(index, outcome)
    this.commitOutcome(index, outcome)
  }

  private commitOutcome(index: number, outcome: TxOutcome): void {
    const actual = this.actualShardsOf(index, outcome)
    if ((actual & (actual - 1)) !== 0) this.counters.actualCrossShard++
    this.outcomes[index] = outcome
    this.gasUsed += outcome.blockGasUsed
    this.status[index] = COMMITTED
    this.commitIndex++
    for (const id of changedKeyIds(outcome)) this.writtenBefore.add(id)
  }

  // ------------------------------------------------------------------ agreement

  /**
   * Every shard, sent the writes to its partition it still lacks (writes go back to their owners),
   * reports the digest of the partition; it must equal the committed result's, or nothing commits.
   */
  private async agree(): Promise<void> {
    const started = performance.now()
    const { ownership, transport } = this.options
    const owning = Array.from({ length: this.shards }, () => new Set<number>())
    // Shards are sent only the placements of what the block changed: a partitioner's map may span a whole chain.
    const changed = { accounts: new Map<AddressHex, number>(), slots: new Map<string, number>() }
    this.outcomes.forEach((outcome, index) => {
      for (const id of changedKeyIds(outcome!)) {
        const address = id.slice(0, 42) as AddressHex
        const accountShard = ownership.accounts.get(address)
        if (accountShard !== undefined) changed.accounts.set(address, accountShard)
        const slotShard = ownership.slots.get(id)
        if (slotShard !== undefined) changed.slots.set(id, slotShard)
        // A creation or self-destruct changes how every slot of the account reads, and slots may
        // sit on other shards than their account.
        if (id.endsWith('.e')) for (const shard of owning) shard.add(index)
        else owning[ownerOfKey(ownership, id)]!.add(index)
      }
    })
    const reports = await Promise.all(
      owning.map((needed, shard) =>
        transport.send(shard, (taskId, worker) => this.feed.digestRequestFor(taskId, worker, [...needed, ...this.feed.staleAt(worker)], { shards: ownership.shards, ...changed }, shard)),
      ),
    )
    reports.forEach((results, shard) => {
      const expected = partitionDigest(this.memory, ownership, shard, this.count)
      const report = results[0]
      const reported = report !== undefined && 'digest' in report ? report : undefined
      if (reported === undefined || reported.digest !== expected.digest || reported.keys !== expected.keys) {
        const why = report !== undefined && 'error' in report ? `${report.error.code}: ${report.error.message}` : undefined
        throw new ShardDigestMismatchError({ shard, expected: expected.digest, reported: reported?.digest, expectedKeys: expected.keys, reportedKeys: reported?.keys, ...(why === undefined ? {} : { reason: why }) })
      }
    })
    this.counters.digestMs = performance.now() - started
  }

}
