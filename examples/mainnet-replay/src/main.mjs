// Replays a handful of real mainnet blocks (one per era, Frontier to Cancun) through every
// scheduler on every state backend and prints one row per run, with the ideal speedup the
// conflict detector finds in each block. Until the referral kit exists this
// is the project's demo: `npm run demo` at the repository root.
import { analyzeBlock } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'

const demoBlocks = ['46147', '1150000', '4370000', '9069000', '13287210', '15537394', '17666333', '19933597']
const schedulers = { sequential: () => createSequentialScheduler() }
const backends = { memory: createMemoryState, merkle: createMerkleState }

const dirs = listMainnetBlocks().filter((dir) => demoBlocks.some((n) => dir.endsWith(`/${n}`)))
const rows = []
for (const dir of dirs) {
  const fixture = await loadMainnetBlock(dir)
  for (const [schedulerName, createScheduler] of Object.entries(schedulers)) {
    for (const [stateName, createState] of Object.entries(backends)) {
      const state = await createState({ genesis: fixture.preState })
      const executor = createExecutor({ scheduler: createScheduler(), state })
      const started = performance.now()
      const result = await executor.executeBlock(fixture.block)
      const ms = performance.now() - started
      const { gasUsed, logsBloom, receiptsRoot } = result.matches
      const match = gasUsed && logsBloom && receiptsRoot !== false
      // What the block's own dependency graph allows (the conflict detector, our delta rule).
      const ideal = analyzeBlock(result).byRule['sender-chains'].idealSpeedup
      rows.push({
        block: Number(result.number),
        txs: result.txCount,
        gas: result.gasUsed.toLocaleString('en-US'),
        scheduler: schedulerName,
        state: stateName,
        ms: ms.toFixed(1),
        'ideal 2 / 16 lanes': `${ideal[2].toFixed(2)}x / ${ideal[16].toFixed(2)}x`,
        match: match ? (receiptsRoot === null ? 'yes (no receipts root before Byzantium)' : 'yes') : 'NO',
      })
    }
  }
}
console.table(rows)
const mismatches = rows.filter((row) => row.match === 'NO').length
console.log(mismatches === 0 ? `All ${rows.length} runs match their block headers.` : `${mismatches} runs do NOT match their headers.`)
process.exitCode = mismatches === 0 ? 0 : 1
