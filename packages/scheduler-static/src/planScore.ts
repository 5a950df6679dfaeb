import { planningDependencies, type TxAccessSets } from '@parallel-evm/conflicts'
import type { BlockPlan } from './blockPlan.js'

export interface PlanScore {
  plannedEdges: number
  actualEdges: number
  missedEdges: number
  precision: number
  recall: number
}

/**
 * The plan's edges against the executed block's (both without implied edges): precision and recall of direct edges, and the
 * actual edges the plan did not order at all (not even through a chain of planned edges), which
 * are the ones that can make a transaction read too early.
 */
export function scorePlan(plan: BlockPlan, actual: readonly TxAccessSets[]): PlanScore {
  const dependencies = planningDependencies(actual)
  let hits = 0
  let missed = 0
  let actualEdges = 0
  dependencies.forEach((deps, j) => {
    actualEdges += deps.length
    const planned = new Set(plan.dependencies[j])
    for (const i of deps) {
      if (planned.has(i)) hits++
      else if (!ordered(plan, i, j)) missed++
    }
  })
  return {
    plannedEdges: plan.edges,
    actualEdges,
    missedEdges: missed,
    precision: plan.edges === 0 ? 1 : hits / plan.edges,
    recall: actualEdges === 0 ? 1 : hits / actualEdges,
  }
}

/** Whether the plan runs `i` before `j` through some chain of edges (a search back from j). */
function ordered(plan: BlockPlan, i: number, j: number): boolean {
  const seen = new Set<number>([j])
  const stack = [j]
  while (stack.length > 0) {
    for (const dep of plan.dependencies[stack.pop()!]!) {
      if (dep === i) return true
      if (dep > i && !seen.has(dep)) {
        seen.add(dep)
        stack.push(dep)
      }
    }
  }
  return false
}
