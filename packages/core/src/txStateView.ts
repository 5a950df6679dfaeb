import {
  Account,
  type Address,
  bigIntToUnpaddedBytes,
  bytesToBigInt,
  bytesToHex,
  hexToBytes,
} from '@ethereumjs/util'
import { internCode } from './codeAnalysisCache.js'
import { keccak256 } from './cryptoProvider.js'
import type { AccountFields, StateManagerInterface } from '@ethereumjs/common'
import { MissingStateError, UnsupportedStateOperationError } from './errors.js'
import { ObservedAccount, type AccountFieldSource } from './observedAccount.js'
import { accountFieldKeyId, EMPTY_CODE_HASH, storageKeyId, toAddressHex, toSlotHex } from './stateKey.js'
import { createWriteSet } from './writeSet.js'
import type { AccountWrite, AddressHex, FlatAccount, Hex, ReadSet, SlotHex, StateReader, WriteSet } from './types.js'

/** Fields this transaction has set on an account; a missing field still reads from the base. */
interface LocalFields {
  nonce?: bigint
  balance?: bigint
  /** Credits to a balance this transaction never observed; exclusive with `balance`. */
  balanceDelta?: bigint
  codeHash?: Hex
}

/**
 * Who is looking at a balance. `observe`: the EVM's own logic, a real read. `credit`: a value
 * transfer or fee credit doing read-add-write, which commutes with other credits. `emptiness`:
 * EIP-161 cleanup asking only whether the account is empty, which a positive credit answers.
 * `zero-value-check`: a call checking its caller can afford a zero value, true whatever the balance.
 */
export type BalanceAccess = 'observe' | 'credit' | 'emptiness' | 'zero-value-check'

type Undo = () => void

/**
 * The state one transaction sees: a read-only `base` (the parent state plus every earlier
 * transaction's writes, however the scheduler assembled it) with this transaction's own writes on
 * top, journaled for the EVM's nested checkpoints. It implements ethereumjs's
 * `StateManagerInterface` so `runTx` runs on it unchanged, and records every value the
 * transaction read from `base` (the ReadSet) and the net changes it made (the WriteSet).
 *
 * Lifecycle per transaction: `reset(base)` → runTx → `takeResult()`.
 */
export class TxStateView implements StateManagerInterface, AccountFieldSource {
  private base: StateReader
  private readonly baseAccounts = new Map<AddressHex, FlatAccount | undefined>()
  private readonly existence = new Map<AddressHex, boolean>()
  private readonly fields = new Map<AddressHex, LocalFields>()
  private readonly storage = new Map<AddressHex, Map<SlotHex, bigint>>()
  private readonly storageCleared = new Set<AddressHex>()
  private readonly newCodes = new Map<Hex, Uint8Array>()
  private journal: Undo[] = []
  private readonly checkpoints: number[] = []
  private reads: ReadSet = new Map()
  /** Set by the lane's EVM instrumentation around credits and cleanup (see `instrumentLane`). */
  balanceAccess: BalanceAccess = 'observe'
  /** The block's fee recipient (coinbase), credited by runTx once execution is over. */
  feeRecipient: AddressHex | undefined
  /** True between the end of the transaction's execution and its EIP-161 cleanup. */
  inFeePhase = false
  /** True while the transaction's top-level call executes. */
  inExecution = false
  /** The transaction's sender, to notice when its code observes the sender's balance. */
  sender: AddressHex | undefined
  /**
   * Whether the EVM looked at the sender's balance while executing (beyond runTx's up-front check
   * and debits): then the sender's later transactions cannot treat its debits as commutative.
   */
  senderBalanceObserved = false
  private readonly originalStorage = new Map<string, Uint8Array>()

