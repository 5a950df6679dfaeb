import { Capability, type TypedTransaction } from '@ethereumjs/tx'
import { bigIntToUnpaddedBytes, bytesToHex, generateAddress, hexToBytes } from '@ethereumjs/util'
import { toAddressHex, toSlotHex, type AddressHex, type PreparedBlock } from '@parallel-evm/core'
import { accountFieldKeyId, storageKeyId } from '@parallel-evm/core/internal'
import type { TxAccessSets } from './accessSets.js'

/** An EIP-2930 access list entry: an account and the storage slots of it a transaction will touch. */
export interface AccessListEntry {
  address: AddressHex
  storageKeys: readonly string[]
}

/**
 * Facts from the transaction alone, as access sets: the sender's nonce and balance are read and
 * set, the recipient's code and existence read (and its balance credited when value moves), a
 * created account written, and the fee credited to the coinbase.
 */
export function staticAccessSets(prepared: PreparedBlock): TxAccessSets[] {
  const coinbase = toAddressHex(prepared.header.coinbase)
  return prepared.transactions.map((tx, index) => {
    const sender = prepared.senders[index]!
    const senderNonce = accountFieldKeyId(sender, 'nonce')
    const senderBalance = accountFieldKeyId(sender, 'balance')
    const reads = new Set([accountFieldKeyId(sender, 'existence'), senderNonce, senderBalance])
    const writes = new Set([senderNonce, senderBalance])
    const deltas = new Set([accountFieldKeyId(coinbase, 'balance')])
    const target: AddressHex = tx.to === undefined ? toAddressHex(generateAddress(hexToBytes(sender), bigIntToUnpaddedBytes(tx.nonce))) : toAddressHex(tx.to)
    reads.add(accountFieldKeyId(target, 'existence'))
    reads.add(accountFieldKeyId(target, 'code'))
    if (tx.value > 0n) deltas.add(accountFieldKeyId(target, 'balance'))
    if (tx.to === undefined) for (const field of ['existence', 'nonce', 'code', 'balance'] as const) writes.add(accountFieldKeyId(target, field))
    return { reads, writes, deltas, chained: new Set<string>() }
  })
}

/**
 * Access lists as access sets: each listed account's code and existence read, each listed slot
 * read and written (a list does not say which, so the plan assumes the worse).
 */
export function accessListSets(lists: readonly (readonly AccessListEntry[])[]): TxAccessSets[] {
  return lists.map((list) => {
    const reads = new Set<string>()
    const writes = new Set<string>()
    for (const { address, storageKeys } of list) {
      reads.add(accountFieldKeyId(address, 'existence'))
      reads.add(accountFieldKeyId(address, 'code'))
      for (const slot of storageKeys) {
        const key = storageKeyId(address, toSlotHex(slot))
        reads.add(key)
        writes.add(key)
      }
    }
    return { reads, writes, deltas: new Set<string>(), chained: new Set<string>() }
  })
}

/** The EIP-2930 access lists the block's transactions carry (empty for those without). */
export function blockAccessLists(prepared: PreparedBlock): AccessListEntry[][] {
  return prepared.transactions.map(accessListOf)
}

/** Per transaction, the union of several predictions of its access sets. */
export function combineAccessSets(...predictions: readonly (readonly TxAccessSets[])[]): TxAccessSets[] {
  const length = Math.max(0, ...predictions.map((p) => p.length))
  return Array.from({ length }, (_, index) => {
    const union = (pick: (sets: TxAccessSets) => ReadonlySet<string>) => new Set(predictions.flatMap((p) => (p[index] === undefined ? [] : [...pick(p[index]!)])))
    return { reads: union((s) => s.reads), writes: union((s) => s.writes), deltas: union((s) => s.deltas), chained: union((s) => s.chained) }
  })
}

function accessListOf(tx: TypedTransaction): AccessListEntry[] {
  if (!tx.supports(Capability.EIP2930AccessLists)) return []
  const list = (tx as unknown as { accessList: [Uint8Array, Uint8Array[]][] }).accessList
  return list.map(([address, slots]) => ({ address: bytesToHex(address) as AddressHex, storageKeys: slots.map((slot) => bytesToHex(slot)) }))
}
