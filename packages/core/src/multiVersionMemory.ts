import { ReadDependencyError } from './errors.js'
import { accountFieldKeyId, EMPTY_CODE_HASH, parseStateKeyId, stateKeyId, storageKeyId } from './stateKey.js'
import { creditedAddresses, writtenKeys } from './writeSet.js'
import { applyAccountWrite } from './stateOverlay.js'
import { VersionList } from './versionList.js'
import type { AccountWrite, AddressHex, FlatAccount, Hex, ReadSet, SlotHex, StateReader, StateValue, WriteSet } from './types.js'

/** The keys whose value, as later transactions read them, a transaction's writes may have changed. */
export interface VersionChange {
  /** Account field key ids (`accountFieldKeyId`: existence, balance, nonce, code) that may read differently. */
  accounts: string[]
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
  private readonly accounts = new Map<AddressHex, AccountVersions>()
  private readonly lifecycles = new Map<AddressHex, VersionList<'created' | 'deleted'>>()
  private readonly slots = new Map<string, VersionList<bigint>>()
  private readonly codes = new Map<Hex, Uint8Array>()
  private readonly writes: (WriteSet | undefined)[] = []
  private readonly estimates = new Set<number>()

  constructor(readonly parent: StateReader) {}

  /** Replaces transaction `index`'s writes with a new incarnation's, and clears its estimate mark. */
  record(index: number, writeSet: WriteSet): VersionChange {
    const previous = this.writes[index]
    if (this.estimates.delete(index)) this.countEstimate(previous, -1)
    this.writes[index] = writeSet
    const change: VersionChange = { accounts: [], slots: [], storageOf: [] }
    for (const [hash, code] of writeSet.codes) this.codes.set(hash, code)
    if (previous !== undefined) this.removeStale(index, previous, writeSet, change)
    for (const [address, write] of writeSet.accounts) {
      const old = previous?.accounts.get(address)
      // Before the write lands: whether the account existed just before this transaction.
      if (old === undefined && write.lifecycle === undefined && !this.existsBefore(address, index)) change.accounts.push(accountFieldKeyId(address, 'existence'))
      this.accountVersionsOf(address).set(index, write)
      changedFields(address, old, write, change.accounts)
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
        if (old.lifecycle === undefined && !this.existsBefore(address, index)) change.accounts.push(accountFieldKeyId(address, 'existence'))
        this.accounts.get(address)?.delete(index)
        changedFields(address, old, undefined, change.accounts)
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

  /** Every key id some recorded transaction wrote or credited: what a partition digest covers. */
  writtenKeyIds(): Set<string> {
    const ids = new Set<string>()
    for (const writeSet of this.writes) {
      if (writeSet === undefined) continue
      for (const key of writtenKeys(writeSet)) ids.add(stateKeyId(key))
      for (const address of creditedAddresses(writeSet)) ids.add(accountFieldKeyId(address, 'balance'))
    }
    return ids
  }

  /** Marks transaction `index` as being re-executed (Block-STM's ESTIMATE). */
  markEstimate(index: number): void {
    if (this.writes[index] === undefined || this.estimates.has(index)) return
    this.estimates.add(index)
    this.countEstimate(this.writes[index], 1)
  }

  /** Keeps each account's count of ESTIMATE versions with absolute values, so reads skip the check when it is 0. */
  private countEstimate(writes: WriteSet | undefined, delta: 1 | -1): void {
    for (const [address, write] of writes?.accounts ?? []) {
      if (writesAbsolute(write)) this.accounts.get(address)!.absoluteEstimates += delta
    }
  }

  isEstimate(index: number): boolean {
    return this.estimates.has(index)
  }

  /**
   * The first transaction after `writer` whose own write to key `id` (or to every slot of an
   * account: `<address>` + `ALL_STORAGE`) hides `writer`'s from every later reader (Infinity
   * when none does): only readers up to it can see `writer`'s value.
   */
  nextShadow(id: string, writer: number): number {
    const address = id.slice(0, 42) as AddressHex
    const lifecycles = this.lifecycles.get(address)
    const lifecycle = lifecycles === undefined ? -1 : lifecycles.below(writer + 1) + 1
    const lifecycleWriter = lifecycles?.indices[lifecycle] ?? Infinity
    if (id[42] === ':') {
      const slots = this.slots.get(id)
      const next = slots === undefined ? Infinity : (slots.indices[slots.below(writer + 1) + 1] ?? Infinity)
      return Math.min(next, lifecycleWriter)
    }
    const field = id.slice(42)
    if (field === ALL_STORAGE) return lifecycleWriter
    const list = this.accounts.get(address)?.list
    if (list === undefined) return Infinity
    for (let position = list.below(writer + 1) + 1; position < list.size; position++) {
      const write = list.values[position]!
      if (write.lifecycle !== undefined || field === '.e' || (field === '.b' && write.balance !== undefined) || (field === '.n' && write.nonce !== undefined) || (field === '.c' && write.codeHash !== undefined)) {
        return list.indices[position]!
      }
    }
    return Infinity
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
    return this.check(index, readSet) === 'valid'
  }

  /**
   * `validate`, telling apart a read that now meets an ESTIMATE (`'pending'`: the re-executing
   * transaction's new writes will decide) from one whose value changed (`'invalid'`).
   */
  check(index: number, readSet: ReadSet): 'valid' | 'invalid' | 'pending' {
    let pending = false
    for (const [id, value] of readSet) {
      try {
        if (this.valueAt(id, index) !== value) return 'invalid'
      } catch (error) {
        if (!(error instanceof ReadDependencyError)) throw error
        pending = true
      }
    }
    return pending ? 'pending' : 'valid'
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
    const newest = versions?.list.below(index) ?? -1
    if (newest < 0) return this.parent.getAccount(address)
    if (versions!.absoluteEstimates > 0) this.assertNoEstimateBelow(versions!.list, newest, index)
    return versions!.foldedAt(newest, this.parent)
  }

  /** Throws when an ESTIMATE's absolute value feeds the account as of `newest`. */
  private assertNoEstimateBelow(list: VersionList<AccountWrite>, newest: number, reader: number): void {
    for (let position = newest; position >= 0; position--) {
      const writer = list.indices[position]!
      const write = list.values[position]!
      if (this.estimates.has(writer) && writesAbsolute(write)) throw new ReadDependencyError({ txIndex: reader, blockingTx: writer })
      if (write.lifecycle !== undefined) return
    }
  }

  /** Whether the account exists just before transaction `index`: any write but a deletion leaves it existing. */
  private existsBefore(address: AddressHex, index: number): boolean {
    const versions = this.accounts.get(address)
    const newest = versions?.list.below(index) ?? -1
    if (newest < 0) return this.parent.getAccount(address) !== undefined
    return versions!.list.values[newest]!.lifecycle !== 'deleted'
  }

  private accountVersionsOf(address: AddressHex): AccountVersions {
    let versions = this.accounts.get(address)
    if (versions === undefined) {
      versions = new AccountVersions(address)
      this.accounts.set(address, versions)
    }
    return versions
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
    const versions = this.accounts.get(address)?.list
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

/**
 * One account's versions, with the account as it reads after each version folded in once and
 * kept: a credited account (the coinbase: one credit per transaction) would otherwise be re-folded
 * from the start on every read. A new or dropped version invalidates the folds from its position on.
 */
class AccountVersions {
  readonly list = new VersionList<AccountWrite>()
  /** Versions by transactions now marked ESTIMATE that write an absolute value or a lifecycle. */
  absoluteEstimates = 0
  private readonly folded: (FlatAccount | undefined)[] = []
  private validUpTo = 0

  constructor(private readonly address: AddressHex) {}

  set(index: number, write: AccountWrite): void {
    const position = this.list.below(index) + 1
    const replacing = this.list.indices[position] === index
    this.list.set(index, write)
    if (!replacing) this.folded.splice(position, 0, undefined)
    this.validUpTo = Math.min(this.validUpTo, position)
  }

  delete(index: number): void {
    const position = this.list.below(index) + 1
    if (this.list.indices[position] !== index) return
    this.list.delete(index)
    this.folded.splice(position, 1)
    this.validUpTo = Math.min(this.validUpTo, position)
  }

  /** The account after the version at `position`, over `parent`. */
  foldedAt(position: number, parent: StateReader): FlatAccount | undefined {
    for (let next = this.validUpTo; next <= position; next++) {
      const before = next === 0 ? parent.getAccount(this.address) : this.folded[next - 1]
      this.folded[next] = applyAccountWrite(before, this.list.values[next]!)
    }
    this.validUpTo = Math.max(this.validUpTo, position + 1)
    return this.folded[position]
  }
}

const accountFields = ['existence', 'balance', 'nonce', 'code'] as const

/** The key suffix `nextShadow` reads as "every slot of the account". */
export const ALL_STORAGE = '.s'


/** The account fields whose written value differs between two versions of one transaction's write. */
function changedFields(address: AddressHex, before: AccountWrite | undefined, after: AccountWrite | undefined, into: string[]): void {
  if (before?.lifecycle !== after?.lifecycle) {
    for (const field of accountFields) into.push(accountFieldKeyId(address, field))
    return
  }
  if (before?.balance !== after?.balance || before?.balanceDelta !== after?.balanceDelta) into.push(accountFieldKeyId(address, 'balance'))
  if (before?.nonce !== after?.nonce || before?.nonceDelta !== after?.nonceDelta) into.push(accountFieldKeyId(address, 'nonce'))
  if (before?.codeHash !== after?.codeHash) into.push(accountFieldKeyId(address, 'code'))
}

function writesAbsolute(write: AccountWrite): boolean {
  return write.lifecycle !== undefined || write.balance !== undefined || write.nonce !== undefined || write.codeHash !== undefined
}

