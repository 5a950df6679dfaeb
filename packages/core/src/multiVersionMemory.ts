import { ReadDependencyError } from './errors.js'
import { EMPTY_CODE_HASH, parseStateKeyId, storageKeyId } from './stateKey.js'
import { applyAccountWrite } from './stateOverlay.js'
import { VersionList } from './versionList.js'
import type { AccountWrite, AddressHex, FlatAccount, Hex, ReadSet, SlotHex, StateReader, StateValue, WriteSet } from './types.js'

/** The keys whose value, as later transactions read them, a transaction's writes may have changed. */
export interface VersionChange {
  /** Addresses whose account fields (existence, balance, nonce, code) may read differently. */
  accounts: AddressHex[]
  /** Storage key ids (`storageKeyId`) whose value may read differently. */
  slots: string[]
  /** Addresses whose every slot may read differently: a lifecycle write (creation, deletion) came or went. */
  storageOf: AddressHex[]
}

/**
 * Block-STM's multi-version memory: every transaction's latest write set, indexed per account and
 * per slot by transaction index, over the block's parent state. `at(i)` is the state transaction
 * `i` sees: the parent plus, for each key, the latest write by a transaction before `i`. A
 * transaction being re-executed is an ESTIMATE: its old writes still say where it will probably
 * write, and a read that needs one of its absolute values throws `ReadDependencyError`.
 *
 * Balance credits (`balanceDelta`) are folded in, never waited on: an estimate that only credits an
 * account does not block a reader, because credits commute and validation re-checks observed values.
 */
export class MultiVersionMemory {
  private readonly accounts = new Map<AddressHex, VersionList<AccountWrite>>()
  private readonly lifecycles = new Map<AddressHex, VersionList<'created' | 'deleted'>>()
  private readonly slots = new Map<string, VersionList<bigint>>()
  private readonly codes = new Map<Hex, Uint8Array>()
  private readonly writes: (WriteSet | undefined)[] = []
  private readonly estimates = new Set<number>()

  constructor(readonly parent: StateReader) {}

  /** Replaces transaction `index`'s writes with a new incarnation's, and clears its estimate mark. */
  record(index: number, writeSet: WriteSet): VersionChange {
    const previous = this.writes[index]
    this.writes[index] = writeSet
    this.estimates.delete(index)
    const change: VersionChange = { accounts: [], slots: [], storageOf: [] }
    for (const [hash, code] of writeSet.codes) this.codes.set(hash, code)
    if (previous !== undefined) this.removeStale(index, previous, writeSet, change)
    for (const [address, write] of writeSet.accounts) {
      const old = previous?.accounts.get(address)
      versionsOf(this.accounts, address).set(index, write)
      if (old === undefined || !sameAccountFields(old, write)) change.accounts.push(address)
      if (write.lifecycle !== undefined) {
        versionsOf(this.lifecycles, address).set(index, write.lifecycle)
        if (old?.lifecycle !== write.lifecycle) change.storageOf.push(address)
      }
      for (const [slot, value] of write.storage) {
        const id = storageKeyId(address, slot)
        versionsOf(this.slots, id).set(index, value)
        if (old?.storage.get(slot) !== value) change.slots.push(id)
      }
    }
    return change
  }

  /** Drops what the previous incarnation wrote and the new one does not. */
  private removeStale(index: number, previous: WriteSet, next: WriteSet, change: VersionChange): void {
    for (const [address, old] of previous.accounts) {
      const now = next.accounts.get(address)
      if (now === undefined) {
        this.accounts.get(address)?.delete(index)
        change.accounts.push(address)
      }
      if (old.lifecycle !== undefined && now?.lifecycle === undefined) {
        this.lifecycles.get(address)?.delete(index)
        change.storageOf.push(address)
      }
      for (const slot of old.storage.keys()) {
        if (now?.storage.has(slot) === true) continue
        const id = storageKeyId(address, slot)
        this.slots.get(id)?.delete(index)
        change.slots.push(id)
      }
    }
  }

  /** Marks transaction `index` as being re-executed (Block-STM's ESTIMATE). */
  markEstimate(index: number): void {
    if (this.writes[index] !== undefined) this.estimates.add(index)
  }

  isEstimate(index: number): boolean {
    return this.estimates.has(index)
  }

  /** Every key transaction `index` last wrote, as a change (what its readers depend on). */
  keysOf(index: number): VersionChange {
    const change: VersionChange = { accounts: [], slots: [], storageOf: [] }
    for (const [address, write] of this.writes[index]?.accounts ?? []) {
      change.accounts.push(address)
      if (write.lifecycle !== undefined) change.storageOf.push(address)
      for (const slot of write.storage.keys()) change.slots.push(storageKeyId(address, slot))
    }
    return change
  }

  writeSetOf(index: number): WriteSet | undefined {
    return this.writes[index]
  }

