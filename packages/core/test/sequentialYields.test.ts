import { generateBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { createExecutor, createSequentialScheduler, type Scheduler } from '../src/index.js'

describe('the sequential path and the event loop', () => {
  it('behavior: timers run while a long block\'s transactions execute (about every 50 ms), and the block is unchanged', async () => {
    const generated = generateBlock({ workload: 'random', seed: 5, txCount: 1000 })
    let ticks = 0
    let ticksWhileExecuting = 0
    const sequential = createSequentialScheduler()
    // The scheduler's own stage only: preparing and committing the block may yield for reasons of their own.
    const counted: Scheduler = {
      name: 'sequential',
      execute: async (ctx) => {
        const before = ticks
        const scheduled = await sequential.execute(ctx)
        ticksWhileExecuting = ticks - before
        return scheduled
      },
    }
    const ticker = setInterval(() => ticks++, 1)
    const result = await createExecutor({ scheduler: counted, state: await createMemoryState({ genesis: generated.preState }) }).executeBlock(generated.block)
    clearInterval(ticker)
    const reference = await createExecutor({ scheduler: sequential, state: await createMemoryState({ genesis: generated.preState }) }).executeBlock(generated.block)
    expect(result.stateRoot).toEqual(reference.stateRoot)
    expect(result.receipts).toEqual(reference.receipts)
    // A thousand transactions outlast several intervals on any machine; each interval passed lets the timer in.
    expect(result.stats.executeMs).toBeGreaterThan(150)
    expect(ticksWhileExecuting).toBeGreaterThanOrEqual(2)
  })
})
