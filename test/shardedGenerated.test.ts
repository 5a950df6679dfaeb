import { actualAccessSets, type TxAccessSets } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler, type BlockResult } from '@parallel-evm/core'
import { generateBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createShardedScheduler, NO_MIGRATION, partitionerNames, type Partitioner, type ShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'
import { fullMatrix } from './mainnetBlocks.js'
import { adversarialAccessSets } from './shardedPredictions.js'

/**
 * A partitioner built to make cross-shard cycles: transaction i's sender goes to shard i mod N and
 * everything else it is predicted to change to shard i+1 mod N, so consecutive transactions wait
 * on each other around the ring of shards (A→B, B→C, C→A, and back) however the block is made.
 */
const cyclicPartitioner: Partitioner = {
  name: 'cyclic',
  partition(block, shards) {
    const accounts = new Map<`0x${string}`, number>()
    const slots = new Map<string, number>()
    block.sets.forEach((sets, index) => {
      const sender = block.prepared.senders[index]!
      if (!accounts.has(sender)) accounts.set(sender, index % shards)
      for (const key of [...sets.writes, ...sets.deltas]) {
        if (key[42] === ':') slots.set(key, (index + 1) % shards)
        else if (!accounts.has(key.slice(0, 42) as `0x${string}`)) accounts.set(key.slice(0, 42) as `0x${string}`, (index + 1) % shards)
      }
    })
    return { ownership: { shards, accounts, slots }, migration: NO_MIGRATION }
  },
}

// Fallback off: every block runs on the shards. Replay one seed with PEVM_SEED=<n>.
let given: readonly TxAccessSets[] | undefined
const schedulers = new Map<string, ShardedScheduler>()
const schedulerFor = (shards: number, variant: 'hash' | 'activity' | 'cyclic' | 'given'): ShardedScheduler => {
  const key = `${shards}:${variant}`
  let scheduler = schedulers.get(key)
  if (scheduler === undefined) {
    const options =
      variant === 'given' ? { partitioner: 'activity' as const, predict: [], accessSets: () => given } : { partitioner: variant === 'cyclic' ? cyclicPartitioner : variant }
    schedulers.set(key, (scheduler = createShardedScheduler({ workers: shards, fallback: false, ...options })))
  }
  return scheduler
}
afterAll(async () => {
  for (const scheduler of schedulers.values()) await scheduler.close()
})

const only = process.env.PEVM_SEED === undefined ? undefined : Number(process.env.PEVM_SEED)
const seeds = only === undefined ? Array.from({ length: fullMatrix ? 200 : 24 }, (_, k) => k + 1) : [only]

async function expectShardedEqualsSequential(block: GeneratedBlock, shards: number, seed: number, label: string): Promise<void> {
  const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
  const run = async (variant: Parameters<typeof schedulerFor>[1], what: string): Promise<BlockResult> => {
    const result = await createExecutor({ scheduler: schedulerFor(shards, variant), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
    expect(result.stats.fellBack, `${label}, ${what}`).toBeUndefined()
    expect(result.stats.sharded?.perShard.length, `${label}, ${what}`).toBe(shards)
    expectSameResult(result, sequential, `${label}, ${what}`)
    return result
  }
  for (const partitioner of [...partitionerNames, 'cyclic'] as const) await run(partitioner, `${partitioner} partitioner`)
  const actual = actualAccessSets(sequential)
  given = actual
  const perfect = await run('given', 'perfect prediction')
  expect(perfect.stats.sharded?.escapes, `${label}: a perfect prediction never escapes`).toBe(0)
  given = undefined
  await run('given', 'no prediction')
  // npm test: the adversarial predictions on every other seed (test:full: all).
  for (const [name, wrong] of fullMatrix || seed % 2 === 1 ? Object.entries(adversarialAccessSets(actual, seed)) : []) {
    given = wrong
    const result = await run('given', `${name} prediction`)
    // Predicting every key on every transaction makes every transaction involve every shard.
    if (name === 'everything' && shards > 1 && result.txCount > 0) expect(result.stats.sharded?.predictedCrossShardRatio, label).toBe(1)
  }
}

describe('sharded scheduler vs sequential on generated blocks', () => {
  for (const seed of seeds) {
    // npm test: each seed with one shard count in turn (all three are covered); test:full: all three.
    const counts = fullMatrix || only !== undefined ? [1, 2, 4] : [[1, 2, 4][seed % 3]!]
    const fork = (['shanghai', 'cancun', 'prague', 'osaka'] as const)[seed % 4]!
    it(`behavior: random block, seed ${seed} (${fork}), hash, activity and cyclic partitions, perfect, empty and adversarial predictions, ${counts.join('/')} shards (replay: PEVM_SEED=${seed})`, async () => {
      const block = generateBlock({ workload: 'random', seed, txCount: 20 + (seed % 41), fork })
      for (const shards of counts) await expectShardedEqualsSequential(block, shards, seed, `seed ${seed}, ${shards} shards`)
    })
  }

  for (const [workload, contention] of [['eth-transfers'], ['erc20-transfers'], ['amm-swaps'], ['mixed', 0.1], ['mixed', 0.5]] as const) {
    it(`behavior: ${workload}${contention === undefined ? '' : ` ${contention * 100}%`} block of 300 transactions with 2 shards, every partitioner and adversarial predictions`, async () => {
      const block = generateBlock({ workload, seed: 9, txCount: 300, ...(contention === undefined ? {} : { contention }) })
      await expectShardedEqualsSequential(block, 2, 9, workload)
    })
  }

  it('behavior: the cyclic partitioner really makes cross-shard transactions, and they finish (no deadlock)', async () => {
    const block = generateBlock({ workload: 'eth-transfers', seed: 3, txCount: 120 })
    const result = await createExecutor({ scheduler: schedulerFor(3, 'cyclic'), state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.block)
    expect(result.stats.sharded?.predictedCrossShardRatio).toBeGreaterThan(0.5)
    expect(result.stats.sharded?.perShard.every((shard) => shard.transactions > 0)).toBe(true)
  })
})