  /** The state transaction `index` executes on. */
  at(index: number): StateReader {
    return {
      getAccount: (address) => this.accountAt(address, index),
      getStorage: (address, slot) => this.storageAt(address, slot, index),
      getCode: (codeHash) => this.codes.get(codeHash) ?? this.parent.getCode(codeHash),
      hasStorage: (address) => this.hasStorageAt(address, index),
    }
  }

  /**
   * Whether every value in `readSet` still reads the same for transaction `index` (Block-STM
   * validation, by value). A read that now meets an ESTIMATE is invalid.
   */
  validate(index: number, readSet: ReadSet): boolean {
    try {
      for (const [id, value] of readSet) if (this.valueAt(id, index) !== value) return false
      return true
    } catch (error) {
      if (error instanceof ReadDependencyError) return false
      throw error
    }
  }

  /** The value of a state key id (see `stateKeyId`) as transaction `index` would read it. */
  valueAt(id: string, index: number): StateValue {
    const key = parseStateKeyId(id)
    if (key.kind === 'storage') return this.storageAt(key.address, key.slot, index)
    const account = this.accountAt(key.address, index)
    if (key.kind === 'existence') return account !== undefined
    if (key.kind === 'balance') return account?.balance ?? 0n
    if (key.kind === 'nonce') return account?.nonce ?? 0n
    return account?.codeHash ?? EMPTY_CODE_HASH
  }

  private accountAt(address: AddressHex, index: number): FlatAccount | undefined {
    const versions = this.accounts.get(address)
    const newest = versions?.below(index) ?? -1
    if (newest < 0) return this.parent.getAccount(address)
    // Fold forward from the newest lifecycle write (which resets the account) or the parent.
    let start = newest
    while (start >= 0 && versions!.values[start]!.lifecycle === undefined) start--
    let account = start < 0 ? this.parent.getAccount(address) : undefined
    for (let position = Math.max(start, 0); position <= newest; position++) {
      const writer = versions!.indices[position]!
      const write = versions!.values[position]!
      if (this.estimates.has(writer) && writesAbsolute(write)) throw new ReadDependencyError({ txIndex: index, blockingTx: writer })
      account = applyAccountWrite(account, write)
    }
    return account
  }

  private storageAt(address: AddressHex, slot: SlotHex, index: number): bigint {
    const slotVersions = this.slots.get(storageKeyId(address, slot))
    const slotPosition = slotVersions?.below(index) ?? -1
    const slotWriter = slotPosition < 0 ? -1 : slotVersions!.indices[slotPosition]!
    const lifecycleVersions = this.lifecycles.get(address)
    const lifecyclePosition = lifecycleVersions?.below(index) ?? -1
    const lifecycleWriter = lifecyclePosition < 0 ? -1 : lifecycleVersions!.indices[lifecyclePosition]!
    if (slotWriter < 0 && lifecycleWriter < 0) return this.parent.getStorage(address, slot)
    // A slot written by the same transaction that (re)created the account applies after the creation.
    const writer = Math.max(slotWriter, lifecycleWriter)
    if (this.estimates.has(writer)) throw new ReadDependencyError({ txIndex: index, blockingTx: writer })
    return slotWriter >= lifecycleWriter ? slotVersions!.values[slotPosition]! : 0n
  }

  private hasStorageAt(address: AddressHex, index: number): boolean {
    const lifecycleVersions = this.lifecycles.get(address)
    const lifecyclePosition = lifecycleVersions?.below(index) ?? -1
    const lifecycleWriter = lifecyclePosition < 0 ? -1 : lifecycleVersions!.indices[lifecyclePosition]!
    const versions = this.accounts.get(address)
    if (versions !== undefined) {
      for (let position = versions.below(index); position >= 0 && versions.indices[position]! >= lifecycleWriter; position--) {
        for (const value of versions.values[position]!.storage.values()) if (value !== 0n) return true
      }
    }
    // As in StateOverlay: a slot zeroed since may have been the last one; only EIP-7610 asks.
    return lifecycleWriter < 0 && this.parent.hasStorage(address)
  }
}

function versionsOf<K, T>(map: Map<K, VersionList<T>>, key: K): VersionList<T> {
  let versions = map.get(key)
  if (versions === undefined) {
    versions = new VersionList<T>()
    map.set(key, versions)
  }
  return versions
}

function writesAbsolute(write: AccountWrite): boolean {
  return write.lifecycle !== undefined || write.balance !== undefined || write.nonce !== undefined || write.codeHash !== undefined
}

function sameAccountFields(a: AccountWrite, b: AccountWrite): boolean {
  return (
    a.lifecycle === b.lifecycle &&
    a.balance === b.balance &&
    a.balanceDelta === b.balanceDelta &&
    a.nonce === b.nonce &&
    a.nonceDelta === b.nonceDelta &&
    a.codeHash === b.codeHash
  )
}
