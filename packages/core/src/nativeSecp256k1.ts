import { createRequire } from 'node:module'
import { dirname } from 'node:path'

/** The one libsecp256k1 call the block path needs, as the `secp256k1` addon exposes it. */
interface Secp256k1Addon {
  /** Writes the public key into `output` (65 bytes: uncompressed); 0 on success, else an error code. */
  ecdsaRecover(output: Uint8Array, signature: Uint8Array, recoveryId: number, messageHash: Uint8Array): number
}

/** Set to a file to load as the addon instead of the package's prebuild (how tests make it unloadable). */
export const SECP256K1_ADDON_ENV = 'PEVM_SECP256K1_ADDON'

/**
 * Public-key recovery on libsecp256k1, through the prebuilt N-API addon the `secp256k1` package
 * ships (no install script runs: `node-gyp-build` finds the prebuild at load time). Returns the
 * 64-byte public key without its 0x04 prefix, or throws when the signature does not recover.
 */
export type RecoverPublicKey = (messageHash: Uint8Array, signature: Uint8Array, recoveryId: number) => Uint8Array

export function loadNativeSecp256k1(): RecoverPublicKey {
  const require = createRequire(import.meta.url)
  const override = process.env[SECP256K1_ADDON_ENV]
  const binding = override !== undefined && override !== '' ? require(override) : require('node-gyp-build')(dirname(require.resolve('secp256k1/package.json')))
  const addon = new (binding as { Secp256k1: new () => Secp256k1Addon }).Secp256k1()
  return (messageHash, signature, recoveryId) => {
    const output = new Uint8Array(65)
    const status = addon.ecdsaRecover(output, signature, recoveryId, messageHash)
    if (status !== 0) throw new Error(status === 1 ? 'signature could not be parsed' : 'public key could not be recovered')
    return output.subarray(1)
  }
}