  readonly originalStorageCache = {
    get: async (address: Address, key: Uint8Array): Promise<Uint8Array> => {
      const id = storageKeyId(toAddressHex(address), toSlotHex(key))
      let value = this.originalStorage.get(id)
      if (value === undefined) {
        value = await this.getStorage(address, key)
        this.originalStorage.set(id, value)
      }
      return value
    },
    clear: (): void => this.originalStorage.clear(),
  }

  constructor(base: StateReader) {
    this.base = base
  }

  /** Starts a fresh transaction on `base`, forgetting everything recorded so far. */
  reset(base: StateReader): void {
    this.base = base
    this.baseAccounts.clear()
    this.existence.clear()
    this.fields.clear()
    this.storage.clear()
    this.storageCleared.clear()
    this.newCodes.clear()
    this.journal = []
    this.checkpoints.length = 0
    this.reads = new Map()
    this.originalStorage.clear()
    this.balanceAccess = 'observe'
    this.inFeePhase = false
    this.inExecution = false
    this.senderBalanceObserved = false
    this.chain = undefined
    this.sender = undefined
    this.feeRecipient = undefined
  }

  /** How the balance of `address` is being accessed right now. */
  balanceAccessFor(address: AddressHex): BalanceAccess {
    if (this.balanceAccess === 'observe' && this.inFeePhase && address === this.feeRecipient) return 'credit'
    // A chained sender's checks and debits outside execution are bounded deltas (see `chain`).
    if (this.balanceAccess === 'observe' && address === this.chain?.sender && !this.inExecution) return 'credit'
    return this.balanceAccess
  }

  /**
   * Runs the next transaction as part of a qualifying sender chain (conflicts' sender-chain rule):
   * its sender's nonce reads as the transaction's own nonce and its balance checks and debits
   * outside execution are deltas, so earlier transactions of the same sender need not have run.
   * Only sound when the chain qualifies (balance bound checked, code never observing the balance).
   */
  chain: { sender: AddressHex; nonce: bigint } | undefined

  /** The reads and net writes of the transaction since the last `reset`. */
  takeResult(): { readSet: ReadSet; writeSet: WriteSet } {
    return { readSet: this.reads, writeSet: this.buildWriteSet() }
  }

  // ---------------------------------------------------------------- reads recorded against the base

  private baseAccount(address: AddressHex): FlatAccount | undefined {
    if (this.baseAccounts.has(address)) return this.baseAccounts.get(address)
    const account = this.base.getAccount(address)
    this.baseAccounts.set(address, account)
    return account
  }

  private existsLocally(address: AddressHex): boolean {
    const local = this.existence.get(address)
    if (local !== undefined) return local
    const exists = this.baseAccount(address) !== undefined
    this.record(accountFieldKeyId(address, 'existence'), exists)
    return exists
  }

  private record(id: string, value: bigint | Hex | boolean): void {
    if (!this.reads.has(id)) this.reads.set(id, value)
  }

  readNonce(address: AddressHex): bigint {
    const local = this.fields.get(address)?.nonce
    if (local !== undefined) return local
    if (address === this.chain?.sender) return this.chain.nonce
    const value = this.baseAccount(address)?.nonce ?? 0n
    this.record(accountFieldKeyId(address, 'nonce'), value)
    return value
  }

  readBalance(address: AddressHex): bigint {
    const local = this.fields.get(address)
    if (this.inExecution && address === this.sender && this.balanceAccessFor(address) === 'observe') this.senderBalanceObserved = true
    if (local?.balance !== undefined) return local.balance
    const base = this.baseAccount(address)?.balance ?? 0n
    const delta = local?.balanceDelta
    const access = this.balanceAccessFor(address)
    // Emptiness needs no read when a credit was positive, or for a chained sender (its nonce is not 0).
    if (access === 'credit' || access === 'zero-value-check' || (access === 'emptiness' && ((delta !== undefined && delta > 0n) || address === this.chain?.sender))) {
      return base + (delta ?? 0n)
    }
    this.record(accountFieldKeyId(address, 'balance'), base)
    if (delta === undefined) return base
    // Observed after being credited: from here on the balance is absolute.
    this.setField(address, 'balanceDelta', undefined)
    this.setField(address, 'balance', base + delta)
    return base + delta
  }

