import type { Common } from '@ethereumjs/common'
import type { Block, BlockData, BlockHeader, HeaderData, JSONRPCBlock } from '@ethereumjs/block'
import type { Log } from '@ethereumjs/evm'
import type { TxReceipt } from '@ethereumjs/vm'
import type { CryptoStats } from './cryptoProvider.js'
import type { TypedTransaction } from '@ethereumjs/tx'

/** A 0x-prefixed lower-case hex string. */
export type Hex = `0x${string}`

/** A 20-byte account address as lower-case 0x hex (the one spelling used as a map key everywhere). */
export type AddressHex = Hex

/** A 32-byte storage slot as lower-case, zero-padded 0x hex. */
export type SlotHex = Hex

/** The flat, trie-free view of an account that execution reads (reth/erigon "plain state"). */
export interface FlatAccount {
  readonly nonce: bigint
  readonly balance: bigint
  /** keccak256 of the runtime code; KECCAK256_NULL for an account without code. */
  readonly codeHash: Hex
}

/**
 * What a transaction (or a block) changed in one account, at field granularity.
 *
 * `lifecycle` says how the account's existence changed:
 * - `'created'`: the account was (re)created; its storage was empty before `storage` applies and
 *   `balance`, `nonce` and `codeHash` are all present.
 * - `'deleted'`: the account and all its storage are gone; no other field is set.
 * - absent: the account existed before and after; only the fields present changed.
 */
export interface AccountWrite {
  lifecycle?: 'created' | 'deleted'
  balance?: bigint
  /**
   * A credit relative to whatever the balance is before this write (never with `balance`): fee
   * and value-transfer credits to an account the transaction did not otherwise observe. Credits
   * commute, so they are not a dependency; the block path resolves them in block order.
   */
  balanceDelta?: bigint
  nonce?: bigint
  /** An increment relative to the nonce before this write (never with `nonce`): sender chains. */
  nonceDelta?: bigint
  codeHash?: Hex
  /** Slot → value after the write; 0n means the slot was cleared. */
  storage: Map<SlotHex, bigint>
}

/** Post-values a transaction or a whole block leaves behind. */
export interface WriteSet {
  accounts: Map<AddressHex, AccountWrite>
  /** Code introduced by this write set, by code hash. */
  codes: Map<Hex, Uint8Array>
}

/** One field of one account, or one storage slot: the unit of conflict. */
export type StateKey =
  | { readonly kind: 'existence'; readonly address: AddressHex }
  | { readonly kind: 'balance'; readonly address: AddressHex }
  | { readonly kind: 'nonce'; readonly address: AddressHex }
  | { readonly kind: 'code'; readonly address: AddressHex }
  | { readonly kind: 'storage'; readonly address: AddressHex; readonly slot: SlotHex }

export type AccountField = Exclude<StateKey['kind'], 'storage'>

/** A value observed by a read: a balance, nonce or slot is a bigint, code a hash, existence a boolean. */
export type StateValue = bigint | Hex | boolean

/** The keys a transaction read from state written before it, with the value it saw (by `stateKeyId`). */
export type ReadSet = Map<string, StateValue>

/** Synchronous reads of a committed state: every EVM read lands here, so there is no promise per read. */
export interface StateReader {
  getAccount(address: AddressHex): FlatAccount | undefined
  getStorage(address: AddressHex, slot: SlotHex): bigint
  /** The code for a hash; undefined when the state does not hold it (a bad fixture or database). */
  getCode(codeHash: Hex): Uint8Array | undefined
  /** Whether the account has any non-zero slot (the EIP-7610 create-collision rule needs it). */
  hasStorage(address: AddressHex): boolean
}

