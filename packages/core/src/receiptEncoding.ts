import type { TxReceipt } from '@ethereumjs/vm'
import { bigIntToBytes } from '@ethereumjs/util'
import { encodeRlp, type RlpItem } from './rlpEncode.js'

const SUCCESS = Uint8Array.of(1)
const FAILURE = new Uint8Array(0)

/**
 * A receipt's consensus encoding, as ethereumjs's `encodeReceipt`: RLP of [state root or status,
 * cumulative gas, bloom, logs], prefixed by the transaction type from EIP-2718 on; in one buffer.
 */
export function encodeReceipt(receipt: TxReceipt, txType: number): Uint8Array {
  const outcome = 'stateRoot' in receipt && receipt.stateRoot !== undefined ? receipt.stateRoot : (receipt as { status: 0 | 1 }).status === 0 ? FAILURE : SUCCESS
  const encoded = encodeRlp([outcome, bigIntToBytes(receipt.cumulativeBlockGasUsed), receipt.bitvector, receipt.logs as unknown as RlpItem])
  if (txType === 0) return encoded
  const typed = new Uint8Array(encoded.length + 1)
  typed[0] = txType
  typed.set(encoded, 1)
  return typed
}
