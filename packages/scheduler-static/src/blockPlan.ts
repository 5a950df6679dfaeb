import { planningDependencies, type TxAccessSets } from '@parallel-evm/conflicts'
import type { PreparedBlock } from '@parallel-evm/core'

/** The order a block's transactions may run in: each waits for the transactions it depends on. */
export interface BlockPlan {
  /** `dependencies[j]`: the earlier transactions j waits for, ascending. */
  dependencies: number[][]
  /** `dependents[i]`: the later transactions waiting for i, ascending. */
  dependents: number[][]
  edges: number
  /** Per transaction, the gas limit of the heaviest chain of dependents it heads (itself included). */
  remainingGas: bigint[]
}

/**
 * Plans a block from predicted access sets (conflicting transactions run in block order; credits
 * commute) and dependency lists, always ordering each sender's transactions by nonce whatever the
 * prediction says: a nonce cannot be predicted wrong.
 */
export function planBlock(prepared: PreparedBlock, predicted: { sets?: readonly TxAccessSets[]; dependencies?: readonly (readonly number[])[] }): BlockPlan {
  const count = prepared.transactions.length
  const fromSets = predicted.sets === undefined ? undefined : planningDependencies(predicted.sets)
  const lastOfSender = new Map<string, number>()
  const dependencies: number[][] = []
  const dependents: number[][] = Array.from({ length: count }, () => [])
  let edges = 0
  for (let j = 0; j < count; j++) {
    const deps = new Set<number>([...(fromSets?.[j] ?? []), ...(predicted.dependencies?.[j] ?? [])])
    const sender = prepared.senders[j]!
    const previous = lastOfSender.get(sender)
    if (previous !== undefined) deps.add(previous)
    lastOfSender.set(sender, j)
    const sorted = [...deps].sort((a, b) => a - b)
    dependencies.push(sorted)
    for (const i of sorted) dependents[i]!.push(j)
    edges += sorted.length
  }
  const remainingGas: bigint[] = new Array(count)
  for (let j = count - 1; j >= 0; j--) {
    let heaviest = 0n
    for (const k of dependents[j]!) if (remainingGas[k]! > heaviest) heaviest = remainingGas[k]!
    remainingGas[j] = prepared.transactions[j]!.gasLimit + heaviest
  }
  return { dependencies, dependents, edges, remainingGas }
}

/**
 * What the plan allows on `lanes` lanes at best, by gas limit: the total over the larger of the
 * heaviest chain and an even split. A cheap bound (no list schedule), used to skip hopeless plans.
 */
export function plannedSpeedupBound(prepared: PreparedBlock, plan: BlockPlan, lanes: number): number {
  let total = 0n
  let chain = 0n
  for (let j = 0; j < plan.remainingGas.length; j++) {
    total += prepared.transactions[j]!.gasLimit
    if (plan.remainingGas[j]! > chain) chain = plan.remainingGas[j]!
  }
  const even = total / BigInt(lanes)
  const bound = chain > even ? chain : even
  return bound === 0n ? 1 : Number((total * 1000n) / bound) / 1000
}
