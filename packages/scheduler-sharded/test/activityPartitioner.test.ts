import type { TxAccessSets } from '@parallel-evm/conflicts'
import { type AddressHex, type Hex, type PreparedBlock, type StateReader } from '@parallel-evm/core'
import {
  accountFieldKeyId,
  EMPTY_STATE,
  hashShard,
  ownerOfAddress,
  ownerOfKey,
  storageKeyId,
  type ShardOwnership,
} from '@parallel-evm/core/internal'
import { describe, expect, it } from 'vitest'
import {
  createActivityPartitioner,
  createHashPartitioner,
  NO_MIGRATION,
  routeTransactions,
  type BlockProfile,
  type Partition,
} from '../src/index.js'

/** An address whose hash shard is `n % shards` (hashShard reads its low 32 bits). */
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as AddressHex
const slotOf = (address: AddressHex, n: number) => storageKeyId(address, `0x${n.toString(16).padStart(64, '0')}`)
const balanceOf = (address: AddressHex) => accountFieldKeyId(address, 'balance')

const COINBASE = addr(0xc0b)
/** A contract whose account hashes to shard 0 of 2; its slots are the shared state below. */
const TOKEN = addr(100)
/** What an account's record costs to move (address, balance, nonce, code hash), and a slot's (key, value). */
const ACCOUNT_BYTES = 20 + 32 + 8 + 32
const SLOT_BYTES = 32 + 32

interface Tx {
  sender: AddressHex
  gas?: bigint
  reads?: string[]
  writes?: string[]
  deltas?: string[]
  chained?: string[]
}

/** A block profile from hand-written access sets; the partitioner reads only senders and gas limits of the block. */
function profile(txs: Tx[], parent: StateReader = EMPTY_STATE): BlockProfile {
  const prepared = { senders: txs.map((tx) => tx.sender), transactions: txs.map((tx) => ({ gasLimit: tx.gas ?? 100_000n })) } as unknown as PreparedBlock
  const sets = txs.map((tx): TxAccessSets => ({ reads: new Set(tx.reads), writes: new Set(tx.writes), deltas: new Set(tx.deltas), chained: new Set(tx.chained) }))
  return { prepared, sets, coinbase: COINBASE, parent }
}

/** Pairs of senders, each pair writing one slot of TOKEN (slot `first + k` for the k-th pair): independent groups. */
const pairsBlock = (pairs: [number, number][], first = 0) => profile(pairs.flatMap(([a, b], k) => [a, b].map((sender) => ({ sender: addr(sender), writes: [slotOf(TOKEN, first + k)] }))))

const entries = (partition: Partition) => ({ accounts: [...partition.ownership.accounts], slots: [...partition.ownership.slots], migration: partition.migration })

/** Gas per shard of the transactions' homes (where they run). */
function gasPerShard(block: BlockProfile, ownership: ShardOwnership): number[] {
  const gas = new Array<number>(ownership.shards).fill(0)
  block.prepared.senders.forEach((sender, index) => (gas[ownerOfAddress(ownership, sender)]! += Number(block.prepared.transactions[index]!.gasLimit)))
  return gas
}

/** Every state unit of a block (senders, accounts and slots written or credited) and its owner. */
function ownersOf(block: BlockProfile, ownership: ShardOwnership): Map<string, number> {
  const owners = new Map<string, number>()
  for (const sender of block.prepared.senders) owners.set(sender, ownerOfAddress(ownership, sender))
  for (const sets of block.sets) {
    for (const key of [...sets.writes, ...sets.deltas, ...sets.chained]) {
      const unit = key[42] === ':' ? key : key.slice(0, 42)
      owners.set(unit, ownerOfKey(ownership, key))
    }
  }
  return owners
}

/** A small seeded mix of senders, shared slots, credits and reads, to compare runs on. */
function mixedBlock(seed: number, count: number): BlockProfile {
  let x = seed
  const next = (n: number) => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31), x % n)
  const txs: Tx[] = []
  for (let k = 0; k < count; k++) {
    const contract = addr(200 + next(3))
    txs.push({
      sender: addr(1 + next(12)),
      gas: BigInt(21_000 + next(10) * 10_000),
      reads: [slotOf(contract, next(8))],
      writes: [slotOf(contract, next(8))],
      deltas: [balanceOf(addr(1 + next(12))), balanceOf(COINBASE)],
    })
  }
  return profile(txs)
}

