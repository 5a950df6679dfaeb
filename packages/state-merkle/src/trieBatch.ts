import { BranchMPTNode, ExtensionMPTNode, LeafMPTNode } from '@ethereumjs/mpt'
import type { MerklePatriciaTrie, NodeReferenceOrRawMPTNode } from '@ethereumjs/mpt'
import { KECCAK256_RLP, equalsBytes } from '@ethereumjs/util'
import { encodeRlp, keccak256, type RlpItem } from '@parallel-evm/core'

/**
 * How a parent refers to a child it has not opened: the child's hash, or the child itself
 * (its raw RLP list) when its encoding is under 32 bytes and is therefore inlined.
 */
type NodeRef = NodeReferenceOrRawMPTNode

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

interface PutOp {
  type: 'put'
  key: Uint8Array
  value: Uint8Array
}

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

/**
 * A batch of puts and deletes on a key-hashed `MerklePatriciaTrie`, hashing each touched node once.
 *
 * `MerklePatriciaTrie.put` re-encodes and re-hashes the whole path to the root on every call, so a
 * block's thousands of writes hash the upper levels thousands of times. Here the touched part of
 * the trie is opened into memory, changed there, and only `commit` encodes and hashes what changed
 * (bottom up, once), writing the new nodes through the trie's own database, so the trie's
 * checkpoint/commit/revert still decide whether they are kept. The node format is ethereumjs's
 * (tests compare roots with `MerklePatriciaTrie.put`).
 */
export class TrieBatch {
  private root: Child | null

  constructor(private readonly trie: MerklePatriciaTrie) {
    const root = trie.root()
    this.root = equalsBytes(root, KECCAK256_RLP) ? null : root
  }

  /** Sets `key` (unhashed, as `trie.put` would take it) to `value`; an empty value deletes. */
  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    if (value.length === 0) return this.del(key)
    this.root = await this.insert(this.root, toNibbles(keccak256(key)), 0, value)
  }

  async del(key: Uint8Array): Promise<void> {
    this.root = await this.remove(this.root, toNibbles(keccak256(key)), 0)
  }

  /** Writes the changed nodes and moves the trie to the new root, which it returns. */
  async commit(): Promise<Uint8Array> {
    const root = this.root
    if (root === null) {
      this.trie.root(KECCAK256_RLP)
    } else if (!isRef(root)) {
      const ops: PutOp[] = []
      const hash = this.encode(root, true, ops) as Uint8Array
      if (ops.length > 0) await this.trie.database().batch(ops)
      this.trie.root(hash)
    }
    return this.trie.root()
  }

  private async open(child: Child): Promise<MemNode> {
    if (!isRef(child)) return child
    const node = await this.trie.lookupNode(child as Uint8Array | Uint8Array[])
    if (node instanceof LeafMPTNode) return { kind: 'leaf', path: node.key(), value: node.value(), ref: child }
    if (node instanceof ExtensionMPTNode) {
      return { kind: 'extension', path: node.key(), child: node.value() as NodeRef, ref: child }
    }
    if (node instanceof BranchMPTNode && node.value() === null) {
      const children = node._branches.slice(0, 16).map((b) => (b !== null && b.length > 0 ? b : null))
      return { kind: 'branch', children, ref: child }
    }
    throw new Error('TrieBatch: a branch holds a value, so this is not a trie of fixed-length (hashed) keys')
  }

  private async insert(child: Child | null, key: number[], offset: number, value: Uint8Array): Promise<MemNode> {
    if (child === null) return leaf(key.slice(offset), value)
    const node = await this.open(child)
    if (node.kind === 'branch') {
      const index = key[offset]!
      const next = await this.insert(node.children[index] ?? null, key, offset + 1, value)
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
      const next = await this.insert(node.child, key, offset + shared, value)
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

  private async remove(child: Child | null, key: number[], offset: number): Promise<MemNode | null> {
    if (child === null) return null
    const node = await this.open(child)
    if (node.kind === 'leaf') {
      return sharedLength(node.path, key, offset) === node.path.length ? null : node
    }
    if (node.kind === 'extension') {
      if (sharedLength(node.path, key, offset) < node.path.length) return node
      const next = await this.remove(node.child, key, offset + node.path.length)
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
    const next = await this.remove(before, key, offset + 1)
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
    return prependPath([only], await this.open(node.children[only] as Child))
  }

  /** Encodes a dirty subtree bottom up; returns how the parent refers to it (the root always by hash). */
  private encode(node: MemNode, isRoot: boolean, ops: PutOp[]): NodeRef {
    if (node.ref !== undefined && !(isRoot && !(node.ref instanceof Uint8Array))) return node.ref
    let raw: unknown[]
    if (node.kind === 'leaf') raw = [compactPath(node.path, true), node.value]
    else if (node.kind === 'extension') raw = [compactPath(node.path, false), this.refOf(node.child, ops)]
    else {
      raw = new Array<unknown>(17)
      for (let i = 0; i < 16; i++) {
        const c = node.children[i]!
        raw[i] = c === null ? EMPTY : this.refOf(c, ops)
      }
      raw[16] = EMPTY
    }
    const encoded = encodeRlp(raw as RlpItem[])
    let ref: NodeRef
    if (encoded.length >= 32 || isRoot) {
      ref = keccak256(encoded)
      ops.push({ type: 'put', key: ref, value: encoded })
    } else {
      // Under 32 bytes a node is inlined in its parent rather than stored under its hash.
      ref = raw as NodeRef
    }
    node.ref = ref
    return ref
  }

  private refOf(child: Child, ops: PutOp[]): NodeRef {
    return isRef(child) ? child : this.encode(child, false, ops)
  }
}
