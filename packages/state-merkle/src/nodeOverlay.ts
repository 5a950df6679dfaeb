import type { BatchDBOp, DB } from '@ethereumjs/util'
import { bytesToUnprefixedHex, hexToBytes } from '@ethereumjs/util'
import type { TrieNodeStore } from './trieBatch.js'

/** Trie nodes by their hash (unprefixed hex, as `@ethereumjs/mpt` addresses its database). */
export type NodeStore = DB<string, string | Uint8Array>

/** Where committed trie nodes are read from: a map, a database table. */
export interface NodeSource {
  /** `hash` is `hashHex` as bytes, for stores keyed by bytes. */
  getNode(hashHex: string, hash: Uint8Array): Uint8Array | string | undefined
}

/**
 * The trie database of one commit being staged: reads fall through to the committed nodes, new
 * nodes stay here. Nodes are content-addressed and never deleted, so discarding a staged commit is
 * dropping this object, and applying it is writing `newNodes()` wherever committed nodes live.
 */
export class NodeOverlay implements NodeStore, TrieNodeStore {
  private readonly added = new Map<string, string | Uint8Array>()

  constructor(private readonly committed: NodeSource) {}

  readNode(hash: Uint8Array): Uint8Array | undefined {
    const hex = bytesToUnprefixedHex(hash)
    const node = this.added.get(hex) ?? this.committed.getNode(hex, hash)
    return typeof node === 'string' ? hexToBytes(`0x${node}`) : node
  }

  writeNode(hash: Uint8Array, encoded: Uint8Array): void {
    this.added.set(bytesToUnprefixedHex(hash), encoded)
  }

  async get(key: string | Uint8Array): Promise<string | Uint8Array | undefined> {
    const hex = keyOf(key)
    return this.added.get(hex) ?? this.committed.getNode(hex, typeof key === 'string' ? hexToBytes(`0x${key}`) : key)
  }

  async put(key: string | Uint8Array, value: string | Uint8Array): Promise<void> {
    this.added.set(keyOf(key), value)
  }

  /** Unreachable nodes are left for a later prune: a hash may be shared by other tries or older roots. */
  async del(): Promise<void> {}

  async batch(ops: BatchDBOp<string, string | Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === 'put') this.added.set(keyOf(op.key), op.value)
  }

  shallowCopy(): NodeStore {
    return this
  }

  async open(): Promise<void> {}

  /** The nodes this commit adds, by unprefixed hex hash. */
  newNodes(): ReadonlyMap<string, string | Uint8Array> {
    return this.added
  }
}

function keyOf(key: string | Uint8Array): string {
  return typeof key === 'string' ? key : bytesToUnprefixedHex(key)
}
