import { equalsBytes } from '@ethereumjs/util'
import { EMPTY_CODE_HASH } from '@parallel-evm/core'
import type { AccountWrite, AddressHex, FlatAccount, Hex, SlotHex, StateReader, WriteSet } from '@parallel-evm/core'
import type { AccountChange } from './accountChange.js'
import { EMPTY_TRIE_ROOT } from './trieEncoding.js'

/**
 * The plain key-value state execution reads (reth/erigon "plain state"): accounts by address,
 * non-zero slots by address then slot, code by hash. Every read is one or two Map lookups; the
 * tries are never consulted. Alongside it, the storage root of each account with storage, which
 * the account trie leaf needs and which doubles as the exact answer to `hasStorage`.
 */
export class FlatState implements StateReader {
  private readonly accounts = new Map<AddressHex, FlatAccount>()
  private readonly storage = new Map<AddressHex, Map<SlotHex, bigint>>()
  /** Only non-empty roots: an account missing here has no storage. */
  private readonly storageRoots = new Map<AddressHex, Uint8Array>()
  // The empty code is held like any other, so asking for it is never a "missing code" answer.
  private readonly codes = new Map<Hex, Uint8Array>([[EMPTY_CODE_HASH, new Uint8Array(0)]])

  getAccount(address: AddressHex): FlatAccount | undefined {
    return this.accounts.get(address)
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    return this.storage.get(address)?.get(slot) ?? 0n
  }

  getCode(codeHash: Hex): Uint8Array | undefined {
    return this.codes.get(codeHash)
  }

  hasStorage(address: AddressHex): boolean {
    return this.storageRoots.has(address)
  }

  /** Every account as a `'created'` write with its storage, and every code. */
  export(): WriteSet {
    const accounts = new Map<AddressHex, AccountWrite>()
    for (const [address, account] of this.accounts) {
      accounts.set(address, { lifecycle: 'created', ...account, storage: new Map(this.storage.get(address)) })
    }
    return { accounts, codes: new Map(this.codes) }
  }

  storageRoot(address: AddressHex): Uint8Array {
    return this.storageRoots.get(address) ?? EMPTY_TRIE_ROOT
  }

  /** Makes resolved changes visible to readers: called only once their trie nodes are committed. */
  apply(changes: ReadonlyMap<AddressHex, AccountChange>, codes: ReadonlyMap<Hex, Uint8Array>): void {
    for (const [hash, code] of codes) this.codes.set(hash, code)
    for (const [address, change] of changes) {
      if (change.after === undefined) {
        this.accounts.delete(address)
        this.storage.delete(address)
        this.storageRoots.delete(address)
        continue
      }
      this.accounts.set(address, change.after)
      if (change.resetStorage) this.storage.delete(address)
      if (change.slots.size > 0) this.applySlots(address, change.slots)
      if (equalsBytes(change.storageRoot, EMPTY_TRIE_ROOT)) this.storageRoots.delete(address)
      else this.storageRoots.set(address, change.storageRoot)
    }
  }

  private applySlots(address: AddressHex, slots: ReadonlyMap<SlotHex, bigint>): void {
    let map = this.storage.get(address)
    if (map === undefined) {
      map = new Map()
      this.storage.set(address, map)
    }
    for (const [slot, value] of slots) {
      if (value === 0n) map.delete(slot)
      else map.set(slot, value)
    }
    if (map.size === 0) this.storage.delete(address)
  }
}
