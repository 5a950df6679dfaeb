import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { EMPTY_CODE_HASH, toSlotHex } from '@parallel-evm/core'
import type { AccountWrite, AddressHex, Hex, SlotHex, StateReader, WriteSet } from '@parallel-evm/core'
import { createMerkleState } from '@parallel-evm/state-merkle'
import type { MerkleState } from '@parallel-evm/state-merkle'
import { expect } from 'vitest'
import type { LmdbState } from '../src/lmdbState.js'

/** A deterministic PRNG (mulberry32), so a failing random case can be replayed from its seed. */
export function prng(seed: number): { int(max: number): number; bytes(n: number): Uint8Array; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  return {
    int,
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
    pick: (items) => items[int(items.length)]!,
  }
}

/** Fresh database directories under the OS temp dir, removed by `cleanup` (call it in afterEach). */
export class TempDirs {
  private readonly dirs: string[] = []
  private readonly states: LmdbState[] = []

  make(prefix = 'pevm-lmdb-test-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    this.dirs.push(dir)
    return dir
  }

  /** Remembers a state so that `cleanup` closes it if the test did not. */
  track<T extends LmdbState>(state: T): T {
    this.states.push(state)
    return state
  }

  async cleanup(): Promise<void> {
    for (const state of this.states.splice(0)) {
      try {
        await state.close()
      } catch {
        // already closed by the test
      }
    }
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  }
}

export function codeHashOf(code: Uint8Array): Hex {
  return code.length === 0 ? EMPTY_CODE_HASH : (bytesToHex(keccak_256(code)) as Hex)
}

/** A fake but distinct block hash per (fork, number), so re-applied forks record other hashes. */
export function blockHashOf(number: bigint, fork = 0): Hex {
  return bytesToHex(keccak_256(new TextEncoder().encode(`fork ${fork} block ${number}`))) as Hex
}

export const slot = (n: number | bigint): SlotHex => toSlotHex(BigInt(n))

export function address(n: number): AddressHex {
  return `0x${n.toString(16).padStart(40, '0')}` as AddressHex
}

export interface ModelAccount {
  nonce: bigint
  balance: bigint
  code: Uint8Array
  storage: Map<SlotHex, bigint>
}
export type Model = Map<AddressHex, ModelAccount>

export function cloneModel(model: Model): Model {
  return new Map([...model].map(([a, acc]) => [a, { ...acc, storage: new Map(acc.storage) }]))
}

/** The write set that creates every account of `model`. */
export function genesisOf(model: Model): WriteSet {
  const writes: WriteSet = { accounts: new Map(), codes: new Map() }
  for (const [addr, account] of model) {
    const codeHash = codeHashOf(account.code)
    if (account.code.length > 0) writes.codes.set(codeHash, account.code)
    writes.accounts.set(addr, { lifecycle: 'created', nonce: account.nonce, balance: account.balance, codeHash, storage: new Map(account.storage) })
  }
  return writes
}

/** A write set applied to a model, written independently of either backend's resolution. */
export function applyToModel(model: Model, writes: WriteSet): void {
  for (const [addr, write] of writes.accounts) {
    if (write.lifecycle === 'deleted') {
      model.delete(addr)
      continue
    }
    const existing = write.lifecycle === 'created' ? undefined : model.get(addr)
    const account: ModelAccount = existing ?? { nonce: 0n, balance: 0n, code: new Uint8Array(), storage: new Map() }
    if (write.nonce !== undefined) account.nonce = write.nonce
    if (write.balance !== undefined) account.balance = write.balance
    if (write.codeHash !== undefined) account.code = write.codeHash === EMPTY_CODE_HASH ? new Uint8Array() : writes.codes.get(write.codeHash)!
    for (const [s, value] of write.storage) {
      if (value === 0n) account.storage.delete(s)
      else account.storage.set(s, value)
    }
    model.set(addr, account)
  }
}

/** Every address, slot and code hash a test has ever written: what reads are compared on. */
export class Probes {
  readonly addresses = new Set<AddressHex>()
  readonly slots = new Map<AddressHex, Set<SlotHex>>()
  readonly codeHashes = new Set<Hex>()

  add(writes: WriteSet): void {
    for (const [addr, write] of writes.accounts) {
      this.addresses.add(addr)
      let slots = this.slots.get(addr)
      if (slots === undefined) this.slots.set(addr, (slots = new Set([slot(0), slot(999)])))
      for (const s of write.storage.keys()) slots.add(s)
      if (write.codeHash !== undefined) this.codeHashes.add(write.codeHash)
    }
    for (const hash of writes.codes.keys()) this.codeHashes.add(hash)
  }
}

/**
 * Every flat read of `actual` agrees with `expected` on the probes: accounts, storage (also slots
 * now empty), hasStorage, and the code of every live account. `allCodes` also compares every code
 * hash ever written (not after an unwind: the database keeps code it once stored, by hash).
 */
