/** Bytes, or a list of bytes and lists: what RLP encodes. */
export type RlpItem = Uint8Array | readonly RlpItem[]

/**
 * RLP, written into one buffer: the same bytes as `@ethereumjs/rlp`'s `encode` for bytes and
 * nested lists, which concatenates a new array at every level of every list (a few percent of a
 * block's time and much of its garbage, in receipts and trie nodes). A first pass measures each
 * list's payload, a second writes.
 */
export function encodeRlp(item: RlpItem): Uint8Array {
  const payloads: number[] = []
  const out = new Uint8Array(measure(item, payloads))
  write(item, out, 0, payloads, { next: 0 })
  return out
}

/** RLP of the integer `value` (0 ≤ value < 2^53) as a scalar: the key of item `value` in an ordered trie. */
export function encodeRlpInteger(value: number): Uint8Array {
  if (value === 0) return Uint8Array.of(0x80)
  if (value < 0x80) return Uint8Array.of(value)
  const bytes: number[] = []
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Uint8Array.of(0x80 + bytes.length, ...bytes)
}

function measure(item: RlpItem, payloads: number[]): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return 1
    return headerLength(item.length) + item.length
  }
  const slot = payloads.length
  payloads.push(0)
  let payload = 0
  for (let i = 0; i < item.length; i++) payload += measure(item[i]!, payloads)
  payloads[slot] = payload
  return headerLength(payload) + payload
}

function write(item: RlpItem, out: Uint8Array, at: number, payloads: readonly number[], cursor: { next: number }): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[at] = item[0]!
      return at + 1
    }
    at = writeHeader(out, at, item.length, 0x80)
    out.set(item, at)
    return at + item.length
  }
  at = writeHeader(out, at, payloads[cursor.next++]!, 0xc0)
  for (let i = 0; i < item.length; i++) at = write(item[i]!, out, at, payloads, cursor)
  return at
}

function headerLength(length: number): number {
  if (length < 56) return 1
  let bytes = 0
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes++
  return 1 + bytes
}

function writeHeader(out: Uint8Array, at: number, length: number, offset: number): number {
  if (length < 56) {
    out[at] = offset + length
    return at + 1
  }
  const bytes = headerLength(length) - 1
  out[at] = offset + 55 + bytes
  for (let i = bytes; i >= 1; i--) {
    out[at + i] = length % 256
    length = Math.floor(length / 256)
  }
  return at + 1 + bytes
}
