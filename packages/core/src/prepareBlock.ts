import { createBlock, createBlockFromRLP, createBlockFromRPC, paramsBlock, type Block, type BlockOptions, type HeaderData, type JSONRPCBlock } from '@ethereumjs/block'
import { Hardfork, type Common } from '@ethereumjs/common'
import { paramsTx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, createAddressFromString } from '@ethereumjs/util'
import { InvalidBlockError, InvalidTransactionError, UnsupportedBlockError } from './errors.js'
import { toAddressHex } from './stateKey.js'
import type { AddressHex, BlockInput, PreparedBlock } from './types.js'

export interface PrepareBlockOptions {
  /** The chain's Common; it is copied and set to the block's fork, never mutated. */
  common: Common
}

/**
 * Decodes a block at its hardfork (by number and timestamp) and attaches its transactions'
 * senders: the given ones when the input carries them, otherwise recovered by ECDSA.
 */
export function prepareBlock(input: BlockInput, options: PrepareBlockOptions): PreparedBlock {
  const omissions: string[] = []
  const block = decodeBlock(input, options.common.copy(), omissions)
  assertSupported(block)
  const senders = input.senders === undefined ? recoverSenders(block) : attachSenders(block, input.senders)
  return prepared(block, input, senders, omissions)
}

/** Recovers the senders of a decoded block's transactions elsewhere (e.g. on worker threads). */
export type SenderRecovery = (input: BlockInput, block: Block) => Promise<readonly AddressHex[]>

/**
 * `prepareBlock`, with the senders of a block that arrives without them recovered by `recover`
 * rather than on the calling thread.
 */
export async function prepareBlockRecovering(input: BlockInput, options: PrepareBlockOptions & { recover: SenderRecovery }): Promise<PreparedBlock> {
  if (input.senders !== undefined) return prepareBlock(input, options)
  const omissions: string[] = []
  const block = decodeBlock(input, options.common.copy(), omissions)
  assertSupported(block)
  const senders = attachSenders(block, await options.recover(input, block))
  return prepared(block, input, senders, omissions)
}

function prepared(block: Block, input: BlockInput, senders: AddressHex[], omissions: string[]): PreparedBlock {
  return {
    common: block.common,
    block,
    header: block.header,
    transactions: block.transactions,
    senders,
    ancestorHashes: input.ancestorHashes ?? new Map(),
    omissions,
  }
}

/** Refuses blocks whose rules the block path does not implement, rather than answering wrongly. */
function assertSupported(block: Block): void {
  const { common } = block
  const number = block.header.number
  if (common.hardforkIsActiveOnBlock(Hardfork.Dao, number) && number === common.hardforkBlock(Hardfork.Dao)) {
    throw new UnsupportedBlockError({ blockNumber: number, reason: 'the DAO fork irregular state change is not implemented' })
  }
  for (const [eip, what] of unsupportedEips) {
    if (common.isActivatedEIP(eip)) throw new UnsupportedBlockError({ blockNumber: number, reason: `EIP-${eip} (${what}) is not implemented` })
  }
}

const unsupportedEips: ReadonlyArray<[number, string]> = [
  [7685, 'execution-layer requests: the EIP-7002/7251 end-of-block system calls and requestsHash'],
  [7928, 'block-level access lists'],
  [8037, 'two-dimensional block gas accounting'],
]

function decodeBlock(input: BlockInput, common: Common, omissions: string[]): Block {
  // Unfrozen so that known senders can be attached to the transactions without ECDSA recovery.
  // `params: {}` on a Common that already holds the block and transaction parameters: otherwise
  // every transaction deep-copies them into its own Common (a third of a block's decoding time).
  const opts: BlockOptions = { common: withDecodingParams(common), params: {}, setHardfork: true, freeze: false }
  const source = input.block
  const ommers = source.format === 'rpc' ? rpcOmmers(input, source.json, omissions) : []
  try {
    if (source.format === 'rlp') return createBlockFromRLP(source.rlp, opts)
    if (source.format === 'rpc') return createBlockFromRPC(source.json, ommers, opts)
    return createBlock(source.data, opts)
  } catch (cause) {
    throw new InvalidBlockError({ blockNumber: declaredNumber(input), rule: 'decoding', reason: firstLine(cause), cause })
  }
}

/** `common` with the header and transaction parameters merged in, as each constructor would merge them. */
function withDecodingParams(common: Common): Common {
  common.updateParams(paramsBlock)
  common.updateParams(paramsTx)
  return common
}

/** The ommer headers of an RPC block, whose JSON carries only their hashes. */
function rpcOmmers(input: BlockInput, json: JSONRPCBlock, omissions: string[]): HeaderData[] {
  const listed = json.uncles?.length ?? 0
  if (listed === 0) return []
  if (input.ommers === 'unavailable') {
    omissions.push(`ommer rewards: the block has ${listed} ommer(s) whose headers were not supplied`)
    return []
  }
  if (input.ommers === undefined) {
    throw new UnsupportedBlockError({
      blockNumber: declaredNumber(input) ?? -1n,
      reason: `it lists ${listed} ommer(s) but their headers were not supplied, so ommer rewards cannot be computed (pass BlockInput.ommers, or 'unavailable' to run without them)`,
    })
  }
  return [...input.ommers]
}

/** The number a block claims, read without decoding it, so a decoding error can still name it. */
function declaredNumber(input: BlockInput): bigint | undefined {
  const source = input.block
  try {
    if (source.format === 'rpc') return BigInt(source.json.number)
    if (source.format === 'data') return source.data.header?.number === undefined ? undefined : BigInt(source.data.header.number as bigint)
  } catch {
    // The number itself is malformed; the decoding error says so.
  }
  return undefined
}

function recoverSenders(block: Block): AddressHex[] {
  return recoverSendersOf(block, block.transactions.map((_, index) => index))
}

/** ECDSA sender recovery (about 2 ms a transaction) for the given transactions of a decoded block. */
export function recoverSendersOf(block: Block, indices: readonly number[]): AddressHex[] {
  return indices.map((index) => {
    const tx = block.transactions[index]!
    try {
      return toAddressHex(tx.getSenderAddress())
    } catch (cause) {
      throw invalidTx(block, tx, index, `sender recovery failed: ${firstLine(cause)}`, cause)
    }
  })
}

/** Decodes a block at its fork without recovering or attaching senders (for workers that recover them). */
export function decodeBlockInput(input: BlockInput, options: PrepareBlockOptions): Block {
  return decodeBlock(input, options.common.copy(), [])
}

/** Gives each transaction its known sender, so nothing recovers it by ECDSA. */
export function attachSenders(block: Block, senders: readonly AddressHex[]): AddressHex[] {
  if (senders.length !== block.transactions.length) {
    throw new InvalidBlockError({
      blockNumber: block.header.number,
      rule: 'senders',
      reason: `${senders.length} senders given for ${block.transactions.length} transactions`,
    })
  }
  return block.transactions.map((tx, index) => {
    const sender = senders[index]!.toLowerCase() as AddressHex
    const address = createAddressFromString(sender)
    ;(tx as { getSenderAddress: () => typeof address }).getSenderAddress = () => address
    return sender
  })
}

export function invalidTx(block: Block, tx: TypedTransaction, index: number, reason: string, cause?: unknown) {
  return new InvalidTransactionError({
    blockNumber: block.header.number,
    txIndex: index,
    txHash: bytesToHex(tx.hash()),
    reason,
    cause,
  })
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.replace(/ \(block number=.*$/, '').replace(/ -> .*$/, '')
}
