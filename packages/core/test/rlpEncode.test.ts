import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { encodeRlp, encodeRlpInteger, type RlpItem } from '../src/rlpEncode.js'

/** A deterministic pseudo-random generator (xorshift), so a failure replays. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
}

// Lengths around every header boundary: single bytes under and over 0x80, 55/56, 255/256, 65535/65536.
const LENGTHS = [0, 1, 2, 54, 55, 56, 57, 255, 256, 257, 1024, 65_535, 65_536, 70_000]

function randomItem(next: () => number, depth: number): RlpItem {
  if (depth > 3 || next() < 0.55) {
    const length = next() < 0.3 ? LENGTHS[Math.floor(next() * LENGTHS.length)]! : Math.floor(next() * 40)
    return Uint8Array.from({ length }, () => Math.floor(next() * 256))
  }
  return Array.from({ length: Math.floor(next() * 6) }, () => randomItem(next, depth + 1))
}

describe('encodeRlp', () => {
  it('behavior: gives @ethereumjs/rlp\'s bytes for edge cases and 2,000 random nested items', () => {
    const edges: RlpItem[] = [new Uint8Array(), Uint8Array.of(0), Uint8Array.of(0x7f), Uint8Array.of(0x80), [], [[]], [[], [[]]], new Uint8Array(56), Array.from({ length: 60 }, () => Uint8Array.of(1))]
    const next = random(7)
    for (const item of [...edges, ...Array.from({ length: 2_000 }, () => randomItem(next, 0))]) {
      expect(bytesToHex(encodeRlp(item))).toBe(bytesToHex(RLP.encode(item as Parameters<typeof RLP.encode>[0])))
    }
  })

  it('behavior: an integer key is RLP of the integer', () => {
    for (const value of [0, 1, 0x7f, 0x80, 0xff, 0x100, 1_000, 65_535, 65_536, 2 ** 32 + 5]) {
      expect(bytesToHex(encodeRlpInteger(value))).toBe(bytesToHex(RLP.encode(value)))
    }
  })
})
