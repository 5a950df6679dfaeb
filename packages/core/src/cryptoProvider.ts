import { createHash } from 'node:crypto'
import type { Common, CustomCrypto } from '@ethereumjs/common'
import { calculateSigRecovery, ecrecover as jsEcrecover, EthereumJSErrorWithoutCode, setLengthLeft } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { sha256 as jsSha256 } from '@noble/hashes/sha2.js'
import { createKeccak } from 'hash-wasm'
import type { EVMBN254Interface } from '@ethereumjs/evm'
import { loadMclBn254, nobleBn254 } from './bn254.js'
import { loadNativeSecp256k1, type RecoverPublicKey } from './nativeSecp256k1.js'

/**
 * `'fast'` (the default): keccak256 in WASM (hash-wasm), ECDSA recovery on libsecp256k1, sha256 on
 * node:crypto, the BN254 precompiles on mcl (WASM). `'js'`: the pure-JavaScript @noble implementations ethereumjs uses by default, kept
 * for comparison and as the fallback when a native binary cannot load. Both give the same bytes.
 */
export type CryptoPreference = 'fast' | 'js'

/** Which implementations ran; `BlockResult.stats.crypto`. */
export interface CryptoStats {
  preference: CryptoPreference
  keccak256: 'hash-wasm' | '@noble/hashes'
  secp256k1: 'libsecp256k1' | '@noble/curves'
  sha256: 'node:crypto' | '@noble/hashes'
  /** The BN254 precompiles (ecAdd, ecMul, ecPairing). */
  bn254: 'mcl-wasm' | '@noble/curves'
  /** Why a `'fast'` part is on its pure-JS fallback (a native binary or WASM module did not load). */
  fallback?: string
}

/** The hashing and signature functions one process (or worker thread) runs every block with. */
export interface CryptoProvider {
  readonly stats: CryptoStats
  keccak256(bytes: Uint8Array): Uint8Array
  /** ethereumjs's `ecrecover`: the 64-byte public key, or a throw for a signature that does not recover. */
  ecrecover(messageHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint): Uint8Array
  sha256(bytes: Uint8Array): Uint8Array
  /** The EVM's BN254 precompiles, in ethereumjs's interface. */
  readonly bn254: EVMBN254Interface
}

export const jsCryptoProvider: CryptoProvider = {
  stats: { preference: 'js', keccak256: '@noble/hashes', secp256k1: '@noble/curves', sha256: '@noble/hashes', bn254: '@noble/curves' },
  keccak256: keccak_256,
  ecrecover: jsEcrecover,
  sha256: jsSha256,
  bn254: nobleBn254,
}

const loading = new Map<CryptoPreference, Promise<CryptoProvider>>()

/** The provider for `preference`, loaded once per thread (WASM compiles asynchronously). */
export function loadCryptoProvider(preference: CryptoPreference = 'fast'): Promise<CryptoProvider> {
  let provider = loading.get(preference)
  if (provider === undefined) {
    provider = preference === 'js' ? Promise.resolve(jsCryptoProvider) : loadFastProvider()
    loading.set(preference, provider)
  }
  return provider
}

async function loadFastProvider(): Promise<CryptoProvider> {
  const hasher = await createKeccak(256)
  const keccak256 = (bytes: Uint8Array): Uint8Array => hasher.init().update(bytes).digest('binary')
  let recover: RecoverPublicKey | undefined
  const fallbacks: string[] = []
  try {
    recover = loadNativeSecp256k1()
  } catch (error) {
    fallbacks.push(`libsecp256k1 did not load (${firstLineOf(error)}); ECDSA recovery runs on @noble/curves`)
  }
  let bn254: EVMBN254Interface | undefined
  try {
    bn254 = await loadMclBn254()
  } catch (error) {
    fallbacks.push(`mcl-wasm did not load (${firstLineOf(error)}); the BN254 precompiles run on @noble/curves`)
  }
  const stats: CryptoStats = {
    preference: 'fast',
    keccak256: 'hash-wasm',
    secp256k1: recover === undefined ? '@noble/curves' : 'libsecp256k1',
    sha256: 'node:crypto',
    bn254: bn254 === undefined ? '@noble/curves' : 'mcl-wasm',
    ...(fallbacks.length === 0 ? {} : { fallback: fallbacks.join('; ') }),
  }
  return { stats, keccak256, ecrecover: recover === undefined ? jsEcrecover : nativeEcrecover(recover), sha256: nodeSha256, bn254: bn254 ?? nobleBn254 }
}

/** ethereumjs's `ecrecover` contract (recovery id from `v`, r and s left-padded) on libsecp256k1. */
function nativeEcrecover(recover: RecoverPublicKey): CryptoProvider['ecrecover'] {
  const signature = new Uint8Array(64)
  return (messageHash, v, r, s, chainId) => {
    const recovery = calculateSigRecovery(v, chainId)
    if (recovery !== 0n && recovery !== 1n) throw EthereumJSErrorWithoutCode('Invalid signature v value')
    signature.set(setLengthLeft(r, 32), 0)
    signature.set(setLengthLeft(s, 32), 32)
    return recover(messageHash, signature, Number(recovery))
  }
}

function nodeSha256(bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(bytes).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

let active: CryptoProvider = jsCryptoProvider

/**
 * Makes `provider` the one this thread's direct hashing (`keccak256` below: trie nodes, code
 * hashes, receipts roots) uses. The executor and each worker call it once their provider loaded;
 * until then the pure-JS one answers, with the same bytes.
 */
export function activateCryptoProvider(provider: CryptoProvider): void {
  active = provider
}

export function activeCryptoProvider(): CryptoProvider {
  return active
}

/** keccak256 on this thread's active provider. */
export function keccak256(bytes: Uint8Array): Uint8Array {
  return active.keccak256(bytes)
}

/**
 * `common` with `provider`'s functions in its `customCrypto` (the EVM's KECCAK256 and precompiles,
 * transaction hashing, sender recovery), other members (KZG) kept. Replaces the field of `common`
 * (copies share the object, so it is never edited in place): call it on a copy.
 */
export function installCrypto(common: Common, provider: CryptoProvider): Common {
  const custom: CustomCrypto = { ...common.customCrypto, keccak256: provider.keccak256, ecrecover: provider.ecrecover, sha256: provider.sha256 }
  ;(common as { customCrypto: CustomCrypto }).customCrypto = custom
  installedProviders.set(custom, provider)
  return common
}

// Common has no slot for the BN254 precompiles (the EVM takes them as an option), so the provider
// installed in a Common is found again through its customCrypto, which copies of it share.
const installedProviders = new WeakMap<CustomCrypto, CryptoProvider>()

/** The BN254 precompiles of the provider `installCrypto` put in `common` (or its copies); undefined for any other Common. */
export function bn254Of(common: Common): EVMBN254Interface | undefined {
  return installedProviders.get(common.customCrypto)?.bn254
}

function firstLineOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!
}
