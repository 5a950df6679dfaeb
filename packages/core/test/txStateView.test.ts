import { Account, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { EMPTY_CODE_HASH, toSlotHex, type StateReader } from '../src/index.js'
import { accountFieldKeyId, storageKeyId, TxStateView } from '../src/internal.js'

const alice = createAddressFromString('0x00000000000000000000000000000000000a11ce')
const bob = createAddressFromString('0x0000000000000000000000000000000000000b0b')
const carol = createAddressFromString('0x00000000000000000000000000000000000ca401')
const slot1 = hexToBytes(toSlotHex(1n))
const SOME_CODE_HASH = `0x${'ab'.repeat(32)}` as const

function reader(): StateReader {
  return {
    getAccount: (address) =>
      address === alice.toString()
        ? { nonce: 7n, balance: 1000n, codeHash: EMPTY_CODE_HASH }
        : address === carol.toString()
          ? { nonce: 1n, balance: 5n, codeHash: SOME_CODE_HASH }
          : undefined,
    getStorage: (address, slot) => (address === alice.toString() && slot === toSlotHex(1n) ? 42n : 0n),
    getCode: () => undefined,
    hasStorage: (address) => address === alice.toString(),
  }
}

describe('TxStateView', () => {
  it('default: reads fall through to the base and are recorded per field', async () => {
    const view = new TxStateView(reader())
    const account = await view.getAccount(alice)
    expect(account?.nonce).toBe(7n)
    const { readSet, writeSet } = view.takeResult()
    expect([...readSet]).toEqual([
      [accountFieldKeyId(alice.toString(), 'existence'), true],
      [accountFieldKeyId(alice.toString(), 'nonce'), 7n],
    ])
    expect(writeSet.accounts.size).toBe(0)
  })

  it('behavior: a nonce bump writes only the nonce, not the balance it never read', async () => {
    const view = new TxStateView(reader())
    const account = (await view.getAccount(alice))!
    account.nonce += 1n
    await view.putAccount(alice, account)
    const { readSet, writeSet } = view.takeResult()
    expect(readSet.has(accountFieldKeyId(alice.toString(), 'balance'))).toBe(false)
    expect(writeSet.accounts.get(alice.toString())).toEqual({ nonce: 8n, storage: new Map() })
  })

  it('behavior: revert undoes writes inside the checkpoint only', async () => {
    const view = new TxStateView(reader())
    await view.checkpoint()
    await view.putStorage(alice, slot1, hexToBytes('0x05'))
    await view.checkpoint()
    await view.putStorage(alice, slot1, hexToBytes('0x09'))
    await view.putAccount(bob, new Account(0n, 5n))
    await view.revert()
    await view.commit()
    expect(await view.getStorage(alice, slot1)).toEqual(hexToBytes('0x05'))
    expect(await view.getAccount(bob)).toBeUndefined()
    const { writeSet } = view.takeResult()
    expect(writeSet.accounts.get(alice.toString())?.storage.get(toSlotHex(1n))).toBe(5n)
    expect(writeSet.accounts.has(bob.toString())).toBe(false)
  })

  it('behavior: a storage read after the transaction wrote the slot is not a read of the base', async () => {
    const view = new TxStateView(reader())
    await view.putStorage(alice, slot1, hexToBytes('0x01'))
    expect(await view.getStorage(alice, slot1)).toEqual(hexToBytes('0x01'))
    expect(view.takeResult().readSet.has(storageKeyId(alice.toString(), toSlotHex(1n)))).toBe(false)
  })

  it('behavior: writing a slot back to its base value is no write', async () => {
    const view = new TxStateView(reader())
    await view.putStorage(alice, slot1, hexToBytes('0x07'))
    await view.putStorage(alice, slot1, hexToBytes('0x2a'))
    expect(view.takeResult().writeSet.accounts.size).toBe(0)
  })

  it('behavior: creating an account yields lifecycle created with every field', async () => {
    const view = new TxStateView(reader())
    await view.putAccount(bob, new Account(1n, 9n))
    await view.putCode(bob, hexToBytes('0x6000'))
    const { writeSet } = view.takeResult()
    const write = writeSet.accounts.get(bob.toString())!
    expect(write.lifecycle).toBe('created')
    expect(write.nonce).toBe(1n)
    expect(write.balance).toBe(9n)
    expect(writeSet.codes.get(write.codeHash!)).toEqual(hexToBytes('0x6000'))
  })

  it('behavior: deleting an account wipes its storage and yields lifecycle deleted', async () => {
    const view = new TxStateView(reader())
    await view.deleteAccount(alice)
    expect(await view.getStorage(alice, slot1)).toEqual(new Uint8Array())
    expect(await view.getAccount(alice)).toBeUndefined()
    expect(view.takeResult().writeSet.accounts.get(alice.toString())).toEqual({ lifecycle: 'deleted', storage: new Map() })
  })

  it('behavior: original storage is the value when the transaction first asked', async () => {
    const view = new TxStateView(reader())
    expect(await view.originalStorageCache.get(alice, slot1)).toEqual(hexToBytes('0x2a'))
    await view.putStorage(alice, slot1, hexToBytes('0x01'))
    expect(await view.originalStorageCache.get(alice, slot1)).toEqual(hexToBytes('0x2a'))
  })

  it('behavior: reset forgets the previous transaction', async () => {
    const view = new TxStateView(reader())
    await view.putStorage(alice, slot1, hexToBytes('0x01'))
    view.reset(reader())
    expect(await view.getStorage(alice, slot1)).toEqual(hexToBytes('0x2a'))
    expect(view.takeResult().writeSet.accounts.size).toBe(0)
  })
})

describe('ObservedAccount', () => {
  it('behavior: isContract() follows the code hash the view reads', async () => {
    const view = new TxStateView(reader())
    await view.putAccount(bob, new Account(1n, 0n))
    await view.putCode(bob, hexToBytes('0x6001600055'))
    expect((await view.getAccount(bob))!.isContract()).toBe(true)
    expect((await view.getAccount(alice))!.isContract()).toBe(false)
  })
})

describe('TxStateView sender chains', () => {
  it("behavior: a chained sender's nonce reads as the transaction's and its updates are deltas", async () => {
    const view = new TxStateView(reader())
    view.sender = alice.toString()
    view.chain = { sender: alice.toString(), nonce: 9n }
    const account = (await view.getAccount(alice))!
    expect(account.nonce).toBe(9n)
    account.nonce += 1n
    account.balance -= 100n
    await view.putAccount(alice, account)
    const { readSet, writeSet } = view.takeResult()
    expect(readSet.has(accountFieldKeyId(alice.toString(), 'nonce'))).toBe(false)
    expect(readSet.has(accountFieldKeyId(alice.toString(), 'balance'))).toBe(false)
    expect(writeSet.accounts.get(alice.toString())).toEqual({ nonceDelta: 1n, balanceDelta: -100n, storage: new Map() })
  })
})

describe('TxStateView re-creation', () => {
  it('behavior: creating over an existing, only-credited account records the balance it carries forward', async () => {
    const view = new TxStateView(reader())
    view.balanceAccess = 'credit'
    const account = (await view.getAccount(alice))!
    account.balance += 50n
    await view.putAccount(alice, account)
    view.balanceAccess = 'observe'
    await view.clearStorage(alice)
    const { readSet, writeSet } = view.takeResult()
    expect(writeSet.accounts.get(alice.toString())).toMatchObject({ lifecycle: 'created', balance: 1050n })
    expect(readSet.get(accountFieldKeyId(alice.toString(), 'balance'))).toBe(1000n)
  })

  it('behavior: an emptiness check on a contract decides by its code and records no balance read', async () => {
    const view = new TxStateView(reader())
    view.balanceAccess = 'emptiness'
    expect((await view.getAccount(carol))!.isEmpty()).toBe(false)
    view.balanceAccess = 'observe'
    const { readSet } = view.takeResult()
    expect(readSet.has(accountFieldKeyId(carol.toString(), 'balance'))).toBe(false)
    expect(readSet.get(accountFieldKeyId(carol.toString(), 'code'))).toBe(SOME_CODE_HASH)
  })

  it('behavior: isEmpty answers as Account.isEmpty for every mix of balance, nonce and code', async () => {
    for (const balance of [0n, 3n]) {
      for (const nonce of [0n, 1n]) {
        for (const codeHash of [EMPTY_CODE_HASH, SOME_CODE_HASH]) {
          const view = new TxStateView({ ...reader(), getAccount: () => ({ balance, nonce, codeHash }) })
          const expected = new Account(nonce, balance, undefined, hexToBytes(codeHash)).isEmpty()
          expect((await view.getAccount(bob))!.isEmpty(), `balance ${balance} nonce ${nonce} code ${codeHash.slice(0, 6)}`).toBe(expected)
        }
      }
    }
  })

  it('behavior: the affordability check of a zero-value call reads the balance without recording it', async () => {
    const view = new TxStateView(reader())
    const account = (await view.getAccount(carol))!
    view.balanceAccess = 'zero-value-check'
    expect(account.balance < 0n).toBe(false)
    view.balanceAccess = 'observe'
    const { readSet, writeSet } = view.takeResult()
    expect(readSet.has(accountFieldKeyId(carol.toString(), 'balance'))).toBe(false)
    expect(writeSet.accounts.size).toBe(0)
  })
})

describe('TxStateView code identity', () => {
  it('behavior: code read through different bases (a new copy of the state each block) is one array per code hash, so its analysis is cached across blocks', async () => {
    const codeHash = `0x${'cd'.repeat(32)}` as const
    const base = (code: Uint8Array): StateReader => ({
      getAccount: (address) => (address === carol.toString() ? { nonce: 1n, balance: 0n, codeHash } : undefined),
      getStorage: () => 0n,
      getCode: (hash) => (hash === codeHash ? code : undefined),
      hasStorage: () => false,
    })
    const firstBlock = Uint8Array.of(0x60, 0x01, 0x5b, 0x00)
    const view = new TxStateView(base(firstBlock))
    const first = await view.getCode(carol)
    view.reset(base(Uint8Array.from(firstBlock)))
    const second = await view.getCode(carol)
    expect(second).toBe(first)
    expect([...second]).toEqual([...firstBlock])
  })
})
