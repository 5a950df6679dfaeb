import { describe, expect, it } from 'vitest'
import { createWriteSet, ReadDependencyError, type AccountWrite, type AddressHex, type WriteSet } from '../src/index.js'
import { accountFieldKeyId, MultiVersionMemory, StateOverlay, EMPTY_STATE, storageKeyId, VersionList } from '../src/internal.js'

const A = '0x00000000000000000000000000000000000000aa' as AddressHex
const B = '0x00000000000000000000000000000000000000bb' as AddressHex
const SLOT = `0x${'1'.padStart(64, '0')}` as const
const CODE = `0x${'c'.repeat(64)}` as const

function writes(entries: [AddressHex, Partial<AccountWrite>][]): WriteSet {
  const set = createWriteSet()
  for (const [address, write] of entries) set.accounts.set(address, { storage: new Map(), ...write })
  return set
}

function parent(): StateOverlay {
  return new StateOverlay(EMPTY_STATE, writes([[A, { lifecycle: 'created', nonce: 1n, balance: 100n, codeHash: CODE, storage: new Map([[SLOT, 7n]]) }]]))
}

describe('VersionList', () => {
  it('behavior: finds the latest version below an index and keeps indices sorted', () => {
    const list = new VersionList<string>()
    list.set(5, 'five')
    list.set(1, 'one')
    list.set(3, 'three')
    list.set(3, 'three again')
    expect(list.indices).toEqual([1, 3, 5])
    expect(list.values[list.below(5)]).toBe('three again')
    expect(list.below(1)).toBe(-1)
    list.delete(3)
    expect(list.values[list.below(5)]).toBe('one')
  })
})

describe('MultiVersionMemory', () => {
  it('behavior: a transaction reads the latest write before it, and the parent below every write', () => {
    const memory = new MultiVersionMemory(parent())
    memory.record(2, writes([[A, { balance: 50n, storage: new Map([[SLOT, 8n]]) }]]))
    expect(memory.at(2).getAccount(A)).toEqual({ nonce: 1n, balance: 100n, codeHash: CODE })
    expect(memory.at(3).getAccount(A)).toEqual({ nonce: 1n, balance: 50n, codeHash: CODE })
    expect(memory.at(2).getStorage(A, SLOT)).toBe(7n)
    expect(memory.at(3).getStorage(A, SLOT)).toBe(8n)
  })

  it('behavior: balance credits of earlier transactions add up on top of the latest absolute balance', () => {
    const memory = new MultiVersionMemory(parent())
    memory.record(0, writes([[A, { balanceDelta: 5n }]]))
    memory.record(1, writes([[A, { balance: 10n }]]))
    memory.record(2, writes([[A, { balanceDelta: 3n }]]))
    memory.record(3, writes([[A, { balanceDelta: 4n }]]))
    expect(memory.at(1).getAccount(A)?.balance).toBe(105n)
    expect(memory.at(4).getAccount(A)?.balance).toBe(17n)
  })

  it('behavior: a deletion or re-creation resets storage for later readers, and a slot the re-creating transaction wrote survives', () => {
    const memory = new MultiVersionMemory(parent())
    memory.record(1, writes([[A, { lifecycle: 'deleted' }]]))
    expect(memory.at(2).getAccount(A)).toBeUndefined()
    expect(memory.at(2).getStorage(A, SLOT)).toBe(0n)
    expect(memory.at(2).hasStorage(A)).toBe(false)
    memory.record(3, writes([[A, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash: CODE, storage: new Map([[SLOT, 9n]]) }]]))
    expect(memory.at(4).getStorage(A, SLOT)).toBe(9n)
    expect(memory.at(4).hasStorage(A)).toBe(true)
  })

  it('behavior: an ESTIMATE blocks a read of its absolute values but not a credit', () => {
    const memory = new MultiVersionMemory(parent())
    memory.record(1, writes([[A, { balance: 1n, storage: new Map([[SLOT, 2n]]) }], [B, { balanceDelta: 9n }]]))
    memory.markEstimate(1)
    expect(() => memory.at(2).getAccount(A)).toThrow(ReadDependencyError)
    expect(() => memory.at(2).getStorage(A, SLOT)).toThrow(expect.objectContaining({ blockingTx: 1, txIndex: 2 }))
    expect(memory.at(2).getAccount(B)?.balance).toBe(9n)
    expect(memory.at(1).getAccount(A)?.balance).toBe(100n)
  })

  it('behavior: record reports what changed for readers, including keys a new incarnation no longer writes', () => {
    const memory = new MultiVersionMemory(parent())
    memory.record(1, writes([[A, { balance: 1n, storage: new Map([[SLOT, 2n]]) }]]))
    const same = memory.record(1, writes([[A, { balance: 1n, storage: new Map([[SLOT, 2n]]) }]]))
    expect(same).toEqual({ accounts: [], slots: [], storageOf: [] })
    const moved = memory.record(1, writes([[B, { lifecycle: 'created', nonce: 0n, balance: 0n, codeHash: CODE }]]))
    expect(moved.accounts.sort()).toEqual([accountFieldKeyId(A, 'balance'), ...(['balance', 'code', 'existence', 'nonce'] as const).map((field) => accountFieldKeyId(B, field))].sort())
    expect(moved.slots).toEqual([storageKeyId(A, SLOT)])
    expect(moved.storageOf).toEqual([B])
    expect(memory.at(2).getStorage(A, SLOT)).toBe(7n)
  })

  it('behavior: a credit to an account that exists changes its balance for readers, not its existence', () => {
    const memory = new MultiVersionMemory(parent())
    expect(memory.record(1, writes([[A, { balanceDelta: 1n }]])).accounts).toEqual([accountFieldKeyId(A, 'balance')])
    expect(memory.record(2, writes([[B, { balanceDelta: 1n }]])).accounts.sort()).toEqual([accountFieldKeyId(B, 'balance'), accountFieldKeyId(B, 'existence')].sort())
    // Folds are kept, and a version inserted below them is still seen.
    expect(memory.at(5).getAccount(A)?.balance).toBe(101n)
    memory.record(0, writes([[A, { balance: 10n }]]))
    expect(memory.at(5).getAccount(A)?.balance).toBe(11n)
    memory.record(0, writes([]))
    expect(memory.at(5).getAccount(A)?.balance).toBe(101n)
  })

  it('behavior: validation by value passes while reads still hold and fails once an earlier write changes them', () => {
    const memory = new MultiVersionMemory(parent())
    const readSet = new Map<string, bigint | boolean>([
      [accountFieldKeyId(A, 'balance'), 100n],
      [accountFieldKeyId(B, 'existence'), false],
      [storageKeyId(A, SLOT), 7n],
    ])
    expect(memory.validate(5, readSet)).toBe(true)
    memory.record(6, writes([[A, { balance: 1n }]]))
    expect(memory.validate(5, readSet)).toBe(true)
    memory.record(3, writes([[B, { balanceDelta: 1n }]]))
    expect(memory.validate(5, readSet)).toBe(false)
    memory.record(3, writes([]))
    expect(memory.validate(5, readSet)).toBe(true)
    memory.record(4, writes([[A, { storage: new Map([[SLOT, 1n]]) }]]))
    memory.markEstimate(4)
    expect(memory.validate(5, readSet)).toBe(false)
  })
})
