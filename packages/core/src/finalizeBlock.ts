import { Hardfork } from '@ethereumjs/common'
import type { TxReceipt } from '@ethereumjs/vm'
import { BlockGasLimitExceededError } from './errors.js'
import { executionRequests, type ExecutionRequests } from './executionRequests.js'
import { orderedTrieRoot } from './orderedTrieRoot.js'
import { encodeReceipt } from './receiptEncoding.js'
import { StateOverlay } from './stateOverlay.js'
import { postBlockWrites } from './systemWrites.js'
import { createWriteSet, mergeWriteSet, resolveDeltas } from './writeSet.js'
import type { Lane } from './chainContext.js'
import type { PreparedBlock, StateReader, TxOutcome, WriteSet } from './types.js'

/** Throws when transaction `index` could not fit in what is left of the block's gas limit. */
export function assertBlockGasAvailable(prepared: PreparedBlock, index: number, gasUsedBefore: bigint): void {
  const { header } = prepared
  const required = gasUsedBefore + prepared.transactions[index]!.gasLimit
  if (required > header.gasLimit) {
    throw new BlockGasLimitExceededError({ blockNumber: header.number, txIndex: index, gasLimit: header.gasLimit, required })
  }
}

export interface FinalizedBlock {
  receipts: TxReceipt[]
  gasUsed: bigint
  blobGasUsed: bigint
  logsBloom: Uint8Array
  receiptsRoot: Uint8Array
  /** False before Byzantium unless every outcome carried its intermediate state root (`withIntermediateRoots`). */
  receiptsRootCheckable: boolean
  /** EIP-7685 requests and their hash, from Prague on. */
  requests?: ExecutionRequests
  /** Pre-block system writes, every transaction's writes in order, rewards and withdrawals, then the requests' system calls. */
  writeSet: WriteSet
}

/**
 * Turns per-transaction outcomes, whichever scheduler produced them, into the block's results:
 * cumulative gas, receipts and their root, the logs bloom, rewards and withdrawals, and the one
 * write set the backend commits.
 */
export async function finalizeBlock(
  prepared: PreparedBlock,
  outcomes: readonly TxOutcome[],
  parent: StateOverlay,
  preBlock: WriteSet,
  lane: Lane,
): Promise<FinalizedBlock> {
  const byzantium = prepared.common.gteHardfork(Hardfork.Byzantium)
  const receipts: TxReceipt[] = []
  const encodedReceipts: Uint8Array[] = []
  const logsBloom = new Uint8Array(256)
  const state = new StateOverlay(parent)
  let cumulativeGas = 0n
  let gasUsed = 0n
  let blobGasUsed = 0n
  let checkable = true
  for (const outcome of outcomes) {
    assertBlockGasAvailable(prepared, outcome.index, gasUsed)
    cumulativeGas += outcome.gasUsed
    gasUsed += outcome.blockGasUsed
    blobGasUsed += outcome.blobGasUsed ?? 0n
    for (let i = 0; i < 256; i++) logsBloom[i]! |= outcome.logsBloom[i]!
    const receipt = buildReceipt(prepared, outcome, cumulativeGas, byzantium)
    if (!byzantium && outcome.intermediateStateRoot === undefined) checkable = false
    receipts.push(receipt)
    encodedReceipts.push(encodeReceipt(receipt, prepared.transactions[outcome.index]!.type))
    state.apply(outcome.writeSet)
  }
  const postBlock = await postBlockWrites(prepared, lane, state)
  let merged = mergeWriteSet(mergeWriteSet(mergeWriteSet(createWriteSet(), preBlock), state.writes), postBlock)
  let requests: ExecutionRequests | undefined
  if (prepared.common.isActivatedEIP(7685)) {
    // The requests' system calls run last, on the state after withdrawals (as in ethereumjs's runBlock).
    const afterWithdrawals = new StateOverlay(state)
    afterWithdrawals.apply(postBlock)
    requests = await executionRequests(prepared, outcomes, lane, afterWithdrawals)
    merged = mergeWriteSet(merged, requests.writeSet)
  }
  // `parent` already includes the pre-block writes; credits left in `merged` are relative to it.
  const writeSet = resolveDeltas(merged, parent.base)
  const receiptsRoot = orderedTrieRoot(encodedReceipts)
  return { receipts, gasUsed, blobGasUsed, logsBloom, receiptsRoot, receiptsRootCheckable: checkable, writeSet, ...(requests === undefined ? {} : { requests }) }
}

function buildReceipt(prepared: PreparedBlock, outcome: TxOutcome, cumulativeBlockGasUsed: bigint, byzantium: boolean): TxReceipt {
  const base = { cumulativeBlockGasUsed, bitvector: outcome.logsBloom, logs: outcome.logs }
  if (!byzantium) return { ...base, stateRoot: outcome.intermediateStateRoot ?? new Uint8Array(32) }
  if (outcome.blobGasUsed !== undefined) {
    return { ...base, status: outcome.status, blobGasUsed: outcome.blobGasUsed, blobGasPrice: prepared.header.getBlobGasPrice() }
  }
  return { ...base, status: outcome.status }
}
