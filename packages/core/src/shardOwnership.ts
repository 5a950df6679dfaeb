import { createHash } from 'node:crypto'
import type { MultiVersionMemory } from './multiVersionMemory.js'
import type { AddressHex, Hex } from './types.js'

/**
 * Which shard owns each piece of state: an account (its balance, nonce, code, existence and, by
 * default, its storage) goes by `accounts`, else by its address hash; a storage slot listed in
 * `slots` (a hot contract split across shards) goes there instead of with its account. Plain
 * structured-clone data, so it travels to shards as it is.
 */
export interface ShardOwnership {
  shards: number
  /** Address → shard, for accounts placed by something other than the hash. */
  accounts: ReadonlyMap<AddressHex, number>
  /** Storage key id (`storageKeyId`) → shard, for slots placed apart from their account. */
  slots: ReadonlyMap<string, number>
}

/** The shard an address hashes to (addresses are already keccak output: the low 32 bits will do). */
export function hashShard(address: AddressHex, shards: number): number {
  return Number.parseInt(address.slice(-8), 16) % shards
}

export function ownerOfAddress(ownership: ShardOwnership, address: AddressHex): number {
  return ownership.accounts.get(address) ?? hashShard(address, ownership.shards)
}

/** The owner of a state key id (`stateKeyId`): a listed slot's shard, else its account's. */
export function ownerOfKey(ownership: ShardOwnership, id: string): number {
  if (id[42] === ':') {
    const slot = ownership.slots.get(id)
    if (slot !== undefined) return slot
  }
  return ownerOfAddress(ownership, id.slice(0, 42) as AddressHex)
}

/**
 * A digest of the final values of every key `shard` owns that the block wrote, as `memory` holds
 * them after its last transaction: shards and coordinator compute it alike, so equal digests mean
 * the shard's partition agrees with the committed result.
 */
export function partitionDigest(memory: MultiVersionMemory, ownership: ShardOwnership, shard: number, transactionCount: number): { digest: Hex; keys: number } {
  const lines: string[] = []
  for (const id of memory.writtenKeyIds()) {
    if (ownerOfKey(ownership, id) !== shard) continue
    lines.push(`${id}=${String(memory.valueAt(id, transactionCount))}`)
  }
  lines.sort()
  const hash = createHash('sha256')
  for (const line of lines) hash.update(line).update('\n')
  return { digest: `0x${hash.digest('hex')}`, keys: lines.length }
}
