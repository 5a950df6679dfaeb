import { readFileSync } from 'node:fs'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { bigIntToBytes, bytesToHex, createAccount, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { EMPTY_CODE_HASH, toSlotHex } from '@parallel-evm/core'
import type { AccountWrite, AddressHex, Hex, SlotHex, WriteSet } from '@parallel-evm/core'

export const FIXTURES = '/work/shared/fixtures/ethereum-tests/BlockchainTests'

/** A deterministic PRNG (mulberry32), so a failing random case can be replayed. */
export function prng(seed: number): { int(max: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    int: (max) => Math.floor(next() * max),
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  }
}

export function codeHashOf(code: Uint8Array): Hex {
  return code.length === 0 ? EMPTY_CODE_HASH : (bytesToHex(keccak_256(code)) as Hex)
}

/** A plain model of a state: what every backend must agree on. */
export interface ModelAccount {
  nonce: bigint
  balance: bigint
  code: Uint8Array
  storage: Map<SlotHex, bigint>
}
export type Model = Map<AddressHex, ModelAccount>

/** The write set that creates every account of `model` (a genesis). */
export function genesisOf(model: Model): WriteSet {
  const writes: WriteSet = { accounts: new Map(), codes: new Map() }
  for (const [address, account] of model) {
    const codeHash = codeHashOf(account.code)
    if (account.code.length > 0) writes.codes.set(codeHash, account.code)
    writes.accounts.set(address, {
      lifecycle: 'created',
      nonce: account.nonce,
      balance: account.balance,
      codeHash,
      storage: new Map(account.storage),
    })
  }
  return writes
}

/** Applies a write set to a model, written independently of the backend's own resolution. */
export function applyToModel(model: Model, writes: WriteSet): void {
  for (const [address, write] of writes.accounts) {
    if (write.lifecycle === 'deleted') {
      model.delete(address)
      continue
    }
    const existing = write.lifecycle === 'created' ? undefined : model.get(address)
    const account: ModelAccount = existing ?? { nonce: 0n, balance: 0n, code: new Uint8Array(), storage: new Map() }
    if (write.nonce !== undefined) account.nonce = write.nonce
    if (write.balance !== undefined) account.balance = write.balance
    if (write.codeHash !== undefined) {
      account.code = write.codeHash === EMPTY_CODE_HASH ? new Uint8Array() : writes.codes.get(write.codeHash)!
    }
    for (const [slot, value] of write.storage) {
      if (value === 0n) account.storage.delete(slot)
      else account.storage.set(slot, value)
    }
    model.set(address, account)
  }
}

export function cloneModel(model: Model): Model {
  return new Map([...model].map(([a, acc]) => [a, { ...acc, storage: new Map(acc.storage) }]))
}

/** The root ethereumjs's own MerkleStateManager computes for a model. */
export async function referenceRoot(model: Model): Promise<Uint8Array> {
  const sm = new MerkleStateManager()
  for (const [address, account] of model) {
    const addr = createAddressFromString(address)
    await sm.putAccount(addr, createAccount({ nonce: account.nonce, balance: account.balance }))
    if (account.code.length > 0) await sm.putCode(addr, account.code)
    for (const [slot, value] of account.storage) await sm.putStorage(addr, hexToBytes(slot), bigIntToBytes(value))
  }
  return sm.getStateRoot()
}

/** A random-ish model: EOAs, and contracts with code and a few slots. */
export function randomModel(seed: number, count: number): Model {
  const rng = prng(seed)
  const model: Model = new Map()
  for (let i = 0; i < count; i++) {
    const address = bytesToHex(rng.bytes(20)) as AddressHex
    const isContract = rng.int(3) === 0
    const storage = new Map<SlotHex, bigint>()
    if (isContract) {
      const slots = rng.int(8)
      for (let s = 0; s < slots; s++) {
        storage.set(toSlotHex(BigInt(rng.int(4) === 0 ? s : bytesToHex(rng.bytes(32)))), BigInt(bytesToHex(rng.bytes(1 + rng.int(32)))) + 1n)
      }
    }
    model.set(address, {
      nonce: BigInt(rng.int(1000)),
      balance: BigInt(bytesToHex(rng.bytes(1 + rng.int(16)))),
      code: isContract ? rng.bytes(1 + rng.int(64)) : new Uint8Array(),
      storage,
    })
  }
  return model
}

interface FixtureAccount {
  balance: string
  nonce: string
  code: string
  storage: Record<string, string>
}

export interface BlockchainTest {
  pre: Record<string, FixtureAccount>
  postState?: Record<string, FixtureAccount>
  genesisBlockHeader: { stateRoot: string }
  blocks: { blockHeader?: { stateRoot: string } }[]
}

/** The first test case of an ethereum/tests BlockchainTests file. */
export function loadBlockchainTest(relativePath: string): BlockchainTest {
  const file = JSON.parse(readFileSync(`${FIXTURES}/${relativePath}`, 'utf8')) as Record<string, BlockchainTest>
  return Object.values(file)[0]!
}

/** A fixture's `pre` (or `postState`) as a model: hex quantities, inline code, unpadded slot keys. */
export function fixtureModel(accounts: Record<string, FixtureAccount>): Model {
  const model: Model = new Map()
  for (const [address, account] of Object.entries(accounts)) {
    const storage = new Map<SlotHex, bigint>()
    for (const [slot, value] of Object.entries(account.storage)) {
      if (BigInt(value) !== 0n) storage.set(toSlotHex(slot), BigInt(value))
    }
    model.set(address.toLowerCase() as AddressHex, {
      nonce: BigInt(account.nonce),
      balance: BigInt(account.balance),
      code: hexToBytes(account.code as Hex),
      storage,
    })
  }
  return model
}

/** The write set that turns `before` into `after`, at field granularity (what a block would emit). */
export function diffModels(before: Model, after: Model): WriteSet {
  const writes: WriteSet = { accounts: new Map(), codes: new Map() }
  for (const address of before.keys()) {
    if (!after.has(address)) writes.accounts.set(address, { lifecycle: 'deleted', storage: new Map() })
  }
  for (const [address, post] of after) {
    const pre = before.get(address)
    const codeHash = codeHashOf(post.code)
    if (post.code.length > 0) writes.codes.set(codeHash, post.code)
    if (pre === undefined) {
      writes.accounts.set(address, { lifecycle: 'created', nonce: post.nonce, balance: post.balance, codeHash, storage: new Map(post.storage) })
      continue
    }
    const write: AccountWrite = { storage: new Map() }
    if (pre.nonce !== post.nonce) write.nonce = post.nonce
    if (pre.balance !== post.balance) write.balance = post.balance
    if (codeHashOf(pre.code) !== codeHash) write.codeHash = codeHash
    for (const [slot, value] of post.storage) if (pre.storage.get(slot) !== value) write.storage.set(slot, value)
    for (const slot of pre.storage.keys()) if (!post.storage.has(slot)) write.storage.set(slot, 0n)
    const changed = write.nonce !== undefined || write.balance !== undefined || write.codeHash !== undefined || write.storage.size > 0
    if (changed) writes.accounts.set(address, write)
  }
  return writes
}
