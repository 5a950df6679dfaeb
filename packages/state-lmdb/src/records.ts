import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import type { AddressHex, FlatAccount, Hex, SlotHex } from '@parallel-evm/core'
import { EMPTY_TRIE_ROOT } from '@parallel-evm/state-merkle'

/** The on-disk format this version writes and reads; any other is refused with DatabaseVersionError. */
export const FORMAT_VERSION = 1

/** A flat account as stored: the fields execution reads plus its storage root, which commitment needs. */
export interface StoredAccount extends FlatAccount {
  readonly storageRoot: Uint8Array
}

/** The committed block: what the state is the state after. */
export interface DatabaseHead {
  readonly number: bigint
  readonly stateRoot: Uint8Array
  /** Empty when the state was imported without a block hash. */
  readonly blockHash: Uint8Array
}

/** What one account looked like before a block, enough to put it back. */
export interface AccountUndo {
  readonly address: AddressHex
  /** The stored account record before the block; undefined when the account did not exist. */
  readonly account: Uint8Array | undefined
  /** Whether the block reset its storage: then `slots` lists every slot it had, else only the changed ones. */
  readonly resetStorage: boolean
  /** Slot values before the block; 0n: the slot was empty. */
  readonly slots: ReadonlyArray<readonly [SlotHex, bigint]>
}

/** One block's history: the head before it and every account it changed, as they were. */
export interface ChangeSet {
  readonly previousHead: DatabaseHead
  readonly accounts: readonly AccountUndo[]
}

export function addressKey(address: AddressHex): Buffer {
  return Buffer.from(address.slice(2), 'hex')
}

export function storageKey(address: AddressHex, slot: SlotHex): Buffer {
  return Buffer.from(address.slice(2) + slot.slice(2), 'hex')
}

/** Big-endian, so LMDB's byte order is block order. */
export function numberKey(number: bigint): Buffer {
  const key = Buffer.alloc(8)
  key.writeBigUInt64BE(number)
  return key
}

export function hashKey(hash: Hex): Buffer {
  return Buffer.from(hash.slice(2), 'hex')
}

export function encodeAccount(account: StoredAccount): Uint8Array {
  const root = account.storageRoot.length === 32 && !sameBytes(account.storageRoot, EMPTY_TRIE_ROOT) ? account.storageRoot : new Uint8Array(0)
  return RLP.encode([bigIntToUnpaddedBytes(account.nonce), bigIntToUnpaddedBytes(account.balance), hashKey(account.codeHash), root])
}

export function decodeAccount(payload: Uint8Array): StoredAccount {
  const [nonce, balance, codeHash, storageRoot] = RLP.decode(payload) as Uint8Array[]
  if (codeHash === undefined || codeHash.length !== 32 || storageRoot === undefined) throw new Error('not an account record')
  return {
    nonce: bytesToBigInt(nonce!),
    balance: bytesToBigInt(balance!),
    codeHash: bytesToHex(codeHash) as Hex,
    storageRoot: storageRoot.length === 0 ? EMPTY_TRIE_ROOT : storageRoot,
  }
}

export function encodeHead(head: DatabaseHead): Uint8Array {
  return RLP.encode([bigIntToUnpaddedBytes(head.number), head.stateRoot, head.blockHash])
}

export function decodeHead(payload: Uint8Array): DatabaseHead {
  const [number, stateRoot, blockHash] = RLP.decode(payload) as Uint8Array[]
  if (stateRoot === undefined || stateRoot.length !== 32 || blockHash === undefined) throw new Error('not a head record')
  return { number: bytesToBigInt(number!), stateRoot, blockHash }
}

export function encodeChangeSet(changes: ChangeSet): Uint8Array {
  return RLP.encode([
    encodeHead(changes.previousHead),
    changes.accounts.map((undo) => [
      addressKey(undo.address),
      undo.account === undefined ? [] : [undo.account],
      undo.resetStorage ? Uint8Array.of(1) : new Uint8Array(0),
      undo.slots.map(([slot, value]) => [hashKey(slot), bigIntToUnpaddedBytes(value)]),
    ]),
  ])
}

export function decodeChangeSet(payload: Uint8Array): ChangeSet {
  const [head, accounts] = RLP.decode(payload) as [Uint8Array, unknown[]]
  if (!(head instanceof Uint8Array) || !Array.isArray(accounts)) throw new Error('not a change set')
  return {
    previousHead: decodeHead(head),
    accounts: accounts.map((entry) => {
      const [address, account, reset, slots] = entry as [Uint8Array, Uint8Array[], Uint8Array, [Uint8Array, Uint8Array][]]
      return {
        address: bytesToHex(address) as AddressHex,
        account: account[0],
        resetStorage: reset.length > 0,
        slots: slots.map(([slot, value]) => [bytesToHex(slot) as SlotHex, bytesToBigInt(value)] as const),
      }
    }),
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
