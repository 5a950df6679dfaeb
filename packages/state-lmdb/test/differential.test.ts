import { bytesToHex } from '@ethereumjs/util'
import { InvalidOptionError } from '@parallel-evm/core'
import type { WriteSet } from '@parallel-evm/core'
import type { MerkleState } from '@parallel-evm/state-merkle'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UnwindBeyondHistoryError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import type { LmdbState } from '../src/lmdbState.js'
import { blockHashOf, commitBlock, headHex, expectSameReads, genesisOf, merkleAt, Probes, randomBlocks, randomModel, TempDirs } from './helpers.js'

const BLOCKS = 15
const genesisModel = randomModel(101, 24)
const genesis = genesisOf(genesisModel)
const blocks = randomBlocks(202, genesisModel, BLOCKS)
const probes = new Probes()
probes.add(genesis)
for (const writes of blocks) probes.add(writes)

/** reference[n]: a merkle state replayed to block n (0: the genesis); roots[n]: its root. */
let reference: MerkleState[] = []
let roots: string[] = []

beforeAll(async () => {
  reference = []
  for (let n = 0; n <= BLOCKS; n++) reference.push(await merkleAt(genesis, blocks.slice(0, n)))
  roots = reference.map((state) => bytesToHex(state.stateRoot()))
  // The sequence really is a sequence of different states.
  expect(new Set(roots).size).toBe(BLOCKS + 1)
})

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/** A database holding the genesis at block 0 and then `upTo` of the blocks. */
async function databaseAt(upTo: number, reorgDepth?: number): Promise<LmdbState> {
  const state = dirs.track(openLmdbState({ path: dirs.make(), ...(reorgDepth === undefined ? {} : { reorgDepth }) }))
  await state.importState([genesis], { number: 0n, blockHash: blockHashOf(0n) })
  for (let n = 1; n <= upTo; n++) await commitBlock(state, blocks[n - 1]!, BigInt(n))
  return state
}

function expectAtBlock(state: LmdbState, n: number, label: string, allCodes = false): void {
  expect(state.head()?.number, label).toBe(BigInt(n))
  expect(bytesToHex(state.stateRoot()), label).toBe(roots[n])
  expect(bytesToHex(state.head()!.stateRoot), label).toBe(roots[n])
  expectSameReads(state, reference[n]!, probes, label, allCodes)
}

describe('LmdbState against state-merkle', () => {
  it('default: the generated blocks cover every kind of write', () => {
    const all = blocks.flatMap((writes) => [...writes.accounts.values()])
    expect(all.some((w) => w.lifecycle === 'created' && w.storage.size > 0)).toBe(true)
    expect(all.some((w) => w.lifecycle === 'deleted')).toBe(true)
    expect(all.some((w) => w.lifecycle === undefined && w.codeHash !== undefined)).toBe(true)
    expect(all.some((w) => w.lifecycle === undefined && w.balance !== undefined)).toBe(true)
    expect(all.some((w) => w.lifecycle === undefined && w.nonce !== undefined)).toBe(true)
    expect(all.some((w) => [...w.storage.values()].some((v) => v === 0n))).toBe(true)
    expect(all.some((w) => [...w.storage.values()].some((v) => v !== 0n))).toBe(true)
    expect(blocks.some((writes) => writes.codes.size > 0)).toBe(true)
    // Re-creates: a 'created' write to an address that existed earlier (live or deleted).
    let recreates = 0
    const seen = new Set(genesis.accounts.keys())
    for (const writes of blocks) {
      for (const [address, write] of writes.accounts) {
        if (write.lifecycle === 'created' && seen.has(address)) recreates++
        seen.add(address)
      }
    }
    expect(recreates).toBeGreaterThan(0)
  })

  it('behavior: an import and every block of a random sequence give the merkle root, and every flat read agrees', async () => {
    const state = dirs.track(openLmdbState({ path: dirs.make() }))
    const merkle = await createMerkleState()
    const imported = await state.importState([genesis], { number: 0n, blockHash: blockHashOf(0n) })
    await (await merkle.stage(genesis)).apply()
    expect(bytesToHex(imported.stateRoot)).toBe(bytesToHex(merkle.stateRoot()))
    expectSameReads(state, merkle, probes, 'genesis', true)
    for (let n = 1; n <= BLOCKS; n++) {
      const writes = blocks[n - 1]!
      const stagedMerkle = await merkle.stage(writes)
      const root = await commitBlock(state, writes, BigInt(n))
      expect(bytesToHex(root), `block ${n} staged root`).toBe(bytesToHex(stagedMerkle.stateRoot!))
      await stagedMerkle.apply()
      expect(bytesToHex(state.stateRoot()), `block ${n}`).toBe(bytesToHex(merkle.stateRoot()))
      expect(bytesToHex(state.stateRoot()), `block ${n}`).toBe(roots[n])
      expect(headHex(state.head())).toEqual({ number: BigInt(n), stateRoot: roots[n], blockHash: blockHashOf(BigInt(n)) })
      expectSameReads(state, merkle, probes, `block ${n}`, true)
    }
  })
})

