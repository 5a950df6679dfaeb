import { toAddressHex, type AddressHex, type BlockResult, type TxOutcome } from '@parallel-evm/core'
import { accountFieldKeyId, creditedAddresses, stateKeyId, writtenKeys } from '@parallel-evm/core/internal'

/**
 * Which accesses count as commutative deltas when building the graph:
 * - `'coinbase'`: only the fee credit to the block's coinbase (risechain/pevm's lazy beneficiary);
 * - `'credits'`: every credit made without observing the balance (fees and value transfers);
 * - `'sender-chains'` (ours): credits, and also a sender's own nonce increments and balance debits
 *   across its transactions in the block, when `senderChains` says that sender qualifies.
 */
export type DeltaRule = 'coinbase' | 'credits' | 'sender-chains'

export const deltaRules: readonly DeltaRule[] = ['coinbase', 'credits', 'sender-chains']

/** A transaction's accesses as state key ids, split by how they order against other transactions. */
export interface TxAccessSets {
  /** Keys whose value the transaction observed. */
  reads: ReadonlySet<string>
  /** Keys it set to an absolute value. */
  writes: ReadonlySet<string>
  /** Balance keys it only credited: these commute with each other. */
  deltas: ReadonlySet<string>
  /** Its sender's nonce and balance keys, when they form a qualifying sender chain. */
  chained: ReadonlySet<string>
}

/**
 * The access sets of an executed transaction under `rule`. `chainSenders` (for `'sender-chains'`)
 * are the senders whose transactions in this block qualify (see `qualifyingSenderChains`).
 */
export function txAccessSets(
  outcome: TxOutcome,
  rule: DeltaRule,
  coinbase: AddressHex,
  chainSenders: ReadonlySet<AddressHex> = new Set(),
): TxAccessSets {
  const reads = new Set(outcome.readSet.keys())
  const writes = new Set(writtenKeys(outcome.writeSet).map(stateKeyId))
  const deltas = new Set<string>()
  const chained = new Set<string>()
  if (rule === 'sender-chains' && chainSenders.has(outcome.sender)) {
    for (const field of ['nonce', 'balance'] as const) {
      const key = accountFieldKeyId(outcome.sender, field)
      const wasRead = reads.delete(key)
      const wasWritten = writes.delete(key)
      if (wasRead || wasWritten) chained.add(key)
    }
  }
  for (const address of creditedAddresses(outcome.writeSet)) {
    const key = accountFieldKeyId(address, 'balance')
    if (rule !== 'coinbase' || address === coinbase) deltas.add(key)
    else {
      // Without the delta rule a credit is what the EVM literally did: read, add, write.
      reads.add(key)
      writes.add(key)
    }
  }
  return { reads, writes, deltas, chained }
}

/** What an executed block really read and wrote, per transaction (credits as deltas): a perfect prediction. */
export function actualAccessSets(result: Pick<BlockResult, 'outcomes' | 'header'>): TxAccessSets[] {
  const coinbase = toAddressHex(result.header.coinbase)
  return result.outcomes.map((outcome) => txAccessSets(outcome, 'credits', coinbase))
}

/** Every key the transaction touched in any way: what a prediction is scored against. */
export function touchedKeys(sets: TxAccessSets): Set<string> {
  return new Set([...sets.reads, ...sets.writes, ...sets.deltas, ...sets.chained])
}

/**
 * The senders whose transactions in the block may treat their nonce increments and balance
 * debits as commutative: consecutive nonces, no transaction's code observing the sender's own
 * balance, no earlier transaction in the block setting that balance (credits are fine: they
 * commute), and the balance the sender had before the block's credits covering the most all of
 * them can cost. Under
 * those conditions every one of its transactions passes runTx's nonce and balance checks in any
 * order consistent with the rest of the graph, and the debits sum to the same final balance.
 */
export function qualifyingSenderChains(outcomes: readonly TxOutcome[]): Set<AddressHex> {
  const bySender = new Map<AddressHex, TxOutcome[]>()
  for (const outcome of outcomes) {
    const txs = bySender.get(outcome.sender)
    if (txs === undefined) bySender.set(outcome.sender, [outcome])
    else txs.push(outcome)
  }
  const qualifying = new Set<AddressHex>()
  for (const [sender, txs] of bySender) {
    if (txs.length < 2) continue
    const first = txs[0]!
    const recorded = first.readSet.get(accountFieldKeyId(sender, 'balance'))
    if (typeof recorded !== 'bigint') continue
    // Earlier credits commute with the chain, so only what the sender had before them counts.
    let earlierCredits = 0n
    let touchedBefore = false
    for (const earlier of outcomes.slice(0, first.index)) {
      const write = earlier.writeSet.accounts.get(sender)
      if (write === undefined) continue
      if (write.lifecycle !== undefined || write.balance !== undefined || (write.balanceDelta ?? 0n) < 0n) touchedBefore = true
      earlierCredits += write.balanceDelta ?? 0n
    }
    const startBalance = recorded - earlierCredits
    const consecutive = txs.every((tx, k) => tx.nonce === first.nonce + BigInt(k))
    const unobserved = txs.every((tx) => !tx.senderBalanceObserved)
    const covered = txs.reduce((sum, tx) => sum + tx.maxCost, 0n) <= startBalance
    if (!touchedBefore && consecutive && unobserved && covered) qualifying.add(sender)
  }
  return qualifying
}
