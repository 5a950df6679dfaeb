import { bytesToHex, createAccount, hexToBytes } from '@ethereumjs/util'
import { EMPTY_CODE_HASH, ParallelEvmError, toSlotHex } from '@parallel-evm/core'
import type { AccountWrite, AddressHex, WriteSet } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { StagedCommitPendingError, StagedCommitSettledError } from '@parallel-evm/core'
import { createMerkleState } from '../src/index.js'
import type { MerkleState } from '../src/index.js'
import { encodeAccountLeaf } from '../src/trieEncoding.js'
import { applyToModel, cloneModel, codeHashOf, genesisOf, prng, randomModel, referenceRoot } from './helpers.js'
import type { Model } from './helpers.js'

const A = '0x00000000000000000000000000000000000000aa' as AddressHex
const B = '0x00000000000000000000000000000000000000bb' as AddressHex
const C = '0x00000000000000000000000000000000000000cc' as AddressHex
const slot = (n: number) => toSlotHex(BigInt(n))

/** Three accounts: an EOA, a contract with storage, a contract without. */
function smallModel(): Model {
  return new Map([
    [A, { nonce: 1n, balance: 10n ** 18n, code: new Uint8Array(), storage: new Map() }],
    [B, { nonce: 1n, balance: 0n, code: Uint8Array.of(0x60, 0x00, 0x54), storage: new Map([[slot(0), 1n], [slot(7), 2n ** 255n]]) }],
    [C, { nonce: 0n, balance: 5n, code: Uint8Array.of(0xfe), storage: new Map() }],
  ])
}

/** Every read of `state` agrees with `model`. */
function expectReads(state: MerkleState, model: Model, absent: AddressHex[] = []): void {
  for (const [address, account] of model) {
    expect(state.getAccount(address)).toEqual({ nonce: account.nonce, balance: account.balance, codeHash: codeHashOf(account.code) })
    expect(state.getCode(codeHashOf(account.code))).toEqual(account.code)
    for (const [s, value] of account.storage) expect(state.getStorage(address, s)).toBe(value)
    expect(state.hasStorage(address)).toBe(account.storage.size > 0)
  }
  for (const address of absent) {
    expect(state.getAccount(address)).toBeUndefined()
    expect(state.hasStorage(address)).toBe(false)
  }
}

describe('createMerkleState', () => {
  it('default: the genesis root equals MerkleStateManager for a few accounts incl. contracts with storage', async () => {
    const model = smallModel()
    const state = await createMerkleState({ genesis: genesisOf(model) })
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
    expectReads(state, model)
  })

  it('default: the genesis root equals MerkleStateManager for 200 random-ish accounts', async () => {
    const model = randomModel(42, 200)
    const state = await createMerkleState({ genesis: genesisOf(model) })
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
    expectReads(state, model)
  })

  it('behavior: an empty state has the empty trie root and reads nothing', async () => {
    const state = await createMerkleState()
    expect(bytesToHex(state.stateRoot())).toBe('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421')
    expect(state.kind).toBe('merkle')
    expect(state.getAccount(A)).toBeUndefined()
    expect(state.getStorage(A, slot(0))).toBe(0n)
    expect(state.getCode(EMPTY_CODE_HASH)).toEqual(new Uint8Array())
    expect(state.getCode(codeHashOf(Uint8Array.of(1)))).toBeUndefined()
  })

  it('behavior: the account leaf is byte for byte Account.serialize()', () => {
    const root = hexToBytes(`0x${'ab'.repeat(32)}`)
    const codeHash = codeHashOf(Uint8Array.of(1, 2, 3))
    const expected = createAccount({ nonce: 5n, balance: 10n ** 20n, storageRoot: root, codeHash: hexToBytes(codeHash) }).serialize()
    expect(encodeAccountLeaf({ nonce: 5n, balance: 10n ** 20n, codeHash }, root)).toEqual(expected)
  })
})