  balanceKnownNonZero(address: AddressHex): boolean {
    const local = this.fields.get(address)
    if (local?.balance !== undefined) return local.balance !== 0n
    return local?.balanceDelta !== undefined && local.balanceDelta > 0n
  }

  /** Adds a credit made without observing the balance: to the absolute value if there is one. */
  private credit(address: AddressHex, amount: bigint): void {
    const local = this.fields.get(address)
    if (local?.balance !== undefined) this.setField(address, 'balance', local.balance + amount)
    else this.setField(address, 'balanceDelta', (local?.balanceDelta ?? 0n) + amount)
  }

  private readCodeHashHex(address: AddressHex): Hex {
    const local = this.fields.get(address)?.codeHash
    if (local !== undefined) return local
    const value = this.baseAccount(address)?.codeHash ?? EMPTY_CODE_HASH
    this.record(accountFieldKeyId(address, 'code'), value)
    return value
  }

  readCodeHash(address: AddressHex): Uint8Array {
    return hexToBytes(this.readCodeHashHex(address))
  }

  hasNonEmptyStorage(address: AddressHex): boolean {
    const local = this.storage.get(address)
    if (local !== undefined) for (const value of local.values()) if (value !== 0n) return true
    if (this.storageCleared.has(address) || this.existence.get(address) === false) return false
    return this.base.hasStorage(address)
  }

  private readSlot(address: AddressHex, slot: SlotHex): bigint {
    const local = this.storage.get(address)?.get(slot)
    if (local !== undefined) return local
    if (this.storageCleared.has(address) || this.existence.get(address) === false) return 0n
    const value = this.base.getStorage(address, slot)
    this.record(storageKeyId(address, slot), value)
    return value
  }

  // ---------------------------------------------------------------- journaled local writes

  private setField<F extends keyof LocalFields>(address: AddressHex, field: F, value: LocalFields[F]): void {
    let local = this.fields.get(address)
    if (local === undefined) {
      local = {}
      this.fields.set(address, local)
    }
    const target = local
    const had = field in target
    const previous = target[field]
    this.journal.push(() => {
      if (had) target[field] = previous
      else delete target[field]
    })
    if (value === undefined) delete target[field]
    else target[field] = value
  }

  private setExistence(address: AddressHex, exists: boolean): void {
    const had = this.existence.has(address)
    const previous = this.existence.get(address)
    this.journal.push(() => {
      if (had) this.existence.set(address, previous as boolean)
      else this.existence.delete(address)
    })
    this.existence.set(address, exists)
  }

  private setSlot(address: AddressHex, slot: SlotHex, value: bigint): void {
    let local = this.storage.get(address)
    if (local === undefined) {
      local = new Map()
      this.storage.set(address, local)
    }
    const slots = local
    const previous = slots.get(slot)
    this.journal.push(() => {
      if (previous === undefined) slots.delete(slot)
      else slots.set(slot, previous)
    })
    slots.set(slot, value)
  }

  private wipeStorage(address: AddressHex): void {
    const previousSlots = this.storage.get(address)
    const wasCleared = this.storageCleared.has(address)
    this.journal.push(() => {
      if (previousSlots === undefined) this.storage.delete(address)
      else this.storage.set(address, previousSlots)
      if (!wasCleared) this.storageCleared.delete(address)
    })
    this.storage.set(address, new Map())
    this.storageCleared.add(address)
  }

  // ---------------------------------------------------------------- StateManagerInterface

