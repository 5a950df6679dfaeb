import { analyzeBlock, predictBlock, predictionSources, type BlockConflicts, type GraphSummary, type PredictionSource } from '@parallel-evm/conflicts'
import type { Common } from '@ethereumjs/common'
import {
  createExecutor,
  createMainnetCommon,
  createSequentialScheduler,
  InvalidOptionError,
  WorkerPool,
  type StateBackend,
} from '@parallel-evm/core'
import { parseStateKeyId } from '@parallel-evm/core/internal'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { openBackendByName } from './registry.js'

export interface ConflictReportOptions {
  predict: readonly PredictionSource[]
  state: string
  /** More than 1: pre-execution runs on a pool of this many worker threads. */
  workers: number
}

/** One delta rule's figures. */
export interface RuleReport {
  edges: number
  conflictRate: number
  criticalPathLength: number
  criticalPathGas: string
  idealSpeedup: Record<'unbounded' | '2' | '4' | '8' | '16', number>
  hotKeys: GraphSummary['hotKeys']
  criticalPath: number[]
}

/** The JSON `pevm conflicts --json` prints; top-level figures use our rule (`sender-chains`). */
export interface ConflictReport extends RuleReport {
  block: number
  txCount: number
  totalGas: string
  prediction: Record<string, { precision: number; recall: number }>
  /** `coinbase`: pevm's rule; `credits`: ours without sender chains; `sender-chains`: ours. */
  byRule: { coinbase: RuleReport; credits: RuleReport; 'sender-chains': RuleReport }
  chainSenders: string[]
  /** Time to make the predictions (pre-execution on `workers` threads when more than 1). */
  predictMs: number
  /** Time the worker pool took to start, reported apart from `predictMs`. */
  poolStartMs: number
  workers: number
  dependencies: number[][]
  /** For drawing: per transaction its latest dependency through each key kind, as [from, to, kind]. */
  drawnEdges: [number, number, string][]
}

export function parsePredictSources(value: string | undefined): PredictionSource[] {
  if (value === undefined || value === '') return []
  return value.split(',').map((name) => {
    const source = name.trim() as PredictionSource
    if (!predictionSources.includes(source)) {
      throw new InvalidOptionError({ option: '--predict', reason: `"${name}" is not one of ${predictionSources.join(', ')}` })
    }
    return source
  })
}

/** Predicts (on the parent state), executes sequentially, and analyses one mainnet-layout block. */
export async function conflictReport(blockDir: string, options: ConflictReportOptions): Promise<{ report: ConflictReport; conflicts: BlockConflicts }> {
  const fixture = await loadMainnetBlock(blockDir)
  const backend = await openBackendByName(options.state, fixture.preState, { number: fixture.number - 1n })
  try {
    const { state } = backend
    const common = createMainnetCommon()
    const { predictions, predictMs, poolStartMs } = options.predict.length === 0 ? { predictions: {}, predictMs: 0, poolStartMs: 0 } : await predictOn(fixture, state, common, options)
    const result = await createExecutor({ scheduler: createSequentialScheduler(), state, common }).executeBlock(fixture.block)
    const conflicts = analyzeBlock(result, { predictions })
    return { report: { ...toReport(conflicts), predictMs: round(predictMs), poolStartMs: round(poolStartMs), workers: options.workers }, conflicts }
  } finally {
    await backend.close()
  }
}

/** Predictions, timed without the worker pool's start (loading ethereumjs in each worker). */
async function predictOn(fixture: MainnetBlockFixture, state: StateBackend, common: Common, options: ConflictReportOptions) {
  if (options.workers <= 1 || !options.predict.includes('preexec')) {
    const started = performance.now()
    const predictions = await predictBlock(fixture.block, state, { common, sources: options.predict })
    return { predictions, predictMs: performance.now() - started, poolStartMs: 0 }
  }
  const workers = await WorkerPool.create({ size: options.workers })
  try {
    const started = performance.now()
    const predictions = await predictBlock(fixture.block, state, { common, sources: options.predict, pool: { workers, parentState: fixture.preState } })
    return { predictions, predictMs: performance.now() - started, poolStartMs: workers.startMs }
  } finally {
    await workers.close()
  }
}

function summary(graph: GraphSummary): RuleReport {
  return {
    edges: graph.edges,
    conflictRate: round(graph.conflictRate),
    criticalPathLength: graph.criticalPathLength,
    criticalPathGas: graph.criticalPathGas.toString(),
    idealSpeedup: {
      unbounded: round(graph.idealSpeedup.unbounded),
      '2': round(graph.idealSpeedup[2]),
      '4': round(graph.idealSpeedup[4]),
      '8': round(graph.idealSpeedup[8]),
      '16': round(graph.idealSpeedup[16]),
    },
    hotKeys: graph.hotKeys,
    criticalPath: graph.criticalPath,
  }
}

function toReport(conflicts: BlockConflicts): Omit<ConflictReport, 'predictMs' | 'poolStartMs' | 'workers'> {
  const ours = summary(conflicts.byRule['sender-chains'])
  return {
    block: conflicts.block,
    txCount: conflicts.txCount,
    totalGas: conflicts.totalGas.toString(),
    ...ours,
    prediction: Object.fromEntries(
      Object.entries(conflicts.prediction).map(([source, score]) => [source, { precision: round(score.precision), recall: round(score.recall) }]),
    ),
    byRule: { coinbase: summary(conflicts.byRule.coinbase), credits: summary(conflicts.byRule.credits), 'sender-chains': ours },
    chainSenders: conflicts.chainSenders,
    dependencies: conflicts.graphs['sender-chains'].dependencies,
    drawnEdges: drawnEdges(conflicts),
  }
}

/** Keeps a drawing readable: only the latest dependency of each transaction per key kind. */
function drawnEdges(conflicts: BlockConflicts): [number, number, string][] {
  const edges: [number, number, string][] = []
  conflicts.graphs['sender-chains'].edgeKeys.forEach((keys, to) => {
    const latest = new Map<string, number>()
    for (const [from, key] of keys) {
      const kind = parseStateKeyId(key).kind
      if ((latest.get(kind) ?? -1) < from) latest.set(kind, from)
    }
    for (const [kind, from] of latest) edges.push([from, to, kind])
  })
  return edges
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
