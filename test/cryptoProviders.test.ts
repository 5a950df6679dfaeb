import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createExecutor, createSequentialScheduler, SECP256K1_ADDON_ENV, type BlockResult, type CryptoPreference, type Scheduler } from '@parallel-evm/core'
import { generateBlock, loadMainnetBlock, mainnetBlocksDir, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { generateCampaign, runCampaign } from '@parallel-evm/referral-kit'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { runPevm } from './pevmProcess.js'
import { fullMatrix, mainnetBlocksUnderTest } from './mainnetBlocks.js'
import { scratchDir } from './scratchDir.js'

// Blocks with many transactions, contract creations and ecrecover calls (multisig wallets, permits).
const mainnetBlocks = fullMatrix ? mainnetBlocksUnderTest() : mainnetBlocksUnderTest().filter((_, i) => i % 4 === 0)
const optimistic = createOptimisticScheduler({ workers: 2, fallback: false })
afterAll(() => optimistic.close())

async function runMainnet(fixture: MainnetBlockFixture, crypto: CryptoPreference, scheduler: Scheduler): Promise<BlockResult> {
  const state = await createMerkleState({ genesis: fixture.preState })
  return createExecutor({ scheduler, state, crypto }).executeBlock(fixture.block)
}

describe('the fast and the pure-JS crypto providers give byte-identical blocks', () => {
  for (const dir of mainnetBlocks) {
    it(`behavior: mainnet block ${dir.split('/').pop()}, sequential and optimistic`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const js = await runMainnet(fixture, 'js', createSequentialScheduler())
      const fast = await runMainnet(fixture, 'fast', createSequentialScheduler())
      expect(js.stats.crypto.secp256k1).toBe('@noble/curves')
      expect(fast.stats.crypto).toMatchObject({ keccak256: 'hash-wasm', secp256k1: 'libsecp256k1' })
      expect(fast.stats.sendersVerified).toBe(true)
      expectSameResult(fast, js, 'fast against js')
      expectSameResult(await runMainnet(fixture, 'fast', optimistic), js, 'optimistic, fast workers, against sequential js')
      expect(fast.matches).toMatchObject({ gasUsed: true, logsBloom: true })
      expect(fast.matches.receiptsRoot).not.toBe(false)
    })
  }

  it('behavior: a generated block with creations, self-destructs and reverts', async () => {
    const generated = generateBlock({ workload: 'random', seed: 11, txCount: 60 })
    const results = []
    for (const crypto of ['js', 'fast'] as const) {
      const state = await createMerkleState({ genesis: generated.preState })
      results.push(await createExecutor({ scheduler: createSequentialScheduler(), state, common: generated.common, crypto }).executeBlock(generated.block))
    }
    expectSameResult(results[1]!, results[0]!, 'fast against js')
  })

  it('behavior: the referral campaign, whose attested sign-ups call the ecrecover precompile', async () => {
    const campaign = await generateCampaign({ seed: 5, design: 'kit', users: 60, blocks: 4 })
    const byProvider = []
    for (const crypto of ['js', 'fast'] as const) {
      const state = await createMerkleState({ genesis: campaign.genesis })
      byProvider.push(await runCampaign(campaign, createExecutor({ scheduler: createSequentialScheduler(), state, common: campaign.common, crypto })))
    }
    const [js, fast] = byProvider
    expect(fast!.length).toBe(js!.length)
    fast!.forEach((result, block) => expectSameResult(result, js![block]!, `campaign block ${block}`))
    expect(campaign.transactions.some((tx) => tx.kind === 'forged-attestation')).toBe(true)
  })
})

describe('a native binary that cannot load', () => {
  const block = join(mainnetBlocksDir(), '4370000')
  const unloadable = join(scratchDir('pevm-addon'), 'secp256k1.node')
  writeFileSync(unloadable, 'not a shared object')

  async function pevmRun(env: NodeJS.ProcessEnv, ...args: string[]) {
    const run = await runPevm(['run', block, '--state', 'merkle', '--json', ...args], { env })
    expect(run.code, run.stderr).toBe(0)
    return JSON.parse(run.stdout)
  }

  it('behavior: falls back to @noble/curves on the calling thread and the workers, says so, and gives the same block', async () => {
    const native = await pevmRun({})
    expect(native.crypto).toEqual({ preference: 'fast', keccak256: 'hash-wasm', secp256k1: 'libsecp256k1', sha256: 'node:crypto', bn254: 'mcl-wasm' })
    for (const args of [[], ['--scheduler', 'optimistic', '--workers', '2']]) {
      const fallback = await pevmRun({ [SECP256K1_ADDON_ENV]: unloadable }, ...args)
      expect(fallback.crypto.secp256k1).toBe('@noble/curves')
      expect(fallback.crypto.fallback).toMatch(/libsecp256k1 did not load/)
      expect(fallback.sendersVerified).toBe(true)
      for (const field of ['gasUsed', 'receiptsRoot', 'logsBloom', 'stateRoot', 'matches'] as const) expect(fallback[field], field).toEqual(native[field])
    }
  })
})
