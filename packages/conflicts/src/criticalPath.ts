import type { DependencyGraph } from './dependencyGraph.js'

export interface CriticalPath {
  /** The longest chain of dependent transactions, by count. */
  length: number
  /** The heaviest chain, by gas. */
  gas: bigint
  /** The transactions on the heaviest chain, in block order. */
  transactions: number[]
}

/** Longest paths through the graph (it is a DAG in block order, so one forward pass suffices). */
export function criticalPath(graph: DependencyGraph, gas: readonly bigint[]): CriticalPath {
  const depth: number[] = []
  const finish: bigint[] = []
  const via: number[] = []
  graph.dependencies.forEach((deps, j) => {
    let bestDepth = 0
    let bestFinish = 0n
    let bestVia = -1
    for (const i of deps) {
      bestDepth = Math.max(bestDepth, depth[i]!)
      if (finish[i]! > bestFinish) (bestFinish = finish[i]!), (bestVia = i)
    }
    depth.push(bestDepth + 1)
    finish.push(bestFinish + gas[j]!)
    via.push(bestVia)
  })
  let end = -1
  finish.forEach((value, j) => {
    if (end === -1 || value > finish[end]!) end = j
  })
  const transactions: number[] = []
  for (let at = end; at !== -1; at = via[at]!) transactions.unshift(at)
  return { length: Math.max(0, ...depth), gas: end === -1 ? 0n : finish[end]!, transactions }
}
