import { ReadDependencyError, createWriteSet, type TxOutcome, type WorkerPool } from '@parallel-evm/core'
import {
  assertBlockGasAvailable,
  executeTransaction,
  MultiVersionMemory,
  poolActivity,
  RunSettlement,
  ReplicaFeed,
  type ScheduleResult,
  type SchedulerContext,
  type TaskResult,
  type WorkerIdentity,
  type WorkerRequest,
} from '@parallel-evm/core/internal'
import { ReaderIndex } from './readerIndex.js'
import { ReadyQueue } from './readyQueue.js'

const READY = 0
const EXECUTING = 1
const EXECUTED = 2
const WAITING = 3
const COMMITTED = 4

/** When speculation is losing: after `minExecutions`, more than `abortRatio` of executions aborted. */
export interface ContentionLimit {
  minExecutions: number
  abortRatio: number
}

export interface BlockStmOptions {
  pool: WorkerPool
  /** Most transactions in one task: bigger batches cost fewer messages, smaller ones balance better. */
  maxBatch: number
  /** Tasks queued per worker beyond the one it runs, so a worker never waits for the coordinator. */
  queuedPerWorker: number
  /** Crossed, the rest of the block runs sequentially on the calling thread. */
  contentionLimit: ContentionLimit | undefined
  /**
   * The calling thread executes ready transactions too, those with a gas limit up to this (0: none):
   * it can start at once, while the workers receive the block, and a short transaction never keeps
   * the worker messages it cannot answer while executing waiting for long.
   */
  callingThreadGasCap: bigint
  /** Transactions with a larger gas limit run only once every earlier one has executed (see `heavyMayRun`). */
  heavyGas: bigint
}

interface Submission {
  indices: number[] | undefined
  origin: string
}

/**
 * Block-STM (Gelashvili et al. 2022) with the multi-version memory on the coordinating thread and a
 * replica in each worker. Workers execute batches of the lowest ready transactions on their replica
 * (brought up to date by the updates each task carries) and report outcomes or the ESTIMATE they
 * stopped on; the coordinator records outcomes, validates by value each new outcome and every
 * executed reader of a value that changed, and commits in block order once a transaction's reads
 * are final. Correctness rests on that last validation alone; the rest only saves work.
 */
export async function runBlockStm(ctx: SchedulerContext, options: BlockStmOptions): Promise<ScheduleResult> {
  return new BlockStmRun(ctx, options).run()
}

class BlockStmRun {
  private readonly count: number
  private readonly memory: MultiVersionMemory
  private readonly readers = new ReaderIndex()
  private readonly status: Uint8Array
  private readonly outcomes: (TxOutcome | undefined)[]
  /** Set when a transaction's latest execution threw: it is re-run on the final state at commit. */
  private readonly failed: boolean[]
  private readonly ready = new ReadyQueue()
  private readonly parked = new Set<number>()
  private readonly waiting = new Map<number, number[]>()
  private readonly feed: ReplicaFeed
  private readonly inFlight = new Set<Promise<unknown>>()
  private unbuilt = 0
  private commitIndex = 0
  private gasUsed = 0n
  private committing = false
  private draining: string | undefined
  /** The calling thread's lane runs one transaction at a time (it has one state view). */
  private laneQueue: Promise<unknown> = Promise.resolve()
  private wakeLocal: (() => void) | undefined
  private readonly counters = { executions: 0, validations: 0, validationAborts: 0, dependencyAborts: 0, workerErrors: 0, stateUnavailable: 0 }
  private readonly ending = new RunSettlement(() => this.wakeLocal?.())

  constructor(
    private readonly ctx: SchedulerContext,
    private readonly options: BlockStmOptions,
  ) {
    this.count = ctx.prepared.transactions.length
    this.memory = new MultiVersionMemory(ctx.parent)
    this.feed = new ReplicaFeed(ctx, options.pool, 'stm')
    this.status = new Uint8Array(this.count)
    this.outcomes = new Array(this.count)
    this.failed = new Array(this.count).fill(false)
  }

