import { bytesToHex } from '@ethereumjs/util'
import { merkleStateManagerFrom, runBlockBaseline } from '@parallel-evm/bench'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { generateBlock, type GenerateBlockOptions } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { describe, expect, it } from 'vitest'
import { comparableReceipt, expectWritesIn } from './blockResults.js'


const seeds = (count: number) => Array.from({ length: count }, (_, k) => k + 1)
const blocks: GenerateBlockOptions[] = [
  ...seeds(5).flatMap((seed) =>
    (['shanghai', 'cancun'] as const).map((fork): GenerateBlockOptions => ({ workload: 'random', seed, txCount: 40, fork })),
  ),
  // 100 Prague and Osaka blocks: requestsHash in the header, EIP-2935/7623/7702-era rules.
  ...seeds(50).flatMap((seed) =>
    (['prague', 'osaka'] as const).map((fork): GenerateBlockOptions => ({ workload: 'random', seed, txCount: 20 + (seed % 31), fork })),
  ),
  { workload: 'eth-transfers', seed: 1, txCount: 30 },
  { workload: 'erc20-transfers', seed: 1, txCount: 30 },
  { workload: 'amm-swaps', seed: 1, txCount: 30 },
  { workload: 'mixed', seed: 1, txCount: 30, contention: 0.3 },
  { workload: 'mixed', seed: 2, txCount: 30, contention: 0.3, fork: 'shanghai' },
]

describe('sequential scheduler vs @ethereumjs/vm runBlock on generated blocks', () => {
  for (const options of blocks) {
    const generated = generateBlock(options)
    it(`behavior: ${generated.name} gives runBlock's receipts and state root`, async () => {
      const merkle = await createMerkleState({ genesis: generated.preState })
      const stateManager = await merkleStateManagerFrom(generated.preState)
      expect(bytesToHex(await stateManager.getStateRoot()), 'same pre-state root').toBe(bytesToHex(merkle.stateRoot()))

      const ours = await createExecutor({ scheduler: createSequentialScheduler(), state: merkle, common: generated.common }).executeBlock(
        generated.block,
      )
      const source = generated.block.block
      if (source.format !== 'rlp') throw new Error('generated blocks are RLP')
      const reference = await runBlockBaseline(stateManager, {
        common: generated.common,
        rlp: source.rlp,
        senders: generated.block.senders ?? [],
        ancestorHashes: new Map(),
      })

      expect(ours.outcomes.map((outcome) => outcome.status)).toEqual(generated.expectedStatuses)
      expect(ours.receipts.map(comparableReceipt)).toEqual(reference.receipts.map(comparableReceipt))
      expect(ours.gasUsed).toBe(reference.gasUsed)
      expect(bytesToHex(ours.receiptsRoot)).toBe(bytesToHex(reference.receiptsRoot))
      expect(bytesToHex(ours.logsBloom)).toBe(bytesToHex(reference.logsBloom))
      expect(bytesToHex(ours.stateRoot!)).toBe(bytesToHex(reference.stateRoot))
      const requestsHash = ours.requests === undefined ? undefined : bytesToHex(ours.requests.requestsHash)
      expect(requestsHash).toBe(reference.requestsHash === undefined ? undefined : bytesToHex(reference.requestsHash))
      if (generated.fork === 'prague' || generated.fork === 'osaka') expect(ours.matches.requestsHash).toBe(true)

      // And every value in our write set is what runBlock left in its state.
      await expectWritesIn(stateManager, ours.writeSet)
    })
  }
})
