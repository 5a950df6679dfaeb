import { createMPT } from '@ethereumjs/mpt'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { ValueEncoding, equalsBytes, hexToBytes } from '@ethereumjs/util'
import { keccak256, type AddressHex, type FlatAccount, type SlotHex, type WriteSet } from '@parallel-evm/core'
import type { AccountChange, CommittedAccounts } from './accountChange.js'
import { resolveAccountChanges } from './accountChange.js'
import type { NodeStore } from './nodeOverlay.js'
import { TrieBatch, type TrieNodeStore } from './trieBatch.js'
import { encodeAccountLeaf, encodeStorageValue } from './trieEncoding.js'

export interface StateRootUpdate {
  /** The state root once `changes` apply. */
  readonly root: Uint8Array
  /** Every touched account resolved against the committed state, with its new storage root. */
  readonly changes: ReadonlyMap<AddressHex, AccountChange>
}

/**
 * The commitment half of a flat-state backend: resolves `writes` against the committed accounts,
 * updates each touched storage trie once and the account trie once, and returns the new root. New
 * nodes go to `nodes` (a `NodeOverlay` in practice, so nothing is committed until the caller says).
 * Synchronous, like every node store the backends have.
 */
export function computeStateRoot(nodes: TrieNodeStore, root: Uint8Array, committed: CommittedAccounts, writes: WriteSet): StateRootUpdate {
  const changes = resolveAccountChanges(committed, writes)
  const accounts = new TrieBatch(nodes, root)
  for (const [address, change] of changes) {
    const key = hexToBytes(address)
    if (change.after === undefined) {
      if (change.before !== undefined) accounts.del(key)
      continue
    }
    if (change.slots.size > 0) change.storageRoot = updateStorage(new TrieBatch(nodes, change.storageRoot), change.slots)
    if (leafChanged(change.before, change.after, change.storageRoot, committed.storageRoot(address))) {
      accounts.put(key, encodeAccountLeaf(change.after, change.storageRoot))
    }
  }
  return { root: accounts.commit().slice(), changes }
}

/**
 * A key-hashed trie over `nodes`; storing bytes skips a hex round trip per node. Keys and nodes
 * hash on the thread's active crypto provider (WASM keccak by default).
 */
export function openTrie(nodes: NodeStore, root: Uint8Array): Promise<MerklePatriciaTrie> {
  return createMPT({ db: nodes, root, useKeyHashing: true, useKeyHashingFunction: keccak256, valueEncoding: ValueEncoding.Bytes })
}

/** All of one account's slot writes in one batch, so its storage root is computed once per commit. */
function updateStorage(batch: TrieBatch, slots: ReadonlyMap<SlotHex, bigint>): Uint8Array {
  for (const [slot, value] of slots) {
    if (value === 0n) batch.del(hexToBytes(slot))
    else batch.put(hexToBytes(slot), encodeStorageValue(value))
  }
  return batch.commit()
}

/** Whether the account leaf differs from the committed one (a put of an equal leaf still re-hashes its path). */
function leafChanged(before: FlatAccount | undefined, after: FlatAccount, storageRoot: Uint8Array, storageRootBefore: Uint8Array): boolean {
  if (before === undefined) return true
  return before.nonce !== after.nonce || before.balance !== after.balance || before.codeHash !== after.codeHash || !equalsBytes(storageRoot, storageRootBefore)
}