  async run(): Promise<ScheduleResult> {
    const poolBefore = this.options.pool.stats()
    const done = this.ending.done
    this.ending.coordinate(() => {
      this.seedSenderOrder()
      this.pump()
      if (this.count === 0) this.ending.settle()
    })
    const local = this.options.callingThreadGasCap > 0n ? this.speculateLocally() : Promise.resolve()
    try {
      await done
    } finally {
      // The pool must be idle before the next block ships its state, and the calling thread's lane
      // free before the block path uses it again.
      this.wakeLocal?.()
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
      await local
      await this.laneQueue
    }
    const activity = poolActivity(poolBefore, this.options.pool.stats())
    const { executions, validations, validationAborts, dependencyAborts, workerErrors, stateUnavailable } = this.counters
    const { coordinatorMs } = this.ending
    return {
      outcomes: this.outcomes as TxOutcome[],
      stats: {
        scheduler: 'optimistic',
        lanes: this.options.pool.size + (this.options.callingThreadGasCap > 0n ? 1 : 0),
        executions,
        reExecutions: Math.max(0, executions - this.count),
        validations,
        validationAborts,
        dependencyAborts,
        workerErrors,
        stateUnavailable,
        ...(this.draining === undefined ? {} : { fellBack: this.draining }),
        ...activity,
        coordinatorMs,
      },
    }
  }

  /** A transaction waits for its sender's previous one: it would read that one's nonce anyway. */
  private seedSenderOrder(): void {
    const lastOfSender = new Map<string, number>()
    this.ctx.prepared.senders.forEach((sender, index) => {
      const previous = lastOfSender.get(sender)
      lastOfSender.set(sender, index)
      if (previous === undefined) return this.makeReady(index)
      this.status[index] = WAITING
      this.waitFor(previous).push(index)
    })
  }

  // ------------------------------------------------------------------ dispatch

  private pump(): void {
    this.releaseParked()
    const { pool, queuedPerWorker } = this.options
    const limit = pool.size * (1 + queuedPerWorker)
    while (!this.ending.settled && this.draining === undefined && this.inFlight.size < limit && this.ready.size > this.unbuilt) {
      const submission: Submission = { indices: undefined, origin: '' }
      this.unbuilt++
      const task = pool.submit((taskId, worker) => this.build(taskId, worker, submission))
      const tracked = task.then(
        (results) => this.ending.coordinate(() => this.onResults(results, submission.origin)),
        (error: unknown) => this.ending.fail(error),
      )
      this.inFlight.add(tracked)
      void tracked.finally(() => {
        this.inFlight.delete(tracked)
        this.ending.coordinate(() => this.afterTask())
      })
    }
  }

  /** Called by the pool when a worker is free: picks the work then, and the updates that worker lacks. */
  private build(taskId: number, worker: WorkerIdentity, submission: Submission): Extract<WorkerRequest, { type: 'speculate' }> | undefined {
    if (submission.indices === undefined) {
      this.unbuilt--
      submission.indices = this.ending.settled || this.draining !== undefined ? [] : this.pick()
    }
    if (submission.indices.length === 0 || this.ending.settled) return undefined
    submission.origin = ReplicaFeed.originOf(worker)
    return this.feed.request(taskId, worker, submission.indices)
  }

  private pick(): number[] {
    const { pool, maxBatch } = this.options
    const size = Math.max(1, Math.min(maxBatch, Math.ceil(this.ready.size / (2 * pool.size))))
    return this.pickEligible(size, () => true)
  }

  /**
   * Up to `count` of the lowest ready transactions that `eligible` accepts, looking a few past
   * the ones it refuses (which stay ready).
   */
  private pickEligible(count: number, eligible: (index: number) => boolean): number[] {
    const picked: number[] = []
    const skipped: number[] = []
    while (picked.length < count && skipped.length < 8) {
      const index = this.ready.pop()
      if (index === undefined) break
      if (eligible(index)) {
        this.status[index] = EXECUTING
        picked.push(index)
      } else skipped.push(index)
    }
    for (const index of skipped) this.ready.push(index)
    return picked
  }

  /**
   * A heavy transaction (gas limit over `heavyGas`) is parked, ready but not offered, until every
   * transaction before it has executed: run early, it would likely read a value still to be
   * written, and aborting it wastes the most work. Only the lowest unexecuted one can qualify.
   */
  private releaseParked(): void {
    if (this.parked.size === 0) return
    let lowest = this.commitIndex
    while (lowest < this.count && (this.status[lowest] === EXECUTED || this.status[lowest] === COMMITTED)) lowest++
    if (!this.parked.delete(lowest)) return
    this.ready.push(lowest)
    this.wakeLocal?.()
  }

