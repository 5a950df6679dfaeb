import { createMPT } from '@ethereumjs/mpt'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { KECCAK256_RLP, MapDB, ValueEncoding, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { TrieBatch } from '../src/trieBatch.js'
import { prng } from './helpers.js'

function secureTrie(): Promise<MerklePatriciaTrie> {
  return createMPT({ db: new MapDB<string, string | Uint8Array>(), useKeyHashing: true, valueEncoding: ValueEncoding.Bytes })
}

describe('TrieBatch', () => {
  it('default: matches MerklePatriciaTrie.put/del root for root over rounds of random puts, updates and deletes', async () => {
    for (const seed of [1, 2, 3]) {
      const rng = prng(seed)
      const reference = await secureTrie()
      const trie = await secureTrie()
      const live = new Map<string, Uint8Array>()
      const keys: Uint8Array[] = []
      for (let round = 0; round < 8; round++) {
        const batch = new TrieBatch(trie)
        const ops = round === 0 ? 400 : 120
        for (let i = 0; i < ops; i++) {
          const roll = rng.int(10)
          if (roll < 5 || keys.length === 0) {
            // Short keys are still hashed to 32 bytes; the key length only varies the input.
            const key = rng.bytes(1 + rng.int(32))
            const value = rng.bytes(1 + rng.int(40))
            keys.push(key)
            live.set(bytesToHex(key), value)
            await reference.put(key, value)
            await batch.put(key, value)
          } else if (roll < 7) {
            const key = keys[rng.int(keys.length)]!
            const value = rng.bytes(1 + rng.int(3))
            live.set(bytesToHex(key), value)
            await reference.put(key, value)
            await batch.put(key, value)
          } else {
            const key = roll === 9 ? rng.bytes(20) : keys[rng.int(keys.length)]!
            live.delete(bytesToHex(key))
            await reference.del(key)
            await batch.del(key)
          }
        }
        const root = await batch.commit()
        expect(bytesToHex(root), `seed ${seed} round ${round}`).toBe(bytesToHex(reference.root()))
      }
      // ethereumjs's own reader finds every value in the nodes the batches wrote.
      for (const [key, value] of live) expect(await trie.get(hexToBytes(key as `0x${string}`))).toEqual(value)
      const clear = new TrieBatch(trie)
      for (const key of keys) await clear.del(key)
      expect(await clear.commit()).toEqual(KECCAK256_RLP)
    }
  })

  it('behavior: a batch that changes nothing keeps the root and writes no node', async () => {
    const trie = await secureTrie()
    const first = new TrieBatch(trie)
    for (let i = 0; i < 50; i++) await first.put(Uint8Array.of(i), Uint8Array.of(i + 1))
    const root = await first.commit()
    const db = (trie.database().db as MapDB<string, Uint8Array>)._database
    const nodes = db.size
    const again = new TrieBatch(trie)
    for (let i = 0; i < 50; i++) await again.put(Uint8Array.of(i), Uint8Array.of(i + 1))
    await again.del(Uint8Array.of(200))
    expect(await again.commit()).toEqual(root)
    expect(db.size).toBe(nodes)
  })

  it('behavior: under a checkpoint, revert restores the previous root and values', async () => {
    const trie = await secureTrie()
    const first = new TrieBatch(trie)
    for (let i = 0; i < 30; i++) await first.put(Uint8Array.of(i), Uint8Array.of(1))
    const root = await first.commit()
    trie.checkpoint()
    const second = new TrieBatch(trie)
    for (let i = 0; i < 30; i += 2) await second.del(Uint8Array.of(i))
    await second.put(Uint8Array.of(99), Uint8Array.of(7))
    expect(await second.commit()).not.toEqual(root)
    await trie.revert()
    expect(trie.root()).toEqual(root)
    expect(await trie.get(Uint8Array.of(0))).toEqual(Uint8Array.of(1))
    expect(await trie.get(Uint8Array.of(99))).toBeNull()
  })
})
