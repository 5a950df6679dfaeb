import type { BlockHeader } from '@ethereumjs/block'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, InvalidOptionError, ParallelEvmError, type BlockResult, type Hex, type StateBackend } from '@parallel-evm/core'
import { DatabaseHeadError, type LmdbState } from '@parallel-evm/state-lmdb'
import { loadChainSource, type ChainBlock, type ChainSource } from '../chainSources.js'
import type { CommonFlags } from '../flags.js'
import { createProgress } from '../progress.js'
import { createSchedulerByName, openBackendByName, openLmdbDatabase, type OpenedBackend } from '../registry.js'

export interface ReplayFlags extends CommonFlags {
  test?: string
}

/** What `pevm replay --json` prints. */
export interface ReplayReport {
  chain: string
  state: string
  scheduler: string
  /** The head the database already had (a resumed replay), or the genesis's block. */
  startedAt: string
  executed: { number: string; stateRoot: Hex | null; txCount: number; ms: number }[]
  /** Blocks the fixture marks invalid that were rejected, with the error code. */
  rejected: { position: number; code: string }[]
  head: { number: string; stateRoot: Hex | null }
  /** Why the replay failed; absent when it succeeded. */
  failure?: string
}

/**
 * `pevm replay <path>`: executes a chain block after block, each committed before the next. On
 * lmdb it resumes from the database's head: blocks at or below it are already there.
 */
export async function runReplayCommand(path: string, flags: ReplayFlags): Promise<number> {
  if (flags.db !== undefined && flags.state !== 'lmdb') throw new InvalidOptionError({ option: '--db', reason: `only the lmdb backend has a database, not ${flags.state}` })
  const chain = await loadChainSource(path, flags.test)
  const scheduler = createSchedulerByName(flags.scheduler, flags)
  let report: ReplayReport
  try {
    const backend = flags.state === 'lmdb' ? await openReplayDatabase(chain, flags.db) : await openBackendByName(flags.state, chain.genesis, chain.head)
    try {
      report = await replay(chain, backend.state, flags.scheduler, createExecutor({ scheduler, state: backend.state, common: chain.common, trustSenders: flags.trustSenders ?? false }))
    } finally {
      await backend.close()
    }
  } finally {
    await scheduler.close?.()
  }
  if (flags.json) console.log(JSON.stringify(report))
  else {
    console.log(`${report.chain}: ${report.executed.length} blocks executed on ${report.state} (${report.scheduler}) from block ${report.startedAt}, ${report.rejected.length} invalid blocks rejected`)
    console.log(`head: block ${report.head.number}, state root ${report.head.stateRoot ?? '- (backend computes no root)'}`)
    if (report.failure !== undefined) console.log(`FAILED: ${report.failure}`)
  }
  return report.failure === undefined ? 0 : 1
}