describe('MerkleState.stage', () => {
  it('behavior: stage then discard leaves the root and every read as before', async () => {
    const model = smallModel()
    const state = await createMerkleState({ genesis: genesisOf(model) })
    const root = state.stateRoot()
    const writes: WriteSet = {
      accounts: new Map([
        [A, { lifecycle: 'deleted', storage: new Map() }],
        [B, { balance: 3n, storage: new Map([[slot(0), 0n], [slot(1), 9n]]) }],
        [C, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash: codeHashOf(Uint8Array.of(2)), storage: new Map([[slot(3), 3n]]) }],
      ]),
      codes: new Map([[codeHashOf(Uint8Array.of(2)), Uint8Array.of(2)]]),
    }
    const staged = await state.stage(writes)
    expect(staged.stateRoot).not.toEqual(root)
    // Nothing is visible while staged...
    expect(state.stateRoot()).toEqual(root)
    expectReads(state, model)
    await staged.discard()
    // ...nor after the discard.
    expect(state.stateRoot()).toEqual(root)
    expectReads(state, model)
    expect(state.getCode(codeHashOf(Uint8Array.of(2)))).toBeUndefined()
    // The state still commits normally, to the same root a fresh stage computes.
    const again = await state.stage(writes)
    expect(again.stateRoot).toEqual(staged.stateRoot)
    await again.apply()
    expect(state.stateRoot()).toEqual(staged.stateRoot)
  })

  it('behavior: stage then apply equals a fresh genesis of the merged state, over many rounds', async () => {
    const rng = prng(7)
    const model = randomModel(7, 120)
    const state = await createMerkleState({ genesis: genesisOf(model) })
    const addresses = [...model.keys()]
    for (let round = 0; round < 12; round++) {
      const writes = randomWrites(rng, model, addresses)
      const before = cloneModel(model)
      const rootBefore = state.stateRoot()
      const staged = await state.stage(writes)
      if (round % 4 === 3) {
        await staged.discard()
        expect(state.stateRoot()).toEqual(rootBefore)
        expectReads(state, before)
        continue
      }
      await staged.apply()
      applyToModel(model, writes)
      const absent = addresses.filter((a) => !model.has(a))
      expectReads(state, model, absent)
      expect(state.stateRoot()).toEqual(staged.stateRoot)
      const fresh = await createMerkleState({ genesis: genesisOf(model) })
      expect(bytesToHex(state.stateRoot()), `round ${round}`).toBe(bytesToHex(fresh.stateRoot()))
      if (round % 4 === 0) expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
    }
  })

  it('behavior: a deleted account loses its storage and a recreated one starts from empty storage', async () => {
    const model = smallModel()
    const state = await createMerkleState({ genesis: genesisOf(model) })
    await (await state.stage({ accounts: new Map([[B, { lifecycle: 'deleted', storage: new Map() }]]), codes: new Map() })).apply()
    expect(state.getAccount(B)).toBeUndefined()
    expect(state.getStorage(B, slot(0))).toBe(0n)
    expect(state.hasStorage(B)).toBe(false)
    model.delete(B)
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))

    // Recreated in a later commit, and over a live account (storage 0, 7 reset) in the same one.
    const code = Uint8Array.of(0x00)
    const recreate: WriteSet = {
      accounts: new Map([
        [B, { lifecycle: 'created', nonce: 1n, balance: 1n, codeHash: codeHashOf(code), storage: new Map([[slot(5), 5n], [slot(6), 0n]]) }],
        [C, { lifecycle: 'created', nonce: 1n, balance: 2n, codeHash: EMPTY_CODE_HASH, storage: new Map() }],
      ]),
      codes: new Map([[codeHashOf(code), code]]),
    }
    applyToModel(model, recreate)
    await (await state.stage(recreate)).apply()
    expect(state.getStorage(B, slot(0))).toBe(0n)
    expect(state.getStorage(B, slot(5))).toBe(5n)
    expect(state.hasStorage(B)).toBe(true)
    expect(state.hasStorage(C)).toBe(false)
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))

    // 'created' over an account that has storage resets it.
    const reset: WriteSet = {
      accounts: new Map([[B, { lifecycle: 'created', nonce: 0n, balance: 0n, codeHash: EMPTY_CODE_HASH, storage: new Map() }]]),
      codes: new Map(),
    }
    applyToModel(model, reset)
    await (await state.stage(reset)).apply()
    expect(state.getStorage(B, slot(5))).toBe(0n)
    expect(state.hasStorage(B)).toBe(false)
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
  })

  it('behavior: writing 0 deletes a slot, and clearing every slot empties the storage root', async () => {
    const model = smallModel()
    const state = await createMerkleState({ genesis: genesisOf(model) })
    await (await state.stage({ accounts: new Map([[B, { storage: new Map([[slot(0), 0n]]) }]]), codes: new Map() })).apply()
    expect(state.getStorage(B, slot(0))).toBe(0n)
    expect(state.hasStorage(B)).toBe(true)
    model.get(B)!.storage.delete(slot(0))
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
    await (await state.stage({ accounts: new Map([[B, { storage: new Map([[slot(7), 0n], [slot(8), 0n]]) }]]), codes: new Map() })).apply()
    expect(state.hasStorage(B)).toBe(false)
    model.get(B)!.storage.clear()
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
  })

  it('behavior: a second stage before apply or discard throws StagedCommitPendingError', async () => {
    const state = await createMerkleState({ genesis: genesisOf(smallModel()) })
    const writes: WriteSet = { accounts: new Map([[A, { balance: 1n, storage: new Map() }]]), codes: new Map() }
    const staged = await state.stage(writes)
    const err = await state.stage(writes).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StagedCommitPendingError)
    expect(err).toBeInstanceOf(ParallelEvmError)
    expect((err as StagedCommitPendingError).code).toBe('STAGED_COMMIT_PENDING')
    // Two stages started together: exactly one wins.
    await staged.discard()
    const both = await Promise.allSettled([state.stage(writes), state.stage(writes)])
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const winner = both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<MerkleState['stage']>>>
    await winner.value.apply()
    expect(state.getAccount(A)?.balance).toBe(1n)
    await expect(winner.value.discard()).rejects.toBeInstanceOf(StagedCommitSettledError)
    await expect(winner.value.apply()).rejects.toMatchObject({ code: 'STAGED_COMMIT_SETTLED' })
  })

  it('behavior: imports a large pre-state (2,000 accounts, 20,000 slots) in one commit', async () => {
    const rng = prng(99)
    const model: Model = new Map()
    for (let i = 0; i < 2000; i++) {
      const storage = new Map<`0x${string}`, bigint>()
      if (i % 20 === 0) for (let s = 0; s < 200; s++) storage.set(toSlotHex(rng.bytes(32)), BigInt(rng.int(1e9)) + 1n)
      model.set(bytesToHex(rng.bytes(20)) as AddressHex, {
        nonce: BigInt(i),
        balance: BigInt(rng.int(1e9)),
        code: storage.size > 0 ? rng.bytes(100) : new Uint8Array(),
        storage,
      })
    }
    const started = performance.now()
    const state = await createMerkleState({ genesis: genesisOf(model) })
    const ms = performance.now() - started
    console.log(`genesis import of 2000 accounts / 20000 slots: ${ms.toFixed(0)} ms`)
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(await referenceRoot(model)))
  })
})

