import { EMPTY_CODE_HASH } from '@parallel-evm/core'
import type { AccountWrite, AddressHex, FlatAccount, SlotHex, WriteSet } from '@parallel-evm/core'
import { EMPTY_TRIE_ROOT } from './trieEncoding.js'

/**
 * One account's part of a commit, resolved against the committed flat state: what the trie and
 * the flat maps must do, with writes that change nothing already dropped so the trie never
 * re-hashes a path for them.
 */
export interface AccountChange {
  /** The account as committed now; undefined when it does not exist. */
  readonly before: FlatAccount | undefined
  /** The account after the commit; undefined when the commit deletes it. */
  readonly after: FlatAccount | undefined
  /** Whether storage starts over from empty ('created' and 'deleted' accounts). */
  readonly resetStorage: boolean
  /** Slots whose value changes (after `resetStorage`); 0n clears a slot. */
  readonly slots: ReadonlyMap<SlotHex, bigint>
  /** The storage root after the commit: the current one until staging computes it. */
  storageRoot: Uint8Array
}

/** What resolving a commit reads of the committed state: flat accounts and slots, and storage roots. */
export interface CommittedAccounts {
  getAccount(address: AddressHex): FlatAccount | undefined
  getStorage(address: AddressHex, slot: SlotHex): bigint
  /** The account's storage root; EMPTY_TRIE_ROOT without storage (or without the account). */
  storageRoot(address: AddressHex): Uint8Array
}

/** Resolves every account a write set touches. Synchronous and side-effect free. */
export function resolveAccountChanges(flat: CommittedAccounts, writes: WriteSet): Map<AddressHex, AccountChange> {
  const changes = new Map<AddressHex, AccountChange>()
  for (const [address, write] of writes.accounts) changes.set(address, resolveAccountChange(flat, address, write))
  return changes
}

function resolveAccountChange(flat: CommittedAccounts, address: AddressHex, write: AccountWrite): AccountChange {
  const before = flat.getAccount(address)
  if (write.lifecycle === 'deleted') {
    return { before, after: undefined, resetStorage: true, slots: new Map(), storageRoot: EMPTY_TRIE_ROOT }
  }
  if (write.lifecycle === 'created') {
    const slots = new Map<SlotHex, bigint>()
    // Storage starts empty, so only non-zero values are writes at all.
    for (const [slot, value] of write.storage) if (value !== 0n) slots.set(slot, value)
    return { before, after: fieldsOf(write, undefined), resetStorage: true, slots, storageRoot: EMPTY_TRIE_ROOT }
  }
  const slots = new Map<SlotHex, bigint>()
  for (const [slot, value] of write.storage) if (flat.getStorage(address, slot) !== value) slots.set(slot, value)
  return { before, after: fieldsOf(write, before), resetStorage: false, slots, storageRoot: flat.storageRoot(address) }
}

/** Fields the write leaves out keep their value, or take the empty account's when there was none. */
function fieldsOf(write: AccountWrite, before: FlatAccount | undefined): FlatAccount {
  return {
    nonce: write.nonce ?? before?.nonce ?? 0n,
    balance: write.balance ?? before?.balance ?? 0n,
    codeHash: write.codeHash ?? before?.codeHash ?? EMPTY_CODE_HASH,
  }
}