export function expectSameReads(actual: StateReader, expected: StateReader, probes: Probes, label: string, allCodes = false): void {
  for (const addr of probes.addresses) {
    const account = expected.getAccount(addr)
    expect(actual.getAccount(addr), `${label}: account ${addr}`).toEqual(account)
    expect(actual.hasStorage(addr), `${label}: hasStorage ${addr}`).toBe(expected.hasStorage(addr))
    for (const s of probes.slots.get(addr) ?? []) {
      expect(actual.getStorage(addr, s), `${label}: slot ${addr} ${s}`).toBe(expected.getStorage(addr, s))
    }
    if (account !== undefined) {
      const code = actual.getCode(account.codeHash)
      expect(code, `${label}: code of ${addr}`).toBeDefined()
      expect(bytesToHex(code!), `${label}: code of ${addr}`).toBe(bytesToHex(expected.getCode(account.codeHash)!))
    }
  }
  if (allCodes) {
    for (const hash of probes.codeHashes) {
      const want = expected.getCode(hash)
      const got = actual.getCode(hash)
      expect(got === undefined ? undefined : bytesToHex(got), `${label}: code ${hash}`).toBe(want === undefined ? undefined : bytesToHex(want))
    }
  }
}

/** Every read of `state` agrees with a plain model; `absent` addresses do not exist. */
export function expectModelReads(state: StateReader, model: Model, absent: readonly AddressHex[] = []): void {
  for (const [addr, account] of model) {
    expect(state.getAccount(addr), `account ${addr}`).toEqual({ nonce: account.nonce, balance: account.balance, codeHash: codeHashOf(account.code) })
    expect(bytesToHex(state.getCode(codeHashOf(account.code))!), `code of ${addr}`).toBe(bytesToHex(account.code))
    for (const [s, value] of account.storage) expect(state.getStorage(addr, s), `slot ${addr} ${s}`).toBe(value)
    expect(state.hasStorage(addr), `hasStorage ${addr}`).toBe(account.storage.size > 0)
  }
  for (const addr of absent) {
    expect(state.getAccount(addr)).toBeUndefined()
    expect(state.hasStorage(addr)).toBe(false)
  }
}

/** A genesis of `count` accounts: EOAs, and contracts with code and a few slots. */
export function randomModel(seed: number, count: number, firstAddress = 1): Model {
  const rng = prng(seed)
  const model: Model = new Map()
  for (let i = 0; i < count; i++) {
    const isContract = i % 3 === 0
    const storage = new Map<SlotHex, bigint>()
    if (isContract) {
      const slots = 1 + rng.int(6)
      for (let s = 0; s < slots; s++) storage.set(rng.int(2) === 0 ? slot(s) : (bytesToHex(rng.bytes(32)) as SlotHex), BigInt(bytesToHex(rng.bytes(1 + rng.int(32)))) + 1n)
    }
    model.set(address(firstAddress + i), {
      nonce: BigInt(rng.int(1000)),
      balance: BigInt(bytesToHex(rng.bytes(1 + rng.int(16)))),
      code: isContract ? rng.bytes(1 + rng.int(80)) : new Uint8Array(),
      storage,
    })
  }
  return model
}

/**
 * A seeded sequence of block write sets over `genesis`: creates with storage and new code,
 * balance/nonce/code updates, slot sets, changes and clears (also of a slot that is empty, and of
 * every slot of an account), deletes, re-creates of live and of deleted accounts (storage starts
 * over), lifecycle-less writes to accounts that do not exist, and deletes of accounts that never
 * existed. Every block writes each address at most once.
 */
