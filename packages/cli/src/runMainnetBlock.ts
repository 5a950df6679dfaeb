import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, InvalidOptionError, WorkerPool, type BlockResult, type CryptoStats, type Hex, type SchedulerStats, type WorkerCount } from '@parallel-evm/core'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { loadHintsFile } from './hintsFile.js'
import { openBackendByName, createSchedulerByName, type SchedulerOptions } from './registry.js'

export interface RunMainnetBlockOptions {
  scheduler: string
  state: string
  workers: WorkerCount
  /** The lmdb database: the pre-state is imported unless its head is already the block's parent. */
  db?: string
  /** The static or sharded scheduler's prediction sources, comma-separated. */
  predict?: string
  /** The sharded scheduler's partitioner. */
  partitioner?: string
  /** A hints file for the static scheduler: as given, or else in the block directory. */
  hintsFile?: string
  /** Take the block's senders and body as given rather than recovering and checking them. */
  trustSenders?: boolean
  /** Time the block: one warm-up, then this many runs, each on a fresh copy of the parent state, the pool started once. */
  repeat?: number
}

/** `pevm run --repeat N`: how long the block took, with the pool's start-up apart. */
export interface RepeatReport {
  /** Timed runs, after one untimed warm-up. */
  runs: number
  /** The block path's time per run (prepare, execute, finalize, commit). */
  executeMs: { median: number; min: number; max: number }
  /** Each stage's median over the timed runs. */
  stageMedians: { prepareMs: number; executeMs: number; finalizeMs: number; commitMs: number }
  /** Starting the worker pool, once, before the warm-up (0 for sequential); in no run's time. */
  poolStartMs: number
  /** Whether every run (the warm-up too) gave the same state root, receipts root, bloom and gas used. */
  identical: boolean
}

/** The report `pevm run --json` prints: computed fields, and whether each matches the header. */
export interface BlockReport {
  block: number
  txCount: number
  scheduler: string
  state: string
  gasUsed: string
  receiptsRoot: Hex
  logsBloom: Hex
  stateRoot: Hex | null
  /** The EIP-7685 requests commitment; null before Prague. */
  requestsHash: Hex | null
  matches: { gasUsed: boolean; receiptsRoot: boolean | null; logsBloom: boolean; requestsHash: boolean | null }
  /** The block path's time: prepare, execute, finalize and commit (with --repeat, the median run's). */
  executeMs: number
  /** With --repeat: every timed run's figures (the other fields, `stats` included, are the last run's). */
  repeat?: RepeatReport
  /** How the scheduler ran it: lanes, executions and re-executions, fallback, threads' time and traffic. */
  stats: SchedulerStats
  /** What execution knowingly left out (e.g. ommer rewards when the snapshot lacks ommer headers). */
  omissions: readonly string[]
  /** The hashing and signature implementations that ran, and whether the senders were recovered and checked. */
  crypto: CryptoStats
  sendersVerified: boolean
  ok: boolean
}

/**
 * Loads a block folder in the mainnet snapshot layout, executes it, and compares with its header;
 * with `repeat`, executes it 1 + `repeat` times on fresh copies of the parent state and reports the
 * timed runs' medians.
 */
