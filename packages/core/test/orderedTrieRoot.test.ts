import { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { orderedTrieRoot } from '../src/orderedTrieRoot.js'

async function trieRoot(values: Uint8Array[]): Promise<string> {
  const trie = new MerklePatriciaTrie()
  for (const [index, value] of values.entries()) await trie.put(RLP.encode(index), value)
  return bytesToHex(trie.root())
}

describe('orderedTrieRoot', () => {
  it('behavior: equals the root of @ethereumjs/mpt with one put per item, for every size up to 300 and some large ones', async () => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (const size of [...Array.from({ length: 301 }, (_, k) => k), 1000, 2049]) {
      // Values from 1 to 80 bytes: both embedded (<32 bytes) and hashed nodes occur.
      const values = Array.from({ length: size }, () => Uint8Array.from({ length: 1 + (random() % 80) }, () => random() % 256))
      expect(bytesToHex(orderedTrieRoot(values)), `size ${size}`).toBe(await trieRoot(values))
    }
  })
})
