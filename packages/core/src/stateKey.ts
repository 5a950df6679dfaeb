import { bytesToHex, KECCAK256_NULL_S } from '@ethereumjs/util'
import type { Address } from '@ethereumjs/util'
import type { AccountField, AddressHex, Hex, SlotHex, StateKey } from './types.js'

export const EMPTY_CODE_HASH = KECCAK256_NULL_S as Hex

/** The canonical map key of a StateKey: `<address>` + `.b|.n|.c|.e` for fields, `<address>:<slot>` for storage. */
export function stateKeyId(key: StateKey): string {
  return key.kind === 'storage' ? storageKeyId(key.address, key.slot) : accountFieldKeyId(key.address, key.kind)
}

const fieldSuffix: Record<AccountField, string> = { balance: '.b', nonce: '.n', code: '.c', existence: '.e' }
const suffixField = new Map(Object.entries(fieldSuffix).map(([field, suffix]) => [suffix, field as AccountField]))

export function accountFieldKeyId(address: AddressHex, field: AccountField): string {
  return address + fieldSuffix[field]
}

export function storageKeyId(address: AddressHex, slot: SlotHex): string {
  return `${address}:${slot}`
}

/** Inverse of `stateKeyId`. */
export function parseStateKeyId(id: string): StateKey {
  const address = id.slice(0, 42) as AddressHex
  if (id[42] === ':') return { kind: 'storage', address, slot: id.slice(43) as SlotHex }
  const field = suffixField.get(id.slice(42))
  if (field === undefined) throw new TypeError(`not a state key id: ${id}`)
  return { kind: field, address } as StateKey
}

export function toAddressHex(address: Address | Uint8Array | string): AddressHex {
  if (typeof address === 'string') return address.toLowerCase() as AddressHex
  return bytesToHex(address instanceof Uint8Array ? address : address.bytes) as AddressHex
}

/** Zero-pads a slot given as bytes, a bigint or any hex spelling to the canonical 32-byte form. */
export function toSlotHex(slot: Uint8Array | bigint | string): SlotHex {
  let hex: string
  if (typeof slot === 'bigint') hex = slot.toString(16)
  else if (typeof slot === 'string') hex = slot.toLowerCase().replace(/^0x/, '')
  else hex = bytesToHex(slot).slice(2)
  return `0x${hex.padStart(64, '0')}` as SlotHex
}
