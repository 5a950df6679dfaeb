import { dirname, relative } from 'node:path'
import { runBlockchainTestCase } from '@parallel-evm/cli'
import { createSequentialScheduler, type Scheduler } from '@parallel-evm/core'
import { ethereumTestsDir, listBlockchainTestFiles, loadBlockchainTestFile } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { afterAll, describe, expect, it } from 'vitest'
import { fullMatrix } from './mainnetBlocks.js'

// Every case in the shared subset of ethereum/tests, on every backend: stock @ethereumjs/vm passes
// all 2,229 (shared/fixtures/ethereum-tests/README.md), so every one must pass here too.
const root = ethereumTestsDir()
const files = listBlockchainTestFiles(root)
// One test per folder: ~35 tests per backend rather than 348 keeps the reporter light.
const folders = new Map<string, string[]>()
for (const file of files) {
  const folder = relative(root, dirname(file))
  folders.set(folder, [...(folders.get(folder) ?? []), file])
}

// The parallel schedulers run every case on their workers (fallback off, or nearly every block
// would run sequentially for being small); `npm test` with 2 workers, test:full with 1, 2 and 4.
// `npm test` runs every case once (sequential on merkle, which checks every state root) and every
// sixteenth file of each folder (at least one per folder: 40 of the 348 files) on the other runs,
// to keep CI in its time budget; test:full runs every case on every run.
const runs: { label: string; state: string; scheduler: Scheduler; everyCase?: boolean }[] = [
  { label: 'sequential', state: 'memory', scheduler: createSequentialScheduler() },
  { label: 'sequential', state: 'merkle', scheduler: createSequentialScheduler(), everyCase: true },
  ...(fullMatrix ? [1, 2, 4] : [2]).map((workers) => ({ label: `optimistic with ${workers} workers`, state: 'merkle', scheduler: createOptimisticScheduler({ workers, fallback: false }) })),
  // The static scheduler: pre-execution exercises both of its phases (run first, then re-run by plan).
  ...(fullMatrix ? [1, 2, 4] : [2]).map((workers) => ({ label: `static (pre-execution) with ${workers} workers`, state: 'merkle', scheduler: createStaticScheduler({ workers, predict: ['preexec'], fallback: false }) })),
  // The sharded scheduler: npm test the activity partition on 2 shards, test:full both partitions on 1, 2 and 4.
  ...(fullMatrix ? [1, 2, 4].flatMap((shards) => (['hash', 'activity'] as const).map((partitioner) => ({ shards, partitioner }))) : [{ shards: 2, partitioner: 'activity' as const }]).map(({ shards, partitioner }) => ({
    label: `sharded (${partitioner}) with ${shards} shards`,
    state: 'merkle',
    scheduler: createShardedScheduler({ workers: shards, partitioner, fallback: false }),
  })),
  // state-lmdb: a fresh database per case, its workers reading it themselves.
  { label: 'optimistic with 2 workers', state: 'lmdb', scheduler: createOptimisticScheduler({ workers: 2, fallback: false }) },
  // npm test runs the static scheduler on state-lmdb on the mainnet blocks and the campaign (lmdbDifferential).
  ...(fullMatrix ? [{ label: 'static (static facts, access lists) with 2 workers', state: 'lmdb', scheduler: createStaticScheduler({ workers: 2, fallback: false }) }] : []),
  ...(fullMatrix ? [{ label: 'sharded (hash) with 2 shards', state: 'lmdb', scheduler: createShardedScheduler({ workers: 2, partitioner: 'hash', fallback: false }) }] : []),
  ...(fullMatrix ? [{ label: 'sequential', state: 'lmdb', scheduler: createSequentialScheduler() }] : []),
]
afterAll(async () => {
  for (const { scheduler } of runs) await scheduler.close?.()
})

for (const { label, state, scheduler, everyCase } of runs) {
  const subset = fullMatrix || everyCase === true ? 'every case' : 'every sixteenth file'
  describe(`BlockchainTests (${subset}), ${label} on state-${state}`, () => {
    it('default: the whole subset is present', () => {
      expect(files.length).toBe(348)
    })
    for (const [folder, folderFiles] of folders) {
      it(`behavior: ${folder}`, async () => {
        const failures: string[] = []
        let cases = 0
        for (const file of folderFiles.filter((_, i) => subset === 'every case' || i % 16 === 0)) {
          for (const testCase of loadBlockchainTestFile(file)) {
            cases++
            // EVM execution is one long microtask chain; yield so the test runner's IPC is served.
            await new Promise((resolve) => setImmediate(resolve))
            const result = await runBlockchainTestCase(testCase, { scheduler, state })
            if (!result.passed) failures.push(`${relative(root, file)} ${result.name}: ${result.reason}`)
          }
        }
        expect(cases).toBeGreaterThan(0)
        expect(failures).toEqual([])
      })
    }
  })
}
