import { createMainnetCommon, WorkerPool } from '@parallel-evm/core'
import { listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { predictBlock } from '../src/index.js'

describe('pre-execution on the worker pool', () => {
  it('behavior: predicts exactly what pre-execution on the calling thread predicts', async () => {
    const fixture = await loadMainnetBlock(listMainnetBlocks().find((dir) => dir.endsWith('/12047794'))!)
    const state = await createMemoryState({ genesis: fixture.preState })
    const common = createMainnetCommon()
    const local = await predictBlock(fixture.block, state, { common, sources: ['preexec'] })
    const workers = await WorkerPool.create({ size: 2 })
    try {
      const pooled = await predictBlock(fixture.block, state, { common, sources: ['preexec'], pool: { workers, parentState: fixture.preState } })
      expect(pooled.preexec).toEqual(local.preexec)
      expect(pooled.preexec!.length).toBe(232)
      expect(workers.stats().every((worker) => worker.tasks > 0)).toBe(true)
    } finally {
      await workers.close()
    }
  })
})