/** The result of executing one transaction, before block-level accounting. */
export interface TxOutcome {
  index: number
  txHash: Hex
  sender: AddressHex
  nonce: bigint
  /** The most the transaction can cost its sender: gas limit at the fee cap, value, blob fees. */
  maxCost: bigint
  /** Whether its execution observed its own sender's balance (beyond runTx's checks and debits). */
  senderBalanceObserved: boolean
  /** 1 success, 0 reverted or out of gas: both are valid transactions with a receipt. */
  status: 0 | 1
  /** Gas charged to the sender (the receipt's gas). */
  gasUsed: bigint
  /** Gas counted against the block's gas limit (differs from `gasUsed` only under EIP-7623/7778 rules). */
  blockGasUsed: bigint
  logs: Log[]
  logsBloom: Uint8Array
  blobGasUsed?: bigint
  /** Post-transaction state root, only before Byzantium and only when the backend can compute it. */
  intermediateStateRoot?: Uint8Array
  createdAddress?: AddressHex
  /** The EVM's exception for a status-0 transaction (e.g. `revert`, `out of gas`). */
  exception?: string
  /** What a reverted transaction returned (a custom error or `Error(string)`), when it returned anything. */
  revertData?: Hex
  readSet: ReadSet
  writeSet: WriteSet
}

/** The block itself in one of the encodings blocks arrive in. */
export type BlockSource =
  | { readonly format: 'data'; readonly data: BlockData }
  | { readonly format: 'rlp'; readonly rlp: Uint8Array }
  | { readonly format: 'rpc'; readonly json: JSONRPCBlock }

/**
 * A block to execute: the block itself (ethereumjs block data or RLP), the senders when already known
 * (checked against the signatures unless the executor trusts them), and the hashes BLOCKHASH may ask for.
 */
export interface BlockInput {
  block: BlockSource
  senders?: readonly AddressHex[]
  ancestorHashes?: ReadonlyMap<bigint, Uint8Array>
  /**
   * Ommer headers for an RPC block, whose JSON lists only ommer hashes. Without them a block with
   * ommers is refused (its ommer rewards would be wrong), unless this is `'unavailable'`: then the
   * block runs without ommer rewards and the result lists that in `omissions`.
   */
  ommers?: readonly HeaderData[] | 'unavailable'
  /**
   * The state the block runs on holds only what the block touches (a snapshot), so no root computed
   * over it is the chain's: a pre-Byzantium block's per-transaction roots, and so its receipts root,
   * are then not computed, and the result lists that in `omissions`.
   */
  partialState?: boolean
}

/** A block decoded at its fork, ready for any scheduler. */
export interface PreparedBlock {
  common: Common
  block: Block
  header: BlockHeader
  transactions: readonly TypedTransaction[]
  senders: readonly AddressHex[]
  ancestorHashes: ReadonlyMap<bigint, Uint8Array>
  /** What this block's execution knowingly leaves out (e.g. ommer rewards without ommer headers). */
  omissions: readonly string[]
}

/** How the block's computed header fields compare with the header it came with. */
export interface HeaderMatches {
  gasUsed: boolean
  /** null before Cancun, where the header has no blob gas. */
  blobGasUsed: boolean | null
  logsBloom: boolean
  /** null before Byzantium when no intermediate state roots were available to rebuild receipts. */
  receiptsRoot: boolean | null
  /** null when the backend does not compute a state root. */
  stateRoot: boolean | null
  /** null before Prague, where the header commits to no EIP-7685 requests. */
  requestsHash: boolean | null
}

export interface SchedulerStats {
  scheduler: string
  lanes: number
  /** Transaction executions, re-executions included. */
  executions: number
  /** Executions beyond one per transaction. */
  reExecutions?: number
  /** Read-set validations (Block-STM). */
  validations?: number
  /** Executions whose reads proved stale on validation, so the transaction ran again. */
  validationAborts?: number
  /** Executions stopped on a read of a value an earlier transaction was re-computing (an ESTIMATE). */
  dependencyAborts?: number
  /**
   * Executions a worker answered with an error (a transaction speculation made invalid, a state
   * the worker could not open); each is re-run on the calling thread.
   */
  workerErrors?: number
  /** Of those, the ones whose worker could not open the parent state (`STATE_UNAVAILABLE`). */
  stateUnavailable?: number
  /** Why the block ran sequentially on the calling thread instead; absent when it ran in parallel. */
  fellBack?: string
  /** Time the workers spent on this block's tasks, summed over workers, in ms. */
  workerMs?: number
  /** Time the coordinating thread spent scheduling, validating and (de)serialising, in ms. */
  coordinatorMs?: number
  /**
   * Bytes of parent state sent to the workers for this block: a copy of the state for an in-memory
   * backend, a few hundred bytes naming a snapshot for one the workers open themselves.
   */
  stateBytes?: number
  /** Messages and bytes that crossed threads for this block's tasks, both directions. */
  messages?: number
  bytes?: number
  /** How a scheduler that plans ahead (static) planned the block, and how the plan held up. */
  plan?: PlanStats
  /** How the sharded scheduler partitioned the block and what its protocol did. */
  sharded?: ShardStats
}

