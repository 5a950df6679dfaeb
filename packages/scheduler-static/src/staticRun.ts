import { createWriteSet, type TxOutcome, type WorkerPool } from '@parallel-evm/core'
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
import type { BlockPlan } from './blockPlan.js'
import { PriorityQueue } from './priorityQueue.js'

/** Waiting for planned dependencies (or, before a pre-execution plan exists, for the plan). */
const PENDING = 0
const READY = 1
const EXECUTING = 2
/** Executed, and checked against its planned dependencies: it waits only for its turn to commit. */
const EXECUTED = 3
/** Pre-executed before the plan: its outcome is checked once its planned dependencies have run. */
const RECHECK = 4
const COMMITTED = 5

export interface StaticRunOptions {
  pool: WorkerPool
  /** Most transactions in one task (a ready transaction plus dependents only it holds back). */
  maxBatch: number
  /** Tasks queued per worker beyond the one it runs. */
  queuedPerWorker: number
  /**
   * The plan, or (pre-execution) how to make one from what each transaction touched when run
   * before any plan: `undefined` for those that could not run yet (a sender's later transactions).
   */
  plan: BlockPlan | ((preexecuted: readonly (TxOutcome | undefined)[]) => BlockPlan)
}

export interface StaticRunResult extends ScheduleResult {
  plan: BlockPlan
  /** Pre-execution time when the plan came from it (until the last pre-executed result), in ms. */
  predictMs: number
  planMs: number
  mispredictionReExecutions: number
}

/**
 * Runs a block on the pool in the order a plan gives: a transaction goes to a worker once the
 * transactions it is planned to depend on have executed, the most critical first. Each worker
 * replicates the block's multi-version memory, so a transaction reads exactly the earlier writes
 * recorded so far. At its turn to commit (everything before it final) each transaction's reads
 * are validated by value; one that read too early, because the plan missed a dependency, runs
 * again there, and its later readers fail their own validation and run again in turn. The result
 * never depends on the plan, only the time does.
 */
export async function runStaticPlan(ctx: SchedulerContext, options: StaticRunOptions): Promise<StaticRunResult> {
  return new StaticRun(ctx, options).run()
}

class StaticRun {
  private readonly count: number
  private readonly memory: MultiVersionMemory
  private readonly feed: ReplicaFeed
  private readonly status: Uint8Array
  private readonly outcomes: (TxOutcome | undefined)[]
  /** Its latest execution threw (a nonce or balance seen too early): it runs again at commit. */
  private readonly failed: boolean[]
  private plan: BlockPlan | undefined
  private pendingDeps: Int32Array
  private ready: PriorityQueue
  private readonly inFlight = new Set<Promise<unknown>>()
  private unbuilt = 0
  private commitIndex = 0
  private gasUsed = 0n
  private committing = false
  /** The transaction the calling thread is re-running at its turn to commit, if any. */
  private runningHere: number | undefined
  private laneQueue: Promise<unknown> = Promise.resolve()
  private readonly started = performance.now()
  private readonly counters = { executions: 0, validations: 0, validationAborts: 0, workerErrors: 0, stateUnavailable: 0, predictMs: 0, planMs: 0 }
  private readonly ending = new RunSettlement()

  constructor(
    private readonly ctx: SchedulerContext,
    private readonly options: StaticRunOptions,
  ) {
    this.count = ctx.prepared.transactions.length
    this.memory = new MultiVersionMemory(ctx.parent)
    this.feed = new ReplicaFeed(ctx, options.pool, 'static')
    this.status = new Uint8Array(this.count)
    this.outcomes = new Array(this.count)
    this.failed = new Array(this.count).fill(false)
    this.pendingDeps = new Int32Array(this.count)
    this.ready = new PriorityQueue(ctx.prepared.transactions.map((tx) => tx.gasLimit))
  }

  async run(): Promise<StaticRunResult> {
    const poolBefore = this.options.pool.stats()
    const done = this.ending.done
    this.ending.coordinate(() => {
      if (typeof this.options.plan === 'function') this.startPreexecution()
      else this.adopt(this.options.plan)
      // An empty block has nothing to pre-execute: its (empty) plan comes at once.
      if (this.plan === undefined && this.count === 0) this.planFromPreexecution()
      this.pump()
      if (this.count === 0) this.ending.settle()
    })
    try {
      await done
    } finally {
      // The pool must be idle before the next block ships its state, and the lane free for the block path.
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
      await this.laneQueue
    }
    const activity = poolActivity(poolBefore, this.options.pool.stats())
    const { executions, validations, validationAborts, workerErrors, stateUnavailable, predictMs, planMs } = this.counters
    const { coordinatorMs } = this.ending
    return {
      outcomes: this.outcomes as TxOutcome[],
      plan: this.plan!,
      predictMs,
      planMs,
      mispredictionReExecutions: validationAborts,
      stats: {
        scheduler: 'static',
        lanes: this.options.pool.size,
        executions,
        reExecutions: Math.max(0, executions - this.count),
        validations,
        validationAborts,
        workerErrors,
        stateUnavailable,
        ...activity,
        coordinatorMs,
      },
    }
  }