  // ------------------------------------------------------------------ results

  private onResults(results: TaskResult[], origin: string): void {
    if (this.ending.settled) return
    for (const result of results) {
      const index = result.index
      if (this.status[index] !== EXECUTING) continue
      this.counters.executions++
      if ('outcome' in result) this.record(index, result.outcome, origin)
      else if ('blockedOn' in result) {
        this.counters.dependencyAborts++
        this.waitOn(index, result.blockedOn)
      } else if ('error' in result) {
        this.counters.workerErrors++
        if (result.error.code === 'STATE_UNAVAILABLE') this.counters.stateUnavailable++
        this.recordFailure(index)
      }
    }
    this.checkContention()
  }

  private record(index: number, outcome: TxOutcome, origin: string): void {
    const change = this.memory.record(index, outcome.writeSet)
    this.outcomes[index] = outcome
    this.failed[index] = false
    this.status[index] = EXECUTED
    this.readers.set(index, outcome.readSet)
    this.feed.writes(index, outcome.writeSet, origin)
    this.release(index)
    // The worker's replica may have lagged this memory; then its reads are stale already.
    this.revalidate(index)
    for (const reader of this.readers.affected(change, index, (id) => this.memory.nextShadow(id, index))) if (this.status[reader] === EXECUTED) this.revalidate(reader)
  }

  /**
   * The execution threw (speculatively a nonce or balance can be wrong): it writes nothing for
   * now, and at its turn to commit it runs again on the final state, where an error is real.
   */
  private recordFailure(index: number): void {
    const nothing = createWriteSet()
    const change = this.memory.record(index, nothing)
    this.outcomes[index] = undefined
    this.failed[index] = true
    this.status[index] = EXECUTED
    this.readers.clear(index)
    this.feed.writes(index, nothing, 'coordinator')
    this.release(index)
    for (const reader of this.readers.affected(change, index, (id) => this.memory.nextShadow(id, index))) if (this.status[reader] === EXECUTED) this.revalidate(reader)
  }

  /**
   * Early validation: aborts only on a value that changed. A read that meets an ESTIMATE waits for
   * the re-executing transaction's new writes, which re-validate it if they differ (aborting on it,
   * as Block-STM does, would cascade through every reader of a hot key such as the coinbase).
   */
  private revalidate(index: number): void {
    const outcome = this.outcomes[index]
    if (outcome === undefined) return
    this.counters.validations++
    if (this.memory.check(index, outcome.readSet) === 'invalid') this.abort(index)
  }

  /**
   * Its reads are stale: it runs again, and meanwhile its old writes are an ESTIMATE. Its readers
   * are not aborted with it: they are re-validated when its new writes arrive, and only if a value
   * they read changed.
   */
  private abort(index: number): void {
    this.counters.validationAborts++
    this.memory.markEstimate(index)
    this.readers.clear(index)
    this.feed.estimate(index)
    this.makeReady(index)
  }

  private waitOn(index: number, blocking: number): void {
    const blockingDone = (this.status[blocking] === EXECUTED || this.status[blocking] === COMMITTED) && !this.memory.isEstimate(blocking)
    if (blockingDone) return this.makeReady(index)
    this.status[index] = WAITING
    this.waitFor(blocking).push(index)
  }

  private waitFor(blocking: number): number[] {
    let waiters = this.waiting.get(blocking)
    if (waiters === undefined) {
      waiters = []
      this.waiting.set(blocking, waiters)
    }
    return waiters
  }

  private release(index: number): void {
    const waiters = this.waiting.get(index)
    if (waiters === undefined) return
    this.waiting.delete(index)
    for (const waiter of waiters) if (this.status[waiter] === WAITING) this.makeReady(waiter)
  }

  private makeReady(index: number): void {
    this.status[index] = READY
    if (this.ctx.prepared.transactions[index]!.gasLimit > this.options.heavyGas) {
      this.parked.add(index)
      this.releaseParked()
      return
    }
    this.ready.push(index)
    this.wakeLocal?.()
  }

  // ------------------------------------------------------------------ the calling thread as a lane

