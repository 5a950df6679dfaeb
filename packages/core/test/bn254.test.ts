import { bytesToHex, concatBytes, setLengthLeft } from '@ethereumjs/util'
import { bn254 } from '@noble/curves/bn254.js'
import mcl from 'mcl-wasm'
import { describe, expect, it } from 'vitest'
import { jsCryptoProvider, loadCryptoProvider } from '../src/index.js'

const P = bn254.fields.Fp.ORDER
const R = bn254.fields.Fr.ORDER
const G1 = bn254.G1.Point
const G2 = bn254.G2.Point
const noble = jsCryptoProvider.bn254

const word = (value: bigint) => setLengthLeft(Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'), 'hex')), 32)
const g1Bytes = (point: InstanceType<typeof G1>) => {
  if (point.is0()) return new Uint8Array(64)
  const { x, y } = point.toAffine()
  return concatBytes(word(x), word(y))
}
const g2Bytes = (point: InstanceType<typeof G2>) => {
  if (point.is0()) return new Uint8Array(128)
  const { x, y } = point.toAffine()
  return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0))
}

/** The result of a call that may throw, comparable across implementations: the bytes, or the error's class and message. */
function outcome(run: () => Uint8Array): string {
  try {
    return bytesToHex(run())
  } catch (error) {
    return `throws ${(error as Error).constructor.name}: ${(error as Error).message}`
  }
}

/** A point on G2's curve (the twist) outside its prime-order subgroup. */
function twistPointOutsideSubgroup(): Uint8Array {
  const { Fp2 } = bn254.fields
  const b = G2.CURVE().b
  for (let k = 1n; ; k++) {
    const x = Fp2.create({ c0: k, c1: 1n })
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b)
    let y
    try {
      y = Fp2.sqrt(rhs)
    } catch {
      continue
    }
    const point = G2.fromAffine({ x, y })
    if (!point.isTorsionFree()) return concatBytes(word(x.c1), word(x.c0), word(y.c1), word(y.c0))
  }
}

describe('BN254 precompiles on mcl', () => {
  const a = G1.BASE.multiply(7n)
  const b = G1.BASE.multiply(123456789n)
  const q = G2.BASE.multiply(11n)
  const offCurve = concatBytes(word(1n), word(3n))
  const xAtModulus = concatBytes(word(P), word(2n))

  it('the fast provider runs them on mcl-wasm, the js one on @noble/curves', async () => {
    expect((await loadCryptoProvider('fast')).stats.bn254).toBe('mcl-wasm')
    expect(jsCryptoProvider.stats.bn254).toBe('@noble/curves')
  })

  it('ecAdd: the same bytes or the same error as @noble/curves, valid and invalid points alike', async () => {
    const fast = (await loadCryptoProvider('fast')).bn254
    const zero = new Uint8Array(64)
    const cases = [
      concatBytes(g1Bytes(a), g1Bytes(b)),
      concatBytes(g1Bytes(a), g1Bytes(a)),
      concatBytes(g1Bytes(a), g1Bytes(a.negate())),
      concatBytes(zero, g1Bytes(b)),
      concatBytes(zero, zero),
      concatBytes(offCurve, g1Bytes(b)),
      concatBytes(g1Bytes(a), xAtModulus),
      concatBytes(word(P + 1n), word(2n), zero),
    ]
    for (const [index, input] of cases.entries()) expect(outcome(() => fast.add(input)), `case ${index}`).toBe(outcome(() => noble.add(input)))
    expect(outcome(() => fast.add(cases[0]!))).toBe(bytesToHex(g1Bytes(a.add(b))))
  })

  it('ecMul: scalars of 0, 1, r - 1, r, r + 1 and 2^256 - 1 and invalid points as @noble/curves', async () => {
    const fast = (await loadCryptoProvider('fast')).bn254
    const scalars = [0n, 1n, 2n, 12345n, R - 1n, R, R + 1n, 2n ** 256n - 1n]
    const points = [g1Bytes(a), g1Bytes(b), new Uint8Array(64), offCurve, xAtModulus]
    for (const point of points) {
      for (const scalar of scalars) {
        const input = concatBytes(point, word(scalar))
        expect(outcome(() => fast.mul(input)), `${bytesToHex(point).slice(0, 10)} × ${scalar}`).toBe(outcome(() => noble.mul(input)))
      }
    }
    expect(outcome(() => fast.mul(concatBytes(g1Bytes(a), word(R + 5n))))).toBe(bytesToHex(g1Bytes(a.multiply(5n))))
  })

  it('ecPairing: true and false checks, infinity pairs, and invalid or non-subgroup G2 points as @noble/curves', async () => {
    const fast = (await loadCryptoProvider('fast')).bn254
    const pair = (p: Uint8Array, g2: Uint8Array) => concatBytes(p, g2)
    const balanced = concatBytes(pair(g1Bytes(a), g2Bytes(q)), pair(g1Bytes(a.negate()), g2Bytes(q)))
    const product = concatBytes(pair(g1Bytes(G1.BASE.multiply(6n)), g2Bytes(G2.BASE)), pair(g1Bytes(G1.BASE.multiply(2n).negate()), g2Bytes(G2.BASE.multiply(3n))))
    const unbalanced = concatBytes(pair(g1Bytes(a), g2Bytes(q)), pair(g1Bytes(b), g2Bytes(q)))
    const outside = twistPointOutsideSubgroup()
    const g2AtModulus = concatBytes(word(P), word(0n), word(0n), word(0n))
    const cases = [
      new Uint8Array(0),
      balanced,
      product,
      unbalanced,
      pair(new Uint8Array(64), g2Bytes(q)),
      pair(g1Bytes(a), new Uint8Array(128)),
      concatBytes(balanced, pair(new Uint8Array(64), new Uint8Array(128))),
      pair(g1Bytes(a), outside),
      pair(new Uint8Array(64), outside),
      pair(offCurve, g2Bytes(q)),
      pair(g1Bytes(a), g2AtModulus),
      pair(g1Bytes(a), concatBytes(word(1n), word(2n), word(3n), word(4n))),
    ]
    for (const [index, input] of cases.entries()) expect(outcome(() => fast.pairing(input)), `case ${index}`).toBe(outcome(() => noble.pairing(input)))
    expect(outcome(() => fast.pairing(balanced))).toBe(bytesToHex(word(1n)))
    expect(outcome(() => fast.pairing(product))).toBe(bytesToHex(word(1n)))
    expect(outcome(() => fast.pairing(unbalanced))).toBe(bytesToHex(word(0n)))
  })

  it('when other code re-initialises mcl for another curve, every call goes to @noble/curves and stays right', async () => {
    const fast = (await loadCryptoProvider('fast')).bn254
    const input = concatBytes(g1Bytes(a), word(99n))
    const pairing = concatBytes(g1Bytes(a), g2Bytes(q), g1Bytes(a.negate()), g2Bytes(q))
    try {
      await mcl.init(mcl.BLS12_381)
      expect(outcome(() => fast.mul(input))).toBe(bytesToHex(g1Bytes(a.multiply(99n))))
      expect(outcome(() => fast.add(concatBytes(g1Bytes(a), g1Bytes(b))))).toBe(bytesToHex(g1Bytes(a.add(b))))
      expect(outcome(() => fast.pairing(pairing))).toBe(bytesToHex(word(1n)))
    } finally {
      await mcl.init(mcl.BN_SNARK1)
    }
    expect(outcome(() => fast.mul(input))).toBe(bytesToHex(g1Bytes(a.multiply(99n))))
  })
})
