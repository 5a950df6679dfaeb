import { createWriteSet, EMPTY_CODE_HASH, StagedCommitPendingError, StagedCommitSettledError, toSlotHex, type WriteSet } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { createMemoryState } from '../src/index.js'

const a = '0x00000000000000000000000000000000000000aa' as const
const s1 = toSlotHex(1n)

function genesis(): WriteSet {
  const set = createWriteSet()
  set.accounts.set(a, { lifecycle: 'created', nonce: 1n, balance: 100n, codeHash: EMPTY_CODE_HASH, storage: new Map([[s1, 5n]]) })
  return set
}

describe('MemoryState', () => {
  it('default: holds a genesis and reads it back', async () => {
    const state = await createMemoryState({ genesis: genesis() })
    expect(state.getAccount(a)).toEqual({ nonce: 1n, balance: 100n, codeHash: EMPTY_CODE_HASH })
    expect(state.getStorage(a, s1)).toBe(5n)
    expect(state.hasStorage(a)).toBe(true)
    expect(state.stateRoot()).toBeUndefined()
  })

  it('behavior: a discarded stage changes nothing; an applied one does', async () => {
    const state = await createMemoryState({ genesis: genesis() })
    const writes = createWriteSet()
    writes.accounts.set(a, { balance: 1n, storage: new Map([[s1, 0n]]) })
    const staged = await state.stage(writes)
    expect(state.getAccount(a)?.balance).toBe(100n)
    await staged.discard()
    expect(state.getStorage(a, s1)).toBe(5n)
    await (await state.stage(writes)).apply()
    expect(state.getAccount(a)?.balance).toBe(1n)
    expect(state.getStorage(a, s1)).toBe(0n)
    expect(state.hasStorage(a)).toBe(false)
  })

  it('behavior: one staged commit at a time', async () => {
    const state = await createMemoryState()
    const staged = await state.stage(createWriteSet())
    await expect(state.stage(createWriteSet())).rejects.toBeInstanceOf(StagedCommitPendingError)
    await staged.apply()
    await expect(staged.apply()).rejects.toBeInstanceOf(StagedCommitSettledError)
  })

  it('behavior: returned accounts are copies the caller cannot use to mutate state', async () => {
    const state = await createMemoryState({ genesis: genesis() })
    const account = state.getAccount(a) as { balance: bigint }
    account.balance = 0n
    expect(state.getAccount(a)?.balance).toBe(100n)
  })
})
