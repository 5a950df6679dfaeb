import { describe, expect, it } from 'vitest'
import { createWriteSet, EMPTY_CODE_HASH, toSlotHex, type StateReader, type WriteSet } from '../src/index.js'
import { mergeWriteSet, StateOverlay, writtenKeys } from '../src/internal.js'

const a = '0x00000000000000000000000000000000000000aa' as const
const s1 = toSlotHex(1n)
const s2 = toSlotHex(2n)

const base: StateReader = {
  getAccount: (address) => (address === a ? { nonce: 1n, balance: 10n, codeHash: EMPTY_CODE_HASH } : undefined),
  getStorage: (address, slot) => (address === a && slot === s1 ? 5n : 0n),
  getCode: () => undefined,
  hasStorage: (address) => address === a,
}

function writes(entries: WriteSet['accounts'] extends Map<infer K, infer V> ? [K, V][] : never): WriteSet {
  const set = createWriteSet()
  for (const [k, v] of entries) set.accounts.set(k, v)
  return set
}

describe('StateOverlay', () => {
  it('default: field writes override the base, other fields fall through', () => {
    const overlay = new StateOverlay(base)
    overlay.apply(writes([[a, { balance: 3n, storage: new Map([[s2, 8n]]) }]]))
    expect(overlay.getAccount(a)).toEqual({ nonce: 1n, balance: 3n, codeHash: EMPTY_CODE_HASH })
    expect(overlay.getStorage(a, s1)).toBe(5n)
    expect(overlay.getStorage(a, s2)).toBe(8n)
  })

  it('behavior: a deletion hides the account and its storage; a re-creation starts empty', () => {
    const overlay = new StateOverlay(base)
    overlay.apply(writes([[a, { lifecycle: 'deleted', storage: new Map() }]]))
    expect(overlay.getAccount(a)).toBeUndefined()
    expect(overlay.getStorage(a, s1)).toBe(0n)
    overlay.apply(writes([[a, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash: EMPTY_CODE_HASH, storage: new Map([[s2, 1n]]) }]]))
    expect(overlay.getStorage(a, s1)).toBe(0n)
    expect(overlay.getStorage(a, s2)).toBe(1n)
    expect(overlay.hasStorage(a)).toBe(true)
  })
})

describe('mergeWriteSet', () => {
  it('behavior: later fields win and a lifecycle change discards what came before', () => {
    const merged = mergeWriteSet(writes([[a, { balance: 1n, storage: new Map([[s1, 2n]]) }]]), writes([[a, { nonce: 4n, storage: new Map() }]]))
    expect(merged.accounts.get(a)).toEqual({ balance: 1n, nonce: 4n, storage: new Map([[s1, 2n]]) })
    mergeWriteSet(merged, writes([[a, { lifecycle: 'deleted', storage: new Map() }]]))
    expect(merged.accounts.get(a)).toEqual({ lifecycle: 'deleted', storage: new Map() })
  })

  it('behavior: writtenKeys lists field-level keys', () => {
    const keys = writtenKeys(writes([[a, { balance: 1n, storage: new Map([[s1, 0n]]) }]]))
    expect(keys).toEqual([
      { kind: 'balance', address: a },
      { kind: 'storage', address: a, slot: s1 },
    ])
  })
})
