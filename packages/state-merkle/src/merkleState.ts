import type { AddressHex, CommitContext, FlatAccount, Hex, SlotHex, StagedCommit, StateBackend, WriteSet } from '@parallel-evm/core'
import { StagedCommitPendingError } from '@parallel-evm/core'
import { SettleOnceCommit } from '@parallel-evm/core/internal'
import { FlatState } from './flatState.js'
import { NodeOverlay } from './nodeOverlay.js'
import { computeIntermediateRoots } from './intermediateRoots.js'
import { computeStateRoot } from './stateRootUpdate.js'
import { EMPTY_TRIE_ROOT } from './trieEncoding.js'

export interface CreateMerkleStateOptions {
  /** The initial state, typically every pre-state account as `'created'`; imported as one commit. */
  genesis?: WriteSet
}

/** Creates an in-memory Merkle state, empty or holding `genesis`. */
export async function createMerkleState(options: CreateMerkleStateOptions = {}): Promise<MerkleState> {
  const state = new MerkleState()
  if (options.genesis !== undefined) await (await state.stage(options.genesis)).apply()
  return state
}

/**
 * A state backend with flat reads and a separate commitment (reth/erigon style): execution reads
 * only the flat maps, synchronously; the Merkle Patricia tries exist to compute the state root of
 * each commit. All tries (the account trie and every storage trie) keep their nodes in one map.
 */
export class MerkleState implements StateBackend {
  readonly kind = 'merkle'
  private readonly flat = new FlatState()
  private readonly nodes = new Map<string, string | Uint8Array>()
  private root: Uint8Array = EMPTY_TRIE_ROOT
  private pending = false

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

  async intermediateRoots(steps: readonly WriteSet[]): Promise<Uint8Array[]> {
    return computeIntermediateRoots(new NodeOverlay({ getNode: (hash) => this.nodes.get(hash) }), this.root, this.flat, steps)
  }

  /**
   * Computes the root `writes` lead to. New trie nodes stay in an overlay and flat changes in the
   * returned handle, so until `apply` neither readers nor `stateRoot()` see anything.
   */
  async stage(writes: WriteSet, _context?: CommitContext): Promise<StagedCommit> {
    // Checked and claimed before the first await: a second concurrent call sees the claim.
    if (this.pending) throw new StagedCommitPendingError()
    this.pending = true
    try {
      const overlay = new NodeOverlay({ getNode: (hash) => this.nodes.get(hash) })
      const { root, changes } = computeStateRoot(overlay, this.root, this.flat, writes)
      const codes = new Map(writes.codes)
      return new SettleOnceCommit(root, {
        apply: async () => {
          for (const [hash, node] of overlay.newNodes()) this.nodes.set(hash, node)
          this.flat.apply(changes, codes)
          this.root = root
          this.pending = false
        },
        discard: async () => {
          this.pending = false
        },
      })
    } catch (err) {
      this.pending = false
      throw err
    }
  }
}