describe('createActivityPartitioner', () => {
  it('behavior: two fresh partitioners give identical ownership and migration for the same blocks', () => {
    const blocks = [mixedBlock(1, 40), mixedBlock(2, 40), mixedBlock(3, 25)]
    const first = createActivityPartitioner()
    const second = createActivityPartitioner()
    for (const block of blocks) {
      const a = first.partition(block, 3)
      const b = second.partition(block, 3)
      expect(entries(b)).toEqual(entries(a))
    }
    expect(first.name).toBe('activity')
  })

  it('behavior: transactions writing the same slot end up on one shard with their senders and that slot, so every route is single-shard', () => {
    // Four pairs; the senders of a pair hash to different shards, so keeping a pair together moves state.
    const block = pairsBlock([[1, 2], [3, 4], [5, 6], [7, 8]])
    const { ownership, migration } = createActivityPartitioner().partition(block, 2)
    for (let k = 0; k < 4; k++) {
      const together = [ownerOfAddress(ownership, addr(2 * k + 1)), ownerOfAddress(ownership, addr(2 * k + 2)), ownerOfKey(ownership, slotOf(TOKEN, k))]
      expect(new Set(together).size).toBe(1)
    }
    const routes = routeTransactions(block, ownership)
    routes.participants.forEach((mask, index) => expect(mask).toBe(1 << routes.home[index]!))
    expect(new Set(routes.home)).toEqual(new Set([0, 1]))
    expect(migration.accounts + migration.slots).toBeGreaterThan(0)
  })

  it('behavior: 8 independent sender+slot transactions, all hashing to shard 0, spread over both shards with balanced gas', () => {
    const block = profile([2, 4, 6, 8, 10, 12, 14, 16].map((sender, k) => ({ sender: addr(sender), writes: [slotOf(TOKEN, k)] })))
    const { ownership } = createActivityPartitioner().partition(block, 2)
    const gas = gasPerShard(block, ownership)
    expect(gas.every((shard) => shard > 0)).toBe(true)
    // No shard fills past its even share plus the slack (10%), bar the one transaction that crossed it.
    for (const shard of gas) expect(shard).toBeLessThanOrEqual(400_000 * 1.1 + 100_000)
    // Each transaction's slot went with its sender.
    const routes = routeTransactions(block, ownership)
    routes.participants.forEach((mask, index) => expect(mask).toBe(1 << routes.home[index]!))
  })

  it('behavior: a hot slot written by every transaction is placed on one shard without pulling the rest after it', () => {
    const hot = slotOf(addr(301), 0)
    const block = profile([1, 2, 3, 4, 5, 6, 7, 8].map((sender, k) => ({ sender: addr(sender), writes: [hot, slotOf(TOKEN, 20 + k)] })))
    const { ownership } = createActivityPartitioner().partition(block, 2)
    const gas = gasPerShard(block, ownership)
    expect(gas.every((shard) => shard > 0)).toBe(true)
    // The hot slot sits where most of its transactions' gas runs.
    const hotOwner = ownerOfKey(ownership, hot)
    expect(gas[hotOwner]).toBe(Math.max(...gas))
    // Each transaction's own slot still goes with its sender; only the hot slot makes some cross-shard.
    const routes = routeTransactions(block, ownership)
    routes.participants.forEach((mask, index) => expect(mask).toBe((1 << routes.home[index]!) | (1 << hotOwner)))
    expect(routes.participants.some((mask) => mask === 0b11)).toBe(true)
  })

  it('behavior: coinbase fee credits never count: the coinbase stays on its hash shard and the placement is the one without them', () => {
    const txs: Tx[] = [1, 2, 3, 4, 5, 6].map((sender, k) => ({ sender: addr(sender), writes: [slotOf(TOKEN, k % 3)] }))
    const withFees = profile(txs.map((tx) => ({ ...tx, deltas: [balanceOf(COINBASE)] })))
    const withoutFees = profile(txs)
    const a = createActivityPartitioner().partition(withFees, 2)
    const b = createActivityPartitioner().partition(withoutFees, 2)
    expect(entries(a)).toEqual(entries(b))
    expect(a.ownership.accounts.has(COINBASE)).toBe(false)
    expect(ownerOfAddress(a.ownership, COINBASE)).toBe(hashShard(COINBASE, 2))
  })

  it('behavior: with one shard everything is on shard 0 and nothing moves', () => {
    const block = mixedBlock(4, 30)
    const partitioner = createActivityPartitioner()
    for (let run = 0; run < 2; run++) {
      const { ownership, migration } = partitioner.partition(block, 1)
      expect(ownership).toEqual({ shards: 1, accounts: new Map(), slots: new Map() })
      expect(migration).toEqual(NO_MIGRATION)
      for (const owner of ownersOf(block, ownership).values()) expect(owner).toBe(0)
    }
  })

  describe('across blocks', () => {
    // Block A groups senders (1,2) (3,4) (5,6) (7,8); block B regroups them as (1,3) (5,7) (2,4) (6,8).
    const blockA = pairsBlock([[1, 2], [3, 4], [5, 6], [7, 8]])
    const blockB = pairsBlock([[1, 3], [5, 7], [2, 4], [6, 8]], 10)

    it('behavior: the same block partitioned twice in a row keeps its placement and migrates nothing', () => {
      const partitioner = createActivityPartitioner()
      for (const block of [blockA, blockB]) {
        const first = partitioner.partition(block, 2)
        const again = partitioner.partition(block, 2)
        expect(again.migration).toEqual({ accounts: 0, slots: 0, bytes: 0 })
        expect(entries(again).accounts).toEqual(entries(first).accounts)
        expect(entries(again).slots).toEqual(entries(first).slots)
      }
    })

    it('behavior: when the grouping shifts, migration counts exactly the accounts and slots that changed owner, and their bytes (code included)', () => {
      // Every account has 10 bytes of code, which moves with it.
      const codeHash = `0x${'ab'.repeat(32)}` as Hex
      const parent: StateReader = { ...EMPTY_STATE, getAccount: () => ({ nonce: 0n, balance: 0n, codeHash }), getCode: (hash) => (hash === codeHash ? new Uint8Array(10) : undefined) }
      const a = { ...blockA, parent }
      const b = { ...blockB, parent }
      const runs = [createActivityPartitioner(), createActivityPartitioner()].map((partitioner) => [partitioner.partition(a, 2), partitioner.partition(b, 2)])
      expect(runs[1]!.map(entries)).toEqual(runs[0]!.map(entries))
      const [afterA, afterB] = runs[0]!

      const before = ownersOf(b, afterA!.ownership)
      const after = ownersOf(b, afterB!.ownership)
      const moved = [...after].filter(([unit, owner]) => before.get(unit) !== owner).map(([unit]) => unit)
      const movedAccounts = moved.filter((unit) => unit.length === 42).length
      const movedSlots = moved.length - movedAccounts
      expect(movedAccounts).toBeGreaterThan(0)
      expect(afterB!.migration).toEqual({ accounts: movedAccounts, slots: movedSlots, bytes: movedAccounts * (ACCOUNT_BYTES + 10) + movedSlots * SLOT_BYTES })
      // The move pays off: fewer of B's transactions are cross-shard than under A's placement.
      const crossShard = (ownership: ShardOwnership) => routeTransactions(b, ownership).participants.filter((mask) => mask === 0b11).length
      expect(crossShard(afterB!.ownership)).toBeLessThan(crossShard(afterA!.ownership))
    })

    it('behavior: placements made for another shard count are forgotten', () => {
      const partitioner = createActivityPartitioner()
      partitioner.partition(blockA, 2)
      expect(entries(partitioner.partition(blockB, 3))).toEqual(entries(createActivityPartitioner().partition(blockB, 3)))
    })
  })
})

