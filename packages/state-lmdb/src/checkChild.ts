import { RLP } from '@ethereumjs/rlp'
import { activateCryptoProvider, keccak256, loadCryptoProvider } from '@parallel-evm/core'
import { EMPTY_TRIE_ROOT } from '@parallel-evm/state-merkle'
import { DatabaseVersionError } from './errors.js'
import { decodeHead, sameBytes } from './records.js'
import { LmdbTables, META_FORMAT, META_HEAD, TABLES } from './tables.js'

// Run as a child process by checkDatabase: reads every record, then walks the head's tries, printing
// one JSON line per progress step and a last line with the verdict. A crash here is the parent's
// evidence of damaged pages.
const PROGRESS_EVERY = 100_000
const path = process.argv[2]!
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`)
type RawNode = (Uint8Array | RawNode)[]

class Damage extends Error {}

async function main(): Promise<void> {
  activateCryptoProvider(await loadCryptoProvider('fast'))
  const tables = LmdbTables.open(path, { readOnly: true })
  tables.checkFormat()
  const entries: Record<string, number> = {}
  for (const table of TABLES) {
    let count = 0
    for (const _ of tables.range(table, Buffer.alloc(1, 0), Buffer.alloc(64, 0xff), { skip: table === 'meta' ? [META_FORMAT] : [] })) {
      if (++count % PROGRESS_EVERY === 0) say({ progress: 'records', table, done: count })
    }
    entries[table] = count
    say({ progress: 'records', table, done: count })
  }
  const headRecord = tables.get('meta', META_HEAD)
  const trie = headRecord === undefined ? { nodes: 0, accounts: 0, slots: 0 } : walkTries(tables, decodeHead(headRecord).stateRoot)
  say({ progress: 'trie', done: trie.nodes })
  if (trie.accounts !== entries.accounts) throw new Damage(`its trie holds ${trie.accounts} accounts and its accounts table ${entries.accounts}`)
  if (trie.slots !== entries.storage) throw new Damage(`its tries hold ${trie.slots} storage slots and its storage table ${entries.storage}`)
  say({ ok: true, entries, trie })
}

main().catch((error: unknown) => {
  const code = error instanceof Damage ? 'DAMAGE' : ((error as { code?: string }).code ?? 'UNEXPECTED')
  const found = error instanceof DatabaseVersionError ? error.found : undefined
  say({ ok: false, code, found, message: error instanceof Error ? error.message : String(error) })
})

/**
 * Every node reachable from `root` (the account trie, then each account's storage trie) must be
 * stored and hash to its key; leaves are counted to compare with the flat tables. Accounts with the
 * same storage share its trie: it is walked once and its slots counted for each of them.
 */
function walkTries(tables: LmdbTables, root: Uint8Array): { nodes: number; accounts: number; slots: number } {
  const counts = { nodes: 0, accounts: 0, slots: 0 }
  const slotsByStorageRoot = new Map<string, number>()
  counts.accounts = walkTrie(tables, root, counts, (leafValue) => {
    const storageRoot = (RLP.decode(leafValue) as Uint8Array[])[2]
    if (storageRoot === undefined || storageRoot.length !== 32 || sameBytes(storageRoot, EMPTY_TRIE_ROOT)) return
    const key = Buffer.from(storageRoot).toString('hex')
    let slots = slotsByStorageRoot.get(key)
    if (slots === undefined) slotsByStorageRoot.set(key, (slots = walkTrie(tables, storageRoot, counts, () => {})))
    counts.slots += slots
  })
  return counts
}

/** Walks one trie from `root`, checking each stored node; returns its number of leaves. */
function walkTrie(tables: LmdbTables, root: Uint8Array, counts: { nodes: number }, onLeaf: (value: Uint8Array) => void): number {
  if (sameBytes(root, EMPTY_TRIE_ROOT)) return 0
  let leaves = 0
  const pending: (Uint8Array | RawNode)[] = [root]
  while (pending.length > 0) {
    const ref = pending.pop()!
    let raw: RawNode
    if (ref instanceof Uint8Array) {
      const encoded = tables.get('nodes', Buffer.from(ref))
      if (encoded === undefined) throw new Damage(`its trie lacks node 0x${Buffer.from(ref).toString('hex')}, reachable from the head's state root`)
      if (!sameBytes(keccak256(encoded), ref)) throw new Damage(`its trie node 0x${Buffer.from(ref).toString('hex')} does not hash to its key`)
      raw = RLP.decode(encoded) as RawNode
      if (++counts.nodes % PROGRESS_EVERY === 0) say({ progress: 'trie', done: counts.nodes })
    } else {
      raw = ref
    }
    if (raw.length === 17) {
      for (let i = 0; i < 16; i++) {
        const child = raw[i]!
        if (!(child instanceof Uint8Array) || child.length > 0) pending.push(child)
      }
    } else if (raw.length === 2 && raw[0] instanceof Uint8Array && raw[0].length > 0) {
      if (raw[0][0]! >> 4 < 2) pending.push(raw[1]!)
      else {
        leaves++
        onLeaf(raw[1] as Uint8Array)
      }
    } else {
      throw new Damage('its trie holds a node that is neither a branch, an extension nor a leaf')
    }
  }
  return leaves
}