describe('LmdbState.unwind', () => {
  it('behavior: unwinding 1, 2, 5, 9 and 15 blocks in one call restores the root and flat state of that block, and re-applying gives the same roots', async () => {
    const state = await databaseAt(BLOCKS)
    for (const k of [1, 2, 5, 9, 15]) {
      const target = BLOCKS - k
      const restored = await state.unwind(k)
      expect(restored.number).toBe(BigInt(target))
      expect(bytesToHex(restored.stateRoot)).toBe(roots[target])
      expect(bytesToHex(restored.blockHash)).toBe(blockHashOf(BigInt(target)))
      expectAtBlock(state, target, `unwind ${k}`)
      // Unwound blocks have no hash any more; the restored head keeps its own.
      expect(state.blockHash(BigInt(target + 1))).toBeUndefined()
      expect(bytesToHex(state.blockHash(BigInt(target))!)).toBe(blockHashOf(BigInt(target)))
      for (let n = target + 1; n <= BLOCKS; n++) {
        const root = await commitBlock(state, blocks[n - 1]!, BigInt(n))
        expect(bytesToHex(root), `re-applied block ${n} after unwind ${k}`).toBe(roots[n])
      }
      expectAtBlock(state, BLOCKS, `re-applied after unwind ${k}`, true)
    }
  })

  it('behavior: unwinding one block at a time walks back through every recorded root to the import', async () => {
    const state = await databaseAt(BLOCKS)
    for (let n = BLOCKS - 1; n >= 0; n--) {
      await state.unwind(1)
      expectAtBlock(state, n, `stepped back to ${n}`)
    }
    expect(state.info().history).toBeUndefined()
    expect(state.info().entries.changes).toBe(0)
  })

  it('behavior: after an unwind another fork can be applied on the restored head, and unwound again', async () => {
    const state = await databaseAt(BLOCKS)
    await state.unwind(4)
    // A fork from block 11: other writes (block 13's and 14's of the main sequence, in another order).
    const fork: WriteSet[] = [blocks[13]!, blocks[12]!]
    await commitBlock(state, fork[0]!, 12n, 1, 0)
    await commitBlock(state, fork[1]!, 13n, 1)
    expect(bytesToHex(state.blockHash(12n)!)).toBe(blockHashOf(12n, 1))
    expect(bytesToHex(state.blockHash(13n)!)).toBe(blockHashOf(13n, 1))
    expect(state.blockHash(14n)).toBeUndefined()
    const forkReference = await merkleAt(genesis, [...blocks.slice(0, 11), ...fork])
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(forkReference.stateRoot()))
    expectSameReads(state, forkReference, probes, 'fork')
    // The fork unwinds back to the common ancestor and the main chain applies again.
    await state.unwind(2)
    expectAtBlock(state, 11, 'fork unwound')
    for (let n = 12; n <= BLOCKS; n++) expect(bytesToHex(await commitBlock(state, blocks[n - 1]!, BigInt(n)))).toBe(roots[n])
    expectAtBlock(state, BLOCKS, 'main chain again', true)
  })

  it('error: unwinding beyond the recorded history throws UnwindBeyondHistoryError and changes nothing', async () => {
    const state = await databaseAt(BLOCKS)
    const before = state.info()
    // The imported block 0 has no change set: 15 blocks can be unwound, not 16.
    const error = await state.unwind(BLOCKS + 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnwindBeyondHistoryError)
    expect(error).toMatchObject({ code: 'UNWIND_BEYOND_HISTORY', path: state.path, requested: BLOCKS + 1, available: BLOCKS })
    await expect(state.unwind(1000)).rejects.toBeInstanceOf(UnwindBeyondHistoryError)
    expect(state.info()).toEqual(before)
    expectAtBlock(state, BLOCKS, 'after the refused unwind', true)
    // The whole history is still there.
    await state.unwind(BLOCKS)
    expectAtBlock(state, 0, 'unwound to the import')
    await expect(state.unwind(1)).rejects.toMatchObject({ code: 'UNWIND_BEYOND_HISTORY', requested: 1, available: 0 })
    expectAtBlock(state, 0, 'nothing left to unwind')
  })

  it('error: unwinding 0, a negative or a fractional number of blocks throws InvalidOptionError', async () => {
    const state = await databaseAt(2)
    for (const blocksToUnwind of [0, -1, 1.5, Number.NaN]) {
      await expect(state.unwind(blocksToUnwind)).rejects.toBeInstanceOf(InvalidOptionError)
    }
    expectAtBlock(state, 2, 'after refused unwinds')
  })

  it('behavior: with reorgDepth 3 only the last 3 change sets are kept; unwinding 4 fails and 3 reaches block 12', async () => {
    const state = await databaseAt(BLOCKS, 3)
    const info = state.info()
    expect(info.history).toEqual({ oldest: 13n, newest: 15n })
    expect(info.entries.changes).toBe(3)
    // Block hashes are kept for every block (BLOCKHASH), not only the unwindable ones.
    expect(info.entries.hashes).toBe(BLOCKS + 1)
    const error = await state.unwind(4).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnwindBeyondHistoryError)
    expect(error).toMatchObject({ requested: 4, available: 3 })
    expectAtBlock(state, BLOCKS, 'after the refused unwind', true)
    expect(state.info().history).toEqual({ oldest: 13n, newest: 15n })
    await state.unwind(3)
    expectAtBlock(state, 12, 'unwound 3 with reorgDepth 3')
    expect(state.info().history).toBeUndefined()
    // Re-applied blocks record their change sets again, and the window slides with them.
    for (let n = 13; n <= BLOCKS; n++) await commitBlock(state, blocks[n - 1]!, BigInt(n))
    expect(state.info().history).toEqual({ oldest: 13n, newest: 15n })
    expectAtBlock(state, BLOCKS, 're-applied', true)
  })

  it('behavior: with reorgDepth 0 no change set is kept and nothing can be unwound', async () => {
    const state = await databaseAt(3, 0)
    expect(state.info().history).toBeUndefined()
    expect(state.info().entries.changes).toBe(0)
    await expect(state.unwind(1)).rejects.toMatchObject({ code: 'UNWIND_BEYOND_HISTORY', available: 0 })
    expectAtBlock(state, 3, 'reorgDepth 0')
  })

  it('error: a negative or fractional reorgDepth throws InvalidOptionError', () => {
    const path = dirs.make()
    expect(() => openLmdbState({ path, reorgDepth: -1 })).toThrow(InvalidOptionError)
    expect(() => openLmdbState({ path, reorgDepth: 2.5 })).toThrow(InvalidOptionError)
  })
})
