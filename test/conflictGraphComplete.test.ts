import { bytesToHex } from '@ethereumjs/util'
import type { TxReceipt } from '@ethereumjs/vm'
import { analyzeBlock, createGraphOrderScheduler, reverseWithinLevels } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler, InvalidTransactionError, type AddressHex, type TxOutcome } from '@parallel-evm/core'
import { generateBlock, loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { mainnetBlocksUnderTest } from './mainnetBlocks.js'

function comparable(receipt: TxReceipt) {
  return [receipt.cumulativeBlockGasUsed, 'status' in receipt ? receipt.status : -1, bytesToHex(receipt.bitvector), receipt.logs.length]
}

// The strongest check of the detector: run each block in another topological order of its actual
// dependency graph (by level, last-first within a level) and commit in block order. A missed edge
// lets a transaction run before one it depends on, and the results differ.
describe('the dependency graph is complete on mainnet blocks', () => {
  it('behavior: the check has teeth: a graph that misses edges gives a different result', async () => {
    const fixture = await loadMainnetBlock(mainnetBlocksUnderTest().find((dir) => dir.endsWith('/12047794'))!)
    const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
    const withoutStorageEdges = analyzeBlock(sequential).graphs.credits.dependencies.map(() => [] as number[])
    const order = reverseWithinLevels({ dependencies: withoutStorageEdges, edges: 0, edgesByKey: new Map(), edgeKeys: [] })
    const outcome = await createExecutor({ scheduler: createGraphOrderScheduler(order), state: await createMemoryState({ genesis: fixture.preState }) })
      .executeBlock(fixture.block)
      .then((reordered) => reordered.writeSet, (error: unknown) => error)
    expect(outcome).not.toEqual(sequential.writeSet)
  })

  it('behavior: the sender-chain graph needs chain-aware execution: without it the reordered chain is invalid', async () => {
    const fixture = await loadMainnetBlock(mainnetBlocksUnderTest().find((dir) => dir.endsWith('/13287210'))!)
    const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
    const order = reverseWithinLevels(analyzeBlock(sequential).graphs['sender-chains'])
    const error = await createExecutor({ scheduler: createGraphOrderScheduler(order), state: await createMemoryState({ genesis: fixture.preState }) })
      .executeBlock(fixture.block)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidTransactionError)
  })

  for (const dir of mainnetBlocksUnderTest()) {
    it(`behavior: block ${dir.split('/').pop()} in reverse-within-levels order equals sequential`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      const order = reverseWithinLevels(analyzeBlock(sequential).graphs.credits)
      const reordered = await createExecutor({ scheduler: createGraphOrderScheduler(order), state: await createMemoryState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      expect(reordered.receipts.map(comparable)).toEqual(sequential.receipts.map(comparable))
      expect(reordered.writeSet).toEqual(sequential.writeSet)
      expect(reordered.outcomes.map((o) => o.readSet)).toEqual(sequential.outcomes.map((o) => o.readSet))
    })
  }
})

describe('the dependency graph is complete on generated Prague and Osaka blocks', () => {
  for (const fork of ['prague', 'osaka'] as const) {
    for (let seed = 1; seed <= 10; seed++) {
      it(`behavior: random block, seed ${seed} (${fork}), in reverse-within-levels order equals sequential`, async () => {
        const generated = generateBlock({ workload: 'random', seed, txCount: 20 + (seed % 31), fork })
        const execute = async (scheduler: Parameters<typeof createExecutor>[0]['scheduler']) =>
          createExecutor({ scheduler, state: await createMemoryState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
        const sequential = await execute(createSequentialScheduler())
        const reordered = await execute(createGraphOrderScheduler(reverseWithinLevels(analyzeBlock(sequential).graphs.credits)))
        expect(reordered.receipts.map(comparable)).toEqual(sequential.receipts.map(comparable))
        expect(reordered.writeSet).toEqual(sequential.writeSet)
        expect(bytesToHex(reordered.requests!.requestsHash)).toBe(bytesToHex(sequential.requests!.requestsHash))
        // The end-of-block system calls read exactly the queues the request transactions filled.
        const queues: AddressHex[] = ['0x00000961ef480eb55e80d19ad83579a64c007002', '0x0000bbddc7ce488642fb579f8b00f3a590007251']
        const enqueues = (outcome: TxOutcome) => queues.some((queue) => (outcome.writeSet.accounts.get(queue)?.storage?.size ?? 0) > 0)
        const requestTxs = sequential.outcomes.flatMap((outcome, index) => (enqueues(outcome) ? [index] : []))
        const [, withdrawals, consolidations] = sequential.requests!.encoded
        expect(requestTxs).toHaveLength((withdrawals!.length - 1) / 76 + (consolidations!.length - 1) / 116)
        expect(analyzeBlock(sequential).systemCalls).toEqual({ readPreBlock: [], readByPostBlock: requestTxs })
      })
    }
  }
})
