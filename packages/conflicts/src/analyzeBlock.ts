import { toAddressHex, type AddressHex, type BlockResult } from '@parallel-evm/core'
import { deltaRules, qualifyingSenderChains, txAccessSets, touchedKeys, type DeltaRule, type TxAccessSets } from './accessSets.js'
import { criticalPath } from './criticalPath.js'
import { buildDependencyGraph, type DependencyGraph } from './dependencyGraph.js'
import { hotKeys, type HotKey, type HotKeyContext, type SlotLabeller } from './hotKeys.js'
import { listScheduleMakespan } from './listSchedule.js'
import { scorePrediction, type PredictionScore } from './predictionScore.js'
import type { PredictedKeys, PredictionSource } from './predictedSets.js'
import { systemCallEdges, type SystemCallEdges } from './systemCallEdges.js'

export const laneCounts = [2, 4, 8, 16] as const

/** What one delta rule makes of a block. */
export interface GraphSummary {
  rule: DeltaRule
  edges: number
  /** Share of transactions that depend on at least one earlier transaction. */
  conflictRate: number
  criticalPathLength: number
  criticalPathGas: bigint
  criticalPath: number[]
  /** Total gas over the gas of the critical path (unbounded lanes), and over list-schedule makespans. */
  idealSpeedup: { unbounded: number } & Record<(typeof laneCounts)[number], number>
  hotKeys: HotKey[]
}

export interface BlockConflicts {
  block: number
  txCount: number
  totalGas: bigint
  /** Per rule: `coinbase` is pevm's rule, `sender-chains` ours (`credits` is ours without sender chains). */
  byRule: Record<DeltaRule, GraphSummary>
  graphs: Record<DeltaRule, DependencyGraph>
  /** The actual access sets under our rule, by transaction. */
  accessSets: TxAccessSets[]
  /** Senders whose transactions qualified for the sender-chain rule. */
  chainSenders: AddressHex[]
  prediction: Partial<Record<PredictionSource | 'combined', PredictionScore>>
  /** The edges between the transactions and the block's system calls (see `systemCallEdges`). */
  systemCalls: SystemCallEdges
}

export interface AnalyzeOptions {
  predictions?: Partial<Record<PredictionSource | 'combined', PredictedKeys>>
  hotKeyLimit?: number
  /** Names storage slots of contracts whose layout the caller knows, for the hot-key labels. */
  labelSlot?: SlotLabeller
}

/** The conflict analysis of an executed block, from the read and write sets its outcomes carry. */
export function analyzeBlock(result: BlockResult, options: AnalyzeOptions = {}): BlockConflicts {
  const coinbase = toAddressHex(result.header.coinbase)
  const gas = result.outcomes.map((outcome) => outcome.blockGasUsed)
  const totalGas = gas.reduce((a, b) => a + b, 0n)
  const byRule = {} as Record<DeltaRule, GraphSummary>
  const graphs = {} as Record<DeltaRule, DependencyGraph>
  let ourSets: TxAccessSets[] = []
  const chainSenders = qualifyingSenderChains(result.outcomes)
  for (const rule of deltaRules) {
    const sets = result.outcomes.map((outcome) => txAccessSets(outcome, rule, coinbase, chainSenders))
    if (rule === 'sender-chains') ourSets = sets
    const graph = buildDependencyGraph(sets)
    graphs[rule] = graph
    byRule[rule] = summarize(rule, graph, gas, totalGas, { coinbase, senders: result.senders, ...(options.labelSlot === undefined ? {} : { labelSlot: options.labelSlot }) }, options.hotKeyLimit ?? 10)
  }
  const actual = ourSets.map(touchedKeys)
  const prediction: BlockConflicts['prediction'] = {}
  for (const [source, keys] of Object.entries(options.predictions ?? {})) {
    if (keys !== undefined) prediction[source as PredictionSource] = scorePrediction(keys, actual)
  }
  const systemCalls = systemCallEdges(result, ourSets)
  return { block: Number(result.number), txCount: result.txCount, totalGas, byRule, graphs, accessSets: ourSets, chainSenders: [...chainSenders], prediction, systemCalls }
}

function summarize(
  rule: DeltaRule,
  graph: DependencyGraph,
  gas: readonly bigint[],
  totalGas: bigint,
  context: HotKeyContext,
  hotKeyLimit: number,
): GraphSummary {
  const path = criticalPath(graph, gas)
  const ratio = (denominator: bigint) => (denominator === 0n ? 1 : Number(totalGas) / Number(denominator))
  const idealSpeedup = { unbounded: ratio(path.gas) } as GraphSummary['idealSpeedup']
  for (const lanes of laneCounts) idealSpeedup[lanes] = ratio(listScheduleMakespan(graph, gas, lanes))
  const dependent = graph.dependencies.filter((deps) => deps.length > 0).length
  return {
    rule,
    edges: graph.edges,
    conflictRate: gas.length === 0 ? 0 : dependent / gas.length,
    criticalPathLength: path.length,
    criticalPathGas: path.gas,
    criticalPath: path.transactions,
    idealSpeedup,
    hotKeys: hotKeys(graph, context, hotKeyLimit),
  }
}
