import { createBlock, createBlockFromRLP, createBlockHeaderFromRPC, paramsBlock, type Block, type BlockOptions, type HeaderData, type JSONRPCBlock } from '@ethereumjs/block'
import { Hardfork, type Common } from '@ethereumjs/common'
import { normalizeTxParams, paramsTx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, createAddressFromString } from '@ethereumjs/util'
import { assertBodyRoots, assertDeclaredTransactions, transactionHash } from './bodyRoots.js'
import { assertBlockSize, oversizedDecoding } from './blockSize.js'
import { activeCryptoProvider, installCrypto, keccak256, type CryptoProvider } from './cryptoProvider.js'
import { fastParamsCommon } from './fastCommon.js'
import { InvalidBlockError, InvalidTransactionError, UnsupportedBlockError } from './errors.js'
import { undecodableTransaction } from './transactionDecoding.js'
import type { AddressHex, BlockInput, PreparedBlock } from './types.js'

export interface PrepareBlockOptions {
  /** The chain's Common; it is copied and set to the block's fork, never mutated. */
  common: Common
  /** The hashing and signature functions the block's Common gets; this thread's active provider by default. */
  crypto?: CryptoProvider
  /**
   * Trust the input as given (callers that recovered and checked it already): the senders it
   * carries are attached unchecked and the body is not compared with the header. By default the
   * transactions and withdrawals are checked against the header's roots (and a JSON-RPC block's
   * declared hashes and indices), every sender is recovered, and a given one that differs is an
   * `InvalidTransactionError`.
   */
  trustSenders?: boolean
}

/**
 * Decodes a block at its hardfork (by number and timestamp) and attaches its transactions'
 * senders, recovered by ECDSA and checked against any the input carries (or, with
 * `trustSenders`, the given ones as they are).
 */
export function prepareBlock(input: BlockInput, options: PrepareBlockOptions): PreparedBlock {
  const omissions: string[] = []
  const block = decodeBlock(input, options, omissions)
  assertSupported(block)
  assertBlockSize(block, input)
  if (input.senders !== undefined && options.trustSenders === true) return prepared(block, input, attachSenders(block, input.senders), omissions)
  if (options.trustSenders !== true) assertBody(block, input)
  return prepared(block, input, checkedSenders(block, input, recoverSenders(block)), omissions)
}

/** Recovers the senders of a decoded block's transactions elsewhere (e.g. on worker threads). */
export type SenderRecovery = (input: BlockInput, block: Block) => Promise<readonly AddressHex[]>

/**
 * `prepareBlock`, with the senders of a block that arrives without them recovered by `recover`
 * rather than on the calling thread.
 */
export async function prepareBlockRecovering(input: BlockInput, options: PrepareBlockOptions & { recover: SenderRecovery }): Promise<PreparedBlock> {
  if (input.senders !== undefined && options.trustSenders === true) return prepareBlock(input, options)
  const omissions: string[] = []
  const block = decodeBlock(input, options, omissions)
  assertSupported(block)
  assertBlockSize(block, input)
  if (options.trustSenders !== true) assertBody(block, input)
  return prepared(block, input, checkedSenders(block, input, await options.recover(input, block)), omissions)
}

/** The body is the one the header commits to, before any signature is recovered. */
function assertBody(block: Block, input: BlockInput): void {
  if (input.block.format === 'rpc') assertDeclaredTransactions(block, input.block.json)
  assertBodyRoots(block)
}

/**
 * Attaches the recovered senders, after checking any the input carries against them: a block
 * whose `from` fields do not match its signatures is not trusted.
 */
function checkedSenders(block: Block, input: BlockInput, recovered: readonly AddressHex[]): AddressHex[] {
  const given = input.senders
  if (given !== undefined) {
    assertSenderCount(block, given)
    given.forEach((sender, index) => {
      const signer = recovered[index]!
      if (sender.toLowerCase() !== signer) {
        throw invalidTx(block, block.transactions[index]!, index, `sender ${sender.toLowerCase()} given with the block is not the signature's signer ${signer}`)
      }
    })
  }
  return attachSenders(block, recovered)
}

function prepared(block: Block, input: BlockInput, senders: AddressHex[], omissions: string[]): PreparedBlock {
  if (input.partialState === true && !block.common.gteHardfork(Hardfork.Byzantium)) {
    omissions.push('the receipts root: before Byzantium receipts hold state roots, which a partial pre-state cannot give')
  }
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
  [7928, 'block-level access lists'],
  [8037, 'two-dimensional block gas accounting'],
]

function decodeBlock(input: BlockInput, options: PrepareBlockOptions, omissions: string[]): Block {
  const common = installCrypto(options.common.copy(), options.crypto ?? activeCryptoProvider())
  // Unfrozen so that known senders can be attached to the transactions without ECDSA recovery.
  // `params: {}` on a Common that already holds the block and transaction parameters: otherwise
  // every transaction deep-copies them into its own Common (a third of a block's decoding time).
  const opts: BlockOptions = { common: withDecodingParams(common), params: {}, setHardfork: true, freeze: false }
  const source = input.block
  const ommers = source.format === 'rpc' ? rpcOmmers(input, source.json, omissions) : []
  try {
    const block = source.format === 'rlp' ? createBlockFromRLP(source.rlp, opts) : source.format === 'rpc' ? blockFromRpc(source.json, ommers, opts) : createBlock(source.data, opts)
    for (const tx of block.transactions) memoizeEncoding(tx)
    return block
  } catch (cause) {
    throw oversizedDecoding(cause, declaredNumber(input)) ?? undecodableTransaction(input, opts) ?? new InvalidBlockError({ blockNumber: declaredNumber(input), rule: 'decoding', reason: firstLine(cause), cause })
  }
}

