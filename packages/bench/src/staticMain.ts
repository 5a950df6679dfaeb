import { createProgress } from '@parallel-evm/cli/progress'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { Scheduler } from '@parallel-evm/core'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createStaticScheduler, type BlockHints } from '@parallel-evm/scheduler-static'
import { generatedBenchBlocks, mainnetBenchBlock, referralBenchBlocks, type BenchBlock } from './benchBlock.js'
import { benchStaticBlock, staticVariants, type StaticBenchRow, type StaticVariant } from './staticBench.js'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

/** The generated workloads whose transactions are independent but for the coinbase credit. */
const independentWorkloads = ['eth-transfers', 'erc20-transfers']

/**
 * `bench static`: our sequential path, the optimistic scheduler and the static scheduler with each
 * prediction source (static facts, access lists, pre-execution, perfect hints from a previous
 * run), one worker count (default 2), on the mainnet blocks, the generated workloads and the
 * referral campaign. Senders are given (no ECDSA), so the ratios are about execution alone.
 */
export async function staticMain(options: BenchOptions): Promise<void> {
  const { runs, warmup, out } = options
  const workers = options.workers?.[0] ?? 2
  const cores = availableParallelism()
  let hints: BlockHints = { kind: 'dependencies', dependencies: new Map() }
  const fallback = options.fallback ? {} : { fallback: false as const }
  const schedulers = new Map<StaticVariant, Scheduler>([
    ['optimistic', createOptimisticScheduler({ workers, ...fallback })],
    ['static', createStaticScheduler({ workers, predict: ['static'], ...fallback })],
    ['access-list', createStaticScheduler({ workers, predict: ['access-list'], ...fallback })],
    ['preexec', createStaticScheduler({ workers, predict: ['preexec'], ...fallback })],
    ['hints', createStaticScheduler({ workers, predict: ['hints'], hints: () => hints, ...fallback })],
  ])
  const suites: [string, BenchBlock[]][] = []
  if (options.suite === 'mainnet' || options.suite === 'all') suites.push(['mainnet', await Promise.all(selectBlocks(options.blocks).map(mainnetBenchBlock))])
  if (options.suite === 'generated' || options.suite === 'all') suites.push(['generated', generatedBenchBlocks(options.generatedTxs)])
  if (options.suite === 'referral' || options.suite === 'all') suites.push(['referral', await referralBenchBlocks({ seed: 1, users: 900, blocks: 24, design: 'kit' })])
  console.log(`static vs optimistic vs sequential, on merkle state, ${workers} workers, ${cores} cores, median of ${runs} runs after ${warmup} warm-up, senders given, fallback ${options.fallback ? 'on' : 'off'}, node ${process.version}`)
  console.log(['block', 'txs', 'seq ms', 'ideal', ...staticVariants.flatMap((v) => [`${v} ms`, 'x seq', 'x exec', 're-exec']), 'hints/ideal', 'preexec P/R', 'facts P/R'].join('\t'))
  const rows: (StaticBenchRow & { suite: string })[] = []
  // A bar with the rate and time left on a terminal; the rows are the piped output's lines.
  const progress = createProgress(suites.reduce((sum, [, blocks]) => sum + blocks.length, 0), 'static bench', { pipedLines: false })
  try {
    for (const [suite, blocks] of suites) {
      for (const block of blocks) {
        progress.update(rows.length, `${suite} ${block.name}`)
        const row = { suite, ...(await benchStaticBlock(block, { runs, warmup, workers, schedulers, setHints: (next) => (hints = next) })) }
        rows.push(row)
        const pr = (variant: StaticVariant) => {
          const plan = row.variants.find((v) => v.variant === variant)?.plan
          return plan === undefined ? '-' : `${plan.precision.toFixed(2)}/${plan.recall.toFixed(2)}`
        }
        progress.print(
          [
            row.block,
            row.txCount,
            fmt(row.sequentialMs),
            row.ideal.toFixed(2),
            ...row.variants.flatMap((v) => [fmt(v.ms), v.speedup.toFixed(2), v.executeSpeedup.toFixed(2), v.fellBack === undefined ? v.reExecutions : 'fb']),
            (row.variants.find((v) => v.variant === 'hints')!.speedup / row.ideal).toFixed(2),
            pr('preexec'),
            pr('static'),
            row.rootsAgree ? '' : 'ROOTS DIFFER',
          ].join('\t'),
        )
      }
    }
    progress.update(rows.length, 'done')
  } finally {
    progress.finish()
    for (const scheduler of schedulers.values()) await scheduler.close?.()
  }
  const summarize = (subset: typeof rows) =>
    Object.fromEntries(
      staticVariants.map((variant) => {
        const of = (row: (typeof rows)[number]) => row.variants.find((v) => v.variant === variant)!
        return [
          variant,
          {
            medianSpeedup: median(subset.map((row) => of(row).speedup)),
            minSpeedup: Math.min(...subset.map((row) => of(row).speedup)),
            medianExecuteSpeedup: median(subset.map((row) => of(row).executeSpeedup)),
            medianAchievedOverIdeal: median(subset.map((row) => of(row).speedup / row.ideal)),
            reExecutions: subset.reduce((total, row) => total + of(row).reExecutions, 0),
            fellBack: subset.filter((row) => of(row).fellBack !== undefined).length,
          },
        ]
      }),
    )
  const summary: Record<string, unknown> = {}
  for (const [suite] of suites) summary[suite] = { blocks: rows.filter((row) => row.suite === suite).length, medianIdeal: median(rows.filter((row) => row.suite === suite).map((row) => row.ideal)), ...summarize(rows.filter((row) => row.suite === suite)) }
  const independent = rows.filter((row) => row.suite === 'generated' && independentWorkloads.includes(row.block))
  if (independent.length > 0) summary['generated independent'] = summarize(independent)
  const referral = rows.filter((row) => row.suite === 'referral')
  if (referral.length > 0) {
    // A campaign is timed block by block; its totals are the sums of the per-block medians.
    const sequentialMs = referral.reduce((total, row) => total + row.sequentialMs, 0)
    summary['referral campaign totals'] = Object.fromEntries(
      staticVariants.map((variant) => {
        const ms = referral.reduce((total, row) => total + row.variants.find((v) => v.variant === variant)!.ms, 0)
        return [variant, { ms, sequentialMs, speedup: sequentialMs / ms }]
      }),
    )
  }
  console.log(JSON.stringify(summary, null, 2))
  console.log(`all roots equal: ${rows.every((row) => row.rootsAgree)}`)
  mkdirSync(out, { recursive: true })
  const file = join(out, `static-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ node: process.version, cores, runs, warmup, workers, fallback: options.fallback, summary, rows }, (_, value) => (typeof value === 'bigint' ? value.toString() : value), 2))
  console.log(`wrote ${file}`)
}
