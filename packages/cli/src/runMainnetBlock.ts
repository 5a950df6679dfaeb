import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, type BlockResult, type CryptoStats, type Hex, type SchedulerStats } from '@parallel-evm/core'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { loadHintsFile } from './hintsFile.js'
import { openBackendByName, createSchedulerByName } from './registry.js'

export interface RunMainnetBlockOptions {
  scheduler: string
  state: string
  workers: number
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
  executeMs: number
  /** How the scheduler ran it: lanes, executions and re-executions, fallback, threads' time and traffic. */
  stats: SchedulerStats
  /** What execution knowingly left out (e.g. ommer rewards when the snapshot lacks ommer headers). */
  omissions: readonly string[]
  /** The hashing and signature implementations that ran, and whether the senders were recovered and checked. */
  crypto: CryptoStats
  sendersVerified: boolean
  ok: boolean
}

/** Loads a block folder in the mainnet snapshot layout, executes it, and compares with its header. */
export async function runMainnetBlock(blockDir: string, options: RunMainnetBlockOptions): Promise<{ report: BlockReport; result: BlockResult }> {
  const fixture = await loadMainnetBlock(blockDir)
  const hints = options.hintsFile === undefined ? undefined : loadHintsFile(options.hintsFile, blockDir)
  const scheduler = createSchedulerByName(options.scheduler, {
    workers: options.workers,
    ...(options.predict === undefined ? {} : { predict: options.predict }),
    ...(options.partitioner === undefined ? {} : { partitioner: options.partitioner }),
    ...(hints === undefined ? {} : { hints }),
  })
  let result: BlockResult
  let kind: string
  try {
    const backend = await openBackendByName(options.state, fixture.preState, { number: fixture.number - 1n, blockHash: parentHashOf(fixture), ...(options.db === undefined ? {} : { db: options.db }) })
    kind = backend.state.kind
    try {
      result = await createExecutor({ scheduler, state: backend.state, trustSenders: options.trustSenders ?? false }).executeBlock(fixture.block)
    } finally {
      await backend.close()
    }
  } finally {
    await scheduler.close?.()
  }
  const { matches } = result
  const report: BlockReport = {
    block: Number(result.number),
    txCount: result.txCount,
    scheduler: scheduler.name,
    state: kind,
    gasUsed: result.gasUsed.toString(),
    receiptsRoot: bytesToHex(result.receiptsRoot) as Hex,
    logsBloom: bytesToHex(result.logsBloom) as Hex,
    stateRoot: result.stateRoot === undefined ? null : (bytesToHex(result.stateRoot) as Hex),
    requestsHash: result.requests === undefined ? null : (bytesToHex(result.requests.requestsHash) as Hex),
    matches: { gasUsed: matches.gasUsed, receiptsRoot: matches.receiptsRoot, logsBloom: matches.logsBloom, requestsHash: matches.requestsHash },
    executeMs: round(result.stats.prepareMs + result.stats.executeMs + result.stats.finalizeMs + result.stats.commitMs),
    stats: schedulerStats(result.stats),
    omissions: result.omissions,
    crypto: result.stats.crypto,
    sendersVerified: result.stats.sendersVerified,
    ok: matches.gasUsed && matches.logsBloom && matches.receiptsRoot !== false && matches.requestsHash !== false,
  }
  return { report, result }
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
