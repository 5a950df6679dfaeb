import type { TxAccessSets } from './accessSets.js'

/**
 * The dependency graph a plan needs, with the edges that others already imply left out: on each
 * key a transaction waits for the last transaction that set it and the credits made since, not for
 * every earlier writer (those precede the last one anyway). Same order as the conflict detector's
 * full graph, but linear in the accesses: a block of one sender's 1,400 transactions has 1,400
 * edges here, not a million.
 */
export function planningDependencies(sets: readonly TxAccessSets[]): number[][] {
  const lastWriter = new Map<string, number>()
  /** Credits and sender-chain updates since the key's last absolute write: they commute with each other. */
  const commuting = new Map<string, number[]>()
  return sets.map((tx, j) => {
    const deps = new Set<number>()
    const after = (key: string, withCommuting: boolean) => {
      const writer = lastWriter.get(key)
      if (writer !== undefined) deps.add(writer)
      if (withCommuting) for (const i of commuting.get(key) ?? []) deps.add(i)
    }
    for (const key of tx.reads) after(key, true)
    for (const key of tx.writes) if (!tx.reads.has(key)) after(key, true)
    for (const key of tx.chained) after(key, false)
    for (const key of tx.writes) {
      lastWriter.set(key, j)
      commuting.delete(key)
    }
    for (const key of [...tx.deltas, ...tx.chained]) {
      if (tx.writes.has(key)) continue
      const list = commuting.get(key)
      if (list === undefined) commuting.set(key, [j])
      else list.push(j)
    }
    deps.delete(j)
    return [...deps].sort((a, b) => a - b)
  })
}
