import type { TxAccessSets } from '@parallel-evm/conflicts'
import {
  createWriteSet,
  type AccountWrite,
  type AddressHex,
  type PreparedBlock,
  type SlotHex,
  type StateValue,
  type TxOutcome,
} from '@parallel-evm/core'
import { accountFieldKeyId, EMPTY_STATE, storageKeyId, type ShardOwnership } from '@parallel-evm/core/internal'
import { describe, expect, it } from 'vitest'
import { actualShards, allShards, MAX_SHARDS, routeTransactions, shardsOf, type BlockProfile } from '../src/index.js'

/** An address whose hash shard is `n % shards` (hashShard reads its low 32 bits). */
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as AddressHex
const slotOf = (address: AddressHex, n: number) => storageKeyId(address, `0x${n.toString(16).padStart(64, '0')}`)
const balanceOf = (address: AddressHex) => accountFieldKeyId(address, 'balance')
const nonceOf = (address: AddressHex) => accountFieldKeyId(address, 'nonce')

// Four shards. By hash: A on 1, B on 2, C on 3, D on 0, the coinbase on 2.
const [A, B, C, D] = [addr(1), addr(2), addr(3), addr(4)]
const COINBASE = addr(6)
/** E hashes to 1 but is placed on 3; D's slot 7 is placed apart from D, on 2. */
const E = addr(5)
const ownership: ShardOwnership = { shards: 4, accounts: new Map([[E, 3]]), slots: new Map([[slotOf(D, 7), 2]]) }

type Tx = { sender: AddressHex } & Partial<Record<keyof TxAccessSets, string[]>>

function profile(txs: Tx[]): BlockProfile {
  const prepared = { senders: txs.map((tx) => tx.sender), transactions: txs.map(() => ({ gasLimit: 21_000n })) } as unknown as PreparedBlock
  const sets = txs.map((tx): TxAccessSets => ({ reads: new Set(tx.reads), writes: new Set(tx.writes), deltas: new Set(tx.deltas), chained: new Set(tx.chained) }))
  return { prepared, sets, coinbase: COINBASE, parent: EMPTY_STATE }
}

const routesOf = (...txs: Tx[]) => routeTransactions(profile(txs), ownership)

/** A transaction's outcome with the given reads and account writes (the rest is what any transfer has). */
function outcome(reads: [string, StateValue][], writes: [AddressHex, Partial<AccountWrite>][] = []): TxOutcome {
  const writeSet = createWriteSet()
  for (const [address, write] of writes) writeSet.accounts.set(address, { storage: new Map(), ...write })
  return {
    index: 0,
    txHash: `0x${'11'.repeat(32)}`,
    sender: A,
    nonce: 0n,
    maxCost: 0n,
    senderBalanceObserved: false,
    status: 1,
    gasUsed: 21_000n,
    blockGasUsed: 21_000n,
    logs: [],
    logsBloom: new Uint8Array(256),
    readSet: new Map(reads),
    writeSet,
  }
}

describe('routeTransactions', () => {
  it("behavior: a transaction's home is its sender's owner, by placement before hash; touching nothing else it involves only its home", () => {
    const routes = routesOf({ sender: A }, { sender: E }, { sender: D, chained: [nonceOf(D), balanceOf(D)] })
    expect(routes.home).toEqual([1, 3, 0])
    expect(routes.participants).toEqual([0b0010, 0b1000, 0b0001])
  })

  it('behavior: owners of written and chained keys are participants, a slot placed apart by its own owner; a credit no transaction reads involves no one', () => {
    const routes = routesOf(
      { sender: A, writes: [slotOf(D, 7)] }, // the placed slot: shard 2, not D's 0
      { sender: A, writes: [slotOf(D, 8)] }, // an unplaced slot of D: with D on 0
      { sender: A, deltas: [balanceOf(C)] },
      { sender: B, chained: [nonceOf(E), balanceOf(E)] },
      { sender: A, writes: [nonceOf(A), slotOf(E, 1)], deltas: [balanceOf(B)] },
    )
    expect(routes.home).toEqual([1, 1, 1, 2, 1])
    // C's and B's balances are only credited in this block: those credits commute and wait for no one.
    expect(routes.participants).toEqual([0b0110, 0b0011, 0b0010, 0b1100, 0b1010])
  })

  it('behavior: a read involves its owner only when some transaction of the block writes or credits the key, before or after it', () => {
    const routes = routesOf(
      { sender: A, reads: [slotOf(C, 1), slotOf(D, 9), balanceOf(D)] },
      { sender: B, writes: [slotOf(C, 1)] },
      { sender: B, deltas: [balanceOf(D)] },
      { sender: B, reads: [slotOf(D, 9), nonceOf(C)] },
    )
    // Transaction 0: C's slot (written by 1) and D's balance (credited by 2); D's slot 9 is read-only in the block.
    expect(routes.participants).toEqual([0b1011, 0b1100, 0b0101, 0b0100])
  })

  it("behavior: the coinbase's fee credit involves no shard; reading (or chaining) the coinbase balance involves every shard", () => {
    const fee = { deltas: [balanceOf(COINBASE)] }
    const routes = routesOf({ sender: A, ...fee }, { sender: C, ...fee, reads: [balanceOf(COINBASE)] }, { sender: COINBASE, ...fee, chained: [nonceOf(COINBASE), balanceOf(COINBASE)] }, { sender: D, ...fee, reads: [accountFieldKeyId(COINBASE, 'code')] })
    expect(routes.home).toEqual([1, 3, 2, 0])
    expect(routes.participants).toEqual([0b0010, allShards(4), allShards(4), 0b0001])
  })
})

