import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBlockFromRLP } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { generateBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler, type OptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler, type ShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler, type StaticScheduler } from '@parallel-evm/scheduler-static'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix } from './mainnetBlocks.js'

// Generated blocks (random contention, reverts, out-of-gas, creations, self-destructs, same-sender
// chains, coinbase reads) on state-lmdb: sequential, optimistic, static (pre-execution) and sharded, each equal to sequential on
// state-merkle, each unwound back to the pre-state. Replay one seed with PEVM_SEED=<n>.
const work = mkdtempSync(join(tmpdir(), 'pevm-lmdb-generated-'))
const workerCounts = [1, 2, 4]
const schedulers = new Map<number, OptimisticScheduler>(workerCounts.map((workers) => [workers, createOptimisticScheduler({ workers, fallback: false })]))
const staticSchedulers = new Map<number, StaticScheduler>(workerCounts.map((workers) => [workers, createStaticScheduler({ workers, predict: ['preexec'], fallback: false })]))
// Sharded: the activity partition on 2 shards, the hash partition on 1 and 4.
const shardedSchedulers = new Map<number, ShardedScheduler>(workerCounts.map((shards) => [shards, createShardedScheduler({ workers: shards, partitioner: shards === 2 ? 'activity' : 'hash', fallback: false })]))
afterAll(async () => {
  for (const scheduler of shardedSchedulers.values()) await scheduler.close()
  for (const scheduler of staticSchedulers.values()) await scheduler.close()
  for (const scheduler of schedulers.values()) await scheduler.close()
  rmSync(work, { recursive: true, force: true })
})

const only = process.env.PEVM_SEED === undefined ? undefined : Number(process.env.PEVM_SEED)
const seeds = only === undefined ? Array.from({ length: fullMatrix ? 200 : 40 }, (_, k) => k + 1) : [only]

async function expectLmdbEqualsMerkle(block: GeneratedBlock, workers: readonly number[], label: string): Promise<void> {
  const expected = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  if (block.block.block.format !== 'rlp') throw new TypeError('generated blocks are RLP')
  const number = createBlockFromRLP(block.block.block.rlp, { common: block.common.copy() }).header.number
  const state = openLmdbState({ path: join(work, label.replace(/[^a-z0-9-]+/gi, '-')) })
  try {
    const imported = await state.importState([block.preState], { number: number - 1n })
    for (const scheduler of [createSequentialScheduler(), ...workers.flatMap((count) => [schedulers.get(count)!, staticSchedulers.get(count)!, shardedSchedulers.get(count)!])]) {
      const result = await createExecutor({ scheduler, state, common: block.common }).executeBlock(block.block)
      expectSameResult(result, expected, `${label}, ${scheduler.name} on lmdb`)
      expect(result.stats.stateUnavailable ?? 0).toBe(0)
      await state.unwind(1)
      expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(imported.stateRoot))
    }
  } finally {
    await state.close()
  }
}

describe('state-lmdb vs state-merkle on generated blocks', () => {
  for (const seed of seeds) {
    const counts = fullMatrix || only !== undefined ? workerCounts : [workerCounts[seed % workerCounts.length]!]
    const fork = (['shanghai', 'cancun', 'prague', 'osaka'] as const)[seed % 4]!
    it(`behavior: random block, seed ${seed} (${fork}), sequential and ${counts.join('/')} workers (replay: PEVM_SEED=${seed})`, async () => {
      const block = generateBlock({ workload: 'random', seed, txCount: 20 + (seed % 41), fork })
      await expectLmdbEqualsMerkle(block, counts, `seed-${seed}`)
    })
  }

  for (const [workload, contention] of [['eth-transfers'], ['erc20-transfers'], ['amm-swaps'], ['mixed', 0.5]] as const) {
    it(`behavior: ${workload}${contention === undefined ? '' : ` ${contention * 100}%`} block of 300 transactions, sequential and 2 workers`, async () => {
      const block = generateBlock({ workload, seed: 9, txCount: 300, ...(contention === undefined ? {} : { contention }) })
      await expectLmdbEqualsMerkle(block, [2], `${workload}-${contention ?? 0}`)
    })
  }
})
