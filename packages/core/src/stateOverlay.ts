import { EMPTY_CODE_HASH } from './stateKey.js'
import { createWriteSet, mergeWriteSet } from './writeSet.js'
import type { AccountWrite, AddressHex, FlatAccount, Hex, SlotHex, StateReader, WriteSet } from './types.js'

/** A state with no accounts: the base for a state made wholly of a write set. */
export const EMPTY_STATE: StateReader = {
  getAccount: () => undefined,
  getStorage: () => 0n,
  getCode: () => undefined,
  hasStorage: () => false,
}

/** The account after `write`, given the account before it (ignored when the write has a lifecycle). */
export function applyAccountWrite(before: FlatAccount | undefined, write: AccountWrite): FlatAccount | undefined {
  if (write.lifecycle === 'deleted') return undefined
  const prior = write.lifecycle === 'created' ? undefined : before
  return {
    nonce: (write.nonce ?? prior?.nonce ?? 0n) + (write.nonceDelta ?? 0n),
    balance: (write.balance ?? prior?.balance ?? 0n) + (write.balanceDelta ?? 0n),
    codeHash: write.codeHash ?? prior?.codeHash ?? EMPTY_CODE_HASH,
  }
}

/**
 * A committed state with a write set laid over it: the state "as of" some point inside a block.
 * Reads fall through to `base` for anything the write set does not mention.
 */
export class StateOverlay implements StateReader {
  readonly writes: WriteSet

  constructor(
    readonly base: StateReader,
    /** Adopted as is (not copied): the caller hands over ownership. */
    writes: WriteSet = createWriteSet(),
  ) {
    this.writes = writes
  }

  apply(writeSet: WriteSet): void {
    mergeWriteSet(this.writes, writeSet)
  }

  getAccount(address: AddressHex): FlatAccount | undefined {
    const write = this.writes.accounts.get(address)
    if (write === undefined) return this.base.getAccount(address)
    return applyAccountWrite(write.lifecycle === undefined ? this.base.getAccount(address) : undefined, write)
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    const write = this.writes.accounts.get(address)
    if (write === undefined) return this.base.getStorage(address, slot)
    const value = write.storage.get(slot)
    if (value !== undefined) return value
    return write.lifecycle === undefined ? this.base.getStorage(address, slot) : 0n
  }

  getCode(codeHash: Hex): Uint8Array | undefined {
    return this.writes.codes.get(codeHash) ?? this.base.getCode(codeHash)
  }

  hasStorage(address: AddressHex): boolean {
    const write = this.writes.accounts.get(address)
    if (write === undefined) return this.base.hasStorage(address)
    for (const value of write.storage.values()) if (value !== 0n) return true
    // A slot zeroed here may have been the last non-zero one; only a full trie would know, and the
    // answer only feeds the EIP-7610 collision rule, which needs "ever had storage" in practice.
    return write.lifecycle === undefined && this.base.hasStorage(address)
  }
}
