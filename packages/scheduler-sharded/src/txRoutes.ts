import { planningDependencies, type TxAccessSets } from '@parallel-evm/conflicts'
import { type AddressHex, type TxOutcome } from '@parallel-evm/core'
import {
  accountFieldKeyId,
  creditedAddresses,
  ownerOfAddress,
  ownerOfKey,
  stateKeyId,
  writtenKeys,
  type ShardOwnership,
} from '@parallel-evm/core/internal'
import type { BlockProfile } from './partitioner.js'

/** A set of shards as bits (shard s is bit s), so at most 30 shards. */
export type ShardMask = number

export const MAX_SHARDS = 30

export const allShards = (shards: number): ShardMask => (1 << shards) - 1

/** Where each transaction runs, which shards' state it is predicted to involve, and what it waits for. */
export interface TxRoutes {
  /** Per transaction, its home shard: the owner of its sender, where it executes. */
  home: number[]
  /** Per transaction, the shards whose state it is predicted to touch, its home included. */
  participants: ShardMask[]
  /**
   * Per transaction, the earlier ones whose writes it is predicted to need (on each key, the last
   * one to set it and the credits since), and its sender's previous one: Calvin's lock order, by key.
   */
  dependencies: number[][]
}

/**
 * Routes a block's transactions under `ownership` from their predicted access sets. Only state
 * the block may change needs its owner: every shard holds the committed parent state, so a key no
 * transaction is predicted to write reads the same everywhere. A credit to the coinbase (the fee)
 * commutes and involves no one, as in pevm's lazy beneficiary; reading the coinbase's balance
 * needs every earlier fee, so it involves every shard.
 */
export function routeTransactions(profile: BlockProfile, ownership: ShardOwnership): TxRoutes {
  const coinbaseBalance = accountFieldKeyId(profile.coinbase, 'balance')
  const mutable = new Set<string>()
  for (const sets of profile.sets) {
    for (const key of sets.writes) mutable.add(key)
    for (const key of sets.deltas) mutable.add(key)
    for (const key of sets.chained) mutable.add(key)
  }
  const lazy = lazyCredits(profile)
  const home: number[] = []
  const participants: ShardMask[] = []
  profile.sets.forEach((sets, index) => {
    const owner = ownerOfAddress(ownership, profile.prepared.senders[index]!)
    let mask = 1 << owner
    const involve = (key: string) => {
      if (!isCoinbaseField(key, profile.coinbase)) mask |= 1 << ownerOfKey(ownership, key)
    }
    sets.writes.forEach(involve)
    for (const key of sets.deltas) if (!lazy.has(key)) involve(key)
    sets.chained.forEach(involve)
    for (const key of sets.reads) if (mutable.has(key)) involve(key)
    if (readsCoinbase(sets.reads, profile.coinbase) || sets.chained.has(coinbaseBalance)) mask = allShards(ownership.shards)
    home.push(owner)
    participants.push(mask)
  })
  const previousOfSender = new Map<AddressHex, number>()
  const dependencies = planningDependencies(profile.sets.map((sets) => withLazyCoinbase(sets, profile.coinbase))).map((deps, index) => {
    const sender = profile.prepared.senders[index]!
    const previous = previousOfSender.get(sender)
    previousOfSender.set(sender, index)
    return previous === undefined || deps.includes(previous) ? deps : [...deps, previous].sort((a, b) => a - b)
  })
  return { home, participants, dependencies }
}

/**
 * The balances the block only credits, as far as the prediction knows: no transaction reads or
 * sets them. Credits commute, so like the coinbase's fee they need no owner while the block runs;
 * they reach the owner with its next message or at agreement. (A transaction that does read one
 * after all is checked at its turn like any other, and re-run if it read too early.)
 */
export function lazyCredits(profile: Pick<BlockProfile, 'sets'>): Set<string> {
  const credited = new Set<string>()
  for (const sets of profile.sets) for (const key of sets.deltas) credited.add(key)
  for (const sets of profile.sets) for (const group of [sets.reads, sets.writes, sets.chained]) for (const key of group) credited.delete(key)
  return credited
}

