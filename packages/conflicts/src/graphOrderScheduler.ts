import { type AddressHex, type Scheduler, type TxOutcome } from '@parallel-evm/core'
import { executeTransaction, StateOverlay } from '@parallel-evm/core/internal'
import { dependencyLevels, type DependencyGraph } from './dependencyGraph.js'

/**
 * A topological order of the graph other than block order: by dependency level, and within a
 * level from the last transaction to the first. If the graph missed an edge, running in this order
 * lets some transaction run before a transaction it really depends on.
 */
export function reverseWithinLevels(graph: DependencyGraph): number[] {
  const level = dependencyLevels(graph.dependencies)
  return level.map((_, index) => index).sort((a, b) => level[a]! - level[b]! || b - a)
}

/**
 * Runs the transactions one at a time in `order` (which must respect the graph), each on the
 * parent state plus the writes of the earlier-in-block transactions already run, then hands the
 * outcomes back in block order. Used to prove a dependency graph complete: with a missed edge the
 * results differ from sequential execution. Transactions of `chainSenders` run as sender chains
 * (nonce and debits as deltas), which the `sender-chains` graph needs.
 */
export function createGraphOrderScheduler(order: readonly number[], options: { chainSenders?: ReadonlySet<AddressHex> } = {}): Scheduler {
  const chainSenders = options.chainSenders ?? new Set<AddressHex>()
  return {
    name: 'graph-order',
    async execute(ctx) {
      const count = ctx.prepared.transactions.length
      if (order.length !== count || new Set(order).size !== count) {
        throw new RangeError(`order must list each of the ${count} transactions once`)
      }
      const outcomes: (TxOutcome | undefined)[] = new Array(count)
      for (const index of order) {
        const base = new StateOverlay(ctx.parent)
        for (let earlier = 0; earlier < index; earlier++) {
          const outcome = outcomes[earlier]
          if (outcome !== undefined) base.apply(outcome.writeSet)
        }
        const senderChain = chainSenders.has(ctx.prepared.senders[index]!)
        outcomes[index] = await executeTransaction(ctx.lanes, ctx.prepared, index, base, { senderChain })
      }
      return { outcomes: outcomes as TxOutcome[], stats: { scheduler: 'graph-order', lanes: 1, executions: count } }
    },
  }
}
