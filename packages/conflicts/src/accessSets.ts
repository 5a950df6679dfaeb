import { accountFieldKeyId, creditedAddresses, stateKeyId, writtenKeys, type AddressHex, type TxOutcome } from '@parallel-evm/core'

/**
 * Which balance credits count as commutative deltas when building the graph:
 * - `'coinbase'`: only the fee credit to the block's coinbase (risechain/pevm's lazy beneficiary);
 * - `'credits'`: every credit made without observing the balance (fees and value transfers).
 */
export type DeltaRule = 'coinbase' | 'credits'

export const deltaRules: readonly DeltaRule[] = ['coinbase', 'credits']

/** A transaction's accesses as state key ids, split by how they order against other transactions. */
export interface TxAccessSets {
  /** Keys whose value the transaction observed. */
  reads: ReadonlySet<string>
  /** Keys it set to an absolute value. */
  writes: ReadonlySet<string>
  /** Balance keys it only credited: these commute with each other. */
  deltas: ReadonlySet<string>
}

/** The access sets of an executed transaction under `rule`. */
export function txAccessSets(outcome: TxOutcome, rule: DeltaRule, coinbase: AddressHex): TxAccessSets {
  const reads = new Set(outcome.readSet.keys())
  const writes = new Set(writtenKeys(outcome.writeSet).map(stateKeyId))
  const deltas = new Set<string>()
  for (const address of creditedAddresses(outcome.writeSet)) {
    const key = accountFieldKeyId(address, 'balance')
    if (rule === 'credits' || address === coinbase) deltas.add(key)
    else {
      // Without the delta rule a credit is what the EVM literally did: read, add, write.
      reads.add(key)
      writes.add(key)
    }
  }
  return { reads, writes, deltas }
}

/** Every key the transaction touched in any way: what a prediction is scored against. */
export function touchedKeys(sets: TxAccessSets): Set<string> {
  return new Set([...sets.reads, ...sets.writes, ...sets.deltas])
}
