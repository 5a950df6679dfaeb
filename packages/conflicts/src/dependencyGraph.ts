import type { TxAccessSets } from './accessSets.js'

/**
 * Transaction j depends on an earlier i when i set a key to an absolute value that j reads or
 * writes, or when i credited a key that j reads. Credits commute with credits and with later
 * absolute writes' own credits, so they add no edge among themselves.
 */
export interface DependencyGraph {
  /** `dependencies[j]`: the earlier transactions j depends on, ascending. */
  dependencies: number[][]
  edges: number
  /** Key id → number of edges that go through it (an edge counts once per key it shares). */
  edgesByKey: Map<string, number>
}

export function buildDependencyGraph(sets: readonly TxAccessSets[]): DependencyGraph {
  const writers = new Map<string, number[]>()
  const crediters = new Map<string, number[]>()
  const edgesByKey = new Map<string, number>()
  const dependencies: number[][] = []
  let edges = 0
  sets.forEach((tx, j) => {
    const found = new Set<number>()
    const through = (key: string, earlier: readonly number[] | undefined) => {
      if (earlier === undefined || earlier.length === 0) return
      edgesByKey.set(key, (edgesByKey.get(key) ?? 0) + earlier.length)
      for (const i of earlier) found.add(i)
    }
    for (const key of tx.reads) {
      through(key, writers.get(key))
      through(key, crediters.get(key))
    }
    for (const key of tx.writes) if (!tx.reads.has(key)) through(key, writers.get(key))
    const sorted = [...found].sort((a, b) => a - b)
    dependencies.push(sorted)
    edges += sorted.length
    for (const key of tx.writes) push(writers, key, j)
    for (const key of tx.deltas) push(crediters, key, j)
  })
  return { dependencies, edges, edgesByKey }
}

function push(index: Map<string, number[]>, key: string, tx: number): void {
  const list = index.get(key)
  if (list === undefined) index.set(key, [tx])
  else list.push(tx)
}
