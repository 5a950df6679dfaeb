import { type AddressHex } from '@parallel-evm/core'
import { hashShard, type ShardOwnership } from '@parallel-evm/core/internal'
import type { BlockProfile, Migration, Partition, Partitioner } from './partitioner.js'
import { isCoinbaseField, lazyCredits } from './txRoutes.js'

export interface ActivityPartitionerOptions {
  /**
   * How far over an even share of the block's gas a shard may fill (default 0.1): a shard that
   * full takes no more state, however much of a transaction's state it holds (rebalancing).
   */
  slack?: number
}

/** An account's record as a separate shard store would copy it: address, balance, nonce, code hash. */
const ACCOUNT_BYTES = 20 + 32 + 8 + 32
const SLOT_BYTES = 32 + 32

/**
 * Places state by the block's conflict profile, so that state a transaction changes together sits
 * on one shard and the shards carry even gas. The units are accounts and, for contracts, each
 * storage slot on its own. Senders are placed greedily in block order, weighted by their
 * transactions' gas limits (see the loop). A unit other than a sender whose transactions alone
 * carry more than an even share (a hot contract slot) would drag too much onto one shard: it is
 * left out of the placement and then goes to the shard where most of its transactions run. Placements persist across blocks as
 * a preference, so a chain's state moves only when the load asks for it; `migration` sizes what
 * moved, from where it was (first, its address hash).
 */
export function createActivityPartitioner(options: ActivityPartitionerOptions = {}): Partitioner {
  const slack = options.slack ?? 0.1
  const placed = new Map<string, number>()
  let placedFor = 0

  function partition(block: BlockProfile, shards: number): Partition {
    // Placements made for another shard count mean nothing now.
    if (placedFor !== shards) placed.clear()
    placedFor = shards
    const { prepared, sets, coinbase } = block
    const mutable = new Set<string>()
    for (const tx of sets) for (const group of [tx.writes, tx.deltas, tx.chained]) for (const key of group) mutable.add(key)
    // Credits nobody reads need no owner while the block runs (see `lazyCredits`): they pull nothing together.
    const lazy = lazyCredits(block)

    const txUnits = sets.map((tx, index) => {
      const units = new Set<string>([prepared.senders[index]!])
      const add = (key: string) => {
        if (!isCoinbaseField(key, coinbase) && !lazy.has(key)) units.add(unitOf(key))
      }
      for (const group of [tx.writes, tx.deltas, tx.chained]) group.forEach(add)
      for (const key of tx.reads) if (mutable.has(key)) add(key)
      return [...units]
    })
    const weights = prepared.transactions.map((tx) => Number(tx.gasLimit))
    const total = weights.reduce((sum, weight) => sum + weight, 0)
    const share = total / shards
    const unitWeight = new Map<string, number>()
    txUnits.forEach((units, index) => units.forEach((unit) => unitWeight.set(unit, (unitWeight.get(unit) ?? 0) + weights[index]!)))
    const senders = new Set<string>(prepared.senders)
    // A sender is never hot: all its transactions run where it is, however busy.
    const hot = new Set([...unitWeight].filter(([unit, weight]) => shards > 1 && weight > share && !senders.has(unit)).map(([unit]) => unit))
    const senderWeight = new Map<string, number>()
    prepared.senders.forEach((sender, index) => senderWeight.set(sender, (senderWeight.get(sender) ?? 0) + weights[index]!))

    // Linear deterministic greedy (after Stanton and Kliot's LDG) over the block's transactions in
    // order. A sender's first transaction places it, with all its transactions' gas: on the shard
    // where most of that transaction's state already is this block (where it was placed before
    // counts half), plus one for every shard, scaled by how much room the shard has left. Its
    // state not yet placed follows the sender, since the transaction runs there.
    const capacity = share * (1 + slack)
    const load = new Array<number>(shards).fill(0)
    const assigned = new Map<string, number>()
    txUnits.forEach((units) => {
      const sender = units[0]!
      let shard = assigned.get(sender)
      if (shard === undefined) {
        const scores = new Array<number>(shards).fill(1)
        for (const unit of units) {
          if (hot.has(unit)) continue
          const here = assigned.get(unit)
          if (here !== undefined) scores[here]! += 1
          else scores[placementOf(unit, shards)]! += 0.5
        }
        shard = argmin(load)
        let best = 0
        for (let candidate = 0; candidate < shards; candidate++) {
          const score = scores[candidate]! * Math.max(0, 1 - load[candidate]! / capacity)
          if (score > best) [best, shard] = [score, candidate]
        }
        load[shard]! += senderWeight.get(sender)!
      }
      for (const unit of units) if (!hot.has(unit) && !assigned.has(unit)) assigned.set(unit, shard)
    })
    // Hot state goes where most of the gas of its transactions runs.
    for (const unit of [...hot].sort()) {
      const pull = new Array<number>(shards).fill(0)
      txUnits.forEach((units, index) => {
        if (units.includes(unit)) pull[assigned.get(units[0]!)!]! += weights[index]!
      })
      assigned.set(unit, argmax(pull))
    }

    // Where everything was before this block, taken before any placement changes: a slot without
    // a placement of its own moves with its account.
    const before = new Map([...assigned.keys()].map((unit) => [unit, placementOf(unit, shards)]))
    const migration: Migration = { accounts: 0, slots: 0, bytes: 0 }
    for (const [unit, shard] of assigned) {
      placed.set(unit, shard)
      if (before.get(unit) === shard) continue
      if (unit.length > 42) {
        migration.slots++
        migration.bytes += SLOT_BYTES
      } else {
        migration.accounts++
        const account = block.parent.getAccount(unit as AddressHex)
        migration.bytes += ACCOUNT_BYTES + (account === undefined ? 0 : (block.parent.getCode(account.codeHash)?.length ?? 0))
      }
    }
    return { ownership: ownershipOf(placed, shards), migration }
  }

  /** Where a unit is now: where this partitioner put it, else with its account's address hash. */
  function placementOf(unit: string, shards: number): number {
    return placed.get(unit) ?? (unit.length > 42 ? (placed.get(unit.slice(0, 42)) ?? hashShard(unit.slice(0, 42) as AddressHex, shards)) : hashShard(unit as AddressHex, shards))
  }

  return { name: 'activity', partition }
}

/** An account field key belongs to its account; a storage key is a unit of its own. */
function unitOf(key: string): string {
  return key[42] === ':' ? key : key.slice(0, 42)
}

function ownershipOf(placed: ReadonlyMap<string, number>, shards: number): ShardOwnership {
  const accounts = new Map<AddressHex, number>()
  const slots = new Map<string, number>()
  for (const [unit, shard] of placed) if (unit.length === 42 && shard !== hashShard(unit as AddressHex, shards)) accounts.set(unit as AddressHex, shard)
  for (const [unit, shard] of placed) {
    if (unit.length === 42) continue
    const address = unit.slice(0, 42) as AddressHex
    if (shard !== (accounts.get(address) ?? hashShard(address, shards))) slots.set(unit, shard)
  }
  return { shards, accounts, slots }
}

function argmax(values: readonly number[]): number {
  let best = 0
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k
  return best
}

function argmin(values: readonly number[]): number {
  let best = 0
  for (let k = 1; k < values.length; k++) if (values[k]! < values[best]!) best = k
  return best
}
