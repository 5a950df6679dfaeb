import type { Block } from '@ethereumjs/block'
import { accessListSets, blockAccessLists, combineAccessSets, staticAccessSets, txAccessSets, type TxAccessSets } from '@parallel-evm/conflicts'
import {
  InvalidOptionError,
  toAddressHex,
  WorkerPool,
  type BlockInput,
  type PreparedBlock,
  type Scheduler,
  type ShardStats,
  type WorkerCount,
} from '@parallel-evm/core'
import {
  cannotShipState,
  executeSequential,
  expectedBlockGas,
  assertWorkerCount,
  resolveWorkerCount,
  recoverSendersOnPool,
  senderBoundSpeedup,
  type ScheduleResult,
  type SchedulerContext,
  type TaskResult,
} from '@parallel-evm/core/internal'
import { createActivityPartitioner } from './activityPartitioner.js'
import { createHashPartitioner, type Partitioner } from './partitioner.js'
import { runSharded } from './shardedRun.js'
import { workerThreadTransport, type ShardTransport } from './shardTransport.js'
import { MAX_SHARDS, routedSpeedupBound, routeTransactions } from './txRoutes.js'

/**
 * Where each transaction's predicted access set comes from; several are combined:
 * - `static`: facts from the transaction alone (sender, recipient, created account, value);
 * - `access-list`: its EIP-2930 access list;
 * - `preexec`: the transaction run first, alone, on the parent state, spread over the shards.
 */
export type ShardedPredictionSource = 'static' | 'access-list' | 'preexec'

export const shardedPredictionSources: readonly ShardedPredictionSource[] = ['static', 'access-list', 'preexec']

export const partitionerNames = ['hash', 'activity'] as const
export type PartitionerName = (typeof partitionerNames)[number]

/** When a block runs sequentially on the calling thread instead. */
export interface ShardedFallbackThresholds {
  /** Blocks with fewer transactions run sequentially. */
  minTransactions: number
  /** Blocks whose header claims less gas used (or whose gas limits add up to less) run sequentially. */
  minGasUsed: bigint
  /**
   * Blocks whose senders' nonce chains (before prediction) or whose routes (after it, see
   * `routedSpeedupBound`) cannot beat this speedup on the shards even in the best case run sequentially.
   */
  minSpeedupBound: number
}

export const DEFAULT_SHARDED_FALLBACK: ShardedFallbackThresholds = { minTransactions: 8, minGasUsed: 1_000_000n, minSpeedupBound: 1.3 }

export interface ShardedSchedulerOptions {
  /** Shards, each a worker thread (at most 30): a count, or `'auto'` (the default) for one per core. */
  workers?: WorkerCount
  /** How state is placed on shards (default `hash`); an instance keeps its placements across blocks. */
  partitioner?: PartitionerName | Partitioner
  /** Prediction sources, combined (default all three). */
  predict?: readonly ShardedPredictionSource[]
  /**
   * Access sets known before execution, added to the predicted ones: a block producer's
   * block-level access lists (as EIP-7928 proposes), or an earlier run's. Undefined: none for the block.
   */
  accessSets?: (block: PreparedBlock) => readonly TxAccessSets[] | undefined
  /** Most transactions in one message to a shard (default 16). */
  maxBatch?: number
  /** Thresholds for running a block sequentially instead; `false` always runs on the shards. */
  fallback?: Partial<ShardedFallbackThresholds> | false
  /** A message without an answer for this long counts as a dead shard (default 120 s). */
  taskTimeoutMs?: number
  /** The lane worker's file, for apps that bundle parallel-evm (see `WorkerPoolOptions.laneWorker`). */
  laneWorker?: URL | string
  /** A pool whose workers are the shards, instead of starting one; the caller closes it. */
  pool?: WorkerPool
  /** How to reach the shards instead (e.g. over a network); the caller closes it. */
  transport?: ShardTransport
}

/** `stats.sharded`: how the block was partitioned and what the protocol did. */
export type ShardedBlockStats = ShardStats

export interface ShardedScheduler extends Scheduler {
  readonly workers: number
  readonly partitioner: Partitioner
  readonly predict: readonly ShardedPredictionSource[]
  close(): Promise<void>
}

let preexecBlocks = 0

/**
 * The sharded scheduler: each shard is a worker thread that owns a partition of the state; each
 * block's transactions are routed to the shard that owns their sender and run under a
 * deterministic cross-shard protocol (see `runSharded`), with agreement on commit. The result is
 * the sequential one whatever the partition and prediction; they decide only the time.
 */
