import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createSequentialScheduler, type Scheduler } from '@parallel-evm/core'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { generatedBenchBlocks, mainnetBenchBlock, referralBenchBlocks, type BenchBlock } from './benchBlock.js'
import { BACKENDS, benchBackendsBlock, type BackendsBenchRow } from './backendsBench.js'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

/**
 * `bench backends`: the same blocks on state-memory, state-merkle and state-lmdb, with the
 * sequential scheduler and the optimistic one (1 and 2 workers unless --workers says otherwise),
 * senders given. Fallback off, so the optimistic cells really run on workers.
 */
export async function backendsMain(options: BenchOptions): Promise<void> {
  const { runs, warmup, out } = options
  const workerCounts = options.workers ?? [1, 2]
  const optimistic: OptimisticScheduler[] = []
  const schedulers = new Map<string, Scheduler>([['sequential', createSequentialScheduler()]])
  for (const workers of workerCounts) {
    const scheduler = createOptimisticScheduler({ workers, ...(options.fallback ? {} : { fallback: false }) })
    optimistic.push(scheduler)
    schedulers.set(`opt${workers}`, scheduler)
  }
  const blocks: BenchBlock[] = []
  if (options.suite === 'referral' || options.suite === 'all') blocks.push(...(await referralBenchBlocks({ seed: 1, users: 900, blocks: 24, design: 'kit' })))
  if (options.suite === 'mainnet' || options.suite === 'all') for (const dir of selectBlocks(options.blocks)) blocks.push(await mainnetBenchBlock(dir))
  if (options.suite === 'generated' || options.suite === 'all') blocks.push(...generatedBenchBlocks(options.generatedTxs))
  const names = [...schedulers.keys()]
  console.log(`backends: ${blocks.length} blocks, ${availableParallelism()} cores, median of ${runs} runs after ${warmup} warm-up, node ${process.version}, fallback ${options.fallback ? 'on' : 'off'}`)
  console.log(['block', 'txs', ...BACKENDS.flatMap((b) => names.map((s) => `${b}/${s} ms`)), ...names.flatMap((s) => [`${s} lmdb/mem`, `${s} lmdb/merkle`]), 'state KiB to workers mem/merkle/lmdb'].join('\t'))
  const rows: BackendsBenchRow[] = []
  try {
    for (const block of blocks) {
      const row = await benchBackendsBlock(block, schedulers, { runs, warmup })
      rows.push(row)
      const shipped = BACKENDS.map((b) => (row.cells.find((c) => c.backend === b && c.scheduler === names.at(-1))!.stateBytes / 1024).toFixed(0)).join('/')
      console.log([row.block, row.txCount, ...row.cells.map((c) => fmt(c.ms)), ...names.flatMap((s) => [row.lmdbOver[s]!.memory.toFixed(2), row.lmdbOver[s]!.merkle.toFixed(2)]), shipped, row.rootsAgree ? '' : 'ROOTS DIFFER'].join('\t'))
    }
  } finally {
    for (const scheduler of optimistic) await scheduler.close()
  }
  const groups = { mainnet: rows.filter((r) => /^\d+$/.test(r.block)), referral: rows.filter((r) => r.block.startsWith('referral-')), generated: rows.filter((r) => !/^\d+$/.test(r.block) && !r.block.startsWith('referral-')) }
  const summary = Object.fromEntries(
    Object.entries(groups)
      .filter(([, group]) => group.length > 0)
      .map(([name, group]) => [
        name,
        {
          blocks: group.length,
          totalMs: Object.fromEntries(BACKENDS.flatMap((b) => names.map((s) => [`${b}/${s}`, group.reduce((sum, r) => sum + r.cells.find((c) => c.backend === b && c.scheduler === s)!.ms, 0)]))),
          medianLmdbOver: Object.fromEntries(names.map((s) => [s, { memory: median(group.map((r) => r.lmdbOver[s]!.memory)), merkle: median(group.map((r) => r.lmdbOver[s]!.merkle)) }])),
        },
      ]),
  )
  console.log(JSON.stringify(summary, null, 2))
  console.log(`all roots equal: ${rows.every((row) => row.rootsAgree)}`)
  mkdirSync(out, { recursive: true })
  const file = join(out, `backends-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify({ node: process.version, cores: availableParallelism(), runs, warmup, workerCounts, summary, rows }, null, 2))
  console.log(`wrote ${file}`)
}
