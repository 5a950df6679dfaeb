import type { Block } from '@ethereumjs/block'
import { accessListSets, actualAccessSets, blockAccessLists, combineAccessSets, staticAccessSets, txAccessSets, type TxAccessSets } from '@parallel-evm/conflicts'
import {
  InvalidOptionError,
  toAddressHex,
  WorkerPool,
  type BlockInput,
  type PreparedBlock,
  type Scheduler,
  type TxOutcome,
  type WorkerCount,
} from '@parallel-evm/core'
import {
  cannotShipState,
  executeSequential,
  expectedBlockGas,
  recoverSendersOnPool,
  resolveWorkerCount,
  senderBoundSpeedup,
  withWorkerState,
  type ScheduleResult,
  type SchedulerContext,
} from '@parallel-evm/core/internal'
import { hintsForPlan, type BlockHints } from './blockHints.js'
import { planBlock, plannedSpeedupBound, type BlockPlan } from './blockPlan.js'
import { scorePlan, type PlanScore } from './planScore.js'
import { runStaticPlan } from './staticRun.js'

/**
 * Where the plan's prediction comes from; several are combined:
 * - `static`: facts from each transaction alone (sender, recipient, created address, value);
 * - `access-list`: the transactions' EIP-2930 access lists;
 * - `preexec`: each transaction run first on the parent state, on the workers (its outcome is kept
 *   when the plan shows nothing it read changed);
 * - `hints`: the `hints` option (dependency lists or access lists from the block's producer or an
 *   earlier run).
 */
export type StaticPredictionSource = 'static' | 'access-list' | 'preexec' | 'hints'

export const staticPredictionSources: readonly StaticPredictionSource[] = ['static', 'access-list', 'preexec', 'hints']

/** When a block runs sequentially on the calling thread instead. */
export interface StaticFallbackThresholds {
  /** Blocks with fewer transactions run sequentially. */
  minTransactions: number
  /** Blocks whose header claims less gas used (or whose gas limits add up to less) run sequentially. */
  minGasUsed: bigint
  /**
   * Blocks whose plan (or, before pre-execution, whose senders' nonce chains) cannot beat this
   * speedup on the workers even in the best case run sequentially.
   */
  minSpeedupBound: number
}

export const DEFAULT_STATIC_FALLBACK: StaticFallbackThresholds = { minTransactions: 8, minGasUsed: 1_000_000n, minSpeedupBound: 1.3 }

export interface StaticSchedulerOptions {
  /** Worker threads executing transactions: a count, or `'auto'` (the default) for one per core. */
  workers?: WorkerCount
  /** Prediction sources, combined (default `['static', 'access-list']`, or `['hints']` with `hints`). */
  predict?: readonly StaticPredictionSource[]
  /** Hints for every block, or per block (undefined: none for that block). */
  hints?: BlockHints | ((block: PreparedBlock) => BlockHints | undefined)
  /** Most transactions in one task (default 8). */
  maxBatch?: number
  /** Thresholds for running a block sequentially instead; `false` always runs on the workers. */
  fallback?: Partial<StaticFallbackThresholds> | false
  /** A task without an answer for this long counts as a hung worker (default 120 s). */
  taskTimeoutMs?: number
  /** The lane worker's file, for apps that bundle parallel-evm (see `WorkerPoolOptions.laneWorker`). */
  laneWorker?: URL | string
  /** A pool to run on instead of starting one; the caller closes it. */
  pool?: WorkerPool
}

export interface StaticScheduler extends Scheduler {
  readonly workers: number
  readonly predict: readonly StaticPredictionSource[]
  close(): Promise<void>
}

/**
 * The static scheduler: plans each block's dependency graph from predicted access sets or hints,
 * runs it on worker threads in the plan's order, verifies every transaction at commit and re-runs
 * those the plan got wrong. `stats.plan` scores the prediction against what really happened.
 */
