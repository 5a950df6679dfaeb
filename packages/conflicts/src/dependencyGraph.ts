import type { TxAccessSets } from './accessSets.js'

/**
 * Transaction j depends on an earlier i when i set a key to an absolute value that j reads or
 * writes, or when i credited (or debited as part of a sender chain) a key that j reads. Credits
 * commute with credits, and a sender chain's nonce and balance updates with each other.
 */
export interface DependencyGraph {
  /** `dependencies[j]`: the earlier transactions j depends on, ascending. */
  dependencies: number[][]
  edges: number
  /** Key id → number of edges that go through it (an edge counts once per key it shares). */
  edgesByKey: Map<string, number>
  /** `edgeKeys[j].get(i)`: one key the edge i → j goes through (the first found), for display. */
  edgeKeys: Map<number, string>[]
}

export function buildDependencyGraph(sets: readonly TxAccessSets[]): DependencyGraph {
  const writers = new Map<string, number[]>()
  const crediters = new Map<string, number[]>()
  const chainers = new Map<string, number[]>()
  const edgesByKey = new Map<string, number>()
  const dependencies: number[][] = []
  const edgeKeys: Map<number, string>[] = []
  let edges = 0
  sets.forEach((tx, j) => {
    const found = new Map<number, string>()
    const through = (key: string, earlier: readonly number[] | undefined) => {
      if (earlier === undefined || earlier.length === 0) return
      edgesByKey.set(key, (edgesByKey.get(key) ?? 0) + earlier.length)
      for (const i of earlier) if (!found.has(i)) found.set(i, key)
    }
    for (const key of tx.reads) {
      through(key, writers.get(key))
      through(key, crediters.get(key))
      through(key, chainers.get(key))
    }
    for (const key of tx.writes) {
      if (tx.reads.has(key)) continue
      through(key, writers.get(key))
      through(key, chainers.get(key))
    }
    // A sender chain commutes with itself and with credits, not with absolute writes.
    for (const key of tx.chained) through(key, writers.get(key))
    const sorted = [...found.keys()].sort((a, b) => a - b)
    dependencies.push(sorted)
    edgeKeys.push(found)
    edges += sorted.length
    for (const key of tx.writes) push(writers, key, j)
    for (const key of tx.deltas) push(crediters, key, j)
    for (const key of tx.chained) push(chainers, key, j)
  })
  return { dependencies, edges, edgesByKey, edgeKeys }
}

function push(index: Map<string, number[]>, key: string, tx: number): void {
  const list = index.get(key)
  if (list === undefined) index.set(key, [tx])
  else list.push(tx)
}

/** Each transaction's level: 1 + the deepest of its dependencies (1 when it has none). */
export function dependencyLevels(dependencies: readonly (readonly number[])[]): number[] {
  const level: number[] = []
  for (const deps of dependencies) level.push(1 + Math.max(0, ...deps.map((i) => level[i]!)))
  return level
}
