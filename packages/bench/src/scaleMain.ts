import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, WorkerPool, type CryptoPreference, type CryptoStats, type Scheduler, type WriteSet } from '@parallel-evm/core'
import { syntheticState, syntheticTransferBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { openLmdbState, type DatabaseHead, type DatabaseInfo } from '@parallel-evm/state-lmdb'
import type { BenchOptions } from './options.js'
import { median } from './stats.js'

const mb = (bytes: number) => Math.round(bytes / 2 ** 20)

/**
 * `bench scale [--accounts N] [--slots N] [--transactions N] [--db DIR] [--crypto js|fast|both]`:
 * imports a synthetic state (1,000,000 accounts and 10,000,000 slots by default) into state-lmdb,
 * then times a block of ERC-20 transfers among random holders, sequential and optimistic with 2
 * workers, under each crypto provider asked for (both by default: js ÷ fast is reported for the
 * whole block and for stage-and-commit, where the state root is computed), senders given and
 * trusted, each run on the same committed state (the block is unwound after each). Before each run the OS page cache
 * is dropped when the process may (root), so reads are cold; the report says whether it could.
 */
export async function scaleMain(options: BenchOptions): Promise<void> {
  const { accounts, slots, transactions } = options.scale
  const path = options.scale.db ?? join(tmpdir(), `pevm-scale-${accounts}-${slots}`)
  // Large chunks: each is one write transaction, and LMDB copies the B-tree pages a transaction
  // touches; with random (hashed) keys a chunk touches most of them, so fewer, larger chunks import
  // several times faster and leave a smaller file (measured: 100k accounts and 1M slots in 5 chunks
  // took 68 s and 1,246 MiB, in one chunk 46 s and 386 MiB).
  const state = syntheticState({ seed: 1, accounts, slots, chunkAccounts: 100_000, chunkSlots: 1_000_000 })
  const rss: Record<string, number> = { start: mb(process.memoryUsage().rss) }

  // A database already holding this state (an earlier run's) is reused: the import is the slow part.
  const reused = existsSync(path) ? reusable(path, state.atBlock.number) : undefined
  let importMs: number | undefined
  let head: DatabaseHead
  let info: DatabaseInfo
  if (reused !== undefined) {
    head = reused.head
    info = reused.info
    console.log(`reusing ${path}: block ${head.number}, root ${bytesToHex(head.stateRoot)}`)
  } else {
    if (existsSync(path)) rmSync(path, { recursive: true })
    const db = openLmdbState({ path, verify: 'never' })
    const started = performance.now()
    let imported = 0
    const counted = function* (): Generator<WriteSet> {
      for (const chunk of state.chunks()) {
        imported += chunk.accounts.size
        yield chunk
        process.stderr.write(`\rimport: ${imported.toLocaleString('en-US')} account writes, ${((performance.now() - started) / 1000).toFixed(0)} s`)
      }
    }
    head = await db.importState(counted(), state.atBlock)
    importMs = performance.now() - started
    process.stderr.write('\n')
    rss.afterImport = mb(process.memoryUsage().rss)
    info = db.info()
    await db.close()
    console.log(`imported ${accounts.toLocaleString('en-US')} accounts and ${slots.toLocaleString('en-US')} slots in ${(importMs / 1000).toFixed(1)} s: ${mb(info.dataFileBytes)} MiB, root ${bytesToHex(head.stateRoot)}`)
  }

  const block = syntheticTransferBlock(state, { seed: 1, transactions })
  const reopened = openLmdbState({ path, verify: 'never' })
  // One pool per provider, so that the workers hash and recover with the same one as the calling thread.
  const prefs: CryptoPreference[] = options.scale.crypto === 'both' ? ['js', 'fast'] : [options.scale.crypto]
  const pools = new Map<CryptoPreference, WorkerPool>()
  for (const pref of prefs) pools.set(pref, await WorkerPool.create({ size: 2, crypto: pref }))
  // Senders given and trusted (as before the crypto providers): only the hashing differs between providers.
  const variants: [string, Scheduler, CryptoPreference][] = prefs.flatMap((pref): [string, Scheduler, CryptoPreference][] => [
    [`sequential/${pref}`, createSequentialScheduler(), pref],
    [`optimistic, 2 workers/${pref}`, createOptimisticScheduler({ workers: 2, pool: pools.get(pref)!, fallback: false }), pref],
  ])
  const times = new Map<string, number[]>(variants.map(([name]) => [name, []]))
  const phases = new Map<string, { executeMs: number[]; commitMs: number[] }>(variants.map(([name]) => [name, { executeMs: [], commitMs: [] }]))
  const coldTimes = new Map<string, number>()
  const providers = new Map<CryptoPreference, CryptoStats>()
  const roots = new Set<string>()
  let cacheDropped = false
  try {
    for (let run = 0; run < options.warmup + options.runs; run++) {
      for (const [name, scheduler, crypto] of run % 2 === 0 ? variants : [...variants].reverse()) {
        cacheDropped = dropPageCache()
        const executor = createExecutor({ scheduler, state: reopened, common: block.common, crypto, trustSenders: true })
        const t = performance.now()
        const result = await executor.executeBlock(block.input)
        const ms = performance.now() - t
        if (result.outcomes.some((outcome) => outcome.status !== 1)) throw new Error(`${name}: a transfer failed`)
        roots.add(bytesToHex(result.stateRoot!))
        providers.set(crypto, result.stats.crypto)
        await reopened.unwind(1)
        if (run === 0) coldTimes.set(name, ms)
        if (run >= options.warmup) {
          times.get(name)!.push(ms)
          phases.get(name)!.executeMs.push(result.stats.prepareMs + result.stats.executeMs + result.stats.finalizeMs)
          phases.get(name)!.commitMs.push(result.stats.commitMs)
        }
        rss[`after ${name}`] = mb(process.memoryUsage().rss)
      }
    }
  } finally {
    for (const pool of pools.values()) await pool.close()
    await reopened.close()
  }
  /** Median of per-run ratios a ÷ b (each run measures both). */
  const ratioOf = (a: number[], b: number[]) => median(a.map((ms, k) => ms / b[k]!))
  const perProvider = Object.fromEntries(
    prefs.map((pref) => [pref, { optimistic2SpeedupMedianOfRatios: ratioOf(times.get(`sequential/${pref}`)!, times.get(`optimistic, 2 workers/${pref}`)!) }]),
  )
  // js ÷ fast for the whole block and for stage-and-commit (the state root), per scheduler.
  const jsOverFast =
    prefs.length < 2
      ? undefined
      : Object.fromEntries(
          ['sequential', 'optimistic, 2 workers'].map((scheduler) => [
            scheduler,
            {
              block: ratioOf(times.get(`${scheduler}/js`)!, times.get(`${scheduler}/fast`)!),
              stageAndCommit: ratioOf(phases.get(`${scheduler}/js`)!.commitMs, phases.get(`${scheduler}/fast`)!.commitMs),
            },
          ]),
        )
  const report = {
    node: process.version,
    cores: availableParallelism(),
    accounts,
    slots,
    transactions,
    importSeconds: importMs === undefined ? 'reused an imported database' : importMs / 1000,
    dataFileMiB: mb(info.dataFileBytes),
    entries: info.entries,
    stateRoot: bytesToHex(head.stateRoot),
    pageCacheDroppedBeforeEachRun: cacheDropped,
    providers: Object.fromEntries(providers),
    firstRunMs: Object.fromEntries(coldTimes),
    medianMs: Object.fromEntries([...times].map(([name, ms]) => [name, median(ms)])),
    medianPhasesMs: Object.fromEntries([...phases].map(([name, p]) => [name, { executeAndFinalize: median(p.executeMs), stageAndCommit: median(p.commitMs) }])),
    perProvider,
    ...(jsOverFast === undefined ? {} : { jsOverFastMedianOfRatios: jsOverFast }),
    rootsAgree: roots.size === 1,
    rssMiB: rss,
  }
  console.log(JSON.stringify(report, null, 2))
  mkdirSync(options.out, { recursive: true })
  const file = join(options.out, `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify(report, null, 2))
  console.log(`wrote ${file}`)
}

/** Empties the OS page cache (root only), so the next run reads the database from disk. */
function dropPageCache(): boolean {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3')
    return true
  } catch {
    return false
  }
}

/** The database at `path` when it already holds the synthetic state (its head is the state's block). */
function reusable(path: string, number: bigint): { head: DatabaseHead; info: DatabaseInfo } | undefined {
  const db = openLmdbState({ path, verify: 'never' })
  try {
    const head = db.head()
    return head !== undefined && head.number === number ? { head, info: db.info() } : undefined
  } finally {
    void db.close()
  }
}
