import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import {
  BlockGasLimitExceededError,
  createExecutor,
  createSequentialScheduler,
  FixtureFormatError,
  InvalidTransactionError,
  type StateBackend,
} from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState, type MemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { describe, expect, it } from 'vitest'
import { editedBlockDir } from './editedBlockDir.js'

function fingerprint(state: StateBackend): string {
  const root = state.stateRoot()
  if (root !== undefined) return bytesToHex(root)
  return JSON.stringify([...(state as MemoryState).dump()], (_, value) =>
    typeof value === 'bigint' ? value.toString() : value instanceof Map ? [...value] : value,
  )
}

const backends = { memory: createMemoryState, merkle: createMerkleState }

describe('invalid blocks leave committed state untouched', () => {
  for (const [name, createState] of Object.entries(backends)) {
    it(`behavior: a transaction with a wrong nonce gives InvalidTransactionError (${name})`, async () => {
      const dir = editedBlockDir('4370000', (json) => {
        const tx = json.transactions[5]!
        tx.nonce = `0x${(BigInt(tx.nonce as string) + 1n).toString(16)}`
      })
      const fixture = await loadMainnetBlock(dir)
      const state = await createState({ genesis: fixture.preState })
      const before = fingerprint(state)
      // Trusted input: an edited nonce otherwise fails the body and signature checks first (tamperedBlocks.test.ts).
      const executor = createExecutor({ scheduler: createSequentialScheduler(), state, trustSenders: true })
      const error = await executor.executeBlock(fixture.block).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidTransactionError)
      expect((error as InvalidTransactionError).txIndex).toBe(5)
      expect((error as InvalidTransactionError).reason).toMatch(/nonce/)
      expect(fingerprint(state)).toBe(before)
    })

    it(`behavior: transactions over the block gas limit give BlockGasLimitExceededError (${name})`, async () => {
      const dir = editedBlockDir('4370000', (json) => {
        // The header still claims a gas use within its limit; executing shows otherwise.
        json.gasLimit = `0x${(BigInt(json.gasUsed as string) / 2n).toString(16)}`
        json.gasUsed = json.gasLimit
      })
      const fixture = await loadMainnetBlock(dir)
      const state = await createState({ genesis: fixture.preState })
      const before = fingerprint(state)
      const executor = createExecutor({ scheduler: createSequentialScheduler(), state })
      const error = await executor.executeBlock(fixture.block).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BlockGasLimitExceededError)
      expect((error as BlockGasLimitExceededError).txIndex).toBeGreaterThan(0)
      expect(fingerprint(state)).toBe(before)
    })
  }

  it('behavior: a truncated block.json gives FixtureFormatError naming the file', async () => {
    const dir = editedBlockDir('46147', () => {})
    const file = join(dir, 'block.json')
    const text = readFileSync(file, 'utf8')
    writeFileSync(file, text.slice(0, text.length / 2))
    const error = await loadMainnetBlock(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FixtureFormatError)
    expect((error as FixtureFormatError).file).toBe(file)
  })
})
