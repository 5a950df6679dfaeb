import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { analyzeBlock, ConflictProfile, predictBlock, type BlockConflicts } from '@parallel-evm/conflicts'
import { createExecutor, createMainnetCommon, createSequentialScheduler, WorkerPool } from '@parallel-evm/core'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

interface ConflictBenchRow {
  block: number
  txs: number
  edges: { pevm: number; ours: number }
  idealSpeedup: { pevm: Speedups; ours: Speedups }
  hottestKey: string | null
  recall: Record<string, number>
  precision: Record<string, number>
  executeMs: number
  executeAndAnalyzeMs: number
  /** Median over runs of (execute + analyze) / execute, measured within the same run. */
  analyzeOverhead: number
  predictMs: number
  /** The same predictions with pre-execution on a long-lived pool of 2 workers (started once). */
  predictOnPoolMs: number
}

type Speedups = { unbounded: number; 2: number; 16: number }

/**
 * `npm run bench -- conflicts`: the conflict figures of every mainnet block under pevm's rule and
 * ours, the prediction scores, the detector's overhead over plain sequential execution, and the
 * conflict profile across all blocks.
 */
export async function conflictsMain({ runs, warmup, blocks, out }: BenchOptions): Promise<void> {
  const dirs = selectBlocks(blocks)
  const profile = new ConflictProfile()
  const workers = await WorkerPool.create({ size: 2 })
  console.log(`worker pool of 2 started in ${fmt(workers.startMs)} ms (not counted below)`)
  const rows: ConflictBenchRow[] = []
  console.log(`conflict detector: ${dirs.length} blocks; timings are medians of ${runs} runs after ${warmup} warm-up, node ${process.version}`)
  console.log(['block', 'txs', 'edges pevm', 'edges ours', 'ideal pevm ∞/2/16', 'ideal ours ∞/2/16', 'recall static/al/preexec', 'exec ms', 'overhead', 'predict ms', 'on 2 workers', 'hottest key (ours)'].join('\t'))
  for (const dir of dirs) {
    const fixture = await loadMainnetBlock(dir)
    const sources = ['static', 'access-list', 'preexec'] as const
    const parent = await createMemoryState({ genesis: fixture.preState })
    const predicted = await timed(() => predictBlock(fixture.block, parent, { common: createMainnetCommon(), sources }))
    const pooled = await timed(() => predictBlock(fixture.block, parent, { common: createMainnetCommon(), sources, pool: { workers, parentState: fixture.preState } }))
    const execute: number[] = []
    const executeAndAnalyze: number[] = []
    const overhead: number[] = []
    let conflicts: BlockConflicts | undefined
    for (let run = 0; run < warmup + runs; run++) {
      const plain = await executeOnce(fixture, false)
      const analyzed = await executeOnce(fixture, true, predicted.value)
      conflicts = analyzed.conflicts
      if (run < warmup) continue
      execute.push(plain.ms)
      executeAndAnalyze.push(analyzed.ms)
      overhead.push(analyzed.ms / plain.ms)
    }
    profile.add(conflicts!)
    const row = { ...toRow(conflicts!, median(execute), median(executeAndAnalyze), median(overhead), predicted.ms), predictOnPoolMs: pooled.ms }
    rows.push(row)
    const speedups = (s: Speedups) => `${s.unbounded.toFixed(2)}/${s[2].toFixed(2)}/${s[16].toFixed(2)}`
    const recall = ['static', 'access-list', 'preexec'].map((source) => (row.recall[source] ?? 0).toFixed(3)).join('/')
    console.log([row.block, row.txs, row.edges.pevm, row.edges.ours, speedups(row.idealSpeedup.pevm), speedups(row.idealSpeedup.ours), recall, fmt(row.executeMs), row.analyzeOverhead.toFixed(3), fmt(row.predictMs), fmt(row.predictOnPoolMs), row.hottestKey ?? '-'].join('\t'))
  }
  console.log(`median analyze overhead ${median(rows.map((row) => row.analyzeOverhead)).toFixed(3)}x; median ideal 2-lane speedup pevm ${median(rows.map((row) => row.idealSpeedup.pevm[2])).toFixed(2)}x, ours ${median(rows.map((row) => row.idealSpeedup.ours[2])).toFixed(2)}x; 16 lanes pevm ${median(rows.map((row) => row.idealSpeedup.pevm[16])).toFixed(2)}x, ours ${median(rows.map((row) => row.idealSpeedup.ours[16])).toFixed(2)}x`)
  await workers.close()
  mkdirSync(out, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  writeFileSync(join(out, `conflicts-${stamp}.json`), JSON.stringify({ node: process.version, runs, warmup, rows }, null, 2))
  writeFileSync(join(out, `conflict-profile-${stamp}.json`), JSON.stringify(profile))
  console.log(`wrote ${join(out, `conflicts-${stamp}.json`)} and the conflict profile`)
}

async function executeOnce(fixture: MainnetBlockFixture, analyze: boolean, predictions?: Awaited<ReturnType<typeof predictBlock>>) {
  const state = await createMemoryState({ genesis: fixture.preState })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state })
  const started = performance.now()
  const result = await executor.executeBlock(fixture.block)
  const conflicts = analyze ? analyzeBlock(result, predictions === undefined ? {} : { predictions }) : undefined
  return { ms: performance.now() - started, conflicts }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - started }
}

function toRow(conflicts: BlockConflicts, executeMs: number, executeAndAnalyzeMs: number, analyzeOverhead: number, predictMs: number): Omit<ConflictBenchRow, 'predictOnPoolMs'> {
  const pick = (rule: 'coinbase' | 'sender-chains'): Speedups => {
    const s = conflicts.byRule[rule].idealSpeedup
    return { unbounded: s.unbounded, 2: s[2], 16: s[16] }
  }
  const ours = conflicts.byRule['sender-chains']
  return {
    block: conflicts.block,
    txs: conflicts.txCount,
    edges: { pevm: conflicts.byRule.coinbase.edges, ours: ours.edges },
    idealSpeedup: { pevm: pick('coinbase'), ours: pick('sender-chains') },
    hottestKey: ours.hotKeys[0]?.label ?? null,
    recall: Object.fromEntries(Object.entries(conflicts.prediction).map(([source, score]) => [source, score.recall])),
    precision: Object.fromEntries(Object.entries(conflicts.prediction).map(([source, score]) => [source, score.precision])),
    executeMs,
    executeAndAnalyzeMs,
    analyzeOverhead,
    predictMs,
  }
}
