import { bytesToHex } from '@ethereumjs/util'
import { createWriteSet, EMPTY_CODE_HASH, type AddressHex, type SlotHex, type WriteSet } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { createMerkleState } from '../src/index.js'

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as AddressHex
const slot = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as SlotHex

/** A reproducible sequence of steps: balance changes, slot writes and clears, creations and deletions. */
function steps(count: number): WriteSet[] {
  let seed = 7
  const next = (bound: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % bound)
  return Array.from({ length: count }, () => {
    const writes = createWriteSet()
    for (let k = 0; k < 3; k++) {
      const kind = next(10)
      const target = address(1 + next(6))
      if (kind === 0) writes.accounts.set(target, { lifecycle: 'deleted', storage: new Map() })
      else if (kind === 1) writes.accounts.set(target, { lifecycle: 'created', nonce: 1n, balance: BigInt(next(1000)), codeHash: EMPTY_CODE_HASH, storage: new Map([[slot(next(4)), BigInt(next(3))]]) })
      else writes.accounts.set(target, { balance: BigInt(1 + next(1000)), storage: new Map([[slot(next(4)), BigInt(next(3))]]) })
    }
    return writes
  })
}

describe('MerkleState.intermediateRoots', () => {
  it('behavior: each root equals the root of committing the steps one by one, and nothing is committed', async () => {
    const genesis = createWriteSet()
    for (let n = 1; n <= 4; n++) genesis.accounts.set(address(n), { lifecycle: 'created', nonce: 0n, balance: 10n ** 18n, codeHash: EMPTY_CODE_HASH, storage: new Map([[slot(n), BigInt(n)]]) })
    const state = await createMerkleState({ genesis })
    const before = bytesToHex(state.stateRoot())
    const sequence = steps(40)
    const roots = (await state.intermediateRoots(sequence)).map(bytesToHex)
    expect(bytesToHex(state.stateRoot())).toBe(before)

    const stepwise = await createMerkleState({ genesis })
    const expected: string[] = []
    for (const writes of sequence) {
      await (await stepwise.stage(writes)).apply()
      expected.push(bytesToHex(stepwise.stateRoot()))
    }
    expect(roots).toEqual(expected)
    expect(new Set(roots).size).toBeGreaterThan(30)
  })
})
