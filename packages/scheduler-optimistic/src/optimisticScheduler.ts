import type { Block } from '@ethereumjs/block'
import { InvalidOptionError, WorkerPool, type BlockInput, type Scheduler, type WorkerCount } from '@parallel-evm/core'
import {
  resolveWorkerCount,
  executeSequential,
  recoverSendersOnPool,
  withWorkerState,
  type ScheduleResult,
  type SchedulerContext,
} from '@parallel-evm/core/internal'
import { runBlockStm } from './blockStm.js'
import { cannotShipState, DEFAULT_FALLBACK, fallbackReason, type FallbackThresholds } from './fallbackPolicy.js'

export interface OptimisticSchedulerOptions {
  /**
   * Worker threads executing transactions: a count, or `'auto'` (the default) for one lane per core,
   * the calling thread being one of them when it executes too (`callingThreadGasCap` above 0).
   */
  workers?: WorkerCount
  /** Most transactions per task (default 8). */
  maxBatch?: number
  /**
   * The calling thread also executes transactions whose gas limit is at most this (default
   * 500,000; 0n: it only coordinates). It then counts as one more lane.
   */
  callingThreadGasCap?: bigint
  /**
   * Transactions with a gas limit over this (default 500,000) start only once every earlier
   * transaction has executed, so the expensive ones are rarely aborted.
   */
  heavyGas?: bigint
  /** Thresholds for running a block sequentially instead; `false` always runs in parallel. */
  fallback?: Partial<FallbackThresholds> | false
  /** A task without an answer for this long counts as a hung worker (default 120 s). */
  taskTimeoutMs?: number
  /** The lane worker's file, for apps that bundle parallel-evm (see `WorkerPoolOptions.laneWorker`). */
  laneWorker?: URL | string
  /** A pool to run on instead of starting one; the caller closes it. */
  pool?: WorkerPool
}

export interface OptimisticScheduler extends Scheduler {
  readonly workers: number
  /** Stops the worker threads. */
  close(): Promise<void>
}

/**
 * The optimistic (Block-STM) scheduler: transactions run speculatively on worker threads, are
 * validated against a multi-version memory, re-run when a read proves stale, and commit in block
 * order, so the result is the sequential one. Workers start on the first parallel block and live
 * until `close()`.
 */
export function createOptimisticScheduler(options: OptimisticSchedulerOptions = {}): OptimisticScheduler {
  const maxBatch = options.maxBatch ?? 8
  const callingThreadGasCap = options.callingThreadGasCap ?? 500_000n
  // Beside a pool, its size; a count given must be that size.
  const workers = resolveWorkerCount(options.workers, callingThreadGasCap > 0n ? 1 : 0, 'workers', options.pool?.size)
  const heavyGas = options.heavyGas ?? 500_000n
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidOptionError({ option: 'maxBatch', reason: `${maxBatch} is not a positive integer` })
  const thresholds: FallbackThresholds | undefined = options.fallback === false ? undefined : { ...DEFAULT_FALLBACK, ...options.fallback }
  let pool: Promise<WorkerPool> | undefined = options.pool === undefined ? undefined : Promise.resolve(options.pool)
  let closed = false

  async function execute(ctx: SchedulerContext): Promise<ScheduleResult> {
    if (closed) throw new InvalidOptionError({ option: 'scheduler', reason: 'the optimistic scheduler was closed' })
    // cannotShipState is part of fallbackReason, and rules the workers out even without thresholds.
    const reason = thresholds === undefined ? cannotShipState(ctx) : fallbackReason(ctx, thresholds)
    if (reason !== undefined) {
      const sequential = await executeSequential(ctx)
      return { outcomes: sequential.outcomes, stats: { ...sequential.stats, scheduler: 'optimistic', fellBack: reason } }
    }
    const workerPool = await startedPool()
    const { value: result, stateBytes } = await withWorkerState(workerPool, ctx.state, () =>
      runBlockStm(ctx, { pool: workerPool, maxBatch, queuedPerWorker: 1, contentionLimit: thresholds?.contention, callingThreadGasCap, heavyGas }),
    )
    return { ...result, stats: { ...result.stats, stateBytes } }
  }

  function startedPool(): Promise<WorkerPool> {
    pool ??= WorkerPool.create({ size: workers, ...(options.taskTimeoutMs === undefined ? {} : { taskTimeoutMs: options.taskTimeoutMs }), ...(options.laneWorker === undefined ? {} : { laneWorker: options.laneWorker }) })
    return pool
  }

  return {
    name: 'optimistic',
    workers,
    execute,
    recoverSenders: (input: BlockInput, block: Block) => recoverSendersOnPool(closed ? undefined : startedPool, workers, input, block),
    async close() {
      closed = true
      // A pool that failed to start has nothing to close; its error was the block's to report.
      if (pool !== undefined && options.pool === undefined) await (await pool.catch(() => undefined))?.close()
    },
  }
}
