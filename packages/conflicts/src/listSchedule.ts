import type { DependencyGraph } from './dependencyGraph.js'

/**
 * The makespan (in gas) of a list schedule of the graph on `lanes` identical lanes: whenever a
 * lane is free it takes the ready transaction with the heaviest remaining path (highest level
 * first), the classic heuristic within 2x of optimal. Gas stands in for time.
 */
export function listScheduleMakespan(graph: DependencyGraph, gas: readonly bigint[], lanes: number): bigint {
  const n = gas.length
  if (n === 0) return 0n
  const dependents: number[][] = Array.from({ length: n }, () => [])
  const waiting = graph.dependencies.map((deps) => deps.length)
  graph.dependencies.forEach((deps, j) => deps.forEach((i) => dependents[i]!.push(j)))
  const level: bigint[] = new Array(n).fill(0n)
  for (let j = n - 1; j >= 0; j--) {
    let heaviest = 0n
    for (const k of dependents[j]!) if (level[k]! > heaviest) heaviest = level[k]!
    level[j] = gas[j]! + heaviest
  }
  const ready: number[] = []
  for (let j = 0; j < n; j++) if (waiting[j] === 0) ready.push(j)
  const running: { tx: number; end: bigint }[] = []
  let now = 0n
  let done = 0
  while (done < n) {
    ready.sort((a, b) => (level[b]! > level[a]! ? 1 : level[b]! < level[a]! ? -1 : a - b))
    while (running.length < lanes && ready.length > 0) {
      const tx = ready.shift()!
      running.push({ tx, end: now + gas[tx]! })
    }
    running.sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : a.tx - b.tx))
    const next = running.shift()!
    now = next.end
    done++
    for (const k of dependents[next.tx]!) if (--waiting[k]! === 0) ready.push(k)
  }
  return now
}
