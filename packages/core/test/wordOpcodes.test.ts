import { bigIntToBytes, bytesToBigInt, bytesToHex, setLengthLeft } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { bytesToWord, wordToBytes } from '../src/wordOpcodes.js'

describe('word conversions', () => {
  it('behavior: equal ethereumjs conversions on edge and random words, every length of bytes', () => {
    const words = [0n, 1n, 15n, 16n, 255n, 256n, 2n ** 64n - 1n, 2n ** 160n, 2n ** 255n, 2n ** 256n - 1n]
    let seed = 1n
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 256n
      words.push(seed >> BigInt(i % 256))
    }
    for (const word of words) {
      const expected = setLengthLeft(bigIntToBytes(word), 32)
      expect(bytesToHex(wordToBytes(word)), String(word)).toBe(bytesToHex(expected))
      expect(bytesToWord(expected)).toBe(word)
      const minimal = word === 0n ? new Uint8Array() : bigIntToBytes(word)
      expect(bytesToWord(minimal)).toBe(minimal.length === 0 ? 0n : bytesToBigInt(minimal))
    }
  })
})