/** Random writes of every kind against `model`: field updates, slot writes and clears, deletes, (re)creations. */
function randomWrites(rng: ReturnType<typeof prng>, model: Model, addresses: AddressHex[]): WriteSet {
  const writes: WriteSet = { accounts: new Map(), codes: new Map() }
  for (let i = 0; i < 25; i++) {
    const address = rng.int(5) === 0 ? (bytesToHex(rng.bytes(20)) as AddressHex) : addresses[rng.int(addresses.length)]!
    if (!addresses.includes(address)) addresses.push(address)
    const current = model.get(address)
    const roll = rng.int(10)
    if (current !== undefined && roll === 0) {
      writes.accounts.set(address, { lifecycle: 'deleted', storage: new Map() })
    } else if (current === undefined || roll === 1) {
      const code = rng.int(2) === 0 ? new Uint8Array() : rng.bytes(1 + rng.int(20))
      if (code.length > 0) writes.codes.set(codeHashOf(code), code)
      const storage = new Map([[slot(rng.int(4)), BigInt(rng.int(3))], [toSlotHex(rng.bytes(32)), BigInt(rng.int(1e6))]])
      writes.accounts.set(address, { lifecycle: 'created', nonce: 1n, balance: BigInt(rng.int(1e6)), codeHash: codeHashOf(code), storage })
    } else {
      const storage = new Map<`0x${string}`, bigint>()
      const existing = [...current.storage.keys()]
      const count = rng.int(6)
      for (let s = 0; s < count; s++) {
        const key = existing.length > 0 && rng.int(2) === 0 ? existing[rng.int(existing.length)]! : slot(rng.int(10))
        storage.set(key, rng.int(3) === 0 ? 0n : BigInt(rng.int(1e9)))
      }
      const write: AccountWrite = { storage }
      if (rng.int(2) === 0) write.balance = BigInt(rng.int(1e12))
      if (rng.int(3) === 0) write.nonce = current.nonce + 1n
      writes.accounts.set(address, write)
    }
  }
  return writes
}