  private async speculateLocally(): Promise<void> {
    while (!this.ending.settled && this.draining === undefined) {
      const index = this.pickLocal()
      if (index === undefined) {
        await new Promise<void>((resolve) => (this.wakeLocal = resolve))
        this.wakeLocal = undefined
        continue
      }
      await this.withLane(() => this.executeLocally(index))
      this.ending.coordinate(() => {
        this.checkContention()
        this.afterTask()
      })
      // Worker messages wait while this thread executes: let them in between transactions.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** The lowest ready transaction light enough for this thread, looking a few deep. */
  private pickLocal(): number | undefined {
    return this.pickEligible(1, (index) => this.ctx.prepared.transactions[index]!.gasLimit <= this.options.callingThreadGasCap)[0]
  }

  private async executeLocally(index: number): Promise<void> {
    const started = performance.now()
    try {
      const outcome = await executeTransaction(this.ctx.lanes, this.ctx.prepared, index, this.memory.at(index))
      this.counters.executions++
      if (!this.ending.settled) this.record(index, outcome, 'coordinator')
    } catch (error) {
      this.counters.executions++
      if (this.ending.settled) return
      if (error instanceof ReadDependencyError) {
        this.counters.dependencyAborts++
        this.waitOn(index, error.blockingTx)
      } else this.recordFailure(index)
    } finally {
      this.ending.coordinatorMs += performance.now() - started
    }
  }

  private withLane<T>(work: () => Promise<T>): Promise<T> {
    const run = this.laneQueue.then(work, work)
    this.laneQueue = run.catch(() => {})
    return run
  }

  private checkContention(): void {
    const limit = this.options.contentionLimit
    const { executions, validationAborts, dependencyAborts } = this.counters
    if (limit === undefined || this.draining !== undefined || executions < limit.minExecutions) return
    const aborts = validationAborts + dependencyAborts
    if (aborts / executions <= limit.abortRatio) return
    this.draining = `contention: ${aborts} of ${executions} executions aborted by transaction ${this.commitIndex}, so the rest ran sequentially`
  }

  // ------------------------------------------------------------------ commit

  private afterTask(): void {
    this.pump()
    void this.commit()
  }

  /** Commits every transaction at the front whose reads are final and still hold, in block order. */
  private async commit(): Promise<void> {
    if (this.committing || this.ending.settled) return
    this.committing = true
    try {
      while (!this.ending.settled && this.commitIndex < this.count) {
        const index = this.commitIndex
        const sequentialRest = this.draining !== undefined && this.inFlight.size === 0
        if (this.status[index] !== EXECUTED && !sequentialRest) break
        assertBlockGasAvailable(this.ctx.prepared, index, this.gasUsed)
        // Everything before `index` is committed, so the memory as `index` reads it is final.
        const outcome = this.outcomes[index]
        if (this.status[index] === EXECUTED && outcome !== undefined && this.validated(index, outcome)) this.commitOutcome(index, outcome)
        else if (this.failed[index] || sequentialRest) await this.executeHere(index)
        else {
          this.abort(index)
          this.pump()
          break
        }
      }
      if (this.commitIndex === this.count) this.ending.settle()
    } catch (error) {
      this.ending.fail(error)
    } finally {
      this.committing = false
    }
    // A transaction run here may have released waiters.
    this.pump()
  }

  private validated(index: number, outcome: TxOutcome): boolean {
    this.counters.validations++
    return this.memory.validate(index, outcome.readSet)
  }

  /** Runs transaction `index` on the calling thread, on the final state before it, and commits it. */
  private async executeHere(index: number): Promise<void> {
    const started = performance.now()
    const outcome = await this.withLane(() => executeTransaction(this.ctx.lanes, this.ctx.prepared, index, this.memory.at(index)))
    this.ending.coordinatorMs += performance.now() - started
    this.counters.executions++
    if (this.ending.settled) return
    if (this.draining !== undefined) this.memory.record(index, outcome.writeSet)
    else this.record(index, outcome, 'coordinator')
    this.commitOutcome(index, outcome)
  }

  private commitOutcome(index: number, outcome: TxOutcome): void {
    this.outcomes[index] = outcome
    this.gasUsed += outcome.blockGasUsed
    this.status[index] = COMMITTED
    this.commitIndex++
  }

}
