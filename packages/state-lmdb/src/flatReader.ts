import { bytesToBigInt } from '@ethereumjs/util'
import type { AddressHex, FlatAccount, Hex, SlotHex, StateReader } from '@parallel-evm/core'
import { EMPTY_CODE_HASH } from '@parallel-evm/core'
import type { CommittedAccounts } from '@parallel-evm/state-merkle'
import { EMPTY_TRIE_ROOT } from '@parallel-evm/state-merkle'
import type { Transaction } from 'lmdb'
import { CorruptDatabaseError } from './errors.js'
import type { DatabaseHead, StoredAccount } from './records.js'
import { addressKey, decodeAccount, decodeHead, hashKey, sameBytes, storageKey } from './records.js'
import type { LmdbTables } from './tables.js'
import { META_HEAD } from './tables.js'

const EMPTY_CODE = new Uint8Array(0)
// Code is content-addressed, so a cached copy can never go stale; the bound only limits memory.
const CODE_CACHE_ENTRIES = 4096

/**
 * Synchronous reads of the flat tables, straight from LMDB's memory map: every EVM read is one
 * B-tree lookup, no trie. With `transaction`, every read sees that one snapshot.
 */
export class LmdbFlatReader implements StateReader, CommittedAccounts {
  private readonly codes = new Map<Hex, Uint8Array>()

  constructor(
    protected readonly tables: LmdbTables,
    private readonly transaction?: Transaction,
  ) {}

  storedAccount(address: AddressHex): StoredAccount | undefined {
    const payload = this.tables.get('accounts', addressKey(address), this.transaction)
    if (payload === undefined) return undefined
    return decoded(this.tables.path, `the account record of ${address}`, () => decodeAccount(payload))
  }

  getAccount(address: AddressHex): FlatAccount | undefined {
    const stored = this.storedAccount(address)
    return stored === undefined ? undefined : { nonce: stored.nonce, balance: stored.balance, codeHash: stored.codeHash }
  }

  getStorage(address: AddressHex, slot: SlotHex): bigint {
    const payload = this.tables.get('storage', storageKey(address, slot), this.transaction)
    return payload === undefined ? 0n : bytesToBigInt(payload)
  }

  getCode(codeHash: Hex): Uint8Array | undefined {
    if (codeHash === EMPTY_CODE_HASH) return EMPTY_CODE
    const cached = this.codes.get(codeHash)
    if (cached !== undefined) return cached
    const code = this.tables.get('codes', hashKey(codeHash), this.transaction)
    if (code !== undefined) {
      if (this.codes.size >= CODE_CACHE_ENTRIES) this.codes.clear()
      this.codes.set(codeHash, code)
    }
    return code
  }

  hasStorage(address: AddressHex): boolean {
    return !sameBytes(this.storageRoot(address), EMPTY_TRIE_ROOT)
  }

  storageRoot(address: AddressHex): Uint8Array {
    return this.storedAccount(address)?.storageRoot ?? EMPTY_TRIE_ROOT
  }

  head(): DatabaseHead | undefined {
    const payload = this.tables.get('meta', META_HEAD, this.transaction)
    return payload === undefined ? undefined : decoded(this.tables.path, 'the head record', () => decodeHead(payload))
  }
}

/** A record that passed its checksum yet does not decode was written wrong: still corruption, named. */
export function decoded<T>(path: string, what: string, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    throw new CorruptDatabaseError({ path, what, reason: 'does not decode', cause: error })
  }
}
