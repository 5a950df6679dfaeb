import { bytesToHex } from '@ethereumjs/util'
import { merkleStateManagerFrom, runBlockBaseline } from '@parallel-evm/bench'
import { createExecutor, createMainnetCommon, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { describe, expect, it } from 'vitest'
import { comparableReceipt, expectWritesIn } from './blockResults.js'
import { mainnetBlocksUnderTest } from './mainnetBlocks.js'


function headerMatches(result: BlockResult): void {
  expect(result.matches.gasUsed, 'gasUsed matches header').toBe(true)
  expect(result.matches.logsBloom, 'logsBloom matches header').toBe(true)
  if (result.number >= 4_370_000n) expect(result.matches.receiptsRoot, 'receiptsRoot matches header').toBe(true)
}

describe('sequential scheduler vs @ethereumjs/vm runBlock on mainnet blocks', () => {
  for (const dir of mainnetBlocksUnderTest()) {
    const block = dir.split('/').pop()
    it(`behavior: block ${block} matches the header and runBlock on both backends`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const merkle = await createMerkleState({ genesis: fixture.preState })
      const preStateRoot = bytesToHex(merkle.stateRoot())
      const ours = await createExecutor({ scheduler: createSequentialScheduler(), state: merkle }).executeBlock(fixture.block)
      headerMatches(ours)

      const memory = await createMemoryState({ genesis: fixture.preState })
      const oursOnMemory = await createExecutor({ scheduler: createSequentialScheduler(), state: memory }).executeBlock(fixture.block)
      headerMatches(oursOnMemory)
      expect(oursOnMemory.receipts.map(comparableReceipt)).toEqual(ours.receipts.map(comparableReceipt))
      expect(oursOnMemory.writeSet).toEqual(ours.writeSet)

      const stateManager = await merkleStateManagerFrom(fixture.preState)
      expect(bytesToHex(await stateManager.getStateRoot()), 'same pre-state root').toBe(preStateRoot)
      const source = fixture.block.block
      if (source.format !== 'rpc') throw new Error('mainnet fixtures are RPC JSON')
      const reference = await runBlockBaseline(stateManager, {
        common: createMainnetCommon(),
        json: source.json,
        senders: fixture.block.senders ?? [],
        ancestorHashes: fixture.block.ancestorHashes ?? new Map(),
      })
      expect(ours.receipts.map(comparableReceipt)).toEqual(reference.receipts.map(comparableReceipt))
      expect(ours.gasUsed).toBe(reference.gasUsed)
      // Before Byzantium receipts embed per-transaction state roots, which we do not compute.
      if (ours.matches.receiptsRoot !== null) expect(bytesToHex(ours.receiptsRoot)).toBe(bytesToHex(reference.receiptsRoot))
      // Equal roots from equal pre-states: the whole post-state is the same, not just what we wrote.
      expect(bytesToHex(ours.stateRoot!)).toBe(bytesToHex(reference.stateRoot))

      // And every value in our write set is what runBlock left in its state.
      await expectWritesIn(stateManager, ours.writeSet)
    })
  }
})
