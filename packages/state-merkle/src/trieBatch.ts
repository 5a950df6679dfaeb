import { RLP } from '@ethereumjs/rlp'
import { KECCAK256_RLP, bytesToHex, equalsBytes } from '@ethereumjs/util'
import { keccak256 } from '@parallel-evm/core'
import { encodeRlp, type RlpItem } from '@parallel-evm/core/internal'

/** Where a batch reads the nodes it opens and puts the ones it creates, by hash. */
export interface TrieNodeStore {
  readNode(hash: Uint8Array): Uint8Array | undefined
  writeNode(hash: Uint8Array, encoded: Uint8Array): void
}

/** A node the store should hold and does not: the trie (or the database under it) is incomplete. */
export class MissingTrieNodeError extends Error {
  constructor(readonly hash: Uint8Array) {
    super(`missing trie node ${bytesToHex(hash)}`)
    this.name = 'MissingTrieNodeError'
  }
}

/** A raw node as RLP decodes it: the items of a leaf, extension or branch list. */
type RawNode = (Uint8Array | RawNode)[]

/**
 * How a parent refers to a child it has not opened: the child's hash, or the child itself
 * (its raw RLP list) when its encoding is under 32 bytes and is therefore inlined.
 */
type NodeRef = Uint8Array | RawNode

/**
 * The in-memory nodes of one batch. `ref` is set while a node is unchanged since it was read
 * (it is how the parent already refers to it, so committing it again costs nothing) and cleared
 * on the first change: a node without `ref` is dirty, and so is every node above it.
 */
interface LeafNode {
  readonly kind: 'leaf'
  path: number[]
  value: Uint8Array
  ref: NodeRef | undefined
}

interface ExtensionNode {
  readonly kind: 'extension'
  path: number[]
  child: Child
  ref: NodeRef | undefined
}

/** Keys all have the same length (32-byte hashes), so no key ends at a branch: branches carry no value. */
interface BranchNode {
  readonly kind: 'branch'
  children: (Child | null)[]
  ref: NodeRef | undefined
}

type MemNode = LeafNode | ExtensionNode | BranchNode
type Child = MemNode | NodeRef

const EMPTY = new Uint8Array(0)

function isRef(child: Child): child is NodeRef {
  return child instanceof Uint8Array || Array.isArray(child)
}

function leaf(path: number[], value: Uint8Array): LeafNode {
  return { kind: 'leaf', path, value, ref: undefined }
}

function extension(path: number[], child: Child): ExtensionNode {
  return { kind: 'extension', path, child, ref: undefined }
}

function emptyBranch(): BranchNode {
  return { kind: 'branch', children: new Array<Child | null>(16).fill(null), ref: undefined }
}

function toNibbles(key: Uint8Array): number[] {
  const nibbles = new Array<number>(key.length * 2)
  for (let i = 0; i < key.length; i++) {
    const byte = key[i]!
    nibbles[2 * i] = byte >> 4
    nibbles[2 * i + 1] = byte & 0x0f
  }
  return nibbles
}

/** How many leading nibbles `path` shares with `key` from `offset` on. */
function sharedLength(path: number[], key: number[], offset: number): number {
  let i = 0
  while (i < path.length && path[i] === key[offset + i]) i++
  return i
}

/** The hex-prefix ("compact") encoding of a leaf or extension path (yellow paper, appendix C). */
function compactPath(path: number[], isLeaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(1 + (path.length >> 1))
  out[0] = ((isLeaf ? 2 : 0) + odd) << 4
  let p = 0
  if (odd === 1) out[0]! |= path[p++]!
  for (let i = 1; i < out.length; i++, p += 2) out[i] = (path[p]! << 4) | path[p + 1]!
  return out
}

/** A node that lost the nibbles above it (a branch collapsing, an extension above it) takes them over. */
function prependPath(prefix: number[], node: MemNode): MemNode {
  if (node.kind === 'leaf') return leaf(prefix.concat(node.path), node.value)
  if (node.kind === 'extension') return extension(prefix.concat(node.path), node.child)
  return extension(prefix, node)
}

/** The nibbles of a hex-prefix ("compact") path, and whether it is a leaf's. */
function fromCompactPath(compact: Uint8Array): { path: number[]; isLeaf: boolean } {
  const flag = compact[0]! >> 4
  const path: number[] = []
  if ((flag & 1) === 1) path.push(compact[0]! & 0x0f)
  for (let i = 1; i < compact.length; i++) path.push(compact[i]! >> 4, compact[i]! & 0x0f)
  return { path, isLeaf: flag >= 2 }
}

/** A stored (or inlined) node as the batch's plain object, still referred to by `ref`. */
function decodeNode(raw: RawNode, ref: NodeRef): MemNode {
  if (raw.length === 2) {
    const { path, isLeaf } = fromCompactPath(raw[0] as Uint8Array)
    if (isLeaf) return { kind: 'leaf', path, value: raw[1] as Uint8Array, ref }
    return { kind: 'extension', path, child: raw[1] as NodeRef, ref }
  }
  if (raw.length === 17) {
    if ((raw[16] as Uint8Array).length > 0) throw new Error('TrieBatch: a branch holds a value, so this is not a trie of fixed-length (hashed) keys')
    const children = new Array<Child | null>(16)
    for (let i = 0; i < 16; i++) {
      const item = raw[i]!
      children[i] = item instanceof Uint8Array && item.length === 0 ? null : item
    }
    return { kind: 'branch', children, ref }
  }
  throw new Error(`TrieBatch: a node of ${raw.length} items is neither a leaf, an extension nor a branch`)
}

