import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { createSequentialScheduler, InvalidOptionError, type Hex, type Scheduler, type StateBackend, type WorkerCount, type WorkerPool, type WriteSet } from '@parallel-evm/core'
import { DatabaseHeadError, openLmdbState, type LmdbState } from '@parallel-evm/state-lmdb'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler, partitionerNames, shardedPredictionSources, type PartitionerName } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler, staticPredictionSources, type BlockHints } from '@parallel-evm/scheduler-static'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { backendNames, schedulerNames, type BackendName, type SchedulerName } from './names.js'

export interface SchedulerOptions {
  workers: WorkerCount
  /** The static or sharded scheduler's prediction sources, comma-separated. */
  predict?: string
  /** Hints for the static scheduler. */
  hints?: BlockHints
  /** The sharded scheduler's partitioner. */
  partitioner?: string
  /** A started pool of `workers` threads to run on (the caller closes it), so repeated runs start it once. */
  pool?: WorkerPool
}

/** A scheduler; the parallel ones say how many worker threads they start. */
export type NamedScheduler = Scheduler & { readonly workers?: number }

const schedulers: Record<SchedulerName, (options: SchedulerOptions) => NamedScheduler> = {
  sequential: () => createSequentialScheduler(),
  optimistic: ({ workers, pool }) => createOptimisticScheduler({ workers, ...(pool === undefined ? {} : { pool }) }),
  static: ({ workers, predict, hints, pool }) => createStaticScheduler({ workers, ...(pool === undefined ? {} : { pool }), ...(predict === undefined ? {} : { predict: parseSources(predict, staticPredictionSources) }), ...(hints === undefined ? {} : { hints }) }),
  sharded: ({ workers, predict, partitioner, pool }) =>
    createShardedScheduler({ workers, ...(pool === undefined ? {} : { pool }), partitioner: parsePartitioner(partitioner ?? 'hash'), ...(predict === undefined ? {} : { predict: parseSources(predict, shardedPredictionSources) }) }),
}

function parseSources<T extends string>(value: string, known: readonly T[]): T[] {
  return value.split(',').map((name) => {
    const source = name.trim() as T
    if (!known.includes(source)) throw new InvalidOptionError({ option: '--predict', reason: `"${name}" is not one of ${known.join(', ')}` })
    return source
  })
}

function parsePartitioner(name: string): PartitionerName {
  if (!(partitionerNames as readonly string[]).includes(name)) throw new InvalidOptionError({ option: '--partitioner', reason: `"${name}" is not one of ${partitionerNames.join(', ')}` })
  return name as PartitionerName
}

/** Where a backend's initial state sits in its chain, and (lmdb) which database holds it. */
export interface BackendPlacement {
  /** The block `genesis` is the state after: a persistent backend records it as its head. */
  number: bigint
  blockHash?: Hex
  /** The lmdb database directory; without it, a temporary one removed on close. */
  db?: string
}

/** A backend with what it holds open: `close` releases a database (and deletes a temporary one). */
export interface OpenedBackend {
  state: StateBackend
  close(): Promise<void>
}

const inMemory = (state: StateBackend): OpenedBackend => ({ state, close: async () => {} })

const backends: Record<BackendName, (genesis: WriteSet, placement: BackendPlacement) => Promise<OpenedBackend>> = {
  memory: async (genesis) => inMemory(await createMemoryState({ genesis })),
  merkle: async (genesis) => inMemory(await createMerkleState({ genesis })),
  lmdb: openLmdbBackend,
}

export { backendNames, schedulerNames }

export function createSchedulerByName(name: string, options: SchedulerOptions): NamedScheduler {
  const factory = (schedulers as Record<string, (options: SchedulerOptions) => NamedScheduler>)[name]
  if (factory === undefined) {
    throw new InvalidOptionError({ option: '--scheduler', reason: `"${name}" is not one of ${schedulerNames.join(', ')}` })
  }
  const appliesTo = { '--predict': ['static', 'sharded'], '--hints': ['static'], '--partitioner': ['sharded'] }
  for (const [option, value] of [['--predict', options.predict], ['--hints', options.hints], ['--partitioner', options.partitioner]] as const) {
    if (value !== undefined && !appliesTo[option].includes(name)) throw new InvalidOptionError({ option, reason: `applies to the ${appliesTo[option].join(' or ')} scheduler, not ${name}` })
  }
  return factory(options)
}

