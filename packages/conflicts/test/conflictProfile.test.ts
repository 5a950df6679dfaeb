import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { analyzeBlock, ConflictProfile } from '../src/index.js'
import { account, contractAddress, contracts, generatedBlock } from './generatedBlock.js'

describe('ConflictProfile', () => {
  it('default: counts writes and contention per key across blocks, and round-trips through JSON', async () => {
    const counter = contractAddress(1)
    const profile = new ConflictProfile()
    for (let block = 0; block < 2; block++) {
      const { input, genesis } = generatedBlock(Array.from({ length: 4 }, (_, i) => ({ from: account(i), to: counter })), { [counter]: contracts.counter })
      const result = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis }) }).executeBlock(input)
      profile.add(analyzeBlock(result))
    }
    const slot = `${counter}:0x${'0'.repeat(64)}`
    expect(profile.blocks).toBe(2)
    expect(profile.keys.get(slot)).toEqual({ writes: 8, contended: 12 })
    expect(profile.hottest(1)[0]![0]).toBe(slot)
    expect(ConflictProfile.fromJSON(JSON.parse(JSON.stringify(profile))).keys.get(slot)).toEqual({ writes: 8, contended: 12 })
  })
})
