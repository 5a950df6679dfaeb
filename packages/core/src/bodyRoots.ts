import type { Block, JSONRPCBlock } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import type { TypedTransaction } from '@ethereumjs/tx'
import { keccak256 } from './cryptoProvider.js'
import { InvalidBlockError, InvalidTransactionError } from './errors.js'
import { orderedTrieRoot } from './orderedTrieRoot.js'

/**
 * Checks each transaction of a JSON-RPC block against the `hash` and `transactionIndex` the JSON
 * declares for it, so an edited, reordered or dropped transaction is named by its index and hash
 * (the root comparison that follows can only say that the body differs).
 */
export function assertDeclaredTransactions(block: Block, json: JSONRPCBlock): void {
  block.transactions.forEach((tx, index) => {
    const declared = json.transactions[index]
    if (declared === undefined || typeof declared === 'string') return
    const hash = bytesToHex(transactionHash(tx))
    const fail = (reason: string) => new InvalidTransactionError({ blockNumber: block.header.number, txIndex: index, txHash: hash, reason })
    if (declared.transactionIndex !== undefined && declared.transactionIndex !== null && BigInt(declared.transactionIndex) !== BigInt(index)) {
      throw fail(`declared at index ${BigInt(declared.transactionIndex)}: the block's transaction list was reordered or shortened`)
    }
    if (declared.hash !== undefined && declared.hash !== null && declared.hash.toLowerCase() !== hash) {
      throw fail(`its fields hash to ${hash}, not to the declared ${declared.hash.toLowerCase()}: the transaction was altered`)
    }
  })
}

/**
 * Checks that the block's transactions (and withdrawals, where the fork has them) are the ones its
 * header commits to. Without it a reordered, dropped or edited transaction runs as if the header
 * vouched for it. Runs on every block, in every verification mode: with a WASM keccak it costs well
 * under a millisecond for a full block.
 */
export function assertBodyRoots(block: Block): void {
  const { header } = block
  const transactionsRoot = orderedTrieRoot(block.transactions.map((tx) => tx.serialize()))
  if (!equalsBytes(transactionsRoot, header.transactionsTrie)) {
    throw mismatch(block, 'transactionsRoot', transactionsRoot, header.transactionsTrie)
  }
  if (header.withdrawalsRoot !== undefined) {
    const withdrawalsRoot = orderedTrieRoot((block.withdrawals ?? []).map((withdrawal) => RLP.encode(withdrawal.raw())))
    if (!equalsBytes(withdrawalsRoot, header.withdrawalsRoot)) throw mismatch(block, 'withdrawalsRoot', withdrawalsRoot, header.withdrawalsRoot)
  }
}

function mismatch(block: Block, field: string, computed: Uint8Array, declared: Uint8Array): InvalidBlockError {
  return new InvalidBlockError({
    blockNumber: block.header.number,
    rule: field,
    reason: `the block's body gives ${field} ${bytesToHex(computed)}, the header says ${bytesToHex(declared)}`,
  })
}

/** The hash of a transaction as the block encodes it, signed or not (`tx.hash()` refuses an unsigned one, e.g. r = s = 0). */
export function transactionHash(tx: TypedTransaction): Uint8Array {
  return tx.isSigned() ? tx.hash() : keccak256(tx.serialize())
}