/** Opens backend `name` holding `genesis`; an lmdb database already at `placement` is used as it is. */
export async function openBackendByName(name: string, genesis: WriteSet, placement: BackendPlacement): Promise<OpenedBackend> {
  const factory = (backends as Record<string, (genesis: WriteSet, placement: BackendPlacement) => Promise<OpenedBackend>>)[name]
  if (factory === undefined) {
    throw new InvalidOptionError({ option: '--state', reason: `"${name}" is not one of ${backendNames.join(', ')}` })
  }
  if (placement.db !== undefined && name !== 'lmdb') throw new InvalidOptionError({ option: '--db', reason: `only the lmdb backend has a database, not ${name}` })
  return factory(genesis, placement)
}

async function openLmdbBackend(genesis: WriteSet, placement: BackendPlacement): Promise<OpenedBackend> {
  return openLmdbDatabase(placement.db, (state) => ensureHead(state, [genesis], placement))
}

/**
 * Opens the database at `db` (a temporary one, deleted on close, when undefined) and prepares it
 * with `prepare`; on any failure nothing stays open and no temporary directory is left.
 */
export async function openLmdbDatabase(db: string | undefined, prepare: (state: LmdbState) => Promise<void>): Promise<OpenedBackend & { state: LmdbState }> {
  const temporary = db === undefined ? mkdtempSync(join(tmpdir(), 'pevm-lmdb-')) : undefined
  const removeTemporary = () => temporary !== undefined && rmSync(temporary, { recursive: true, force: true })
  let state: LmdbState
  try {
    state = openLmdbState({ path: db ?? temporary! })
  } catch (error) {
    removeTemporary()
    throw error
  }
  const close = async () => {
    await state.close()
    removeTemporary()
  }
  try {
    await prepare(state)
  } catch (error) {
    await close()
    throw error
  }
  return { state, close }
}

/**
 * Imports `chunks` into an empty database; a database whose head is already `placement` is used
 * as it is, and one elsewhere is refused (its state is not the one asked for).
 */
export async function ensureHead(state: LmdbState, chunks: Iterable<WriteSet> | AsyncIterable<WriteSet>, placement: BackendPlacement): Promise<void> {
  const head = state.head()
  if (head === undefined) {
    await state.importState(chunks, placement)
    return
  }
  const hash = head.blockHash.length === 0 ? undefined : bytesToHex(head.blockHash)
  if (head.number !== placement.number || (placement.blockHash !== undefined && hash !== undefined && hash !== placement.blockHash)) {
    throw new DatabaseHeadError({
      path: state.path,
      reason: `its head is block ${head.number}${hash === undefined ? '' : ` (${hash})`}, this needs the state after block ${placement.number}${placement.blockHash === undefined ? '' : ` (${placement.blockHash})`}: use another --db, or unwind it`,
    })
  }
  // The right block, but is it the state this run was given? (A snapshot's pre-state is partial:
  // the database may hold the previous snapshot's post-state at this very block.)
  for await (const chunk of chunks) {
    const differing = firstDifference(state, chunk)
    if (differing !== undefined) {
      throw new DatabaseHeadError({ path: state.path, reason: `its state at block ${head.number} differs from the one given at ${differing}: use another --db` })
    }
  }
}

/** The first account (or slot) of `writes` the database holds differently. */
function firstDifference(state: LmdbState, writes: WriteSet): string | undefined {
  for (const [address, write] of writes.accounts) {
    const account = state.getAccount(address)
    if (write.lifecycle === 'deleted') {
      if (account !== undefined) return address
      continue
    }
    if (account === undefined || (write.nonce !== undefined && account.nonce !== write.nonce) || (write.balance !== undefined && account.balance !== write.balance) || (write.codeHash !== undefined && account.codeHash !== write.codeHash)) return address
    for (const [slot, value] of write.storage) if (state.getStorage(address, slot) !== value) return `${address} slot ${slot}`
  }
  return undefined
}
