import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type BlockResult, type Hex } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { generateCampaign, runCampaign } from '@parallel-evm/referral-kit'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler, type ShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler, type StaticScheduler } from '@parallel-evm/scheduler-static'
import { openLmdbState, type LmdbState } from '@parallel-evm/state-lmdb'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix, mainnetBlocksUnderTest } from './mainnetBlocks.js'

// Every scheduler on state-lmdb against sequential on state-merkle. The optimistic scheduler runs
// with the fallback off, so every block's transactions really execute on workers that read the
// database themselves.
const work = mkdtempSync(join(tmpdir(), 'pevm-lmdb-diff-'))
const workerCounts = fullMatrix ? [1, 2, 4] : [2]
const optimistic = new Map<number, OptimisticScheduler>(workerCounts.map((workers) => [workers, createOptimisticScheduler({ workers, fallback: false })]))
// The static scheduler with pre-execution: its workers read the database in both phases.
const staticPreexec = createStaticScheduler({ workers: 2, predict: ['preexec'], fallback: false })
// The sharded scheduler: its shards read the database for pre-execution and for the protocol.
const sharded = createShardedScheduler({ workers: 2, partitioner: 'activity', fallback: false })
afterAll(async () => {
  await staticPreexec.close()
  await sharded.close()
  for (const scheduler of optimistic.values()) await scheduler.close()
  rmSync(work, { recursive: true, force: true })
})

let databases = 0
function freshDatabase(): LmdbState {
  return openLmdbState({ path: join(work, `db-${databases++}`) })
}

describe('state-lmdb vs state-merkle on mainnet blocks', () => {
  for (const dir of mainnetBlocksUnderTest()) {
    const name = dir.split('/').pop()
    it(`behavior: block ${name}: sequential, optimistic (${workerCounts.join(', ')} workers) static and sharded (2 workers) on lmdb equal sequential on merkle; unwinding restores the pre-state root`, async () => {
      const fixture = await loadMainnetBlock(dir)
      const expected = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
      const preRoot = bytesToHex((await createMerkleState({ genesis: fixture.preState })).stateRoot())
      const state = freshDatabase()
      try {
        const json = fixture.block.block.format === 'rpc' ? fixture.block.block.json : undefined
        await state.importState([fixture.preState], { number: fixture.number - 1n, blockHash: json?.parentHash as Hex })
        expect(bytesToHex(state.stateRoot())).toBe(preRoot)
        const runs: [string, () => Promise<BlockResult>][] = [
          ['sequential', () => createExecutor({ scheduler: createSequentialScheduler(), state }).executeBlock(fixture.block)],
          ...[...optimistic].map(([workers, scheduler]) => [`optimistic, ${workers} workers`, () => createExecutor({ scheduler, state }).executeBlock(fixture.block)] as [string, () => Promise<BlockResult>]),
          ['static (pre-execution), 2 workers', () => createExecutor({ scheduler: staticPreexec, state }).executeBlock(fixture.block)],
          ['sharded (activity), 2 shards', () => createExecutor({ scheduler: sharded, state }).executeBlock(fixture.block)],
        ]
        for (const [label, run] of runs) {
          const result = await run()
          expectSameResult(result, expected, `${label} on lmdb`)
          expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(expected.stateRoot!))
          if (label !== 'sequential') {
            expect(result.stats.fellBack).toBeUndefined()
            // Every worker opened the database (speculation may still raise errors the coordinator redoes).
            expect(result.stats.stateUnavailable, `${label}: workers without the state`).toBe(0)
          }
          // Back to the parent for the next scheduler: the unwind restores the pre-state exactly.
          await state.unwind(1)
          expect(bytesToHex(state.stateRoot())).toBe(preRoot)
        }
      } finally {
        await state.close()
      }
    })
  }
})

describe('state-lmdb vs state-merkle on the referral campaign', () => {
  it('behavior: every block of both designs, sequential, optimistic, static and sharded on lmdb, equals sequential on merkle, and workers receive no state copy', async () => {
    for (const design of ['kit', 'naive'] as const) {
      const campaign = await generateCampaign({ seed: 3, design, users: fullMatrix ? 900 : 300, blocks: fullMatrix ? 24 : 10 })
      const head = { number: campaign.blocks[0]!.number - 1n }
      const merkle = await runCampaign(campaign, createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: campaign.genesis }), common: campaign.common }))
      for (const [label, scheduler] of [['sequential', createSequentialScheduler()], ...[...optimistic].map(([w, s]) => [`optimistic, ${w} workers`, s] as const), ['static (pre-execution), 2 workers', staticPreexec], ['sharded (activity), 2 shards', sharded]] as const) {
        const state = freshDatabase()
        try {
          await state.importState([campaign.genesis], head)
          const results = await runCampaign(campaign, createExecutor({ scheduler, state, common: campaign.common }))
          results.forEach((result, k) => expectSameResult(result, merkle[k]!, `${design} block ${k}, ${label}`))
          expect(state.head()!.number).toBe(campaign.blocks.at(-1)!.number)
          if (label !== 'sequential') {
            expect(results.every((result) => result.stats.stateUnavailable === 0 && result.stats.fellBack === undefined)).toBe(true)
            // A snapshot is named, not shipped: the state message is a path and a root per worker.
            for (const result of results) expect(result.stats.stateBytes).toBeLessThan(1_000 * (scheduler as OptimisticScheduler | StaticScheduler | ShardedScheduler).workers)
          }
        } finally {
          await state.close()
        }
      }
    }
  })
})
