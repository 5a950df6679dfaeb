import { createProgress } from '@parallel-evm/cli/progress'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { generatedBenchBlocks, mainnetBenchBlock, referralBenchBlocks, type BenchBlock } from './benchBlock.js'
import { benchOptimisticBlock, type OptimisticBenchRow } from './optimisticBench.js'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

/**
 * `bench optimistic`: runBlock, our sequential path and the optimistic scheduler with 1, 2 (and
 * 4, 8, 16 when the machine has the cores) workers on the mainnet blocks and the generated
 * workloads, with senders given and recovered.
 */
export async function optimisticMain(options: BenchOptions): Promise<void> {
  const { runs, warmup, blocks, out } = options
  const cores = availableParallelism()
  const workerCounts = options.workers ?? [1, 2, 4, 8, 16].filter((count) => count <= Math.max(2, cores))
  const schedulers = new Map<number, OptimisticScheduler>(workerCounts.map((workers) => [workers, createOptimisticScheduler({ workers, ...(options.fallback ? {} : { fallback: false }) })]))
  const suites: BenchBlock[] = []
  if (options.suite === 'referral') {
    for (const design of ['kit', 'naive'] as const) suites.push(...(await referralBenchBlocks({ seed: 1, users: 900, blocks: 24, design })))
  } else {
    if (options.suite !== 'generated') for (const dir of selectBlocks(blocks)) suites.push(await mainnetBenchBlock(dir))
    if (options.suite !== 'mainnet') suites.push(...generatedBenchBlocks(options.generatedTxs))
  }
  const modes = options.senders === 'both' ? [true, false] : [options.senders === 'given']
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  const rows: OptimisticBenchRow[] = []
  console.log(`optimistic vs sequential vs @ethereumjs/vm runBlock, all on merkle state: ${suites.length} blocks, workers ${workerCounts.join('/')}, ${cores} cores, median of ${runs} runs after ${warmup} warm-up, node ${process.version}, fallback ${options.fallback ? 'on' : 'off'}`)
  console.log(['block', 'txs', 'senders', 'runBlock ms', 'seq ms', ...workerCounts.flatMap((w) => [`opt${w} ms`, `x runBlock`, `x seq`, 'lanes', 'ideal', 'achieved/ideal', 'lane work/seq', 're-exec', 'fallback'])].join('\t'))
  // A bar with the rate and time left on a terminal; the rows are the piped output's lines.
  const progress = createProgress(modes.length * suites.length, 'optimistic bench', { pipedLines: false })
  try {
    for (const sendersGiven of modes) {
      for (const block of suites) {
        progress.update(rows.length, `block ${block.name}`)
        const row = await benchOptimisticBlock(block, { runs, warmup, sendersGiven, schedulers })
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
        rows.push(row)
        progress.print(
          [
            row.block,
            row.txCount,
            row.senders,
            fmt(row.runBlockMs),
            fmt(row.sequentialMs),
            ...row.optimistic.flatMap((v) => [fmt(v.ms), v.speedupVsRunBlock.toFixed(2), v.speedupVsSequential.toFixed(2), v.lanes, v.ideal.toFixed(2), v.achievedOverIdeal.toFixed(2), Number.isNaN(v.laneWorkOverSequential) ? '-' : v.laneWorkOverSequential.toFixed(2), v.reExecutions, v.fellBack === undefined ? '-' : v.fellBack.split(':')[0]!.split(' ').slice(0, 3).join(' ')]),
            row.rootsAgree ? '' : 'ROOTS DIFFER',
          ].join('\t'),
        )
      }
    }
    progress.update(rows.length, 'done')
  } finally {
    progress.finish()
    for (const scheduler of schedulers.values()) await scheduler.close()
  }
  const summary = Object.fromEntries(
    modes.map((given) => {
      const mode = given ? 'given' : 'recovered'
      const inMode = rows.filter((row) => row.senders === mode)
      const mainnet = inMode.filter((row) => /^\d+$/.test(row.block))
      if (mainnet.length === 0) return [mode, { fellBack: inMode.filter((row) => row.optimistic.some((variant) => variant.fellBack !== undefined)).length }]
      return [
        mode,
        Object.fromEntries(
          workerCounts.map((workers, k) => {
            const variant = (row: OptimisticBenchRow) => row.optimistic[k]!
            return [
              `${workers} workers`,
              {
                mainnetMedianSpeedupVsRunBlock: median(mainnet.map((row) => variant(row).speedupVsRunBlock)),
                mainnetMinSpeedupVsRunBlock: Math.min(...mainnet.map((row) => variant(row).speedupVsRunBlock)),
                mainnetMedianSpeedupVsSequential: median(mainnet.map((row) => variant(row).speedupVsSequential)),
                mainnetMinSpeedupVsSequential: Math.min(...mainnet.map((row) => variant(row).speedupVsSequential)),
                mainnetMedianAchievedOverIdeal: median(mainnet.map((row) => variant(row).achievedOverIdeal)),
                // Over the blocks that ran on the lanes (a fallback has none).
                mainnetMedianLaneWorkOverSequential: median(mainnet.map((row) => variant(row).laneWorkOverSequential).filter((ratio) => !Number.isNaN(ratio))),
                fellBack: inMode.filter((row) => variant(row).fellBack !== undefined).length,
              },
            ]
          }),
        ),
      ]
    }),
  )
  // A referral campaign is timed block by block; its totals are the sums of the per-block medians.
  const campaigns = Object.fromEntries(
    modes.flatMap((given) => ['kit', 'naive'].map((design) => [given ? 'given' : 'recovered', design] as const)).flatMap(([mode, design]) => {
      const blocksOfDesign = rows.filter((row) => row.senders === mode && row.block.startsWith(`referral-${design}-`))
      if (blocksOfDesign.length === 0) return []
      const total = (pick: (row: OptimisticBenchRow) => number) => blocksOfDesign.reduce((sum, row) => sum + pick(row), 0)
      const runBlockMs = total((row) => row.runBlockMs)
      const sequentialMs = total((row) => row.sequentialMs)
      const optimistic = Object.fromEntries(
        workerCounts.map((workers, k) => {
          const ms = total((row) => row.optimistic[k]!.ms)
          return [`${workers} workers`, { ms, speedupVsRunBlock: runBlockMs / ms, speedupVsSequential: sequentialMs / ms, reExecutions: total((row) => row.optimistic[k]!.reExecutions) }]
        }),
      )
      return [[`${design}, senders ${mode}`, { blocks: blocksOfDesign.length, transactions: total((row) => row.txCount), runBlockMs, sequentialMs, sequentialVsRunBlock: runBlockMs / sequentialMs, optimistic }]]
    }),
  )
  const memory = { rssBeforeWorkersMb: rssBefore / 2 ** 20, rssPeakMb: rssPeak / 2 ** 20, perWorkerMb: (rssPeak - rssBefore) / 2 ** 20 / workerCounts.reduce((a, b) => a + b, 0) }
  console.log(JSON.stringify({ summary, ...(Object.keys(campaigns).length > 0 ? { campaigns } : {}), memory }, null, 2))
  console.log(`all roots equal: ${rows.every((row) => row.rootsAgree)}`)
  mkdirSync(out, { recursive: true })
  const file = join(out, `optimistic-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ node: process.version, cores, runs, warmup, workerCounts, summary, campaigns, memory, rows }, null, 2))
  console.log(`wrote ${file}`)
}
