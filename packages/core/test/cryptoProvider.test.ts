import { Common, Mainnet } from '@ethereumjs/common'
import { bigIntToUnpaddedBytes, bytesToHex, ecrecover, SECP256K1_ORDER, setLengthLeft } from '@ethereumjs/util'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { defaultKzg, installCrypto, jsCryptoProvider, loadCryptoProvider } from '../src/index.js'

/** Reproducible bytes: keccak in counter mode over a seed. */
class SeededBytes {
  private counter = 0
  constructor(private readonly seed: number) {}
  next(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let offset = 0; offset < length; offset += 32) {
      const block = keccak_256(new TextEncoder().encode(`${this.seed}:${this.counter++}`))
      out.set(block.subarray(0, Math.min(32, length - offset)), offset)
    }
    return out
  }
}

/** The outcome of a call that may throw, comparable across implementations. */
function outcome(run: () => Uint8Array): string {
  try {
    return bytesToHex(run())
  } catch {
    return 'throws'
  }
}

describe('loadCryptoProvider', () => {
  it('default: the fast provider runs hash-wasm keccak, libsecp256k1, node:crypto sha256 and mcl BN254, with no fallback', async () => {
    const provider = await loadCryptoProvider()
    expect(provider.stats).toEqual({ preference: 'fast', keccak256: 'hash-wasm', secp256k1: 'libsecp256k1', sha256: 'node:crypto', bn254: 'mcl-wasm' })
    expect(await loadCryptoProvider('fast')).toBe(provider)
    expect(await loadCryptoProvider('js')).toBe(jsCryptoProvider)
  })

  it('behavior: keccak256 and sha256 equal @noble/hashes on every length around the sponge rate and on large inputs', async () => {
    const fast = await loadCryptoProvider('fast')
    const random = new SeededBytes(1)
    for (const length of [0, 1, 31, 32, 33, 55, 56, 64, 110, 135, 136, 137, 271, 272, 273, 532, 4096, 24_576, 100_000]) {
      const bytes = random.next(length)
      expect(bytesToHex(fast.keccak256(bytes)), `keccak ${length}`).toBe(bytesToHex(keccak_256(bytes)))
      expect(bytesToHex(fast.sha256(bytes)), `sha256 ${length}`).toBe(bytesToHex(sha256(bytes)))
    }
    // A subarray with an offset into a larger buffer hashes only its own bytes.
    const buffer = random.next(300)
    expect(bytesToHex(fast.keccak256(buffer.subarray(7, 207)))).toBe(bytesToHex(keccak_256(buffer.slice(7, 207))))
  })

  it('behavior: ecrecover equals ethereumjs (@noble/curves) on valid, high-s, zero, overflowing and bad-v signatures', async () => {
    const fast = await loadCryptoProvider('fast')
    const random = new SeededBytes(2)
    const cases: Array<[Uint8Array, bigint, Uint8Array, Uint8Array, bigint | undefined]> = []
    for (let i = 0; i < 40; i++) {
      const key = secp256k1.utils.randomSecretKey(random.next(48))
      const hash = random.next(32)
      const signature = secp256k1.sign(hash, key, { prehash: false, format: 'recovered' })
      const recovery = BigInt(signature[0]!)
      const r = signature.slice(1, 33)
      const s = signature.slice(33, 65)
      const highS = setLengthLeft(bigIntToUnpaddedBytes(SECP256K1_ORDER - BigInt(bytesToHex(s))), 32)
      cases.push(
        [hash, recovery + 27n, r, s, undefined],
        [hash, recovery, r, s, undefined],
        [hash, recovery + 35n + 2n, r, s, 1n],
        [hash, (recovery ^ 1n) + 27n, r, highS, undefined],
        [hash, 29n, r, s, undefined],
        [hash, recovery + 27n, new Uint8Array(32), s, undefined],
        [hash, recovery + 27n, r, new Uint8Array(32), undefined],
        [hash, recovery + 27n, setLengthLeft(bigIntToUnpaddedBytes(SECP256K1_ORDER), 32), s, undefined],
        [hash, recovery + 27n, r, new Uint8Array(32).fill(0xff), undefined],
        [hash, recovery + 27n, bigIntToUnpaddedBytes(BigInt(bytesToHex(r)) >> 8n), s, undefined],
      )
    }
    // Random bytes as r and s: some recover, some do not; both implementations must agree on which.
    for (let i = 0; i < 40; i++) cases.push([random.next(32), 27n + BigInt(i % 2), random.next(32), random.next(32), undefined])
    let recovered = 0
    for (const [hash, v, r, s, chainId] of cases) {
      const expected = outcome(() => ecrecover(hash, v, r, s, chainId))
      expect(outcome(() => fast.ecrecover(hash, v, r, s, chainId))).toBe(expected)
      if (expected !== 'throws') recovered++
    }
    expect(recovered).toBeGreaterThan(100)
    expect(recovered).toBeLessThan(cases.length)
  })

  it('behavior: installCrypto replaces customCrypto on its Common only, keeping KZG', async () => {
    const original = new Common({ chain: Mainnet, customCrypto: { kzg: defaultKzg() } })
    const copy = installCrypto(original.copy(), await loadCryptoProvider('fast'))
    expect(copy.customCrypto.kzg).toBe(original.customCrypto.kzg)
    expect(copy.customCrypto.keccak256).toBeDefined()
    expect(original.customCrypto.keccak256).toBeUndefined()
    expect(original.customCrypto.ecrecover).toBeUndefined()
  })
})
