import { accountFieldKeyId, creditedAddresses, ownerOfAddress, ownerOfKey, stateKeyId, writtenKeys, type AddressHex, type ShardOwnership, type TxOutcome } from '@parallel-evm/core'
import type { BlockProfile } from './partitioner.js'

/** A set of shards as bits (shard s is bit s), so at most 30 shards. */
export type ShardMask = number

export const MAX_SHARDS = 30

export const allShards = (shards: number): ShardMask => (1 << shards) - 1

/** Where each transaction runs and which shards' state it is predicted to involve. */
export interface TxRoutes {
  /** Per transaction, its home shard: the owner of its sender, where it executes. */
  home: number[]
  /** Per transaction, the shards whose state it is predicted to touch, its home included. */
  participants: ShardMask[]
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
  const home: number[] = []
  const participants: ShardMask[] = []
  profile.sets.forEach((sets, index) => {
    const owner = ownerOfAddress(ownership, profile.prepared.senders[index]!)
    let mask = 1 << owner
    const involve = (key: string) => {
      if (key === coinbaseBalance) return
      mask |= 1 << ownerOfKey(ownership, key)
    }
    sets.writes.forEach(involve)
    sets.deltas.forEach(involve)
    sets.chained.forEach(involve)
    for (const key of sets.reads) if (mutable.has(key)) involve(key)
    if (sets.reads.has(coinbaseBalance) || sets.chained.has(coinbaseBalance)) mask = allShards(ownership.shards)
    home.push(owner)
    participants.push(mask)
  })
  return { home, participants }
}

/**
 * The shards a transaction really involved, known at its turn to commit: the owners of what it
 * wrote or credited (but the coinbase's fee), and of what it read that an earlier transaction of
 * the block had written (`writtenBefore`); every shard if it read a coinbase balance the block
 * had credited.
 */
export function actualShards(outcome: TxOutcome, home: number, ownership: ShardOwnership, coinbase: AddressHex, writtenBefore: ReadonlySet<string>): ShardMask {
  const coinbaseBalance = accountFieldKeyId(coinbase, 'balance')
  let mask = 1 << home
  for (const key of outcome.readSet.keys()) {
    if (!writtenBefore.has(key)) continue
    if (key === coinbaseBalance) return allShards(ownership.shards)
    mask |= 1 << ownerOfKey(ownership, key)
  }
  for (const key of writtenKeys(outcome.writeSet)) mask |= 1 << ownerOfKey(ownership, stateKeyId(key))
  for (const address of creditedAddresses(outcome.writeSet)) if (address !== coinbase) mask |= 1 << ownerOfAddress(ownership, address)
  return mask
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
