import { writeFileSync } from 'node:fs'
import { conflictReport, type ConflictReport } from '../conflictReport.js'
import { renderConflictHtml } from '../conflictHtml.js'
import type { CommonFlags } from '../flags.js'
import type { PredictionSource } from '@parallel-evm/conflicts'

export async function runConflictsCommand(blockDir: string, flags: Omit<CommonFlags, 'predict'> & { predict: PredictionSource[]; html?: string }): Promise<number> {
  const { report } = await conflictReport(blockDir, { predict: flags.predict, state: flags.state, workers: flags.workers === 'auto' ? 1 : flags.workers })
  if (flags.html !== undefined) writeFileSync(flags.html, await renderConflictHtml(report))
  if (flags.json) {
    const { dependencies: _, ...withoutGraph } = report
    console.log(JSON.stringify(withoutGraph))
  } else console.log(formatConflicts(report))
  return 0
}

function formatConflicts(report: ConflictReport): string {
  const speedups = (s: ConflictReport['idealSpeedup']) => `unbounded ${s.unbounded}x, 2: ${s['2']}x, 4: ${s['4']}x, 8: ${s['8']}x, 16: ${s['16']}x`
  const lines = [
    `block ${report.block}: ${report.txCount} transactions, ${report.totalGas} gas`,
    `  rule           edges  conflict rate  critical path (txs / gas)   ideal speedup`,
  ]
  for (const [rule, graph] of Object.entries(report.byRule)) {
    const name = { coinbase: 'pevm (coinbase)', credits: 'credits only', 'sender-chains': 'ours' }[rule] ?? rule
    lines.push(`  ${name.padEnd(15)}${String(graph.edges).padStart(5)}  ${String(graph.conflictRate).padStart(13)}  ${`${graph.criticalPathLength} / ${graph.criticalPathGas}`.padEnd(26)}  ${speedups(graph.idealSpeedup)}`)
  }
  if (report.chainSenders.length > 0) lines.push(`  sender chains treated as deltas: ${report.chainSenders.length} sender(s)`)
  lines.push('  hot keys (ours):')
  for (const key of report.hotKeys.slice(0, 5)) lines.push(`    ${String(key.edges).padStart(6)} edges  ${key.label}`)
  if (Object.keys(report.prediction).length > 0) lines.push(`  predictions made in ${report.predictMs} ms${report.workers > 1 ? ` (pre-execution on ${report.workers} workers, which took ${report.poolStartMs} ms to start)` : ''}`)
  for (const [source, score] of Object.entries(report.prediction)) {
    lines.push(`  prediction ${source.padEnd(12)} precision ${score.precision}  recall ${score.recall}`)
  }
  return lines.join('\n')
}