async function replay(chain: ChainSource, state: StateBackend, schedulerName: string, executor: ReturnType<typeof createExecutor>): Promise<ReplayReport> {
  // A resumed replay starts after the database's head (checked to be on this chain), else at the genesis.
  const start = { number: persistedHead(state) ?? chain.head.number }
  const report: ReplayReport = { chain: chain.name, state: state.kind, scheduler: schedulerName, startedAt: start.number.toString(), executed: [], rejected: [], head: { number: '', stateRoot: null } }
  const ancestorHashes = new Map<bigint, Uint8Array>([[chain.head.number, Buffer.from(chain.head.blockHash.slice(2), 'hex')]])
  let parent: BlockHeader | undefined = chain.genesisHeader
  const progress = createProgress(chain.blocks.length, 'replay')
  try {
    for (const [position, block] of chain.blocks.entries()) {
      if (block.expectInvalid) {
        if (block.number !== -1n && block.number <= start.number) continue
        progress.update(position, `block ${block.number} (expected invalid)`)
        const rejection = await expectRejected(executor, block, ancestorHashes, parent, state)
        if (typeof rejection === 'string') return finish(report, state, `invalid block at position ${position + 1}: ${rejection}`)
        report.rejected.push({ position: position + 1, code: rejection.code })
        continue
      }
      if (block.number <= start.number) {
        // Already committed (a resumed replay): it is a parent and an ancestor all the same.
        ancestorHashes.set(block.number, Buffer.from(block.hash.slice(2), 'hex'))
        parent = block.header
        continue
      }
      // Reported as it starts, for the blocks this run executes (a resumed replay skips the others).
      progress.update(position, `block ${block.number}`)
      const started = performance.now()
      let result: BlockResult
      try {
        result = await executor.executeBlock({ ...block.input, ancestorHashes: new Map(ancestorHashes) }, { verify: chain.verify, ...(parent === undefined || !chain.checkParentHeaders ? {} : { parentHeader: parent }) })
      } catch (error) {
        // A typed failure of a valid block is the replay's answer: reported with the head it left.
        if (!(error instanceof ParallelEvmError)) throw error
        return finish(report, state, `block ${block.number} at position ${position + 1}: [${error.code}] ${error.shortMessage}`)
      }
      report.executed.push({ number: result.number.toString(), stateRoot: rootHex(result.stateRoot), txCount: result.txCount, ms: Math.round(performance.now() - started) })
      ancestorHashes.set(result.number, result.header.hash())
      parent = result.header
    }
    progress.update(chain.blocks.length, 'done')
  } finally {
    progress.finish()
  }
  return finish(report, state, undefined)
}

function finish(report: ReplayReport, state: StateBackend, failure: string | undefined): ReplayReport {
  report.head = { number: (persistedHead(state) ?? BigInt(report.executed.at(-1)?.number ?? report.startedAt)).toString(), stateRoot: rootHex(state.stateRoot()) }
  if (failure !== undefined) report.failure = failure
  return report
}

/** The block a persistent backend (lmdb) has committed up to; undefined for one that keeps no head. */
function persistedHead(state: StateBackend): bigint | undefined {
  return (state as Partial<LmdbState>).head?.()?.number
}

async function expectRejected(executor: ReturnType<typeof createExecutor>, block: ChainBlock, ancestorHashes: Map<bigint, Uint8Array>, parent: BlockHeader | undefined, state: StateBackend): Promise<ParallelEvmError | string> {
  const before = rootHex(state.stateRoot())
  try {
    await executor.executeBlock({ ...block.input, ancestorHashes: new Map(ancestorHashes) }, { verify: 'enforce', ...(parent === undefined ? {} : { parentHeader: parent }) })
    return 'accepted'
  } catch (error) {
    if (!(error instanceof ParallelEvmError)) return `rejected with an untyped error: ${String(error)}`
    if (rootHex(state.stateRoot()) !== before) return 'rejected, but the committed state changed'
    return error
  }
}

/** The database for a replay: imported from the chain's genesis when empty, else checked to be on this chain. */
async function openReplayDatabase(chain: ChainSource, db: string | undefined): Promise<OpenedBackend> {
  return openLmdbDatabase(db, async (state) => {
    const head = state.head()
    if (head === undefined) await state.importState([chain.genesis], chain.head)
    else if (!onChain(chain, head.number, bytesToHex(head.blockHash) as Hex)) {
      throw new DatabaseHeadError({ path: state.path, reason: `its head, block ${head.number} (${bytesToHex(head.blockHash)}), is not on the chain of ${chain.name}` })
    }
  })
}

function onChain(chain: ChainSource, number: bigint, hash: Hex): boolean {
  if (number === chain.head.number) return hash === chain.head.blockHash
  return chain.blocks.some((block) => !block.expectInvalid && block.number === number && block.hash === hash)
}

function rootHex(root: Uint8Array | undefined): Hex | null {
  return root === undefined ? null : (bytesToHex(root) as Hex)
}
