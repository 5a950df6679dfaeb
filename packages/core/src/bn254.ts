import { NobleBN254, type EVMBN254Interface } from '@ethereumjs/evm'
import { bytesToUnprefixedHex, hexToBytes } from '@ethereumjs/util'

type Mcl = typeof import('mcl-wasm')

const G1_BYTES = 64
const G2_BYTES = 128
const PAIR_BYTES = G1_BYTES + G2_BYTES
const ZERO_WORD = new Uint8Array(32)
const ONE_WORD = Uint8Array.from({ length: 32 }, (_, index) => (index === 31 ? 1 : 0))

/** ethereumjs's own implementation: the reference, and the answer for every input mcl refuses. */
export const nobleBn254: EVMBN254Interface = new NobleBN254()

/**
 * The BN254 precompiles (ecAdd 0x06, ecMul 0x07, ecPairing 0x08) on mcl (herumi's pairing library,
 * compiled to WASM): a pairing check about 4x and a scalar multiplication about 50x faster than
 * @noble/curves here, and zk-proof verifications spend most of their gas in them.
 *
 * mcl only ever answers inputs it accepted in full (coordinates below the field modulus, points on
 * the curve, G2 points in the prime-order subgroup); anything it refuses goes to @noble/curves,
 * whose answer or typed EVMError is then the result, so the two can never disagree on what is
 * valid. mcl keeps one curve per process: if other code re-initialises it for another curve, every
 * call goes to @noble/curves.
 */
export async function loadMclBn254(): Promise<EVMBN254Interface> {
  const imported = (await import('mcl-wasm')) as Mcl & { default?: Mcl }
  const mcl = imported.default ?? imported
  await mcl.init(mcl.BN_SNARK1)
  const ours = () => mcl.curveType === mcl.BN_SNARK1
  return {
    add(input) {
      if (!ours()) return nobleBn254.add(input)
      const left = g1(mcl, input, 0)
      const right = g1(mcl, input, G1_BYTES)
      return left === undefined || right === undefined ? nobleBn254.add(input) : encodeG1(mcl, mcl.add(left, right))
    },
    mul(input) {
      if (!ours()) return nobleBn254.mul(input)
      const point = g1(mcl, input, 0)
      if (point === undefined) return nobleBn254.mul(input)
      const scalar = new mcl.Fr()
      // The precompile takes any 256-bit scalar; G1 has prime order r, so reducing it mod r is exact.
      scalar.setBigEndianMod(input.subarray(G1_BYTES, G1_BYTES + 32))
      return encodeG1(mcl, mcl.mul(point, scalar))
    },
    pairing(input) {
      if (!ours() || input.length % PAIR_BYTES !== 0) return nobleBn254.pairing(input)
      let product: InstanceType<Mcl['GT']> | undefined
      for (let start = 0; start < input.length; start += PAIR_BYTES) {
        const p = g1(mcl, input, start)
        const q = g2(mcl, input, start + G1_BYTES)
        if (p === undefined || q === undefined) return nobleBn254.pairing(input)
        // A pair with the point at infinity contributes the identity.
        if (p.isZero() || q.isZero()) continue
        const miller = mcl.millerLoop(p, q)
        product = product === undefined ? miller : mcl.mul(product, miller)
      }
      return product === undefined || mcl.finalExp(product).isOne() ? ONE_WORD : ZERO_WORD
    },
  }
}

/** The G1 point at `input[start..start+64]` ((0, 0) is infinity), or undefined where mcl refuses it. */
function g1(mcl: Mcl, input: Uint8Array, start: number): InstanceType<Mcl['G1']> | undefined {
  const point = new mcl.G1()
  const bytes = input.subarray(start, start + G1_BYTES)
  if (isZero(bytes)) return point
  try {
    // mcl's affine text form "1 x y"; it refuses a coordinate ≥ p and a point off the curve.
    point.setStr(`1 ${bytesToUnprefixedHex(bytes.subarray(0, 32))} ${bytesToUnprefixedHex(bytes.subarray(32, 64))}`, 16)
  } catch {
    return undefined
  }
  return point
}

/** The G2 point at `input[start..start+128]`, encoded (x_im, x_re, y_im, y_re); undefined where mcl refuses it or it lies outside the subgroup. */
function g2(mcl: Mcl, input: Uint8Array, start: number): InstanceType<Mcl['G2']> | undefined {
  const point = new mcl.G2()
  const bytes = input.subarray(start, start + G2_BYTES)
  if (isZero(bytes)) return point
  const word = (index: number) => bytesToUnprefixedHex(bytes.subarray(index * 32, index * 32 + 32))
  try {
    point.setStr(`1 ${word(1)} ${word(0)} ${word(3)} ${word(2)}`, 16)
  } catch {
    return undefined
  }
  return point.isValidOrder() ? point : undefined
}

function encodeG1(mcl: Mcl, point: InstanceType<Mcl['G1']>): Uint8Array {
  const out = new Uint8Array(G1_BYTES)
  if (point.isZero()) return out
  const affine = mcl.normalize(point)
  out.set(fieldBytes(affine.getX().getStr(16)), 0)
  out.set(fieldBytes(affine.getY().getStr(16)), 32)
  return out
}

function fieldBytes(hex: string): Uint8Array {
  return hexToBytes(`0x${hex.padStart(64, '0')}`)
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false
  return true
}
