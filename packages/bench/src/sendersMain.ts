import { createMainnetCommon, WorkerPool } from '@parallel-evm/core'
import { decodeBlockInput, recoverSendersOf, recoverSendersOnPool } from '@parallel-evm/core/internal'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { selectBlocks, type BenchOptions } from './options.js'
import { fmt, median } from './stats.js'

/**
 * `bench senders`: ECDSA sender recovery of whole blocks (decoding included) on the calling thread
 * alone and on every lane, the calling thread and a pool of 2 workers (started once, start time
 * reported apart), interleaved, medians of `runs`.
 */
export async function sendersMain({ runs, warmup, blocks, out: _out }: BenchOptions): Promise<void> {
  const dirs = selectBlocks(blocks ?? ['13217637', '13287210', '14396881', '15274915', '17666333'])
  const workers = await WorkerPool.create({ size: 2 })
  console.log(`sender recovery: ${dirs.length} blocks, median of ${runs} runs after ${warmup} warm-up; pool of 2 started in ${fmt(workers.startMs)} ms (not counted)`)
  console.log(['block', 'txs', 'calling thread ms', 'calling thread + 2 workers ms', 'speedup (median of per-run ratios)'].join('\t'))
  const common = createMainnetCommon()
  for (const dir of dirs) {
    const fixture = await loadMainnetBlock(dir)
    const input = { block: fixture.block.block }
    const count = fixture.block.senders!.length
    const local: number[] = []
    const pooled: number[] = []
    const ratios: number[] = []
    for (let run = 0; run < warmup + runs; run++) {
      let started = performance.now()
      const block = decodeBlockInput(input, { common })
      recoverSendersOf(block, block.transactions.map((_, index) => index))
      const localMs = performance.now() - started
      started = performance.now()
      await recoverSendersOnPool(async () => workers, 2, input, decodeBlockInput(input, { common }))
      const pooledMs = performance.now() - started
      if (run < warmup) continue
      local.push(localMs)
      pooled.push(pooledMs)
      ratios.push(localMs / pooledMs)
    }
    console.log([fixture.number, count, fmt(median(local)), fmt(median(pooled)), median(ratios).toFixed(2)].join('\t'))
  }
  await workers.close()
}