describe('createHashPartitioner', () => {
  it('behavior: places every account and slot by the hash of its address and never migrates, block after block', () => {
    const partitioner = createHashPartitioner()
    expect(partitioner.name).toBe('hash')
    for (const [block, shards] of [[mixedBlock(5, 30), 3], [pairsBlock([[1, 2], [3, 4]]), 2], [mixedBlock(6, 30), 3]] as const) {
      const { ownership, migration } = partitioner.partition(block, shards)
      expect(ownership).toEqual({ shards, accounts: new Map(), slots: new Map() })
      expect(migration).toEqual({ accounts: 0, slots: 0, bytes: 0 })
      for (const [unit, owner] of ownersOf(block, ownership)) expect(owner).toBe(hashShard(unit.slice(0, 42) as AddressHex, shards))
    }
  })
})

describe('activity partitioner: where state and transactions end up', () => {
  it('behavior: a slot keeps the shard it was placed on when its account moves elsewhere in the same block, and both moves are counted', () => {
    // Y hashes to shard 0 of 2; tx 0 (sender 2, shard 0) writes Y's slot 1, tx 1 (sender 1) writes Y's balance.
    const Y = addr(0xc8)
    const block = profile([
      { sender: addr(2), writes: [slotOf(Y, 1)] },
      { sender: addr(1), writes: [balanceOf(Y)] },
    ])
    const partition = createActivityPartitioner().partition(block, 2)
    const routes = routeTransactions(block, partition.ownership)
    // Each transaction stays on one shard: the slot went with tx 0's sender, the account with tx 1's.
    expect(routes.participants.map((mask) => (mask & (mask - 1)) === 0)).toEqual([true, true])
    expect(ownerOfKey(partition.ownership, slotOf(Y, 1))).toBe(ownerOfAddress(partition.ownership, addr(2)))
    expect(ownerOfAddress(partition.ownership, Y)).toBe(ownerOfAddress(partition.ownership, addr(1)))
  })

  it('behavior: senders that all hash to one shard, each with two transactions on fresh slots, spread over both shards with no cross-shard transaction', () => {
    const block = profile([1, 2, 3, 4].flatMap((n) => [0, 1].map((k) => ({ sender: addr(n * 2), writes: [slotOf(TOKEN, n * 10 + k)] }))))
    expect(block.prepared.senders.every((sender) => hashShard(sender, 2) === 0)).toBe(true)
    const partition = createActivityPartitioner().partition(block, 2)
    const routes = routeTransactions(block, partition.ownership)
    expect(routes.participants.every((mask) => (mask & (mask - 1)) === 0)).toBe(true)
    expect(gasPerShard(block, partition.ownership).every((gas) => gas > 0)).toBe(true)
  })
})
