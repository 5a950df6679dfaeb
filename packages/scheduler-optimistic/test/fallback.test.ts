import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type StateBackend, type WriteSet } from '@parallel-evm/core'
import { generateBlock, listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { createOptimisticScheduler } from '../src/index.js'

const scheduler = createOptimisticScheduler({ workers: 2 })
afterAll(() => scheduler.close())

const mainnetDir = (number: string) => listMainnetBlocks().find((dir) => dir.endsWith(`/${number}`))!

async function bothWays(preState: WriteSet, run: (executor: ReturnType<typeof createExecutor>) => ReturnType<ReturnType<typeof createExecutor>['executeBlock']>) {
  const sequential = await run(createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: preState }) }))
  const optimistic = await run(createExecutor({ scheduler, state: await createMerkleState({ genesis: preState }) }))
  expect(bytesToHex(optimistic.stateRoot!)).toBe(bytesToHex(sequential.stateRoot!))
  return optimistic
}

describe('optimistic scheduler fallback, chosen per block', () => {
  it('behavior: a block with few transactions runs sequentially on the calling thread and says why', async () => {
    const fixture = await loadMainnetBlock(mainnetDir('46147'))
    const result = await bothWays(fixture.preState, (executor) => executor.executeBlock(fixture.block))
    expect(result.stats.fellBack).toMatch(/^1 transactions, under 8$/)
    expect(result.stats.lanes).toBe(1)
  })

  it('behavior: a block one sender dominates (1,414 transactions, nonce order) runs sequentially', async () => {
    const fixture = await loadMainnetBlock(mainnetDir('13287210'))
    const result = await bothWays(fixture.preState, (executor) => executor.executeBlock(fixture.block))
    expect(result.stats.fellBack).toMatch(/one sender's transactions bound the speedup to 1\.0\dx/)
  })

  it('behavior: a block whose speculation keeps aborting (every swap on one AMM pool) finishes sequentially mid-block, with the same result', async () => {
    const block = generateBlock({ workload: 'amm-swaps', seed: 4, txCount: 200 })
    const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
    const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
    expect(result.stats.fellBack).toMatch(/^contention: \d+ of \d+ executions aborted by transaction \d+, so the rest ran sequentially$/)
    expect(bytesToHex(result.stateRoot!)).toBe(bytesToHex(sequential.stateRoot!))
    expect(result.receipts).toEqual(sequential.receipts)
  })

  it('behavior: a backend that cannot ship its state to workers runs sequentially', async () => {
    const fixture = await loadMainnetBlock(mainnetDir('19934116'))
    const memory = await createMemoryState({ genesis: fixture.preState })
    // Reads and commits go to the memory backend; exportState is what this backend lacks.
    const opaque: StateBackend = {
      kind: 'opaque',
      getAccount: (address) => memory.getAccount(address),
      getStorage: (address, slot) => memory.getStorage(address, slot),
      getCode: (hash) => memory.getCode(hash),
      hasStorage: (address) => memory.hasStorage(address),
      stateRoot: () => memory.stateRoot(),
      stage: (writes) => memory.stage(writes),
    }
    const result = await createExecutor({ scheduler, state: opaque }).executeBlock(fixture.block)
    expect(result.stats.fellBack).toBe('the opaque backend cannot ship its state to worker threads')
    expect(result.matches.gasUsed).toBe(true)
  })
})