/**
 * The shards a transaction really involved, known at its turn to commit: the owners of what it
 * set, and of what it read that an earlier transaction of the block had changed (`writtenBefore`);
 * every shard if it read a coinbase balance the block had credited. Credits commute and need no
 * owner (see `lazyCredits`): a later reader of a credited balance involves its owner instead.
 */
export function actualShards(outcome: TxOutcome, home: number, ownership: ShardOwnership, coinbase: AddressHex, writtenBefore: ReadonlySet<string>): ShardMask {
  let mask = 1 << home
  for (const key of outcome.readSet.keys()) {
    if (!writtenBefore.has(key)) continue
    if (!isCoinbaseField(key, coinbase)) mask |= 1 << ownerOfKey(ownership, key)
    else if (readsCoinbase([key], coinbase)) return allShards(ownership.shards)
  }
  for (const key of writtenKeys(outcome.writeSet)) {
    const id = stateKeyId(key)
    if (!isCoinbaseField(id, coinbase)) mask |= 1 << ownerOfKey(ownership, id)
  }
  return mask
}

/**
 * Whether reads observe the coinbase's balance, where every earlier fee shows. The fee credits
 * themselves, and the account's creation by the first of them, involve no shard (pevm's lazy
 * beneficiary); its other fields read the same to every transaction but the first.
 */
function readsCoinbase(reads: Iterable<string>, coinbase: AddressHex): boolean {
  const balance = accountFieldKeyId(coinbase, 'balance')
  for (const key of reads) if (key === balance) return true
  return false
}

/**
 * A transaction's sets with the coinbase as the lazy beneficiary: its balance only credited (a
 * transaction run alone on the parent may have created the account with its fee), its other fields
 * neither read nor set; a read of its balance stays, and so waits for every earlier fee.
 */
function withLazyCoinbase(sets: TxAccessSets, coinbase: AddressHex): TxAccessSets {
  const balance = accountFieldKeyId(coinbase, 'balance')
  const keep = (key: string) => !isCoinbaseField(key, coinbase)
  const credited = sets.writes.has(balance) || sets.deltas.has(balance)
  return {
    reads: new Set([...sets.reads].filter((key) => keep(key) || key === balance)),
    writes: new Set([...sets.writes].filter(keep)),
    deltas: new Set([...[...sets.deltas].filter(keep), ...(credited ? [balance] : [])]),
    chained: sets.chained,
  }
}

/** A field of the coinbase account (balance, nonce, code, existence), not one of its slots. */
export function isCoinbaseField(key: string, coinbase: AddressHex): boolean {
  return key[42] !== ':' && key.startsWith(coinbase)
}

/** The key ids a transaction wrote or credited: what later transactions' reads are checked against. */
export function changedKeyIds(outcome: TxOutcome): string[] {
  const ids = writtenKeys(outcome.writeSet).map(stateKeyId)
  for (const address of creditedAddresses(outcome.writeSet)) ids.push(accountFieldKeyId(address, 'balance'))
  return ids
}

export function shardsOf(mask: ShardMask): number[] {
  const shards: number[] = []
  for (let shard = 0; mask >> shard !== 0; shard++) if ((mask >> shard) & 1) shards.push(shard)
  return shards
}

/**
 * The most the routes let the shards gain over one lane, with gas limits as time and messages
 * free: each shard runs its transactions one at a time, and each starts only once what it depends
 * on has ended (a lower bound on the protocol's makespan).
 */
export function routedSpeedupBound(routes: Pick<TxRoutes, 'home' | 'dependencies'>, gasLimits: readonly bigint[], shards: number): number {
  const shardFree = new Array<number>(shards).fill(0)
  const ends: number[] = []
  let total = 0
  routes.home.forEach((home, index) => {
    const gas = Number(gasLimits[index]!)
    total += gas
    const start = Math.max(shardFree[home]!, ...routes.dependencies[index]!.map((dep) => ends[dep]!))
    ends.push(start + gas)
    shardFree[home] = start + gas
  })
  const makespan = Math.max(0, ...ends)
  return makespan === 0 ? Infinity : total / makespan
}
