import type { AddressHex, FlatAccount, SlotHex, WriteSet } from '@parallel-evm/core'
import type { AccountChange, CommittedAccounts } from './accountChange.js'
import { computeStateRoot } from './stateRootUpdate.js'
import type { TrieNodeStore } from './trieBatch.js'

/**
 * The state root after each of `steps` applies in turn on top of the committed state (`root`,
 * `committed`): a pre-Byzantium receipt holds the root after its transaction. New nodes go to
 * `nodes` (an overlay the caller discards); nothing is committed.
 */
export function computeIntermediateRoots(nodes: TrieNodeStore, root: Uint8Array, committed: CommittedAccounts, steps: readonly WriteSet[]): Uint8Array[] {
  const view = new ChangedAccounts(committed)
  const roots: Uint8Array[] = []
  let current = root
  for (const writes of steps) {
    const update = computeStateRoot(nodes, current, view, writes)
    view.apply(update.changes)
    current = update.root
    roots.push(current)
  }
  return roots
}

/** The committed accounts as the earlier steps left them. */
class ChangedAccounts implements CommittedAccounts {
  private readonly accounts = new Map<AddressHex, AccountChange>()
  private readonly slots = new Map<AddressHex, Map<SlotHex, bigint>>()
  /** Accounts whose storage an earlier step reset: a slot not written since reads as zero. */
  private readonly reset = new Set<AddressHex>()

  constructor(private readonly committed: CommittedAccounts) {}

  getAccount(address: AddressHex): FlatAccount | undefined {
    const change = this.accounts.get(address)
    return change === undefined ? this.committed.getAccount(address) : change.after
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    const value = this.slots.get(address)?.get(slot)
    if (value !== undefined) return value
    return this.reset.has(address) ? 0n : this.committed.getStorage(address, slot)
  }

  storageRoot(address: AddressHex): Uint8Array {
    return this.accounts.get(address)?.storageRoot ?? this.committed.storageRoot(address)
  }

  apply(changes: ReadonlyMap<AddressHex, AccountChange>): void {
    for (const [address, change] of changes) {
      this.accounts.set(address, change)
      if (change.resetStorage) {
        this.reset.add(address)
        this.slots.delete(address)
      }
      if (change.slots.size === 0) continue
      let slots = this.slots.get(address)
      if (slots === undefined) this.slots.set(address, (slots = new Map()))
      for (const [slot, value] of change.slots) slots.set(slot, value)
    }
  }
}