export function createShardedScheduler(options: ShardedSchedulerOptions = {}): ShardedScheduler {
  const requested = options.workers ?? 'auto'
  const workers = options.transport?.shards ?? options.pool?.size ?? (requested === 'auto' ? Math.min(MAX_SHARDS, resolveWorkerCount('auto', 0)) : requested)
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_SHARDS) throw new InvalidOptionError({ option: 'workers', reason: `${JSON.stringify(workers)} is not a shard count from 1 to ${MAX_SHARDS}` })
  // Shards of a transport run elsewhere; here each shard is a worker thread.
  if (options.transport === undefined) assertWorkerCount(workers)
  if (requested !== 'auto' && requested !== workers) throw new InvalidOptionError({ option: 'workers', reason: `${requested} differs from the ${workers} shards of the given pool or transport` })
  const partitioner = partitionerOf(options.partitioner ?? 'hash')
  const predict = options.predict ?? shardedPredictionSources
  for (const source of predict) if (!shardedPredictionSources.includes(source)) throw new InvalidOptionError({ option: 'predict', reason: `"${source}" is not one of ${shardedPredictionSources.join(', ')}` })
  const maxBatch = options.maxBatch ?? 16
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new InvalidOptionError({ option: 'maxBatch', reason: `${maxBatch} is not a positive integer` })
  const thresholds = options.fallback === false ? undefined : { ...DEFAULT_SHARDED_FALLBACK, ...options.fallback }
  let pool: Promise<WorkerPool> | undefined = options.pool === undefined ? undefined : Promise.resolve(options.pool)
  let closed = false

  function startedPool(): Promise<WorkerPool> {
    pool ??= WorkerPool.create({ size: workers, ...(options.taskTimeoutMs === undefined ? {} : { taskTimeoutMs: options.taskTimeoutMs }), ...(options.laneWorker === undefined ? {} : { laneWorker: options.laneWorker }) })
    return pool
  }

  async function transportOf(): Promise<ShardTransport> {
    return options.transport ?? workerThreadTransport(await startedPool())
  }

  async function execute(ctx: SchedulerContext): Promise<ScheduleResult> {
    if (closed) throw new InvalidOptionError({ option: 'scheduler', reason: 'the sharded scheduler was closed' })
    const reason = cannotShipState(ctx) ?? (thresholds === undefined ? undefined : fallbackReason(ctx, thresholds, workers))
    if (reason !== undefined) {
      const sequential = await executeSequential(ctx)
      return { outcomes: sequential.outcomes, stats: { ...sequential.stats, scheduler: 'sharded', fellBack: reason } }
    }
    const transport = await transportOf()
    const { value, stateBytes } = await transport.withParentState(ctx.state, async () => {
      const predictStarted = performance.now()
      const sets = await predictedSets(ctx, transport)
      const predictMs = performance.now() - predictStarted
      const partitionStarted = performance.now()
      const coinbase = toAddressHex(ctx.prepared.header.coinbase)
      const profile = { prepared: ctx.prepared, sets, coinbase, parent: ctx.parent }
      const { ownership, migration } = partitioner.partition(profile, workers)
      const routes = routeTransactions(profile, ownership)
      const partitionMs = performance.now() - partitionStarted
      const bound = routedSpeedupBound(routes, ctx.prepared.transactions.map((tx) => tx.gasLimit), workers)
      if (thresholds !== undefined && bound < thresholds.minSpeedupBound) return { fellBack: `the routes bound the speedup to ${bound.toFixed(2)}x, under ${thresholds.minSpeedupBound}x` }
      const run = await runSharded(ctx, { transport, ownership, routes, maxBatch })
      return { run, predictMs, partitionMs, migration }
    })
    if ('fellBack' in value) {
      const sequential = await executeSequential(ctx)
      return { outcomes: sequential.outcomes, stats: { ...sequential.stats, scheduler: 'sharded', fellBack: value.fellBack } }
    }
    const { run, predictMs, partitionMs, migration } = value
    const { executions, validations, validationAborts, workerErrors, stateUnavailable, workerMs, messages, bytes, coordinatorMs, ...protocol } = run.stats
    const count = Math.max(1, ctx.prepared.transactions.length)
    return {
      outcomes: run.outcomes,
      stats: {
        scheduler: 'sharded',
        lanes: workers,
        executions,
        reExecutions: Math.max(0, executions - ctx.prepared.transactions.length),
        validations,
        validationAborts: validationAborts + protocol.escapes,
        workerErrors,
        stateUnavailable,
        workerMs,
        coordinatorMs,
        stateBytes,
        messages,
        bytes,
        sharded: {
          shards: workers,
          partitioner: partitioner.name,
          predictedCrossShardRatio: protocol.predictedCrossShard / count,
          crossShardRatio: protocol.actualCrossShard / count,
          migration,
          predictMs,
          partitionMs,
          ...protocol,
        } satisfies ShardedBlockStats,
      },
    }
  }

  /** The block's predicted access sets, from every source asked for (pre-execution on the shards). */
  async function predictedSets(ctx: SchedulerContext, transport: ShardTransport): Promise<TxAccessSets[]> {
    const { prepared } = ctx
    const sets: (readonly TxAccessSets[])[] = []
    if (predict.includes('static')) sets.push(staticAccessSets(prepared))
    if (predict.includes('access-list')) sets.push(accessListSets(blockAccessLists(prepared)))
    const given = options.accessSets?.(prepared)
    if (given !== undefined) {
      if (given.length !== prepared.transactions.length) throw new InvalidOptionError({ option: 'accessSets', reason: `${given.length} sets for ${prepared.transactions.length} transactions` })
      sets.push(given)
    }
    if (predict.includes('preexec')) sets.push(await preexecuted(ctx, transport))
    // With no source at all, every transaction is predicted to touch only its sender.
    return sets.length === 0 ? prepared.transactions.map(emptyAccessSets) : combineAccessSets(...sets)
  }

  return {
    name: 'sharded',
    workers,
    partitioner,
    predict,
    execute,
    ...(options.transport === undefined ? { recoverSenders: (input: BlockInput, block: Block) => recoverSendersOnPool(closed ? undefined : startedPool, workers, input, block) } : {}),
    async close() {
      closed = true
      // A pool that failed to start has nothing to close; its error was the block's to report.
      if (pool !== undefined && options.pool === undefined) await (await pool.catch(() => undefined))?.close()
    },
  }
}

