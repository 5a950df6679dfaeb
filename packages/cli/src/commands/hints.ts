import { writeFileSync } from 'node:fs'
import { dependencyHintsOf, serializeBlockHints } from '@parallel-evm/scheduler-static'
import { runMainnetBlock } from '../runMainnetBlock.js'
import type { CommonFlags } from '../flags.js'

/**
 * `pevm hints <blockDir> [--out FILE]`: runs the block and writes its actual dependencies in the
 * form `--hints` reads, the perfect hints the static scheduler can be scored against.
 */
export async function runHintsCommand(blockDir: string, flags: CommonFlags, out: string | undefined): Promise<number> {
  const { report, result } = await runMainnetBlock(blockDir, { ...flags, scheduler: 'sequential' })
  const text = JSON.stringify(serializeBlockHints(dependencyHintsOf(result)))
  if (out === undefined) console.log(text)
  else {
    writeFileSync(out, `${text}\n`)
    const edges = result.outcomes.length === 0 ? 0 : (JSON.parse(text) as [number, number[]][]).reduce((total, [, deps]) => total + deps.length, 0)
    if (!flags.json) console.log(`block ${report.block}: ${report.txCount} transactions, ${edges} dependency edges, written to ${out}`)
  }
  return report.ok ? 0 : 1
}
