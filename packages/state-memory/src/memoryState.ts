import {
  EMPTY_CODE_HASH,
  StagedCommitPendingError,
  type AccountWrite,
  type AddressHex,
  type FlatAccount,
  type Hex,
  type SlotHex,
  type StagedCommit,
  type StateBackend,
  type WriteSet,
} from '@parallel-evm/core'
import { SettleOnceCommit } from '@parallel-evm/core/internal'

interface StoredAccount extends FlatAccount {
  storage: Map<SlotHex, bigint>
}

/**
 * Flat state in Maps, without a state root: the fastest backend, for execution and tests where
 * commitment is not needed. Account objects are never handed out, so callers cannot mutate state.
 */
export class MemoryState implements StateBackend {
  readonly kind = 'memory'
  private readonly accounts = new Map<AddressHex, StoredAccount>()
  private readonly codes = new Map<Hex, Uint8Array>()
  private pending = false

  getAccount(address: AddressHex): FlatAccount | undefined {
    const stored = this.accounts.get(address)
    return stored === undefined ? undefined : { nonce: stored.nonce, balance: stored.balance, codeHash: stored.codeHash }
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    return this.accounts.get(address)?.storage.get(slot) ?? 0n
  }

  getCode(codeHash: Hex): Uint8Array | undefined {
    return this.codes.get(codeHash)
  }

  hasStorage(address: AddressHex): boolean {
    return (this.accounts.get(address)?.storage.size ?? 0) > 0
  }

  stateRoot(): undefined {
    return undefined
  }

  async stage(writes: WriteSet): Promise<StagedCommit> {
    if (this.pending) throw new StagedCommitPendingError()
    this.pending = true
    return new SettleOnceCommit(undefined, {
      apply: async () => {
        this.applyWrites(writes)
        this.pending = false
      },
      discard: async () => {
        this.pending = false
      },
    })
  }

  exportState(): WriteSet {
    const accounts = new Map<AddressHex, AccountWrite>()
    for (const [address, { nonce, balance, codeHash, storage }] of this.accounts) {
      accounts.set(address, { lifecycle: 'created', nonce, balance, codeHash, storage: new Map(storage) })
    }
    return { accounts, codes: new Map(this.codes) }
  }

  /** Every account with its storage, sorted by address: for comparing two states in tests. */
  dump(): Map<AddressHex, FlatAccount & { storage: Map<SlotHex, bigint> }> {
    const sorted = [...this.accounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
    return new Map(sorted.map(([address, stored]) => [address, { ...stored, storage: new Map(stored.storage) }]))
  }

  private applyWrites(writes: WriteSet): void {
    for (const [hash, code] of writes.codes) this.codes.set(hash, code)
    for (const [address, write] of writes.accounts) this.applyAccount(address, write)
  }

  private applyAccount(address: AddressHex, write: AccountWrite): void {
    if (write.lifecycle === 'deleted') {
      this.accounts.delete(address)
      return
    }
    const existing = write.lifecycle === 'created' ? undefined : this.accounts.get(address)
    const next: StoredAccount = {
      nonce: write.nonce ?? existing?.nonce ?? 0n,
      balance: write.balance ?? existing?.balance ?? 0n,
      codeHash: write.codeHash ?? existing?.codeHash ?? EMPTY_CODE_HASH,
      storage: existing?.storage ?? new Map(),
    }
    for (const [slot, value] of write.storage) {
      if (value === 0n) next.storage.delete(slot)
      else next.storage.set(slot, value)
    }
    this.accounts.set(address, next)
  }
}
