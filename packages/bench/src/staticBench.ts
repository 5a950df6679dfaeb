import { createExecutor, createSequentialScheduler, type BlockResult, type Scheduler } from '@parallel-evm/core'
import { analyzeBlock, listScheduleMakespan } from '@parallel-evm/conflicts'
import { dependencyHintsOf, type BlockHints } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import type { BenchBlock } from './benchBlock.js'
import { median } from './stats.js'

/** The static scheduler's prediction sources the bench compares, and the optimistic scheduler beside them. */
export const staticVariants = ['optimistic', 'static', 'access-list', 'preexec', 'hints'] as const
export type StaticVariant = (typeof staticVariants)[number]

export interface StaticVariantRow {
  variant: StaticVariant
  ms: number
  /** Medians of per-run ratios: our sequential path over this variant, whole block and execution phase only. */
  speedup: number
  executeSpeedup: number
  reExecutions: number
  fellBack: string | undefined
  plan?: { plannedEdges: number; actualEdges: number; precision: number; recall: number; missedEdges: number; mispredictionReExecutions: number; predictMs: number; planMs: number; scoreMs: number }
}

export interface StaticBenchRow {
  block: string
  txCount: number
  sequentialMs: number
  sequentialExecuteMs: number
  /** The conflict detector's ideal speedup (credits rule, by gas) on as many lanes as workers. */
  ideal: number
  variants: StaticVariantRow[]
  rootsAgree: boolean
}

export interface StaticBenchOptions {
  runs: number
  warmup: number
  workers: number
  /** Long-lived schedulers per variant (pools start once, outside the timing); `hints` reads `currentHints`. */
  schedulers: ReadonlyMap<StaticVariant, Scheduler>
  setHints(hints: BlockHints): void
}

/**
 * Times one block, interleaved run by run in a rotating order: our sequential path, the optimistic
 * scheduler and the static scheduler with each prediction source, all on state-merkle (ending with
 * the state root), the pre-state imported afresh for each run (not timed). Perfect hints come from
 * the block's first sequential run, as from a previous run of the block.
 */
export async function benchStaticBlock(block: BenchBlock, options: StaticBenchOptions): Promise<StaticBenchRow> {
  const reference = await runOnce(block, createSequentialScheduler())
  options.setHints(dependencyHintsOf(reference.result))
  const variants: ('sequential' | StaticVariant)[] = ['sequential', ...staticVariants]
  const samples = new Map(variants.map((variant) => [variant, [] as { ms: number; executeMs: number }[]]))
  const lastStats = new Map<StaticVariant, BlockResult['stats']>()
  let rootsAgree = true
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const order = variants.map((_, k) => variants[(k + run) % variants.length]!)
    for (const variant of order) {
      const { ms, result } = await runOnce(block, variant === 'sequential' ? createSequentialScheduler() : options.schedulers.get(variant)!)
      if (Buffer.compare(result.stateRoot!, reference.result.stateRoot!) !== 0) rootsAgree = false
      if (run >= options.warmup) samples.get(variant)!.push({ ms, executeMs: result.stats.executeMs })
      if (variant !== 'sequential') lastStats.set(variant, result.stats)
    }
  }
  const sequential = samples.get('sequential')!
  const ratio = (variant: StaticVariant, pick: (sample: { ms: number; executeMs: number }) => number) =>
    median(samples.get(variant)!.map((sample, k) => pick(sequential[k]!) / pick(sample)))
  const conflicts = analyzeBlock(reference.result)
  const gas = reference.result.outcomes.map((outcome) => outcome.blockGasUsed)
  const totalGas = gas.reduce((a, b) => a + b, 0n)
  const ideal = totalGas === 0n ? 1 : Number(totalGas) / Number(listScheduleMakespan(conflicts.graphs.credits, gas, options.workers))
  return {
    block: block.name,
    txCount: block.txCount,
    sequentialMs: median(sequential.map((s) => s.ms)),
    sequentialExecuteMs: median(sequential.map((s) => s.executeMs)),
    ideal,
    variants: staticVariants.map((variant) => {
      const stats = lastStats.get(variant)!
      return {
        variant,
        ms: median(samples.get(variant)!.map((s) => s.ms)),
        speedup: ratio(variant, (s) => s.ms),
        executeSpeedup: ratio(variant, (s) => s.executeMs),
        reExecutions: stats.reExecutions ?? 0,
        fellBack: stats.fellBack,
        ...(stats.plan === undefined ? {} : { plan: stats.plan }),
      }
    }),
    rootsAgree,
  }
}

async function runOnce(block: BenchBlock, scheduler: Scheduler): Promise<{ ms: number; result: BlockResult }> {
  const executor = createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common })
  const started = performance.now()
  const result = await executor.executeBlock(block.input)
  return { ms: performance.now() - started, result }
}