  // ------------------------------------------------------------------ planning

  /** Every transaction a sender's earlier one does not hold back runs at once, on the parent state. */
  private startPreexecution(): void {
    const senders = new Set<string>()
    this.ctx.prepared.senders.forEach((sender, index) => {
      if (senders.has(sender)) return
      senders.add(sender)
      this.status[index] = READY
      this.ready.push(index)
    })
  }

  /** Pre-execution is over: plan from what it touched, and check its outcomes against the plan. */
  private planFromPreexecution(): void {
    this.counters.predictMs = performance.now() - this.started
    const planned = performance.now()
    const outcomes = this.outcomes.map((outcome, index) => (this.failed[index] ? undefined : outcome))
    const plan = (this.options.plan as (preexecuted: readonly (TxOutcome | undefined)[]) => BlockPlan)(outcomes)
    this.counters.planMs = performance.now() - planned
    this.adopt(plan)
  }

  private adopt(plan: BlockPlan): void {
    this.plan = plan
    this.ready = new PriorityQueue(plan.remainingGas)
    const open = (index: number) => this.status[index] !== COMMITTED && index !== this.runningHere
    // A pre-executed outcome counts as done only once checked against its planned dependencies.
    for (let index = 0; index < this.count; index++) if (open(index) && this.status[index] === EXECUTED) this.status[index] = RECHECK
    for (let index = 0; index < this.count; index++) if (open(index)) this.pendingDeps[index] = plan.dependencies[index]!.filter((dep) => !this.isDone(dep)).length
    // In block order: a check that passes releases its dependents, which may pass theirs in turn.
    for (let index = 0; index < this.count; index++) {
      if (!open(index) || this.pendingDeps[index]! > 0) continue
      if (this.status[index] === RECHECK) this.recheck(index)
      else if (this.status[index] === PENDING) this.makeReady(index)
    }
  }

  private isDone(index: number): boolean {
    return this.status[index] === EXECUTED || this.status[index] === COMMITTED
  }

  /** Its planned dependencies have run since it executed: keep its outcome if its reads still hold. */
  private recheck(index: number): void {
    const outcome = this.outcomes[index]
    this.counters.validations++
    if (!this.failed[index] && outcome !== undefined && this.memory.validate(index, outcome.readSet)) this.markDone(index)
    else this.makeReady(index)
  }

  private makeReady(index: number): void {
    this.status[index] = READY
    this.ready.push(index)
  }

  /** Executed with its planned dependencies before it: its dependents may go. */
  private markDone(index: number): void {
    this.status[index] = EXECUTED
    if (this.plan === undefined) return
    for (const dependent of this.plan.dependents[index]!) {
      if (--this.pendingDeps[dependent]! > 0) continue
      if (this.status[dependent] === PENDING) this.makeReady(dependent)
      else if (this.status[dependent] === RECHECK) this.recheck(dependent)
    }
  }

  // ------------------------------------------------------------------ dispatch

