import { createMPT } from '@ethereumjs/mpt'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { KECCAK256_RLP, MapDB, ValueEncoding, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { NodeOverlay } from '../src/nodeOverlay.js'
import { MissingTrieNodeError, TrieBatch } from '../src/trieBatch.js'
import { prng } from './helpers.js'

function secureTrie(db = new MapDB<string, string | Uint8Array>()): Promise<MerklePatriciaTrie> {
  return createMPT({ db, useKeyHashing: true, valueEncoding: ValueEncoding.Bytes })
}

/** Committed nodes in a map (unprefixed hex keys, as ethereumjs stores them) and an overlay over them. */
function nodeStore() {
  const committed = new Map<string, string | Uint8Array>()
  const overlay = () => new NodeOverlay({ getNode: (hex) => committed.get(hex) })
  const keep = (staged: NodeOverlay) => {
    for (const [hash, node] of staged.newNodes()) committed.set(hash, node)
  }
  return { committed, overlay, keep }
}

describe('TrieBatch', () => {
  it('default: matches MerklePatriciaTrie.put/del root for root over rounds of random puts, updates and deletes', async () => {
    for (const seed of [1, 2, 3]) {
      const rng = prng(seed)
      const reference = await secureTrie()
      const store = nodeStore()
      let root = KECCAK256_RLP
      const live = new Map<string, Uint8Array>()
      const keys: Uint8Array[] = []
      for (let round = 0; round < 8; round++) {
        const staged = store.overlay()
        const batch = new TrieBatch(staged, root)
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
            batch.put(key, value)
          } else if (roll < 7) {
            const key = keys[rng.int(keys.length)]!
            const value = rng.bytes(1 + rng.int(3))
            live.set(bytesToHex(key), value)
            await reference.put(key, value)
            batch.put(key, value)
          } else {
            const key = roll === 9 ? rng.bytes(20) : keys[rng.int(keys.length)]!
            live.delete(bytesToHex(key))
            await reference.del(key)
            batch.del(key)
          }
        }
        root = batch.commit()
        expect(bytesToHex(root), `seed ${seed} round ${round}`).toBe(bytesToHex(reference.root()))
        store.keep(staged)
      }
      // ethereumjs's own reader finds every value in the nodes the batches wrote.
      const reader = await secureTrie(new MapDB(store.committed))
      reader.root(root)
      for (const [key, value] of live) expect(await reader.get(hexToBytes(key as `0x${string}`))).toEqual(value)
      const clear = new TrieBatch(store.overlay(), root)
      for (const key of keys) clear.del(key)
      expect(clear.commit()).toEqual(KECCAK256_RLP)
    }
  })

  it('behavior: a batch that changes nothing keeps the root and writes no node', () => {
    const store = nodeStore()
    const first = store.overlay()
    const batch = new TrieBatch(first, KECCAK256_RLP)
    for (let i = 0; i < 50; i++) batch.put(Uint8Array.of(i), Uint8Array.of(i + 1))
    const root = batch.commit()
    store.keep(first)
    const second = store.overlay()
    const again = new TrieBatch(second, root)
    for (let i = 0; i < 50; i++) again.put(Uint8Array.of(i), Uint8Array.of(i + 1))
    again.del(Uint8Array.of(200))
    expect(again.commit()).toEqual(root)
    expect(second.newNodes().size).toBe(0)
  })

  it('behavior: nodes go to the overlay only, so dropping it leaves the committed nodes and root as they were', () => {
    const store = nodeStore()
    const first = store.overlay()
    const batch = new TrieBatch(first, KECCAK256_RLP)
    for (let i = 0; i < 30; i++) batch.put(Uint8Array.of(i), Uint8Array.of(1))
    const root = batch.commit()
    store.keep(first)
    const committedNodes = new Map(store.committed)
    const second = new TrieBatch(store.overlay(), root)
    for (let i = 0; i < 30; i += 2) second.del(Uint8Array.of(i))
    second.put(Uint8Array.of(99), Uint8Array.of(7))
    expect(second.commit()).not.toEqual(root)
    expect(store.committed).toEqual(committedNodes)
  })

  it('error: a node the store lacks is a MissingTrieNodeError naming its hash', () => {
    const store = nodeStore()
    const first = store.overlay()
    const batch = new TrieBatch(first, KECCAK256_RLP)
    for (let i = 0; i < 30; i++) batch.put(Uint8Array.of(i), Uint8Array.of(1))
    const root = batch.commit()
    store.keep(first)
    store.committed.delete(bytesToHex(root).slice(2))
    const broken = new TrieBatch(store.overlay(), root)
    expect(() => broken.put(Uint8Array.of(1), Uint8Array.of(2))).toThrow(MissingTrieNodeError)
    expect(() => broken.put(Uint8Array.of(1), Uint8Array.of(2))).toThrow(bytesToHex(root))
  })
})
