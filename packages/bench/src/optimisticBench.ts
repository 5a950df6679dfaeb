import { createExecutor, createSequentialScheduler, type BlockResult, type Scheduler } from '@parallel-evm/core'
import { analyzeBlock, listScheduleMakespan } from '@parallel-evm/conflicts'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { baselineInputOf, inputOf, type BenchBlock } from './benchBlock.js'
import { merkleStateManagerFrom, runBlockBaseline } from './runBlockBaseline.js'
import { median } from './stats.js'

export interface OptimisticBenchOptions {
  runs: number
  warmup: number
  sendersGiven: boolean
  /** Long-lived optimistic schedulers by worker count (their pools start once, outside the timing). */
  schedulers: ReadonlyMap<number, Scheduler>
}

export interface OptimisticVariantRow {
  workers: number
  /** Lanes the last run used: the workers, plus the calling thread unless the block fell back (1). */
  lanes: number
  ms: number
  /** Medians of per-run ratios: runBlock / optimistic, and our sequential path / optimistic. */
  speedupVsRunBlock: number
  speedupVsSequential: number
  /** The conflict detector's ideal speedup (credits rule, by gas) for `lanes`, and achieved (vs our sequential) over it. */
  ideal: number
  achievedOverIdeal: number
  executions: number
  reExecutions: number
  fellBack: string | undefined
  workerMs: number
  coordinatorMs: number
  /**
   * The lanes' time on the block (workers' busy time plus the calling thread's scheduling,
   * validation and executions) over our sequential path's execute stage, same block, same process:
   * how much more work the parallel run does than the sequential one (1 would be free parallelism;
   * the target for a worker's time per transaction is at most 1.15).
   */
  laneWorkOverSequential: number
  messages: number
  bytes: number
}

export interface OptimisticBenchRow {
  block: string
  txCount: number
  senders: 'given' | 'recovered'
  runBlockMs: number
  sequentialMs: number
  optimistic: OptimisticVariantRow[]
  rootsAgree: boolean
}

type Variant = 'runBlock' | 'sequential' | number

/**
 * Times, per block, `@ethereumjs/vm` `runBlock` on MerkleStateManager, our sequential path and the
 * optimistic scheduler with each worker count, all on state-merkle (every variant ends with the
 * state root), interleaved run by run in a rotating order. Each run imports the pre-state afresh
 * (not timed). With senders recovered, every variant does the ECDSA work itself.
 */
export async function benchOptimisticBlock(block: BenchBlock, options: OptimisticBenchOptions): Promise<OptimisticBenchRow> {
  const variants: Variant[] = ['runBlock', 'sequential', ...options.schedulers.keys()]
  const times = new Map<Variant, number[]>(variants.map((variant) => [variant, []]))
  const lastStats = new Map<number, BlockResult['stats']>()
  let rootsAgree = true
  let reference: BlockResult | undefined
  const sequentialExecuteMs: number[] = []
  const laneWork = new Map<number, number[]>([...options.schedulers.keys()].map((workers) => [workers, []]))
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const order = variants.map((_, k) => variants[(k + run) % variants.length]!)
    const roots = new Set<string>()
    const sample = new Map<Variant, number>()
    for (const variant of order) {
      const { ms, root, result } = await timeVariant(variant, block, options)
      sample.set(variant, ms)
      roots.add(root)
      if (variant === 'sequential') reference = result
      if (typeof variant === 'number' && result !== undefined) lastStats.set(variant, result.stats)
      if (run < options.warmup || result === undefined) continue
      if (variant === 'sequential') sequentialExecuteMs.push(result.stats.executeMs)
      else if (typeof variant === 'number') laneWork.get(variant)!.push((result.stats.workerMs ?? 0) + (result.stats.coordinatorMs ?? 0))
    }
    if (roots.size !== 1) rootsAgree = false
    if (run >= options.warmup) for (const [variant, ms] of sample) times.get(variant)!.push(ms)
  }
  const conflicts = analyzeBlock(reference!)
  const gas = reference!.outcomes.map((outcome) => outcome.blockGasUsed)
  const totalGas = gas.reduce((a, b) => a + b, 0n)
  // The ideal for as many lanes as the scheduler ran on (workers, plus the calling thread when it executes too).
  const idealFor = (lanes: number) => (lanes <= 1 || totalGas === 0n ? 1 : Number(totalGas) / Number(listScheduleMakespan(conflicts.graphs.credits, gas, lanes)))
  const perRun = (variant: Variant) => times.get(variant)!
  const ratio = (numerator: Variant, denominator: Variant) => median(perRun(numerator).map((ms, k) => ms / perRun(denominator)[k]!))
  const optimistic = [...options.schedulers.keys()].map((workers): OptimisticVariantRow => {
    const stats = lastStats.get(workers)!
    const lanesIdeal = idealFor(stats.lanes)
    const speedupVsSequential = ratio('sequential', workers)
    return {
      workers,
      lanes: stats.lanes,
      ms: median(perRun(workers)),
      speedupVsRunBlock: ratio('runBlock', workers),
      speedupVsSequential,
      ideal: lanesIdeal,
      achievedOverIdeal: speedupVsSequential / lanesIdeal,
      executions: stats.executions,
      reExecutions: stats.reExecutions ?? 0,
      fellBack: stats.fellBack,
      workerMs: stats.workerMs ?? 0,
      coordinatorMs: stats.coordinatorMs ?? 0,
      // A block that fell back ran on the calling thread alone: no lane figures to compare.
      laneWorkOverSequential: stats.fellBack === undefined ? median(laneWork.get(workers)!) / median(sequentialExecuteMs) : Number.NaN,
      messages: stats.messages ?? 0,
      bytes: stats.bytes ?? 0,
    }
  })
  return {
    block: block.name,
    txCount: block.txCount,
    senders: options.sendersGiven ? 'given' : 'recovered',
    runBlockMs: median(perRun('runBlock')),
    sequentialMs: median(perRun('sequential')),
    optimistic,
    rootsAgree,
  }
}

async function timeVariant(variant: Variant, block: BenchBlock, options: OptimisticBenchOptions): Promise<{ ms: number; root: string; result?: BlockResult }> {
  if (variant === 'runBlock') {
    const stateManager = await merkleStateManagerFrom(block.preState)
    const input = baselineInputOf(block, options.sendersGiven)
    const started = performance.now()
    const result = await runBlockBaseline(stateManager, input)
    return { ms: performance.now() - started, root: Buffer.from(result.stateRoot).toString('hex') }
  }
  const scheduler = variant === 'sequential' ? createSequentialScheduler() : options.schedulers.get(variant)!
  const executor = createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common })
  const started = performance.now()
  const result = await executor.executeBlock(inputOf(block, options.sendersGiven))
  return { ms: performance.now() - started, root: Buffer.from(result.stateRoot!).toString('hex'), result }
}