  async getAccount(address: Address): Promise<Account | undefined> {
    const hex = toAddressHex(address)
    return this.existsLocally(hex) ? new ObservedAccount(this, hex) : undefined
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const hex = toAddressHex(address)
    if (account === undefined) return this.deleteAccount(address)
    const creating = !this.existsLocally(hex)
    if (creating) this.setExistence(hex, true)
    if (account instanceof ObservedAccount && account.source === this && account.address === hex && !creating) {
      const { nonce, balance, codeHash } = account.assigned
      if (nonce !== undefined) this.setField(hex, 'nonce', nonce)
      if (balance !== undefined) {
        if (account.creditedFrom !== undefined) this.credit(hex, balance - account.creditedFrom)
        else this.setField(hex, 'balance', balance)
      }
      if (codeHash !== undefined) this.setField(hex, 'codeHash', bytesToHex(codeHash) as Hex)
      return
    }
    this.setField(hex, 'nonce', account.nonce)
    this.setField(hex, 'balanceDelta', undefined)
    this.setField(hex, 'balance', account.balance)
    this.setField(hex, 'codeHash', bytesToHex(account.codeHash) as Hex)
  }

  async deleteAccount(address: Address): Promise<void> {
    const hex = toAddressHex(address)
    this.existsLocally(hex)
    this.setExistence(hex, false)
    this.setField(hex, 'nonce', 0n)
    this.setField(hex, 'balanceDelta', undefined)
    this.setField(hex, 'balance', 0n)
    this.setField(hex, 'codeHash', EMPTY_CODE_HASH)
    this.wipeStorage(hex)
  }

  async modifyAccountFields(address: Address, accountFields: AccountFields): Promise<void> {
    const account = (await this.getAccount(address)) ?? new Account()
    if (accountFields.nonce !== undefined) account.nonce = accountFields.nonce
    if (accountFields.balance !== undefined) account.balance = accountFields.balance
    if (accountFields.codeHash !== undefined) account.codeHash = accountFields.codeHash
    if (accountFields.storageRoot !== undefined) account.storageRoot = accountFields.storageRoot
    await this.putAccount(address, account)
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const hex = toAddressHex(address)
    const codeHash = bytesToHex(keccak256(value)) as Hex
    if (value.length > 0) this.newCodes.set(codeHash, value)
    if (!this.existsLocally(hex)) await this.putAccount(address, new Account())
    this.setField(hex, 'codeHash', value.length === 0 ? EMPTY_CODE_HASH : codeHash)
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const hex = toAddressHex(address)
    if (!this.existsLocally(hex)) return new Uint8Array()
    const codeHash = this.readCodeHashHex(hex)
    if (codeHash === EMPTY_CODE_HASH) return new Uint8Array()
    const code = this.newCodes.get(codeHash) ?? this.base.getCode(codeHash)
    if (code === undefined) {
      throw new MissingStateError({ what: `code ${codeHash}`, reason: `account ${hex} refers to code the state does not hold` })
    }
    return internCode(codeHash, code)
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const value = this.readSlot(toAddressHex(address), toSlotHex(key))
    return value === 0n ? new Uint8Array() : bigIntToUnpaddedBytes(value)
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    this.setSlot(toAddressHex(address), toSlotHex(key), bytesToBigInt(value))
  }

  async clearStorage(address: Address): Promise<void> {
    this.wipeStorage(toAddressHex(address))
  }

  async checkpoint(): Promise<void> {
    this.checkpoints.push(this.journal.length)
  }

  async commit(): Promise<void> {
    this.checkpoints.pop()
    // Nothing outside every checkpoint can be reverted any more.
    if (this.checkpoints.length === 0) this.journal = []
  }

  async revert(): Promise<void> {
    const mark = this.checkpoints.pop() ?? 0
    for (let i = this.journal.length - 1; i >= mark; i--) this.journal[i]!()
    this.journal.length = mark
  }

  /**
   * Only pre-Byzantium receipts ask for this (a post-transaction root). Roots belong to the
   * backend at commit, so the view answers with zeros and the block path reports such receipts
   * roots as uncheckable instead of comparing them.
   */
  async getStateRoot(): Promise<Uint8Array> {
    return new Uint8Array(32)
  }

