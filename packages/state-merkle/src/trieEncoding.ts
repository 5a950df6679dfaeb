import { KECCAK256_RLP, bigIntToUnpaddedBytes, hexToBytes } from '@ethereumjs/util'
import { type FlatAccount } from '@parallel-evm/core'
import { encodeRlp } from '@parallel-evm/core/internal'

/** The root of a trie without keys: keccak256(RLP('')). */
export const EMPTY_TRIE_ROOT: Uint8Array = KECCAK256_RLP

/**
 * The account trie's leaf: RLP([nonce, balance, storageRoot, codeHash]), byte for byte what
 * `Account.serialize()` gives, written out here because it runs once per touched account per block
 * and needs none of `Account`'s validation.
 */
export function encodeAccountLeaf(account: FlatAccount, storageRoot: Uint8Array): Uint8Array {
  return encodeRlp([
    bigIntToUnpaddedBytes(account.nonce),
    bigIntToUnpaddedBytes(account.balance),
    storageRoot,
    hexToBytes(account.codeHash),
  ])
}

/** A storage trie's value: the RLP of the unpadded big-endian value, as `MerkleStateManager.putStorage` stores it. */
export function encodeStorageValue(value: bigint): Uint8Array {
  return encodeRlp(bigIntToUnpaddedBytes(value))
}