export function randomBlocks(seed: number, genesis: Model, count: number, poolSize = 40): WriteSet[] {
  const rng = prng(seed)
  const model = cloneModel(genesis)
  const pool = Array.from({ length: poolSize }, (_, i) => address(1 + i))
  const deleted = new Set<AddressHex>()
  const knownCodes: Hex[] = []
  const value = () => BigInt(bytesToHex(rng.bytes(1 + rng.int(32)))) + 1n
  const randomSlot = () => (rng.int(2) === 0 ? slot(rng.int(6)) : (bytesToHex(rng.bytes(32)) as SlotHex))
  const newCode = (writes: WriteSet): Hex => {
    const code = rng.bytes(1 + rng.int(120))
    const hash = codeHashOf(code)
    writes.codes.set(hash, code)
    knownCodes.push(hash)
    return hash
  }
  const blocks: WriteSet[] = []
  for (let b = 0; b < count; b++) {
    const writes: WriteSet = { accounts: new Map(), codes: new Map() }
    const free = () => pool.filter((a) => !writes.accounts.has(a))
    const ops = 4 + rng.int(5)
    for (let op = 0; op < ops; op++) {
      const live = free().filter((a) => model.has(a))
      const missing = free().filter((a) => !model.has(a))
      const withStorage = live.filter((a) => model.get(a)!.storage.size > 0)
      const wasDeleted = missing.filter((a) => deleted.has(a))
      const kind = rng.int(10)
      let target: AddressHex
      let write: AccountWrite
      if (kind === 0 && missing.length > 0) {
        // A new account with storage, new code or an existing one.
        target = rng.pick(missing)
        const storage = new Map<SlotHex, bigint>()
        for (let s = 1 + rng.int(5); s > 0; s--) storage.set(randomSlot(), rng.int(5) === 0 ? 0n : value())
        const codeHash = rng.int(3) === 0 && knownCodes.length > 0 ? rng.pick(knownCodes) : newCode(writes)
        write = { lifecycle: 'created', nonce: 1n, balance: value(), codeHash, storage }
      } else if (kind === 1 && withStorage.length > 0) {
        // Re-created over a live account with storage: the old slots must go.
        target = rng.pick(withStorage)
        const old = [...model.get(target)!.storage.keys()]
        const storage = new Map<SlotHex, bigint>([[rng.pick(old), value()], [randomSlot(), value()]])
        write = { lifecycle: 'created', nonce: 0n, balance: value(), codeHash: newCode(writes), storage }
      } else if (kind === 2 && wasDeleted.length > 0) {
        target = rng.pick(wasDeleted)
        write = { lifecycle: 'created', nonce: 0n, balance: value(), storage: new Map([[slot(1), value()]]) }
      } else if (kind === 3 && live.length > 0) {
        target = rng.pick(live)
        write = { lifecycle: 'deleted', storage: new Map() }
        deleted.add(target)
      } else if (kind === 4 && live.length > 0) {
        target = rng.pick(live)
        write = { codeHash: newCode(writes), nonce: model.get(target)!.nonce + 1n, storage: new Map() }
      } else if (kind === 5 && withStorage.length > 0) {
        // Every slot cleared, without a lifecycle: the storage root becomes empty.
        target = rng.pick(withStorage)
        write = { storage: new Map([...model.get(target)!.storage.keys()].map((s) => [s, 0n] as const)) }
      } else if (kind === 6 && missing.length > 0) {
        // A lifecycle-less write to an account that does not exist creates it with defaults.
        target = rng.pick(missing)
        write = { balance: value(), storage: new Map() }
      } else if (kind === 7 && missing.length > 0 && rng.int(2) === 0) {
        target = rng.pick(missing)
        write = { lifecycle: 'deleted', storage: new Map() }
      } else if (live.length > 0) {
        // Field and slot updates: set, change, clear, write the same value, clear an empty slot.
        target = rng.pick(live)
        const account = model.get(target)!
        const storage = new Map<SlotHex, bigint>()
        const old = [...account.storage]
        if (old.length > 0) {
          const [s1, v1] = rng.pick(old)
          storage.set(s1, rng.int(2) === 0 ? 0n : v1 + 1n)
          const [s2, v2] = rng.pick(old)
          if (!storage.has(s2)) storage.set(s2, v2)
        }
        storage.set(randomSlot(), value())
        storage.set(bytesToHex(rng.bytes(32)) as SlotHex, 0n)
        write = { storage }
        if (rng.int(2) === 0) write.balance = value()
        if (rng.int(3) === 0) write.nonce = account.nonce + 1n
      } else {
        continue
      }
      writes.accounts.set(target, write)
    }
    applyToModel(model, writes)
    blocks.push(writes)
  }
  return blocks
}

/** Stages `writes` as block `number` (of `fork`) on its parent and applies it; returns the root. */
export async function commitBlock(state: LmdbState, writes: WriteSet, number: bigint, fork = 0, parentFork = fork): Promise<Uint8Array> {
  const staged = await state.stage(writes, { blockNumber: number, blockHash: blockHashOf(number, fork), parentHash: blockHashOf(number - 1n, parentFork) })
  await staged.apply()
  return staged.stateRoot!
}

/** A merkle state holding `genesis` and then `blocks` applied in order. */
export async function merkleAt(genesis: WriteSet, blocks: readonly WriteSet[]): Promise<MerkleState> {
  const state = await createMerkleState({ genesis })
  for (const writes of blocks) await (await state.stage(writes)).apply()
  return state
}

/** A head with hex bytes: heads read back from the database hold Buffers, built ones Uint8Arrays. */
export function headHex(head: { number: bigint; stateRoot: Uint8Array; blockHash: Uint8Array } | undefined): { number: bigint; stateRoot: string; blockHash: string } | undefined {
  return head === undefined ? undefined : { number: head.number, stateRoot: bytesToHex(head.stateRoot), blockHash: bytesToHex(head.blockHash) }
}
