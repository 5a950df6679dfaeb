import { createProgress } from '@parallel-evm/cli/progress'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { TxAccessSets } from '@parallel-evm/conflicts'
import type { Scheduler } from '@parallel-evm/core'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { generatedBenchBlocks, mainnetBenchBlock, referralBenchBlocks, type BenchBlock } from './benchBlock.js'
import { benchShardedBlock, shardedVariantKey, shardedVariants, type ShardedBenchRow, type ShardedVariantKey, type ShardedVariantRow } from './shardedBench.js'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

/** Ratios below this count as slower than sequential in the summary. */
const slowerThan = 0.95

/**
 * `bench sharded`: our sequential path and, per shard count (default 2 and 4), the optimistic
 * scheduler with as many workers and the sharded scheduler with each partitioner (`hash`,
 * `activity`) and two predictions (the default static facts + access lists + pre-execution, and
 * perfect access sets as a block producer's access lists would give, `bal`), on the mainnet
 * blocks, the generated workloads and the referral campaign. Senders are given (no ECDSA).
 */
export async function shardedMain(options: BenchOptions): Promise<void> {
  const { runs, warmup, out, shards } = options
  const cores = availableParallelism()
  let accessSets: TxAccessSets[] = []
  const fallback = options.fallback ? {} : { fallback: false as const }
  // One scheduler per variant, reused across the blocks: the activity partitioner keeps its
  // placements from block to block, as one instance per chain would.
  const schedulers = new Map<ShardedVariantKey, Scheduler>()
  for (const workers of shards) {
    schedulers.set(shardedVariantKey('optimistic', workers), createOptimisticScheduler({ workers, ...fallback }))
    for (const partitioner of ['hash', 'activity'] as const) {
      schedulers.set(shardedVariantKey(`${partitioner}/preexec`, workers), createShardedScheduler({ workers, partitioner, ...fallback }))
      schedulers.set(shardedVariantKey(`${partitioner}/bal`, workers), createShardedScheduler({ workers, partitioner, predict: [], accessSets: () => accessSets, ...fallback }))
    }
  }
  const suites: [string, BenchBlock[]][] = []
  if (options.suite === 'mainnet' || options.suite === 'all') suites.push(['mainnet', await Promise.all(selectBlocks(options.blocks).map(mainnetBenchBlock))])
  if (options.suite === 'generated' || options.suite === 'all') suites.push(['generated', generatedBenchBlocks(options.generatedTxs)])
  if (options.suite === 'referral' || options.suite === 'all') suites.push(['referral', await referralBenchBlocks({ seed: 1, users: 900, blocks: 24, design: 'kit' })])
  console.log(`sharded vs optimistic vs sequential, on merkle state, ${shards.join(', ')} shards, ${cores} cores, median of ${runs} runs after ${warmup} warm-up, senders given, fallback ${options.fallback ? 'on' : 'off'}, node ${process.version}`)
  console.log(['block', 'txs', 'seq ms', 'variant', 'ms', 'x seq', 'x exec', 'cross', 'pred', 'escapes', 're-exec', 'wait ms', 'msgs', 'bytes', 'migr B', 'balance', 'fb'].join('\t'))
  const rows: (ShardedBenchRow & { suite: string })[] = []
  // A bar with the rate and time left on a terminal; the rows are the piped output's lines.
  const progress = createProgress(suites.reduce((sum, [, blocks]) => sum + blocks.length, 0), 'sharded bench', { pipedLines: false })
  try {
    for (const [suite, blocks] of suites) {
      for (const block of blocks) {
        progress.update(rows.length, `${suite} ${block.name}`)
        const row = { suite, ...(await benchShardedBlock(block, { runs, warmup, shards, schedulers, setAccessSets: (next) => (accessSets = next) })) }
        rows.push(row)
        for (const v of row.variants) {
          const s = v.sharded
          progress.print(
            [
              row.block,
              row.txCount,
              fmt(row.sequentialMs),
              shardedVariantKey(v.variant, v.shards),
              fmt(v.ms),
              v.speedup.toFixed(2),
              v.executeSpeedup.toFixed(2),
              s === undefined ? '-' : s.crossShardRatio.toFixed(2),
              s === undefined ? '-' : s.predictedCrossShardRatio.toFixed(2),
              s === undefined ? '-' : s.escapes,
              v.reExecutions,
              s === undefined ? '-' : fmt(s.remoteWaitMs),
              v.messages,
              v.bytes,
              s === undefined ? '-' : s.migrationBytes,
              s === undefined ? '-' : s.loadBalance.toFixed(2),
              v.fellBack === undefined ? '' : `fb: ${v.fellBack}`,
              row.rootsAgree ? '' : 'ROOTS DIFFER',
            ].join('\t'),
          )
        }
      }
    }
    progress.update(rows.length, 'done')
  } finally {
    progress.finish()
    for (const scheduler of schedulers.values()) await scheduler.close?.()
  }
  const keys = shards.flatMap((workers) => shardedVariants.map((variant) => shardedVariantKey(variant, workers)))
  const of = (row: ShardedBenchRow, key: ShardedVariantKey): ShardedVariantRow => row.variants.find((v) => shardedVariantKey(v.variant, v.shards) === key)!
  const summarize = (subset: typeof rows) =>
    Object.fromEntries(
      keys.map((key) => {
        const variants = subset.map((row) => of(row, key))
        const cross = variants.flatMap((v) => (v.sharded === undefined ? [] : [v.sharded.crossShardRatio]))
        return [
          key,
          {
            medianSpeedup: median(variants.map((v) => v.speedup)),
            minSpeedup: Math.min(...variants.map((v) => v.speedup)),
            blocksBelow: variants.filter((v) => v.speedup < slowerThan).length,
            medianExecuteSpeedup: median(variants.map((v) => v.executeSpeedup)),
            medianCrossShardRatio: cross.length === 0 ? null : median(cross),
            reExecutions: variants.reduce((total, v) => total + v.reExecutions, 0),
            fellBack: variants.filter((v) => v.fellBack !== undefined).length,
          },
        ]
      }),
    )
  const summary: Record<string, unknown> = {}
  for (const [suite] of suites) {
    const subset = rows.filter((row) => row.suite === suite)
    if (subset.length > 0) summary[suite] = { blocks: subset.length, ...summarize(subset) }
  }
  const referral = rows.filter((row) => row.suite === 'referral')
  if (referral.length > 0) {
    // A campaign is timed block by block; its totals are the sums of the per-block medians.
    const sequentialMs = referral.reduce((total, row) => total + row.sequentialMs, 0)
    summary['referral campaign totals'] = Object.fromEntries(
      keys.map((key) => {
        const variants = referral.map((row) => ({ txs: row.txCount, v: of(row, key) }))
        const ms = variants.reduce((total, { v }) => total + v.ms, 0)
        const weighed = variants.filter(({ v }) => v.sharded !== undefined)
        const txs = weighed.reduce((total, { txs }) => total + txs, 0)
        const crossShardRatio = txs === 0 ? null : weighed.reduce((total, { txs, v }) => total + v.sharded!.crossShardRatio * txs, 0) / txs
        return [key, { ms, sequentialMs, speedup: sequentialMs / ms, crossShardRatio }]
      }),
    )
  }
  printSummary(summary, keys)
  console.log(`all roots equal: ${rows.every((row) => row.rootsAgree)}`)
  mkdirSync(out, { recursive: true })
  const file = join(out, `sharded-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ node: process.version, cores, runs, warmup, shards, fallback: options.fallback, summary, rows }, (_, value) => (typeof value === 'bigint' ? value.toString() : value), 2))
  console.log(`wrote ${file}`)
}

/** One table per suite: a line per variant, medians over blocks of the per-block medians. */
function printSummary(summary: Record<string, unknown>, keys: readonly ShardedVariantKey[]): void {
  const ratio = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2))
  for (const [suite, value] of Object.entries(summary)) {
    const entries = value as Record<string, Record<string, number | null>>
    console.log('')
    if (suite === 'referral campaign totals') {
      console.log(`summary: ${suite} (sums of per-block medians; cross-shard ratio weighted by transactions)`)
      console.log(['variant', 'seq ms', 'ms', 'x seq', 'cross'].join('\t'))
      for (const key of keys) {
        const t = entries[key]!
        console.log([key, fmt(t.sequentialMs!), fmt(t.ms!), ratio(t.speedup), ratio(t.crossShardRatio)].join('\t'))
      }
      continue
    }
    console.log(`summary: ${suite}, ${(value as { blocks: number }).blocks} blocks (medians over blocks of the per-block median ratios)`)
    console.log(['variant', 'x seq', 'min x', `<${slowerThan}x`, 'x exec', 'cross', 're-exec', 'fb'].join('\t'))
    for (const key of keys) {
      const s = entries[key]!
      console.log([key, ratio(s.medianSpeedup), ratio(s.minSpeedup), s.blocksBelow, ratio(s.medianExecuteSpeedup), ratio(s.medianCrossShardRatio), s.reExecutions, s.fellBack].join('\t'))
    }
  }
}