/**
 * Each transaction's encoding, hash and calldata gas, computed once: the body check, the
 * transactions root, the outcome's hash and runTx's intrinsic gas (twice) all ask for them.
 * ethereumjs caches them only on frozen transactions, and these stay unfrozen so that known senders
 * can be attached; the calldata gas adds one bigint per byte. The block's fork is fixed by now.
 */
export function memoizeEncoding(tx: TypedTransaction): void {
  const serialize = tx.serialize.bind(tx)
  const hash = tx.hash.bind(tx)
  const getDataGas = tx.getDataGas.bind(tx)
  let serialized: Uint8Array | undefined
  let hashed: Uint8Array | undefined
  let dataGas: bigint | undefined
  Object.assign(tx, { serialize: () => (serialized ??= serialize()), hash: () => (hashed ??= hash()), getDataGas: () => (dataGas ??= (seedCalldataGas(tx), getDataGas())) })
}

/**
 * The calldata part of the data gas, which ethereumjs sums one bigint per byte, counted in numbers
 * and left in the cache its own sum reads first (it fills that cache only on frozen transactions).
 */
function seedCalldataGas(tx: TypedTransaction): void {
  const { data, common } = tx
  let zeros = 0
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++
  let cost = BigInt(zeros) * common.param('txDataZeroGas') + BigInt(data.length - zeros) * common.param('txDataNonZeroGas')
  if ((tx.to === undefined || tx.to === null) && common.isActivatedEIP(3860)) cost += common.param('initCodeWordGas') * BigInt(Math.ceil(data.length / 32))
  tx.cache.dataFee = { value: cost, hardfork: common.hardfork() }
}

/** `common` with the header and transaction parameters merged in, as each constructor would merge them. */
export function withDecodingParams(common: Common): Common {
  common.updateParams(paramsBlock)
  common.updateParams(paramsTx)
  return fastParamsCommon(common)
}

/**
 * `createBlockFromRPC`, with each transaction constructed once. That function builds every
 * transaction from its JSON with only `{ common }` (so each one deep-copies the transaction
 * parameters into its Common), then hands those transactions to `createBlock`, which builds each
 * one again from the first. Here the normalized JSON goes to `createBlock` directly: the same
 * constructor, options and validation as the second pass, whose transactions were the ones kept.
 */
function blockFromRpc(json: JSONRPCBlock, ommers: HeaderData[], opts: BlockOptions): Block {
  const header = createBlockHeaderFromRPC(json, opts)
  const transactions = (json.transactions ?? []).map((tx) => normalizeTxParams(tx as Parameters<typeof normalizeTxParams>[0]))
  const uncleHeaders = ommers.map((ommer) => createBlockHeaderFromRPC(ommer as unknown as JSONRPCBlock, opts))
  return createBlock({ header, transactions, uncleHeaders, withdrawals: json.withdrawals } as Parameters<typeof createBlock>[0], opts)
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

/**
 * ECDSA sender recovery for the given transactions of a decoded block (about 80 µs a transaction on
 * libsecp256k1, 2 ms on @noble/curves). A high-s, zero or otherwise unrecoverable signature is an
 * `InvalidTransactionError` naming the transaction.
 */
export function recoverSendersOf(block: Block, indices: readonly number[]): AddressHex[] {
  return indices.map((index) => {
    const tx = block.transactions[index]!
    try {
      return recoveredSender(tx)
    } catch (cause) {
      throw invalidTx(block, tx, index, `sender recovery failed: ${firstLine(cause)}`, cause)
    }
  })
}

/** The signer of `tx`, its address hashed on this thread's keccak (ethereumjs hashes it in pure JS). */
export function recoveredSender(tx: TypedTransaction): AddressHex {
  return bytesToHex(keccak256(tx.getSenderPublicKey()).subarray(12)) as AddressHex
}

/** Decodes a block at its fork without recovering or attaching senders (for workers that recover them). */
export function decodeBlockInput(input: BlockInput, options: PrepareBlockOptions): Block {
  return decodeBlock(input, options, [])
}

/** Gives each transaction its known sender, so nothing recovers it by ECDSA. */
export function attachSenders(block: Block, senders: readonly AddressHex[]): AddressHex[] {
  assertSenderCount(block, senders)
  return block.transactions.map((tx, index) => {
    const sender = senders[index]!.toLowerCase() as AddressHex
    const address = createAddressFromString(sender)
    ;(tx as { getSenderAddress: () => typeof address }).getSenderAddress = () => address
    return sender
  })
}

function assertSenderCount(block: Block, senders: readonly AddressHex[]): void {
  if (senders.length !== block.transactions.length) {
    throw new InvalidBlockError({
      blockNumber: block.header.number,
      rule: 'senders',
      reason: `${senders.length} senders given for ${block.transactions.length} transactions`,
    })
  }
}

export function invalidTx(block: Block, tx: TypedTransaction, index: number, reason: string, cause?: unknown) {
  return new InvalidTransactionError({
    blockNumber: block.header.number,
    txIndex: index,
    txHash: bytesToHex(transactionHash(tx)),
    reason,
    cause,
  })
}


export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.replace(/ \(block number=.*$/, '').replace(/ -> .*$/, '')
}
