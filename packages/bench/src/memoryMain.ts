import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { mainnetBenchBlock } from './benchBlock.js'
import { selectBlocks, type BenchOptions } from './options.js'

const MiB = 2 ** 20

/**
 * `bench memory`: peak RSS running one block (the largest mainnet block by default) sequentially,
 * then with the optimistic scheduler's workers, in one process; the difference over the worker
 * count is each worker's overhead (its V8 isolate, ethereumjs, its copy of the state and block).
 */
export async function memoryMain({ runs, blocks, workers }: BenchOptions): Promise<void> {
  const [dir] = selectBlocks(blocks ?? ['17666333'])
  if (dir === undefined) throw new Error('no such block')
  const block = await mainnetBenchBlock(dir)
  const count = workers?.[0] ?? 2
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  const run = async (scheduler: Parameters<typeof createExecutor>[0]['scheduler']) => {
    for (let k = 0; k < runs; k++) await createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common }).executeBlock(block.input)
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  await run(createSequentialScheduler())
  const sequentialPeak = peak
  const optimistic = createOptimisticScheduler({ workers: count, fallback: false })
  await run(optimistic)
  const optimisticPeak = peak
  clearInterval(sampler)
  await optimistic.close()
  const result = {
    block: block.name,
    txCount: block.txCount,
    workers: count,
    sequentialPeakRssMb: sequentialPeak / MiB,
    optimisticPeakRssMb: optimisticPeak / MiB,
    perWorkerOverheadMb: (optimisticPeak - sequentialPeak) / MiB / count,
  }
  console.log(JSON.stringify(result, null, 2))
}
