import type { SchedulerContext } from './scheduler.js'

/** Why the workers cannot get `ctx`'s state, which rules parallel execution out whatever else holds. */
export function cannotShipState(ctx: SchedulerContext): string | undefined {
  const { state } = ctx
  return state.exportState === undefined && state.workerSource === undefined ? `the ${state.kind} backend cannot ship its state to worker threads` : undefined
}

/**
 * The best speedup any number of lanes could reach given that each sender's transactions run one
 * after another: the block's gas limits summed over the largest sender's. Known before execution.
 */
export function senderBoundSpeedup(ctx: SchedulerContext): number {
  const { transactions, senders } = ctx.prepared
  const bySender = new Map<string, bigint>()
  let total = 0n
  let largest = 0n
  transactions.forEach((tx, index) => {
    const gas = (bySender.get(senders[index]!) ?? 0n) + tx.gasLimit
    bySender.set(senders[index]!, gas)
    total += tx.gasLimit
    if (gas > largest) largest = gas
  })
  return largest === 0n ? Infinity : Number((total * 1000n) / largest) / 1000
}

/** The gas a block is expected to take: the header's claim, or (a block built before execution has none) its gas limits. */
export function expectedBlockGas(ctx: SchedulerContext): bigint {
  const { transactions, header } = ctx.prepared
  return header.gasUsed > 0n ? header.gasUsed : transactions.reduce((total, tx) => total + tx.gasLimit, 0n)
}
