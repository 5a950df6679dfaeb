import { accountFieldKeyId, hashShard, type AddressHex, type ShardOwnership } from '@parallel-evm/core'
import type { BlockProfile, Migration, Partition, Partitioner } from './partitioner.js'

export interface ActivityPartitionerOptions {
  /**
   * How far over an even share of the block's gas a shard may go to keep a group where it already
   * is (default 0.1): above it the group moves to the least-loaded shard (rebalancing).
   */
  stickiness?: number
}

/** An account's record as a separate shard store would copy it: address, balance, nonce, code hash. */
const ACCOUNT_BYTES = 20 + 32 + 8 + 32
const SLOT_BYTES = 32 + 32

/**
 * Places state by the block's conflict profile. The units are accounts and, for contracts, each
 * storage slot on its own. State a transaction is predicted to change together forms one group
 * (union-find over each transaction's units), weighted by its transactions' gas limits; groups go,
 * heaviest first, to the shard most of their state is already on if that shard stays within
 * `stickiness` of an even share, and otherwise to the least-loaded shard. A unit whose
 * transactions alone carry more than an even share (a hot contract slot, a busy sender) is kept
 * out of the grouping, since it would pin too much to one shard, and goes to the shard where most
 * of its transactions run. Placements persist across blocks, so a chain's state moves only when
 * the load asks for it; `migration` sizes what moved, from where it was (first its address hash).
 */
export function createActivityPartitioner(options: ActivityPartitionerOptions = {}): Partitioner {
  const stickiness = options.stickiness ?? 0.1
  const placed = new Map<string, number>()
  let placedFor = 0

  function partition(block: BlockProfile, shards: number): Partition {
    // Placements made for another shard count mean nothing now.
    if (placedFor !== shards) placed.clear()
    placedFor = shards
    const { prepared, sets, coinbase } = block
    const coinbaseBalance = accountFieldKeyId(coinbase, 'balance')
    const mutable = new Set<string>()
    for (const tx of sets) for (const group of [tx.writes, tx.deltas, tx.chained]) for (const key of group) mutable.add(key)
    mutable.delete(coinbaseBalance)

    const txUnits = sets.map((tx, index) => {
      const units = new Set<string>([prepared.senders[index]!])
      const add = (key: string) => {
        if (key !== coinbaseBalance) units.add(unitOf(key))
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
    const hot = new Set([...unitWeight].filter(([, weight]) => shards > 1 && weight > share).map(([unit]) => unit))

    const groups = new UnionFind()
    txUnits.forEach((units) => {
      const cold = units.filter((unit) => !hot.has(unit))
      for (const unit of cold) groups.add(unit)
      for (let k = 1; k < cold.length; k++) groups.union(cold[0]!, cold[k]!)
    })
    const groupWeight = new Map<string, number>()
    const groupUnits = new Map<string, string[]>()
    for (const unit of groups.members()) {
      const root = groups.find(unit)
      let list = groupUnits.get(root)
      if (list === undefined) groupUnits.set(root, (list = []))
      list.push(unit)
    }
    txUnits.forEach((units, index) => {
      const cold = units.find((unit) => !hot.has(unit))
      if (cold !== undefined) groupWeight.set(groups.find(cold), (groupWeight.get(groups.find(cold)) ?? 0) + weights[index]!)
    })

    const load = new Array<number>(shards).fill(0)
    const assigned = new Map<string, number>()
    const order = [...groupUnits.keys()].map((root) => ({ root, weight: groupWeight.get(root) ?? 0, first: groupUnits.get(root)!.reduce((a, b) => (a < b ? a : b)) }))
    order.sort((a, b) => b.weight - a.weight || (a.first < b.first ? -1 : 1))
    for (const { root, weight } of order) {
      const units = groupUnits.get(root)!
      const votes = new Array<number>(shards).fill(0)
      for (const unit of units) votes[placementOf(unit, shards)]!++
      const preferred = argmax(votes)
      const shard = load[preferred]! + weight <= share * (1 + stickiness) ? preferred : argmin(load)
      load[shard]! += weight
      for (const unit of units) assigned.set(unit, shard)
    }
    for (const unit of [...hot].sort()) {
      const pull = new Array<number>(shards).fill(0)
      txUnits.forEach((units, index) => {
        if (!units.includes(unit)) return
        const cold = units.find((other) => !hot.has(other))
        pull[cold === undefined ? placementOf(unit, shards) : assigned.get(cold)!]! += weights[index]!
      })
      assigned.set(unit, argmax(pull))
    }

    const migration: Migration = { accounts: 0, slots: 0, bytes: 0 }
    for (const [unit, shard] of assigned) {
      if (placementOf(unit, shards) === shard) continue
      if (unit.length > 42) {
        migration.slots++
        migration.bytes += SLOT_BYTES
      } else {
        migration.accounts++
        const account = block.parent.getAccount(unit as AddressHex)
        migration.bytes += ACCOUNT_BYTES + (account === undefined ? 0 : (block.parent.getCode(account.codeHash)?.length ?? 0))
      }
      placed.set(unit, shard)
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

class UnionFind {
  private readonly parent = new Map<string, string>()

  add(unit: string): void {
    if (!this.parent.has(unit)) this.parent.set(unit, unit)
  }

  find(unit: string): string {
    let root = unit
    while (this.parent.get(root) !== root) root = this.parent.get(root)!
    // Path compression keeps later finds short.
    for (let node = unit; node !== root; ) {
      const next = this.parent.get(node)!
      this.parent.set(node, root)
      node = next
    }
    return root
  }

  union(a: string, b: string): void {
    const rootA = this.find(a)
    const rootB = this.find(b)
    if (rootA === rootB) return
    // The smaller id becomes the root, so the grouping does not depend on the order of unions.
    if (rootA < rootB) this.parent.set(rootB, rootA)
    else this.parent.set(rootA, rootB)
  }

  members(): IterableIterator<string> {
    return this.parent.keys()
  }
}