describe('actualShards', () => {
  const none = new Set<string>()

  it('behavior: an outcome that read nothing written before and wrote nothing involves only its home', () => {
    expect(actualShards(outcome([]), 1, ownership, COINBASE, none)).toBe(0b0010)
    expect(actualShards(outcome([[slotOf(C, 1), 5n], [balanceOf(B), 10n]]), 1, ownership, COINBASE, none)).toBe(0b0010)
  })

  it("behavior: a read of a key written earlier in the block involves the key's owner; the rest of the read set does not", () => {
    const written = new Set([slotOf(C, 1), slotOf(D, 7)])
    const reads: [string, StateValue][] = [[slotOf(C, 1), 5n], [slotOf(D, 7), 0n], [balanceOf(B), 10n]]
    expect(actualShards(outcome(reads), 1, ownership, COINBASE, written)).toBe(0b1110)
  })

  it('behavior: owners of absolutely written fields and slots are involved; credits involve no one (a later reader of the balance involves its owner)', () => {
    const writes: [AddressHex, Partial<AccountWrite>][] = [
      [A, { nonce: 1n, balance: 5n }],
      [D, { storage: new Map([[`0x${'0'.repeat(63)}7` as SlotHex, 1n]]) }], // D's placed slot 7: shard 2
      [E, { balanceDelta: 3n }],
      [COINBASE, { balanceDelta: 21_000n }],
    ]
    expect(actualShards(outcome([], writes), 1, ownership, COINBASE, none)).toBe(0b0110)
    expect(actualShards(outcome([[balanceOf(E), 3n]]), 1, ownership, COINBASE, new Set([balanceOf(E)]))).toBe(0b1010)
    expect(actualShards(outcome([], [[COINBASE, { balanceDelta: 21_000n }]]), 0, ownership, COINBASE, none)).toBe(0b0001)
    expect(actualShards(outcome([], [[B, { lifecycle: 'created', balance: 0n, nonce: 1n, codeHash: `0x${'ab'.repeat(32)}` }]]), 0, ownership, COINBASE, none)).toBe(0b0101)
  })

  it("behavior: the coinbase's creation by the first fee, and reads of its existence or code afterwards, involve no shard", () => {
    const created = outcome([[accountFieldKeyId(COINBASE, 'existence'), false]], [[COINBASE, { lifecycle: 'created', balance: 21_000n, nonce: 0n }]])
    expect(actualShards(created, 1, ownership, COINBASE, none)).toBe(0b0010)
    const later = outcome([[accountFieldKeyId(COINBASE, 'existence'), true], [accountFieldKeyId(COINBASE, 'code'), `0x${'0'.repeat(64)}`]])
    expect(actualShards(later, 1, ownership, COINBASE, new Set([accountFieldKeyId(COINBASE, 'existence'), accountFieldKeyId(COINBASE, 'code')]))).toBe(0b0010)
  })

  it('behavior: reading the coinbase balance after the block credited it involves every shard; before any credit it does not', () => {
    const read = outcome([[balanceOf(COINBASE), 7n]])
    expect(actualShards(read, 1, ownership, COINBASE, new Set([balanceOf(COINBASE)]))).toBe(allShards(4))
    expect(actualShards(read, 1, ownership, COINBASE, none)).toBe(0b0010)
  })
})

describe('shard masks', () => {
  it('behavior: shardsOf lists the set bits in ascending order and allShards sets one bit per shard', () => {
    expect(shardsOf(0)).toEqual([])
    expect(shardsOf(0b1011)).toEqual([0, 1, 3])
    expect(shardsOf(1 << 29)).toEqual([29])
    expect(allShards(1)).toBe(1)
    expect(shardsOf(allShards(4))).toEqual([0, 1, 2, 3])
    expect(MAX_SHARDS).toBe(30)
    expect(shardsOf(allShards(MAX_SHARDS))).toEqual(Array.from({ length: 30 }, (_, shard) => shard))
  })
})
