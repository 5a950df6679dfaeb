// Replays a handful of real mainnet blocks (one per era, Frontier to Cancun) through every
// scheduler on every state backend and prints one row per run, with the ideal speedup the
// conflict detector finds in each block and whether the run wrote exactly what sequential did.
// `npm run demo:mainnet` at the repository root.
import { analyzeBlock } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const demoBlocks = ['46147', '1150000', '4370000', '9069000', '13287210', '15537394', '17666333', '19933597']
// One scheduler of each kind for the whole run: their worker threads start once and are reused.
const schedulers = {
  sequential: createSequentialScheduler(),
  'optimistic (2 workers)': createOptimisticScheduler({ workers: 2 }),
  'static, pre-execution (2 workers)': createStaticScheduler({ workers: 2, predict: ['preexec'] }),
  'sharded, activity (2 shards)': createShardedScheduler({ workers: 2, partitioner: 'activity' }),
}
// state-lmdb: a database on disk per block, holding the block's pre-state as its head.
const databases = mkdtempSync(join(tmpdir(), 'pevm-mainnet-replay-'))
let opened = 0
async function createLmdbState({ genesis }, number) {
  const state = openLmdbState({ path: join(databases, String(opened++)) })
  await state.importState([genesis], { number: number - 1n })
  return state
}
const backends = { memory: createMemoryState, merkle: createMerkleState, lmdb: createLmdbState }

const dirs = listMainnetBlocks().filter((dir) => demoBlocks.some((n) => dir.endsWith(`/${n}`)))
const rows = []
for (const dir of dirs) {
  const fixture = await loadMainnetBlock(dir)
  const sequentialWrites = new Map()
  for (const [schedulerName, scheduler] of Object.entries(schedulers)) {
    for (const [stateName, createState] of Object.entries(backends)) {
      const state = await createState({ genesis: fixture.preState }, fixture.number)
      const executor = createExecutor({ scheduler, state })
      const started = performance.now()
      const result = await executor.executeBlock(fixture.block)
      const ms = performance.now() - started
      const { gasUsed, logsBloom, receiptsRoot } = result.matches
      const match = gasUsed && logsBloom && receiptsRoot !== false
      // What the block's own dependency graph allows (the conflict detector, our delta rule).
      const ideal = analyzeBlock(result).byRule['sender-chains'].idealSpeedup
      await state.close?.()
      const written = JSON.stringify(result.writeSet, (_, value) => (typeof value === 'bigint' ? value.toString() : value instanceof Map ? [...value] : value))
      if (schedulerName === 'sequential') sequentialWrites.set(stateName, written)
      rows.push({
        block: Number(result.number),
        txs: result.txCount,
        gas: result.gasUsed.toLocaleString('en-US'),
        scheduler: schedulerName,
        state: stateName,
        ms: ms.toFixed(1),
        lanes: result.stats.lanes,
        're-exec': result.stats.reExecutions ?? 0,
        'fell back': result.stats.fellBack ?? '',
        'same as sequential': written === sequentialWrites.get(stateName) ? 'yes' : 'NO',
        'ideal 2 / 16 lanes': `${ideal[2].toFixed(2)}x / ${ideal[16].toFixed(2)}x`,
        match: match ? (receiptsRoot === null ? 'yes (no receipts root before Byzantium)' : 'yes') : 'NO',
      })
    }
  }
}
for (const scheduler of Object.values(schedulers)) await scheduler.close?.()
rmSync(databases, { recursive: true, force: true })
console.table(rows)
const mismatches = rows.filter((row) => row.match === 'NO' || row['same as sequential'] === 'NO').length
console.log(
  mismatches === 0
    ? `All ${rows.length} runs match their block headers, and every scheduler wrote exactly what sequential execution wrote.`
    : `${mismatches} runs do NOT match their headers or sequential execution.`,
)
process.exitCode = mismatches === 0 ? 0 : 1
