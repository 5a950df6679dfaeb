import type { AddressHex, SlotHex } from '@parallel-evm/core'
import type { AccountChange } from '@parallel-evm/state-merkle'
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import type { AccountUndo } from './records.js'
import { addressKey, encodeAccount, storageKey } from './records.js'
import type { LmdbTables } from './tables.js'

/**
 * Applies one account's resolved change to the flat tables, inside the block's write transaction,
 * and returns what it overwrote, so that the block can be unwound.
 */
export function writeAccountChange(tables: LmdbTables, address: AddressHex, change: AccountChange): AccountUndo {
  const key = addressKey(address)
  const account = tables.get('accounts', key)
  let slots: [SlotHex, bigint][]
  if (change.resetStorage) {
    slots = removeAllSlots(tables, address)
  } else {
    slots = []
    for (const slot of change.slots.keys()) {
      const before = tables.get('storage', storageKey(address, slot))
      slots.push([slot, before === undefined ? 0n : bytesToBigInt(before)])
    }
  }
  if (change.after === undefined) {
    tables.remove('accounts', key)
  } else {
    for (const [slot, value] of change.slots) writeSlot(tables, address, slot, value)
    tables.put('accounts', key, encodeAccount({ ...change.after, storageRoot: change.storageRoot }))
  }
  return { address, account, resetStorage: change.resetStorage, slots }
}

/** Puts an account back as `undo` recorded it. */
export function undoAccountChange(tables: LmdbTables, undo: AccountUndo): void {
  if (undo.resetStorage) removeAllSlots(tables, undo.address)
  for (const [slot, value] of undo.slots) writeSlot(tables, undo.address, slot, value)
  if (undo.account === undefined) tables.remove('accounts', addressKey(undo.address))
  else tables.put('accounts', addressKey(undo.address), undo.account)
}

function writeSlot(tables: LmdbTables, address: AddressHex, slot: SlotHex, value: bigint): void {
  if (value === 0n) tables.remove('storage', storageKey(address, slot))
  else tables.put('storage', storageKey(address, slot), bigIntToUnpaddedBytes(value))
}

/** Removes every slot of `address` (storage keys are the address then the slot), returning them. */
function removeAllSlots(tables: LmdbTables, address: AddressHex): [SlotHex, bigint][] {
  const prefix = addressKey(address)
  const end = Buffer.from(prefix)
  // The key just past this address's range: the address plus one, as a 20-byte big-endian number.
  let i = end.length - 1
  while (i >= 0 && end[i] === 0xff) end[i--] = 0
  const range = i < 0 ? Buffer.alloc(21, 0xff) : (end[i]!++, end)
  const removed: [SlotHex, bigint][] = []
  for (const [key, value] of tables.range('storage', prefix, range)) removed.push([bytesToHex(key.subarray(20)) as SlotHex, bytesToBigInt(value)])
  for (const [slot] of removed) tables.remove('storage', storageKey(address, slot))
  return removed
}
