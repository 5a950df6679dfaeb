import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { benchSequentialBlock, type SequentialBenchRow } from './sequentialBench.js'
import { fmt, median, sum } from './stats.js'

import { selectBlocks, type BenchOptions } from './options.js'

/** `npm run bench` (or `bench sequential`): our sequential path against runBlock. */
export async function sequentialMain({ runs, warmup, blocks, out }: BenchOptions): Promise<void> {
const dirs = selectBlocks(blocks)

const rows: SequentialBenchRow[] = []
console.log(`sequential path vs @ethereumjs/vm runBlock: ${dirs.length} blocks, median of ${runs} runs after ${warmup} warm-up, node ${process.version}`)
console.log(['block', 'txs', 'runBlock ms', 'ours merkle ms', 'ratio', 'ours memory ms', 'ratio', 'roots'].join('\t'))
for (const dir of dirs) {
  const row = await benchSequentialBlock(dir, { runs, warmup })
  rows.push(row)
  console.log(
    [row.block, row.txCount, fmt(row.runBlockMs), fmt(row.sequentialMerkleMs), row.merkleRatio.toFixed(3), fmt(row.sequentialMemoryMs), row.memoryRatio.toFixed(3), row.rootsAgree ? 'equal' : 'DIFFER'].join('\t'),
  )
}
const summary = {
  blocks: rows.length,
  medianMerkleRatio: median(rows.map((row) => row.merkleRatio)),
  medianMemoryRatio: median(rows.map((row) => row.memoryRatio)),
  totalRunBlockMs: sum(rows.map((row) => row.runBlockMs)),
  totalMerkleMs: sum(rows.map((row) => row.sequentialMerkleMs)),
  totalMemoryMs: sum(rows.map((row) => row.sequentialMemoryMs)),
  rootsAgree: rows.every((row) => row.rootsAgree),
}
console.log(
  `median ratio ours/runBlock: state-merkle ${summary.medianMerkleRatio.toFixed(3)}, state-memory ${summary.medianMemoryRatio.toFixed(3)}; ` +
    `totals runBlock ${fmt(summary.totalRunBlockMs)} ms, merkle ${fmt(summary.totalMerkleMs)} ms, memory ${fmt(summary.totalMemoryMs)} ms; roots ${summary.rootsAgree ? 'all equal' : 'DIFFER'}`,
)
mkdirSync(out, { recursive: true })
const file = join(out, `sequential-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify({ node: process.version, runs, warmup, summary, rows }, null, 2))
console.log(`wrote ${file}`)
}


