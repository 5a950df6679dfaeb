import { isBlob4844Tx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import { ParallelEvmError } from './errors.js'
import { firstLine, invalidTx } from './prepareBlock.js'
import { toAddressHex } from './stateKey.js'
import type { LaneFactory } from './chainContext.js'
import type { Hex, PreparedBlock, StateReader, TxOutcome } from './types.js'

export interface ExecuteTransactionOptions {
  /** For speculation out of order (pre-execution): run even if an earlier nonce is missing. */
  skipNonce?: boolean
  /** For speculation: run even if the sender cannot afford it on this state. */
  skipBalance?: boolean
  /**
   * Run as part of a qualifying sender chain: the sender's nonce and balance updates become
   * deltas, so the sender's earlier transactions in the block need not have run (see TxStateView.chain).
   */
  senderChain?: boolean
}

/**
 * Runs transaction `index` of the block with ethereumjs `runTx` on `base` (the state as the
 * scheduler says this transaction should see it) and returns its outcome with the reads and
 * writes it made. A transaction the block may not contain throws InvalidTransactionError; a
 * reverted or out-of-gas one is an ordinary outcome with status 0.
 */
export async function executeTransaction(
  lanes: LaneFactory,
  prepared: PreparedBlock,
  index: number,
  base: StateReader,
  options: ExecuteTransactionOptions = {},
): Promise<TxOutcome> {
  const tx = prepared.transactions[index]!
  const lane = await lanes.laneFor(prepared.common, prepared.ancestorHashes)
  lane.view.reset(base)
  lane.view.feeRecipient = toAddressHex(prepared.header.coinbase)
  lane.view.sender = prepared.senders[index]!
  if (options.senderChain === true) lane.view.chain = { sender: prepared.senders[index]!, nonce: tx.nonce }
  let result: Awaited<ReturnType<typeof runTx>>
  try {
    result = await runTx(lane.vm, {
      tx,
      block: prepared.block,
      skipHardForkValidation: true,
      skipNonce: options.skipNonce === true,
      skipBalance: options.skipBalance === true,
    })
  } catch (cause) {
    lanes.discard(prepared.common)
    if (cause instanceof ParallelEvmError) throw cause
    throw invalidTx(prepared.block, tx, index, firstLine(cause), cause)
  }
  const { readSet, writeSet } = lane.view.takeResult()
  const exception = result.execResult.exceptionError?.error
  const returned = result.execResult.returnValue
  return {
    index,
    txHash: bytesToHex(tx.hash()) as Hex,
    sender: prepared.senders[index]!,
    nonce: tx.nonce,
    maxCost: maxCost(tx, prepared.common.param('blobGasPerBlob')),
    senderBalanceObserved: lane.view.senderBalanceObserved,
    status: exception === undefined ? 1 : 0,
    gasUsed: result.totalGasSpent,
    blockGasUsed: result.blockGasSpent,
    logs: result.execResult.logs ?? [],
    logsBloom: result.bloom.bitvector,
    ...(isBlob4844Tx(tx) ? { blobGasUsed: result.blobGasUsed ?? 0n } : {}),
    ...(result.createdAddress === undefined ? {} : { createdAddress: toAddressHex(result.createdAddress) }),
    ...(exception === undefined ? {} : { exception }),
    ...(exception !== undefined && returned.length > 0 ? { revertData: bytesToHex(returned) as Hex } : {}),
    readSet,
    writeSet,
  }
}

function maxCost(tx: TypedTransaction, blobGasPerBlob: bigint): bigint {
  const feeCap = 'maxFeePerGas' in tx ? (tx.maxFeePerGas as bigint) : (tx as unknown as { gasPrice: bigint }).gasPrice
  let cost = tx.gasLimit * feeCap + tx.value
  if (isBlob4844Tx(tx)) cost += BigInt(tx.blobVersionedHashes.length) * blobGasPerBlob * tx.maxFeePerBlobGas
  return cost
}