/**
 * A batch of puts and deletes on a key-hashed Merkle Patricia trie, hashing each touched node once.
 *
 * `MerklePatriciaTrie.put` re-encodes and re-hashes the whole path to the root on every call, so a
 * block's thousands of writes hash the upper levels thousands of times; it also reads each node
 * through an asynchronous, hex-keyed, checkpointing database and builds a class instance per node.
 * Here the touched part of the trie is decoded straight from the store into plain objects,
 * changed there, and only `commit` encodes and hashes what changed (bottom up, once), handing the
 * new nodes to the store. Synchronous: every store the backends have reads synchronously. The node
 * format is ethereumjs's (tests compare roots with `MerklePatriciaTrie.put`).
 */
export class TrieBatch {
  private root: Child | null

  constructor(
    private readonly store: TrieNodeStore,
    root: Uint8Array,
  ) {
    this.root = equalsBytes(root, KECCAK256_RLP) ? null : root
  }

  /** Sets `key` (unhashed, as `trie.put` would take it) to `value`; an empty value deletes. */
  put(key: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) return this.del(key)
    this.root = this.insert(this.root, toNibbles(keccak256(key)), 0, value)
  }

  del(key: Uint8Array): void {
    this.root = this.remove(this.root, toNibbles(keccak256(key)), 0)
  }

  /** Hands the changed nodes to the store and returns the new root; the batch can go on from it. */
  commit(): Uint8Array {
    const root = this.root
    if (root === null) return KECCAK256_RLP
    if (isRef(root)) return root as Uint8Array
    return this.encode(root, true) as Uint8Array
  }

  private open(child: Child): MemNode {
    if (!isRef(child)) return child
    let raw: RawNode
    if (child instanceof Uint8Array) {
      const encoded = this.store.readNode(child)
      if (encoded === undefined) throw new MissingTrieNodeError(child)
      raw = RLP.decode(encoded) as RawNode
    } else {
      raw = child
    }
    return decodeNode(raw, child)
  }

  private insert(child: Child | null, key: number[], offset: number, value: Uint8Array): MemNode {
    if (child === null) return leaf(key.slice(offset), value)
    const node = this.open(child)
    if (node.kind === 'branch') {
      const index = key[offset]!
      const next = this.insert(node.children[index] ?? null, key, offset + 1, value)
      node.children[index] = next
      if (next.ref === undefined) node.ref = undefined
      return node
    }
    const shared = sharedLength(node.path, key, offset)
    if (shared === node.path.length) {
      if (node.kind === 'leaf') {
        // Same length keys: the whole path matching means the same key.
        if (!equalsBytes(node.value, value)) {
          node.value = value
          node.ref = undefined
        }
        return node
      }
      const next = this.insert(node.child, key, offset + shared, value)
      node.child = next
      if (next.ref === undefined) node.ref = undefined
      return node
    }
    // The paths part at `shared`: a branch there holds the old node's remainder and the new leaf.
    const branch = emptyBranch()
    const rest = node.path.slice(shared + 1)
    if (node.kind === 'leaf') branch.children[node.path[shared]!] = leaf(rest, node.value)
    else branch.children[node.path[shared]!] = rest.length > 0 ? extension(rest, node.child) : node.child
    branch.children[key[offset + shared]!] = leaf(key.slice(offset + shared + 1), value)
    return shared > 0 ? extension(node.path.slice(0, shared), branch) : branch
  }

  private remove(child: Child | null, key: number[], offset: number): MemNode | null {
    if (child === null) return null
    const node = this.open(child)
    if (node.kind === 'leaf') {
      return sharedLength(node.path, key, offset) === node.path.length ? null : node
    }
    if (node.kind === 'extension') {
      if (sharedLength(node.path, key, offset) < node.path.length) return node
      const next = this.remove(node.child, key, offset + node.path.length)
      // An extension always leads to a branch of two or more children, which a delete never empties.
      if (next === null) throw new Error('TrieBatch: an extension leads to an empty node')
      if (next.ref !== undefined) {
        node.child = next
        return node
      }
      return prependPath(node.path, next)
    }
    const index = key[offset]!
    const before = node.children[index] ?? null
    if (before === null) return node
    const next = this.remove(before, key, offset + 1)
    node.children[index] = next
    if (next !== null && next.ref !== undefined) return node
    node.ref = undefined
    if (next !== null) return node
    let count = 0
    let only = -1
    for (let i = 0; i < 16; i++) {
      if (node.children[i] !== null) {
        count++
        only = i
      }
    }
    if (count >= 2) return node
    if (count === 0) return null
    // A branch left with one child is not a valid node: the child absorbs the branch's nibble.
    return prependPath([only], this.open(node.children[only] as Child))
  }

  /** Encodes a dirty subtree bottom up; returns how the parent refers to it (the root always by hash). */
  private encode(node: MemNode, isRoot: boolean): NodeRef {
    if (node.ref !== undefined && !(isRoot && !(node.ref instanceof Uint8Array))) return node.ref
    let raw: unknown[]
    if (node.kind === 'leaf') raw = [compactPath(node.path, true), node.value]
    else if (node.kind === 'extension') raw = [compactPath(node.path, false), this.refOf(node.child)]
    else {
      raw = new Array<unknown>(17)
      for (let i = 0; i < 16; i++) {
        const c = node.children[i]!
        raw[i] = c === null ? EMPTY : this.refOf(c)
      }
      raw[16] = EMPTY
    }
    const encoded = encodeRlp(raw as RlpItem[])
    let ref: NodeRef
    if (encoded.length >= 32 || isRoot) {
      ref = keccak256(encoded)
      this.store.writeNode(ref, encoded)
    } else {
      // Under 32 bytes a node is inlined in its parent rather than stored under its hash.
      ref = raw as NodeRef
    }
    node.ref = ref
    return ref
  }

  private refOf(child: Child): NodeRef {
    return isRef(child) ? child : this.encode(child, false)
  }
}
