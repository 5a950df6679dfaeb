import { createExecutor, createSequentialScheduler, type BlockResult, type Scheduler } from '@parallel-evm/core'
import { actualAccessSets, type TxAccessSets } from '@parallel-evm/conflicts'
import { createMerkleState } from '@parallel-evm/state-merkle'
import type { BenchBlock } from './benchBlock.js'
import { median } from './stats.js'

/**
 * The variants beside each shard count: the optimistic scheduler with as many workers, and each
 * partitioner with the default prediction (static facts, access lists and pre-execution) or with
 * perfect access sets, as a block producer's access lists (`bal`) would give them.
 */
export const shardedVariants = ['optimistic', 'hash/preexec', 'hash/bal', 'activity/preexec', 'activity/bal'] as const
export type ShardedVariant = (typeof shardedVariants)[number]

/** A variant at one shard count, e.g. `hash/bal@4`. */
export type ShardedVariantKey = `${ShardedVariant}@${number}`

export function shardedVariantKey(variant: ShardedVariant, shards: number): ShardedVariantKey {
  return `${variant}@${shards}`
}

export interface ShardedVariantRow {
  variant: ShardedVariant
  shards: number
  ms: number
  /** Medians of per-run ratios: our sequential path over this variant, whole block and execution phase only. */
  speedup: number
  executeSpeedup: number
  reExecutions: number
  messages: number
  bytes: number
  fellBack: string | undefined
  /** From the last run's `stats.sharded` (absent for the optimistic scheduler and blocks that fell back). */
  sharded?: {
    crossShardRatio: number
    predictedCrossShardRatio: number
    escapes: number
    remoteWaitMs: number
    migrationBytes: number
    /** The busiest shard's gas over the mean shard's gas (1 is perfect balance). */
    loadBalance: number
    predictMs: number
    partitionMs: number
    digestMs: number
  }
}

export interface ShardedBenchRow {
  block: string
  txCount: number
  sequentialMs: number
  sequentialExecuteMs: number
  variants: ShardedVariantRow[]
  rootsAgree: boolean
}

export interface ShardedBenchOptions {
  runs: number
  warmup: number
  shards: readonly number[]
  /** Long-lived schedulers per variant and shard count (pools start once, outside the timing); `bal` ones read the sets given to `setAccessSets`. */
  schedulers: ReadonlyMap<ShardedVariantKey, Scheduler>
  setAccessSets(sets: TxAccessSets[]): void
}

type Sample = { ms: number; executeMs: number }

/**
 * Times one block, interleaved run by run in a rotating order: our sequential path and, for each
 * shard count, the optimistic scheduler and the sharded scheduler's variants, all on state-merkle
 * (ending with the state root), the pre-state imported afresh for each run (not timed). Perfect
 * access sets come from the block's first sequential run.
 */
export async function benchShardedBlock(block: BenchBlock, options: ShardedBenchOptions): Promise<ShardedBenchRow> {
  const reference = await runOnce(block, createSequentialScheduler())
  options.setAccessSets(actualAccessSets(reference.result))
  const keys = options.shards.flatMap((shards) => shardedVariants.map((variant) => shardedVariantKey(variant, shards)))
  const order0: ('sequential' | ShardedVariantKey)[] = ['sequential', ...keys]
  const samples = new Map(order0.map((key) => [key, [] as Sample[]]))
  const lastStats = new Map<ShardedVariantKey, BlockResult['stats']>()
  let rootsAgree = true
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const order = order0.map((_, k) => order0[(k + run) % order0.length]!)
    for (const key of order) {
      const { ms, result } = await runOnce(block, key === 'sequential' ? createSequentialScheduler() : options.schedulers.get(key)!)
      if (Buffer.compare(result.stateRoot!, reference.result.stateRoot!) !== 0) rootsAgree = false
      if (run >= options.warmup) samples.get(key)!.push({ ms, executeMs: result.stats.executeMs })
      if (key !== 'sequential') lastStats.set(key, result.stats)
    }
  }
  const sequential = samples.get('sequential')!
  const ratio = (key: ShardedVariantKey, pick: (sample: Sample) => number) => median(samples.get(key)!.map((sample, k) => pick(sequential[k]!) / pick(sample)))
  return {
    block: block.name,
    txCount: block.txCount,
    sequentialMs: median(sequential.map((s) => s.ms)),
    sequentialExecuteMs: median(sequential.map((s) => s.executeMs)),
    variants: options.shards.flatMap((shards) =>
      shardedVariants.map((variant): ShardedVariantRow => {
        const key = shardedVariantKey(variant, shards)
        const stats = lastStats.get(key)!
        const sharded = stats.sharded
        return {
          variant,
          shards,
          ms: median(samples.get(key)!.map((s) => s.ms)),
          speedup: ratio(key, (s) => s.ms),
          executeSpeedup: ratio(key, (s) => s.executeMs),
          reExecutions: stats.reExecutions ?? 0,
          messages: stats.messages ?? 0,
          bytes: stats.bytes ?? 0,
          fellBack: stats.fellBack,
          ...(sharded === undefined
            ? {}
            : {
                sharded: {
                  crossShardRatio: sharded.crossShardRatio,
                  predictedCrossShardRatio: sharded.predictedCrossShardRatio,
                  escapes: sharded.escapes,
                  remoteWaitMs: sharded.remoteWaitMs,
                  migrationBytes: sharded.migration.bytes,
                  loadBalance: loadBalance(sharded.perShard.map((shard) => shard.gas)),
                  predictMs: sharded.predictMs,
                  partitionMs: sharded.partitionMs,
                  digestMs: sharded.digestMs,
                },
              }),
        }
      }),
    ),
    rootsAgree,
  }
}

/** The busiest shard's gas over the mean (1 when no gas was used). */
function loadBalance(gas: readonly number[]): number {
  const total = gas.reduce((a, b) => a + b, 0)
  if (gas.length === 0 || total === 0) return 1
  return (Math.max(...gas) * gas.length) / total
}

async function runOnce(block: BenchBlock, scheduler: Scheduler): Promise<{ ms: number; result: BlockResult }> {
  const executor = createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common })
  const started = performance.now()
  const result = await executor.executeBlock(block.input)
  return { ms: performance.now() - started, result }
}
