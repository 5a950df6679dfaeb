import { createBlock, createBlockFromRLP, createBlockFromRPC, type BlockOptions } from '@ethereumjs/block'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { createTx, createTxFromBlockBodyData, normalizeTxParams, type TypedTxData } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { keccak256 } from './cryptoProvider.js'
import { InvalidTransactionError } from './errors.js'
import type { BlockInput } from './types.js'

/**
 * After a block failed to decode: the transaction that failed it (a high-s or zero signature, a
 * field out of range), as an error naming its index and hash, or undefined when the transactions
 * decode on their own and the fault lies elsewhere. Each is decoded alone at the block's fork,
 * found by decoding the block without its transactions.
 */
export function undecodableTransaction(input: BlockInput, options: BlockOptions): InvalidTransactionError | undefined {
  const source = input.block
  try {
    if (source.format === 'rlp') {
      const raw = RLP.decode(source.rlp) as NestedUint8Array
      const bodyTxs = raw[1]
      if (!Array.isArray(bodyTxs)) return undefined
      const shell = createBlockFromRLP(RLP.encode([raw[0]!, [], ...raw.slice(2)]), options)
      return firstFailing(shell.header.number, bodyTxs, (tx) => createTxFromBlockBodyData(tx as Uint8Array | Uint8Array[], { common: shell.common }), (tx) =>
        bytesToHex(keccak256(tx instanceof Uint8Array ? tx : RLP.encode(tx))),
      )
    }
    if (source.format === 'rpc') {
      const shell = createBlockFromRPC({ ...source.json, transactions: [], uncles: [] }, [], options)
      const txs = source.json.transactions.filter((tx) => typeof tx !== 'string')
      return firstFailing(shell.header.number, txs, (tx) => createTx(normalizeTxParams(tx), { common: shell.common }), (tx) => tx.hash ?? '(undecodable)')
    }
    const shell = createBlock({ ...source.data, transactions: [] }, options)
    return firstFailing(shell.header.number, source.data.transactions ?? [], (tx) => createTx(tx as TypedTxData, { common: shell.common }), () => '(undecodable)')
  } catch {
    return undefined
  }
}

function firstFailing<T>(blockNumber: bigint, txs: readonly T[], decode: (tx: T) => unknown, hashOf: (tx: T) => string): InvalidTransactionError | undefined {
  for (let index = 0; index < txs.length; index++) {
    try {
      decode(txs[index]!)
    } catch (cause) {
      const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0]!.replace(/ \(tx type=.*$/, '')
      return new InvalidTransactionError({ blockNumber, txIndex: index, txHash: hashOf(txs[index]!), reason: `does not decode: ${reason}`, cause })
    }
  }
  return undefined
}