export async function runMainnetBlock(blockDir: string, options: RunMainnetBlockOptions): Promise<{ report: BlockReport; result: BlockResult }> {
  const { repeat } = options
  if (repeat !== undefined && (!Number.isSafeInteger(repeat) || repeat < 1)) throw new InvalidOptionError({ option: '--repeat', reason: `${repeat} is not an integer of at least 1` })
  if (repeat !== undefined && options.db !== undefined) {
    throw new InvalidOptionError({ option: '--repeat', reason: 'each run needs a fresh copy of the parent state, and --db keeps the block committed after the first run; drop --db (each run then gets a temporary database)' })
  }
  const fixture = await loadMainnetBlock(blockDir)
  const hints = options.hintsFile === undefined ? undefined : loadHintsFile(options.hintsFile, blockDir)
  const schedulerOptions: SchedulerOptions = {
    workers: options.workers,
    ...(options.predict === undefined ? {} : { predict: options.predict }),
    ...(options.partitioner === undefined ? {} : { partitioner: options.partitioner }),
    ...(hints === undefined ? {} : { hints }),
  }
  // Checks every option and starts nothing; its `workers` is the count it resolved ('auto' included).
  const unstarted = createSchedulerByName(options.scheduler, schedulerOptions)
  // Timed runs share one pool, started before any of them, so no run's time includes it.
  const pool = repeat !== undefined && unstarted.workers !== undefined ? await WorkerPool.create({ size: unstarted.workers }) : undefined
  try {
    const scheduler = pool === undefined ? unstarted : createSchedulerByName(options.scheduler, { ...schedulerOptions, pool })
    try {
      const runOnce = async (): Promise<{ result: BlockResult; kind: string }> => {
        const backend = await openBackendByName(options.state, fixture.preState, { number: fixture.number - 1n, blockHash: parentHashOf(fixture), ...(options.db === undefined ? {} : { db: options.db }) })
        try {
          return { result: await createExecutor({ scheduler, state: backend.state, trustSenders: options.trustSenders ?? false }).executeBlock(fixture.block), kind: backend.state.kind }
        } finally {
          await backend.close()
        }
      }
      const first = await runOnce()
      if (repeat === undefined) return { report: toReport(first.result, first.kind, scheduler.name), result: first.result }
      const timed: BlockResult[] = []
      for (let i = 0; i < repeat; i++) timed.push((await runOnce()).result)
      const last = timed.at(-1)!
      const outline = (result: BlockResult) => [result.stateRoot, result.receiptsRoot, result.logsBloom].map((bytes) => (bytes === undefined ? '-' : bytesToHex(bytes))).join() + result.gasUsed
      const totals = timed.map(blockPathMs)
      const stage = (key: 'prepareMs' | 'executeMs' | 'finalizeMs' | 'commitMs') => round(median(timed.map((result) => result.stats[key])))
      const report = toReport(last, first.kind, scheduler.name)
      const identical = timed.every((result) => outline(result) === outline(first.result))
      report.executeMs = round(median(totals))
      report.repeat = {
        runs: repeat,
        executeMs: { median: report.executeMs, min: round(Math.min(...totals)), max: round(Math.max(...totals)) },
        stageMedians: { prepareMs: stage('prepareMs'), executeMs: stage('executeMs'), finalizeMs: stage('finalizeMs'), commitMs: stage('commitMs') },
        poolStartMs: round(pool?.startMs ?? 0),
        identical,
      }
      report.ok &&= identical
      return { report, result: last }
    } finally {
      await scheduler.close?.()
    }
  } finally {
    await pool?.close()
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const blockPathMs = (result: BlockResult) => result.stats.prepareMs + result.stats.executeMs + result.stats.finalizeMs + result.stats.commitMs

function toReport(result: BlockResult, kind: string, schedulerName: string): BlockReport {
  const { matches } = result
  return {
    block: Number(result.number),
    txCount: result.txCount,
    scheduler: schedulerName,
    state: kind,
    gasUsed: result.gasUsed.toString(),
    receiptsRoot: bytesToHex(result.receiptsRoot) as Hex,
    logsBloom: bytesToHex(result.logsBloom) as Hex,
    stateRoot: result.stateRoot === undefined ? null : (bytesToHex(result.stateRoot) as Hex),
    requestsHash: result.requests === undefined ? null : (bytesToHex(result.requests.requestsHash) as Hex),
    matches: { gasUsed: matches.gasUsed, receiptsRoot: matches.receiptsRoot, logsBloom: matches.logsBloom, requestsHash: matches.requestsHash },
    executeMs: round(blockPathMs(result)),
    stats: schedulerStats(result.stats),
    omissions: result.omissions,
    crypto: result.stats.crypto,
    sendersVerified: result.stats.sendersVerified,
    ok: matches.gasUsed && matches.logsBloom && matches.receiptsRoot !== false && matches.requestsHash !== false,
  }
}

function schedulerStats(stats: BlockResult['stats']): SchedulerStats {
  const { prepareMs: _prepare, executeMs: _execute, finalizeMs: _finalize, commitMs: _commit, crypto: _crypto, sendersVerified: _verified, ...rest } = stats
  for (const key of ['workerMs', 'coordinatorMs'] as const) if (rest[key] !== undefined) rest[key] = round(rest[key])
  return rest
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

/** The snapshot's block is JSON-RPC: its parent hash names the state the pre-state is. */
function parentHashOf(fixture: MainnetBlockFixture): Hex | undefined {
  const { block } = fixture.block
  return block.format === 'rpc' ? (block.json.parentHash as Hex) : undefined
}
