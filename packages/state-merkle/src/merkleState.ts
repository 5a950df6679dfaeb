import { createMPT } from '@ethereumjs/mpt'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { MapDB, ValueEncoding, equalsBytes, hexToBytes } from '@ethereumjs/util'
import type { AddressHex, FlatAccount, Hex, SlotHex, StagedCommit, StateBackend, WriteSet } from '@parallel-evm/core'
import { SettleOnceCommit, StagedCommitPendingError } from '@parallel-evm/core'
import type { AccountChange } from './accountChange.js'
import { resolveAccountChanges } from './accountChange.js'
import { FlatState } from './flatState.js'
import { TrieBatch } from './trieBatch.js'
import { EMPTY_TRIE_ROOT, encodeAccountLeaf, encodeStorageValue } from './trieEncoding.js'

export interface CreateMerkleStateOptions {
  /** The initial state, typically every pre-state account as `'created'`; imported as one commit. */
  genesis?: WriteSet
}

/** Creates an in-memory Merkle state, empty or holding `genesis`. */
export async function createMerkleState(options: CreateMerkleStateOptions = {}): Promise<MerkleState> {
  const db = new MapDB<string, string | Uint8Array>()
  const state = new MerkleState(db, await openTrie(db, EMPTY_TRIE_ROOT))
  if (options.genesis !== undefined) await (await state.stage(options.genesis)).apply()
  return state
}

/** A key-hashed trie over the shared node database; storing bytes skips a hex round trip per node. */
function openTrie(db: MapDB<string, string | Uint8Array>, root: Uint8Array): Promise<MerklePatriciaTrie> {
  return createMPT({ db, root, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes })
}

/**
 * A state backend with flat reads and a separate commitment (reth/erigon style): execution reads
 * only the flat maps, synchronously; the Merkle Patricia tries exist to compute the state root of
 * each commit. All tries (the account trie and every storage trie) keep their nodes in one `MapDB`.
 */
export class MerkleState implements StateBackend {
  readonly kind = 'merkle'
  private readonly flat = new FlatState()
  private root: Uint8Array = EMPTY_TRIE_ROOT
  private pending = false

  /** Use `createMerkleState`: the account trie must start empty, over `db`. */
  constructor(
    private readonly db: MapDB<string, string | Uint8Array>,
    private readonly accountTrie: MerklePatriciaTrie,
  ) {}

  getAccount(address: AddressHex): FlatAccount | undefined {
    return this.flat.getAccount(address)
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    return this.flat.getStorage(address, slot)
  }

  getCode(codeHash: Hex): Uint8Array | undefined {
    return this.flat.getCode(codeHash)
  }

  hasStorage(address: AddressHex): boolean {
    return this.flat.hasStorage(address)
  }

  exportState(): WriteSet {
    return this.flat.export()
  }

  stateRoot(): Uint8Array {
    return this.root.slice()
  }

  /**
   * Computes the root `writes` lead to. New trie nodes stay inside trie checkpoints and flat changes
   * stay in the returned handle, so until `apply` neither readers nor `stateRoot()` see anything.
   */
  async stage(writes: WriteSet): Promise<StagedCommit> {
    // Checked and claimed before the first await: a second concurrent call sees the claim.
    if (this.pending) throw new StagedCommitPendingError()
    this.pending = true
    const changes = resolveAccountChanges(this.flat, writes)
    const codes = new Map(writes.codes)
    const storageTries: MerklePatriciaTrie[] = []
    this.accountTrie.checkpoint()
    try {
      const accounts = new TrieBatch(this.accountTrie)
      for (const [address, change] of changes) {
        const key = hexToBytes(address)
        if (change.after === undefined) {
          if (change.before !== undefined) await accounts.del(key)
          continue
        }
        if (change.slots.size > 0) {
          const trie = await openTrie(this.db, change.storageRoot)
          trie.checkpoint()
          storageTries.push(trie)
          change.storageRoot = await updateStorage(trie, change.slots)
        }
        if (leafChanged(change, this.flat.storageRoot(address))) {
          await accounts.put(key, encodeAccountLeaf(change.after, change.storageRoot))
        }
      }
      const root = await accounts.commit()
      return new SettleOnceCommit(root.slice(), {
        apply: () => this.applyStaged(root, changes, codes, storageTries),
        discard: () => this.discardStaged(storageTries),
      })
    } catch (err) {
      await this.discardStaged(storageTries)
      throw err
    }
  }

  private async applyStaged(
    root: Uint8Array,
    changes: ReadonlyMap<AddressHex, AccountChange>,
    codes: ReadonlyMap<Hex, Uint8Array>,
    storageTries: readonly MerklePatriciaTrie[],
  ): Promise<void> {
    await this.accountTrie.commit()
    for (const trie of storageTries) await trie.commit()
    this.flat.apply(changes, codes)
    this.root = root
    this.pending = false
  }

  private async discardStaged(storageTries: readonly MerklePatriciaTrie[]): Promise<void> {
    await this.accountTrie.revert()
    for (const trie of storageTries) await trie.revert()
    this.pending = false
  }
}

/** All of one account's slot writes in one batch, so its storage root is computed once per commit. */
async function updateStorage(trie: MerklePatriciaTrie, slots: ReadonlyMap<SlotHex, bigint>): Promise<Uint8Array> {
  const batch = new TrieBatch(trie)
  for (const [slot, value] of slots) {
    if (value === 0n) await batch.del(hexToBytes(slot))
    else await batch.put(hexToBytes(slot), encodeStorageValue(value))
  }
  return batch.commit()
}

/** Whether the account leaf differs from the committed one (a put of an equal leaf still re-hashes its path). */
function leafChanged(change: AccountChange, storageRootBefore: Uint8Array): boolean {
  const { before, after } = change
  if (before === undefined || after === undefined) return true
  return (
    before.nonce !== after.nonce ||
    before.balance !== after.balance ||
    before.codeHash !== after.codeHash ||
    !equalsBytes(change.storageRoot, storageRootBefore)
  )
}
