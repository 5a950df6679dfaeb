import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, type Scheduler } from '@parallel-evm/core'
import { loadMainnetBlock, mainnetBlocksDir } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { describe, expect, it } from 'vitest'

// A lane worker that is not there: the block fails before any thread starts, nothing is committed,
// and close() after it has nothing to close and resolves.
const missing = '/nonexistent/parallel-evm/laneWorker.js'
const schedulers: Record<string, () => Scheduler & { close(): Promise<void> }> = {
  optimistic: () => createOptimisticScheduler({ workers: 2, fallback: false, laneWorker: missing }),
  static: () => createStaticScheduler({ workers: 2, fallback: false, laneWorker: missing }),
  sharded: () => createShardedScheduler({ workers: 2, fallback: false, laneWorker: missing }),
}

describe('laneWorker pointing at no file', () => {
  for (const [name, create] of Object.entries(schedulers)) {
    it(`error: the ${name} scheduler fails the block with INVALID_OPTION on laneWorker naming the path, state untouched, and closes cleanly`, async () => {
      const fixture = await loadMainnetBlock(join(mainnetBlocksDir(), '4370000'))
      const state = await createMerkleState({ genesis: fixture.preState })
      const before = bytesToHex(state.stateRoot())
      const scheduler = create()
      const error = await createExecutor({ scheduler, state })
        .executeBlock(fixture.block)
        .catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'laneWorker' })
      expect((error as Error).message).toContain(missing)
      expect(bytesToHex(state.stateRoot())).toBe(before)
      await expect(scheduler.close()).resolves.toBeUndefined()
    })
  }
})