  private pump(): void {
    const { pool, queuedPerWorker } = this.options
    const limit = pool.size * (1 + queuedPerWorker)
    while (!this.ending.settled && this.inFlight.size < limit && this.ready.size > this.unbuilt) {
      const submission = { indices: undefined as number[] | undefined, origin: '' }
      this.unbuilt++
      // Queued behind a worker's running task, so no worker waits for a round trip to the coordinator.
      const task = this.options.pool.submit((taskId, worker) => this.build(taskId, worker, submission), { queueBehind: true })
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

  /** Called when a worker is free: picks the work then, with the updates that worker lacks. */
  private build(taskId: number, worker: WorkerIdentity, submission: { indices: number[] | undefined; origin: string }): Extract<WorkerRequest, { type: 'speculate' }> | undefined {
    if (submission.indices === undefined) {
      this.unbuilt--
      submission.indices = this.ending.settled ? [] : this.pick()
    }
    if (submission.indices.length === 0 || this.ending.settled) return undefined
    submission.origin = ReplicaFeed.originOf(worker)
    return this.feed.requestFor(taskId, worker, submission.indices, this.neededBy(submission.indices))
  }

  /** The planned dependencies of a batch outside it: the only earlier writes its worker needs. */
  private neededBy(indices: readonly number[]): Set<number> {
    const needed = new Set<number>()
    if (this.plan === undefined) return needed
    for (const index of indices) for (const dep of this.plan.dependencies[index]!) needed.add(dep)
    for (const index of indices) needed.delete(index)
    return needed
  }

  /**
   * The most critical ready transactions, a share of what is ready so every worker gets some, plus
   * dependents whose every dependency is done or in the batch: the worker runs them in block order
   * on its replica, so a chain costs one message instead of a round trip per link.
   */
  private pick(): number[] {
    const { pool, maxBatch } = this.options
    const heads = Math.max(1, Math.min(maxBatch, Math.ceil(this.ready.size / (2 * pool.size))))
    const batch: number[] = []
    const inBatch = new Set<number>()
    const take = (index: number) => {
      this.status[index] = EXECUTING
      batch.push(index)
      inBatch.add(index)
    }
    while (batch.length < heads) {
      const index = this.ready.pop()
      if (index === undefined) break
      take(index)
    }
    if (this.plan !== undefined) {
      for (let k = 0; k < batch.length && batch.length < maxBatch; k++) {
        for (const dependent of this.plan.dependents[batch[k]!]!) {
          if (batch.length >= maxBatch) break
          if (this.status[dependent] !== PENDING) continue
          if (this.plan.dependencies[dependent]!.every((dep) => inBatch.has(dep) || this.isDone(dep))) take(dependent)
        }
      }
    }
    return batch.sort((a, b) => a - b)
  }

  // ------------------------------------------------------------------ results

  private onResults(results: TaskResult[], origin: string): void {
    if (this.ending.settled) return
    for (const result of results) {
      const index = result.index
      if (this.status[index] !== EXECUTING) continue
      this.counters.executions++
      if ('outcome' in result) {
        this.memory.record(index, result.outcome.writeSet)
        this.feed.writes(index, result.outcome.writeSet, origin)
        this.outcomes[index] = result.outcome
        this.failed[index] = false
      } else {
        // An error (or, never expected here, an ESTIMATE): at its turn to commit it runs again on the final state.
        this.counters.workerErrors++
        if ('error' in result && result.error.code === 'STATE_UNAVAILABLE') this.counters.stateUnavailable++
        const nothing = createWriteSet()
        this.memory.record(index, nothing)
        this.feed.writes(index, nothing, 'coordinator')
        this.outcomes[index] = undefined
        this.failed[index] = true
      }
      if (this.plan === undefined) this.status[index] = EXECUTED
      else this.markDone(index)
    }
  }

  private afterTask(): void {
    if (this.plan === undefined && this.ready.size === 0 && this.inFlight.size === 0) this.planFromPreexecution()
    this.pump()
    void this.commit()
  }

  // ------------------------------------------------------------------ commit

  /** Commits, in block order, every transaction at the front whose reads hold on the final state. */
  private async commit(): Promise<void> {
    if (this.committing || this.ending.settled) return
    this.committing = true
    try {
      while (!this.ending.settled && this.commitIndex < this.count && this.status[this.commitIndex] === EXECUTED) {
        const index = this.commitIndex
        assertBlockGasAvailable(this.ctx.prepared, index, this.gasUsed)
        const outcome = this.outcomes[index]
        this.counters.validations++
        if (!this.failed[index] && outcome !== undefined && this.memory.validate(index, outcome.readSet)) this.commitOutcome(index, outcome)
        else {
          if (!this.failed[index]) this.counters.validationAborts++
          await this.executeHere(index)
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

  /** Runs transaction `index` on the calling thread on the final state before it, and commits it. */
  private async executeHere(index: number): Promise<void> {
    const started = performance.now()
    this.runningHere = index
    const run = this.laneQueue.then(() => executeTransaction(this.ctx.lanes, this.ctx.prepared, index, this.memory.at(index)))
    this.laneQueue = run.catch(() => {})
    const outcome = await run.finally(() => (this.runningHere = undefined))
    this.ending.coordinatorMs += performance.now() - started
    this.counters.executions++
    if (this.ending.settled) return
    this.memory.record(index, outcome.writeSet)
    this.feed.writes(index, outcome.writeSet, 'coordinator')
    this.failed[index] = false
    this.commitOutcome(index, outcome)
  }

  private commitOutcome(index: number, outcome: TxOutcome): void {
    this.outcomes[index] = outcome
    this.gasUsed += outcome.blockGasUsed
    this.status[index] = COMMITTED
    this.commitIndex++
  }

}