  async setStateRoot(): Promise<void> {
    throw new UnsupportedStateOperationError({ operation: 'setStateRoot' })
  }

  async hasStateRoot(): Promise<boolean> {
    throw new UnsupportedStateOperationError({ operation: 'hasStateRoot' })
  }

  clearCaches(): void {}

  shallowCopy(): StateManagerInterface {
    return new TxStateView(this.base)
  }

  // ---------------------------------------------------------------- net effect

  private buildWriteSet(): WriteSet {
    const writeSet = createWriteSet()
    const touched = new Set<AddressHex>([...this.existence.keys(), ...this.fields.keys(), ...this.storage.keys()])
    for (const address of touched) {
      const write = this.accountWrite(address)
      if (write !== undefined) writeSet.accounts.set(address, write)
    }
    for (const [address, write] of writeSet.accounts) {
      const codeHash = write.codeHash
      if (codeHash !== undefined && codeHash !== EMPTY_CODE_HASH) {
        const code = this.newCodes.get(codeHash)
        if (code !== undefined) writeSet.codes.set(codeHash, code)
        else if (this.base.getCode(codeHash) === undefined) {
          throw new MissingStateError({ what: `code ${codeHash}`, reason: `written to ${address} without its bytes` })
        }
      }
    }
    return writeSet
  }

  private accountWrite(address: AddressHex): AccountWrite | undefined {
    const before = this.baseAccount(address)
    const existsAfter = this.existence.get(address) ?? before !== undefined
    const local = this.fields.get(address) ?? {}
    const slots = this.storage.get(address) ?? new Map<SlotHex, bigint>()
    if (!existsAfter) return before === undefined ? undefined : { lifecycle: 'deleted', storage: new Map() }
    if (before === undefined || this.storageCleared.has(address)) {
      const storage = new Map<SlotHex, bigint>()
      for (const [slot, value] of slots) if (value !== 0n) storage.set(slot, value)
      // A re-creation over an existing account carries forward fields the transaction may never
      // have looked at (say, a pre-funded balance it only credited): as absolute values they
      // depend on the base, so they are reads.
      if (before !== undefined) {
        if (local.balance === undefined) this.record(accountFieldKeyId(address, 'balance'), before.balance)
        if (local.nonce === undefined) this.record(accountFieldKeyId(address, 'nonce'), before.nonce)
        if (local.codeHash === undefined) this.record(accountFieldKeyId(address, 'code'), before.codeHash)
      }
      return {
        lifecycle: 'created',
        nonce: local.nonce ?? before?.nonce ?? 0n,
        balance: (local.balance ?? before?.balance ?? 0n) + (local.balanceDelta ?? 0n),
        codeHash: local.codeHash ?? before?.codeHash ?? EMPTY_CODE_HASH,
        storage,
      }
    }
    const write: AccountWrite = { storage: new Map() }
    let changed = false
    if (address === this.chain?.sender) {
      if (local.nonce !== undefined && local.nonce !== this.chain.nonce) (write.nonceDelta = local.nonce - this.chain.nonce), (changed = true)
    } else if (local.nonce !== undefined && local.nonce !== before.nonce) (write.nonce = local.nonce), (changed = true)
    if (local.balance !== undefined && local.balance !== before.balance) (write.balance = local.balance), (changed = true)
    if (local.balanceDelta !== undefined && local.balanceDelta !== 0n) (write.balanceDelta = local.balanceDelta), (changed = true)
    if (local.codeHash !== undefined && local.codeHash !== before.codeHash) (write.codeHash = local.codeHash), (changed = true)
    for (const [slot, value] of slots) {
      if (value !== this.base.getStorage(address, slot)) {
        write.storage.set(slot, value)
        changed = true
      }
    }
    return changed ? write : undefined
  }
}