export function createStaticScheduler(options: StaticSchedulerOptions = {}): StaticScheduler {
  // Beside a pool, its size; a count given must be that size.
  const workers = resolveWorkerCount(options.workers, 0, 'workers', options.pool?.size)
  const predict = options.predict ?? (options.hints === undefined ? ['static', 'access-list'] : ['hints'])
  for (const source of predict) if (!staticPredictionSources.includes(source)) throw new InvalidOptionError({ option: 'predict', reason: `"${source}" is not one of ${staticPredictionSources.join(', ')}` })
  if (predict.length === 0) throw new InvalidOptionError({ option: 'predict', reason: 'names no source (the static facts are "static")' })
  if (predict.includes('hints') && options.hints === undefined) throw new InvalidOptionError({ option: 'hints', reason: 'the "hints" prediction source needs hints' })
  const maxBatch = options.maxBatch ?? 8
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidOptionError({ option: 'maxBatch', reason: `${maxBatch} is not a positive integer` })
  const thresholds = options.fallback === false ? undefined : { ...DEFAULT_STATIC_FALLBACK, ...options.fallback }
  const source = predict.join('+')
  let pool: Promise<WorkerPool> | undefined = options.pool === undefined ? undefined : Promise.resolve(options.pool)
  let closed = false

  function startedPool(): Promise<WorkerPool> {
    pool ??= WorkerPool.create({ size: workers, ...(options.taskTimeoutMs === undefined ? {} : { taskTimeoutMs: options.taskTimeoutMs }), ...(options.laneWorker === undefined ? {} : { laneWorker: options.laneWorker }) })
    return pool
  }

  /** The plan from every source known before execution; `preexecuted` adds pre-execution's sets. */
  function planOf(prepared: PreparedBlock, preexecuted?: readonly (TxOutcome | undefined)[]): BlockPlan {
    const predictions: TxAccessSets[][] = []
    let dependencies: number[][] | undefined
    if (predict.includes('static') || preexecuted !== undefined) predictions.push(staticAccessSets(prepared))
    if (predict.includes('access-list')) predictions.push(accessListSets(blockAccessLists(prepared)))
    if (predict.includes('hints')) {
      const hints = typeof options.hints === 'function' ? options.hints(prepared) : options.hints
      if (hints !== undefined) {
        const fromHints = hintsForPlan(hints, prepared.transactions.length)
        if (fromHints.sets !== undefined) predictions.push(fromHints.sets)
        dependencies = fromHints.dependencies
      }
    }
    if (preexecuted !== undefined) {
      const coinbase = toAddressHex(prepared.header.coinbase)
      // A transaction pre-execution could not run is planned from the static facts alone.
      predictions.push(preexecuted.map((outcome) => (outcome === undefined ? emptySets() : txAccessSets(outcome, 'credits', coinbase))))
    }
    return planBlock(prepared, { sets: combineAccessSets(...predictions), ...(dependencies === undefined ? {} : { dependencies }) })
  }

  async function execute(ctx: SchedulerContext): Promise<ScheduleResult> {
    if (closed) throw new InvalidOptionError({ option: 'scheduler', reason: 'the static scheduler was closed' })
    const preexec = predict.includes('preexec')
    const planStarted = performance.now()
    const plan = preexec ? undefined : planOf(ctx.prepared)
    const planMs = performance.now() - planStarted
    const reason = cannotShipState(ctx) ?? (thresholds === undefined ? undefined : fallbackReason(ctx, thresholds, plan, workers))
    if (reason !== undefined) {
      const sequential = await executeSequential(ctx)
      // The plan that was turned down is still scored: it says how good the prediction was.
      const scored = plan === undefined ? undefined : { source, ...scoreAgainst(plan, sequential.outcomes, ctx.prepared), mispredictionReExecutions: 0, predictMs: 0, planMs }
      return { outcomes: sequential.outcomes, stats: { ...sequential.stats, scheduler: 'static', fellBack: reason, ...(scored === undefined ? {} : { plan: scored }) } }
    }
    const workerPool = await startedPool()
    const { value: run, stateBytes } = await withWorkerState(workerPool, ctx.state, () =>
      runStaticPlan(ctx, { pool: workerPool, maxBatch, queuedPerWorker: 1, plan: plan ?? ((preexecuted) => planOf(ctx.prepared, preexecuted)) }),
    )
    const score = scoreAgainst(run.plan, run.outcomes, ctx.prepared)
    return {
      outcomes: run.outcomes,
      stats: {
        ...run.stats,
        stateBytes,
        plan: { source, ...score, mispredictionReExecutions: run.mispredictionReExecutions, predictMs: run.predictMs, planMs: plan === undefined ? run.planMs : planMs },
      },
    }
  }

  /** The plan against what the block really did, with the time that took. */
  function scoreAgainst(plan: BlockPlan, outcomes: TxOutcome[], prepared: PreparedBlock): PlanScore & { scoreMs: number } {
    const started = performance.now()
    const score = scorePlan(plan, actualAccessSets({ outcomes, header: prepared.header }))
    return { ...score, scoreMs: performance.now() - started }
  }

  return {
    name: 'static',
    workers,
    predict,
    execute,
    recoverSenders: (input: BlockInput, block: Block) => recoverSendersOnPool(closed ? undefined : startedPool, workers, input, block),
    async close() {
      closed = true
      // A pool that failed to start has nothing to close; its error was the block's to report.
      if (pool !== undefined && options.pool === undefined) await (await pool.catch(() => undefined))?.close()
    },
  }
}

function fallbackReason(ctx: SchedulerContext, thresholds: StaticFallbackThresholds, plan: BlockPlan | undefined, workers: number): string | undefined {
  const count = ctx.prepared.transactions.length
  if (count < thresholds.minTransactions) return `${count} transactions, under ${thresholds.minTransactions}`
  const gas = expectedBlockGas(ctx)
  if (gas < thresholds.minGasUsed) return `${gas} gas used, under ${thresholds.minGasUsed}`
  const bound = plan === undefined ? Math.min(senderBoundSpeedup(ctx), workers) : plannedSpeedupBound(ctx.prepared, plan, workers)
  if (bound < thresholds.minSpeedupBound) return `the ${plan === undefined ? "senders' nonce chains" : 'plan'} bound the speedup to ${bound.toFixed(2)}x, under ${thresholds.minSpeedupBound}x`
  return undefined
}

function emptySets(): TxAccessSets {
  return { reads: new Set(), writes: new Set(), deltas: new Set(), chained: new Set() }
}
