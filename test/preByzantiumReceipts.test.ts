import { join } from 'node:path'
import { createBlockFromRLP } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import { openBackendByName } from '@parallel-evm/cli'
import { createExecutor, createSequentialScheduler, defaultKzg, type BlockResult } from '@parallel-evm/core'
import { commonForNetwork, ethereumTestsDir, loadBlockchainTestFile, loadMainnetBlock, mainnetBlocksDir } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { describe, expect, it } from 'vitest'

// The shared BlockchainTests before Byzantium: receipts there hold the state root after each transaction.
const files = ['frontier/opcodes/double_kill.json', 'homestead/yul/yul.json'].map((file) => join(ethereumTestsDir(), 'GeneralStateTests/Pyspecs', file))

const PRE_BYZANTIUM = new Set(['Frontier', 'Homestead', 'EIP150', 'EIP158'])

async function runCases(file: string, state: string): Promise<BlockResult[]> {
  const results: BlockResult[] = []
  for (const testCase of loadBlockchainTestFile(file).filter((candidate) => PRE_BYZANTIUM.has(candidate.network))) {
    const common = commonForNetwork(testCase.network, { customCrypto: { kzg: defaultKzg() } })
    const genesis = createBlockFromRLP(testCase.genesisRlp, { common: common.copy(), setHardfork: true })
    const backend = await openBackendByName(state, testCase.pre, { number: genesis.header.number, blockHash: bytesToHex(genesis.hash()) as `0x${string}` })
    try {
      const executor = createExecutor({ scheduler: createSequentialScheduler(), state: backend.state, common })
      let parentHeader = genesis.header
      for (const block of testCase.blocks) {
        const result = await executor.executeBlock({ block: { format: 'rlp', rlp: block.rlp }, ancestorHashes: new Map([[0n, genesis.hash()]]) }, { verify: 'enforce', parentHeader })
        parentHeader = result.header
        results.push(result)
      }
    } finally {
      await backend.close()
    }
  }
  return results
}

describe('pre-Byzantium receipts roots', () => {
  for (const state of ['merkle', 'lmdb']) {
    it(`behavior: checked against the header from per-transaction state roots on ${state}`, async () => {
      for (const file of files) {
        const results = await runCases(file, state)
        expect(results.length).toBeGreaterThan(0)
        for (const result of results) {
          expect(result.header.common.gteHardfork('byzantium')).toBe(false)
          expect(result.matches.receiptsRoot, `${file} block ${result.number}`).toBe(true)
          expect(result.outcomes.every((outcome) => outcome.intermediateStateRoot?.length === 32)).toBe(true)
        }
      }
    })
  }

  it('behavior: the memory backend (no roots) leaves the receipts root unchecked', async () => {
    const merkle = await runCases(files[0]!, 'merkle')
    const memory = await runCases(files[0]!, 'memory')
    expect(memory.map((result) => result.matches.receiptsRoot)).toEqual(memory.map(() => null))
    // Without per-transaction roots the memory backend's receipts carry zero roots: another receipts root.
    expect(merkle.map((result) => bytesToHex(result.receiptsRoot))).not.toEqual(memory.map((result) => bytesToHex(result.receiptsRoot)))
    expect(merkle.map((result) => bytesToHex(result.receiptsRoot))).toEqual(merkle.map((result) => bytesToHex(result.header.receiptTrie)))
  })

  it('behavior: a mainnet snapshot (partial pre-state) computes no per-transaction roots and says why', async () => {
    const fixture = await loadMainnetBlock(join(mainnetBlocksDir(), '930196'))
    const state = await createMerkleState({ genesis: fixture.preState })
    const result = await createExecutor({ scheduler: createSequentialScheduler(), state }).executeBlock(fixture.block)
    expect(result.matches.receiptsRoot).toBeNull()
    expect(result.outcomes.every((outcome) => outcome.intermediateStateRoot === undefined)).toBe(true)
    expect(result.omissions).toEqual([expect.stringContaining('partial pre-state')])
    expect(result.matches).toMatchObject({ gasUsed: true, logsBloom: true })
  })
})
