import { keccak256 } from './cryptoProvider.js'
import { encodeRlp, encodeRlpInteger, type RlpItem } from './rlpEncode.js'

type TrieNode =
  | { kind: 'leaf'; path: number[]; value: Uint8Array }
  | { kind: 'extension'; path: number[]; child: TrieNode }
  | { kind: 'branch'; children: (TrieNode | undefined)[]; value: Uint8Array | undefined }

interface Entry {
  nibbles: number[]
  value: Uint8Array
}

/**
 * The root of the Merkle Patricia trie holding `values[i]` under key `RLP(i)` (receipts and
 * transaction tries), built whole and hashed once, rather than by one `put` per item, each of
 * which re-encodes and re-hashes the path it touches (the cost of a 2,000-receipt block).
 */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  const entries = values.map((value, index) => ({ nibbles: nibblesOf(encodeRlpInteger(index)), value }))
  entries.sort((a, b) => compareNibbles(a.nibbles, b.nibbles))
  if (entries.length === 0) return keccak256(encodeRlp(new Uint8Array()))
  return keccak256(encodeRlp(raw(build(entries, 0))))
}

function build(entries: Entry[], depth: number): TrieNode {
  if (entries.length === 1) return { kind: 'leaf', path: entries[0]!.nibbles.slice(depth), value: entries[0]!.value }
  // Sorted, so the prefix every entry shares is the one the first and last share.
  const first = entries[0]!.nibbles
  const last = entries[entries.length - 1]!.nibbles
  let shared = 0
  while (depth + shared < first.length && depth + shared < last.length && first[depth + shared] === last[depth + shared]) shared++
  if (shared > 0) return { kind: 'extension', path: first.slice(depth, depth + shared), child: build(entries, depth + shared) }
  const groups: Entry[][] = Array.from({ length: 16 }, () => [])
  let value: Uint8Array | undefined
  for (const entry of entries) {
    if (entry.nibbles.length === depth) value = entry.value
    else groups[entry.nibbles[depth]!]!.push(entry)
  }
  return { kind: 'branch', children: groups.map((group) => (group.length === 0 ? undefined : build(group, depth + 1))), value }
}

function raw(node: TrieNode): RlpItem[] {
  if (node.kind === 'leaf') return [hexPrefix(node.path, true), node.value]
  if (node.kind === 'extension') return [hexPrefix(node.path, false), reference(node.child)]
  return [...node.children.map((child) => (child === undefined ? new Uint8Array() : reference(child))), node.value ?? new Uint8Array()]
}

/** A child under 32 bytes encoded is embedded in its parent; a larger one is referred to by hash. */
function reference(node: TrieNode): RlpItem {
  const nodeRaw = raw(node)
  const encoded = encodeRlp(nodeRaw)
  return encoded.length < 32 ? nodeRaw : keccak256(encoded)
}

function hexPrefix(path: number[], leaf: boolean): Uint8Array {
  const odd = path.length % 2 === 1
  const flag = (leaf ? 2 : 0) + (odd ? 1 : 0)
  const bytes = new Uint8Array(Math.floor(path.length / 2) + 1)
  bytes[0] = odd ? (flag << 4) | path[0]! : flag << 4
  for (let i = odd ? 1 : 0, b = 1; i < path.length; i += 2, b++) bytes[b] = (path[i]! << 4) | path[i + 1]!
  return bytes
}

function nibblesOf(bytes: Uint8Array): number[] {
  const nibbles: number[] = []
  for (const byte of bytes) nibbles.push(byte >> 4, byte & 15)
  return nibbles
}

function compareNibbles(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}
