import { Account, equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util'
import type { AddressHex } from './types.js'

/** The fields an ObservedAccount resolves lazily through its view. */
export interface AccountFieldSource {
  /** Whether the EVM is crediting this balance rather than observing it (see TxStateView). */
  balanceAccessFor(address: AddressHex): 'observe' | 'credit' | 'emptiness' | 'zero-value-check'
  readBalance(address: AddressHex): bigint
  /** Whether the balance is certainly non-zero without reading the parent state (a positive credit). */
  balanceKnownNonZero(address: AddressHex): boolean
  readNonce(address: AddressHex): bigint
  readCodeHash(address: AddressHex): Uint8Array
  hasNonEmptyStorage(address: AddressHex): boolean
}

/** Marks "has storage" for the EIP-7610 collision check; the real root lives only in the backend. */
const NON_EMPTY_STORAGE_ROOT = new Uint8Array(32).fill(0xff)

/**
 * The account object handed to the EVM. Each field is fetched (and recorded as a read) only when
 * the EVM looks at it, so a transaction that only bumps a nonce does not depend on the balance.
 * Assigned fields are kept on the object, as with a plain `Account`, until `putAccount`.
 */
export class ObservedAccount extends Account {
  readonly assigned: { nonce?: bigint; balance?: bigint; codeHash?: Uint8Array; storageRoot?: Uint8Array } = {}
  /** The balance a credit started from, when the balance was only ever read to be credited. */
  creditedFrom: bigint | undefined
  private observedBalance = false

  constructor(
    readonly source: AccountFieldSource,
    readonly address: AddressHex,
  ) {
    super()
  }

  override get nonce(): bigint {
    return this.assigned.nonce ?? this.source.readNonce(this.address)
  }
  override set nonce(value: bigint) {
    this.assigned.nonce = value
  }
  override get balance(): bigint {
    if (this.assigned.balance !== undefined) return this.assigned.balance
    const value = this.source.readBalance(this.address)
    const access = this.source.balanceAccessFor(this.address)
    if (access === 'zero-value-check') return value
    if (access === 'credit' && !this.observedBalance) this.creditedFrom = value
    else {
      this.observedBalance = true
      this.creditedFrom = undefined
    }
    return value
  }
  override set balance(value: bigint) {
    this.assigned.balance = value
  }
  override get codeHash(): Uint8Array {
    return this.assigned.codeHash ?? this.source.readCodeHash(this.address)
  }
  override set codeHash(value: Uint8Array) {
    this.assigned.codeHash = value
  }
  /**
   * Account.isEmpty asks the balance first. Any order gives the same answer; asking it last means an
   * emptiness check on a contract (EIP-161 cleanup after a zero-value call) records no balance read,
   * which would otherwise make every call into a contract depend on every payment to it.
   */
  override isEmpty(): boolean {
    if (this.assigned.balance !== undefined && this.assigned.balance !== 0n) return false
    if (this.assigned.balance === undefined && this.source.balanceKnownNonZero(this.address)) return false
    if (!equalsBytes(this.codeHash, KECCAK256_NULL)) return false
    if (this.nonce !== 0n) return false
    return this.balance === 0n
  }

  // Account's own isContract() reads the private field the base constructor set, not the getter.
  override isContract(): boolean {
    return !equalsBytes(this.codeHash, KECCAK256_NULL)
  }

  override get storageRoot(): Uint8Array {
    if (this.assigned.storageRoot !== undefined) return this.assigned.storageRoot
    return this.source.hasNonEmptyStorage(this.address) ? NON_EMPTY_STORAGE_ROOT : KECCAK256_RLP
  }
  override set storageRoot(value: Uint8Array) {
    this.assigned.storageRoot = value
  }
}