/** The sharded scheduler's account of a block. */
export interface ShardStats {
  shards: number
  partitioner: string
  /** Of the block's transactions, the share predicted to involve several shards, and the share that did. */
  predictedCrossShardRatio: number
  crossShardRatio: number
  predictedCrossShard: number
  actualCrossShard: number
  /** Transactions whose actual accesses left their predicted shards: aborted, re-run with the actual set. */
  escapes: number
  /** Time shards sat idle with their next transaction waiting on values from other shards, summed, in ms. */
  remoteWaitMs: number
  /** Per shard: transactions executed there, their gas, its busy time, messages and bytes. */
  perShard: { transactions: number; gas: number; busyMs: number; messages: number; bytes: number }[]
  /** State that changed owner for this block, as separate shard stores would copy it. */
  migration: { accounts: number; slots: number; bytes: number }
  /** Prediction (pre-execution included), partitioning and routing, and the round of digests, in ms. */
  predictMs: number
  partitionMs: number
  digestMs: number
}

/** A plan's predicted dependency edges against the block's actual ones, and what it cost. */
export interface PlanStats {
  /** Where the prediction came from, e.g. `static`, `access-list`, `preexec`, `hints`. */
  source: string
  /** Dependency edges the plan ordered (i before j), and edges the executed block really has. */
  plannedEdges: number
  actualEdges: number
  /** Actual edges the plan did not order even through other edges: each can force a re-execution. */
  missedEdges: number
  /** Of the planned edges, the share that are actual edges; of the actual edges, the share planned. */
  precision: number
  recall: number
  /** Executions a misprediction cost (a transaction re-run because the plan missed what it read). */
  mispredictionReExecutions: number
  /** Time to make the prediction (for `preexec`, its parallel pre-execution) and to plan from it, in ms. */
  predictMs: number
  planMs: number
  /** Time to build the actual graph and score the plan against it, in ms (part of the block's time). */
  scoreMs: number
}

export interface BlockResult {
  number: bigint
  hash: Hex
  /** The executed block's header, e.g. the parent header for validating the next block. */
  header: BlockHeader
  /** Each transaction's sender, in block order. */
  senders: readonly AddressHex[]
  txCount: number
  gasUsed: bigint
  logsBloom: Uint8Array
  receiptsRoot: Uint8Array
  /** Undefined when the backend does not compute a state root (state-memory). */
  stateRoot: Uint8Array | undefined
  receipts: TxReceipt[]
  /**
   * From Prague on (EIP-7685): the block's execution-layer requests, each its type byte then its
   * data (deposits, withdrawal and consolidation requests, in that order), and their sha256 commitment.
   */
  requests?: { encoded: Uint8Array[]; requestsHash: Uint8Array }
  /**
   * The block's system calls, which the block path runs once whatever the scheduler: the EIP-4788
   * and EIP-2935 writes before the first transaction, and from Prague the EIP-7002/7251 calls after
   * the withdrawals, with what they read (the request queues the transactions filled).
   */
  systemCalls: { preBlock: WriteSet; postBlock?: { readSet: ReadSet; writeSet: WriteSet } }
  outcomes: TxOutcome[]
  /** Everything the block changed, system calls, rewards and withdrawals included. */
  writeSet: WriteSet
  matches: HeaderMatches
  /** What execution knowingly left out, e.g. ommer rewards when the ommer headers were unavailable. */
  omissions: readonly string[]
  stats: SchedulerStats & {
    /** The hashing and signature implementations the calling thread ran. */
    crypto: CryptoStats
    /** Whether the senders were recovered from the signatures (false: taken from the input, `trustSenders`). */
    sendersVerified: boolean
    prepareMs: number
    executeMs: number
    finalizeMs: number
    commitMs: number
  }
}