/** Each transaction run alone on the parent state, contiguous runs of them on each shard in turn. */
async function preexecuted(ctx: SchedulerContext, transport: ShardTransport): Promise<TxAccessSets[]> {
  const { prepared } = ctx
  const coinbase = toAddressHex(prepared.header.coinbase)
  const count = prepared.transactions.length
  const input: BlockInput = { block: { format: 'rlp', rlp: prepared.block.serialize() }, senders: prepared.senders, ancestorHashes: prepared.ancestorHashes }
  const blockKey = `sharded-preexec-${++preexecBlocks}`
  const size = Math.max(1, Math.ceil(count / (transport.shards * 4)))
  const sends: Promise<TaskResult[]>[] = []
  for (let start = 0, turn = 0; start < count; start += size, turn++) {
    const indices = Array.from({ length: Math.min(size, count - start) }, (_, k) => start + k)
    sends.push(transport.send(turn % transport.shards, (taskId) => ({ type: 'execute', taskId, stateId: transport.stateId, blockKey, block: input, indices, options: { skipNonce: true, skipBalance: true } })))
  }
  const sets = Array.from({ length: count }, emptyAccessSets)
  // A transaction that cannot run alone predicts nothing beyond the other sources.
  for (const result of (await Promise.all(sends)).flat()) if ('outcome' in result) sets[result.index] = txAccessSets(result.outcome, 'credits', coinbase)
  return sets
}

function emptyAccessSets(): TxAccessSets {
  return { reads: new Set(), writes: new Set(), deltas: new Set(), chained: new Set() }
}

function partitionerOf(choice: PartitionerName | Partitioner): Partitioner {
  if (typeof choice !== 'string') return choice
  if (choice === 'hash') return createHashPartitioner()
  if (choice === 'activity') return createActivityPartitioner()
  throw new InvalidOptionError({ option: 'partitioner', reason: `"${String(choice)}" is not one of ${partitionerNames.join(', ')}` })
}

function fallbackReason(ctx: SchedulerContext, thresholds: ShardedFallbackThresholds, workers: number): string | undefined {
  const count = ctx.prepared.transactions.length
  if (count < thresholds.minTransactions) return `${count} transactions, under ${thresholds.minTransactions}`
  const gas = expectedBlockGas(ctx)
  if (gas < thresholds.minGasUsed) return `${gas} gas used, under ${thresholds.minGasUsed}`
  const bound = Math.min(senderBoundSpeedup(ctx), workers)
  if (bound < thresholds.minSpeedupBound) return `the senders' nonce chains bound the speedup to ${bound.toFixed(2)}x, under ${thresholds.minSpeedupBound}x`
  return undefined
}
