import { parentPort, workerData } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { Common } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { LaneFactory } from './chainContext.js'
import { activateCryptoProvider, activeCryptoProvider, installCrypto, loadCryptoProvider } from './cryptoProvider.js'
import { ParallelEvmError, ReadDependencyError } from './errors.js'
import { executeTransaction } from './executeTransaction.js'
import { createMainnetCommon, defaultKzg } from './mainnetCommon.js'
import { MultiVersionMemory } from './multiVersionMemory.js'
import { prepareLaneBlock } from './laneBlock.js'
import { prepareBlock, recoveredSender } from './prepareBlock.js'
import { EMPTY_STATE, StateOverlay } from './stateOverlay.js'
import { preBlockWrites } from './systemWrites.js'
import { receiveMessage, sendMessage } from './threadMessages.js'
import { UnopenableState } from './unopenableState.js'
import { partitionDigest } from './shardOwnership.js'
import type { CommonDescriptor, LaneWorkerData, SpeculationBlock, TaskResult, VersionUpdate, WorkerRequest, WorkerResponse, WorkerStateReader, WorkerStateSource } from './workerProtocol.js'
import type { PreparedBlock, StateReader } from './types.js'

// A long-lived lane on its own thread: one VM per fork (LaneFactory), the parent state it was
// sent, and the last block it prepared, all reused across tasks.
const port = parentPort!
const common = createMainnetCommon((workerData as LaneWorkerData | undefined)?.chain)
const commons = new Map<string, Common>()
const lanes = new LaneFactory()
let state: { id: number; reader: WorkerStateReader } = { id: -1, reader: EMPTY_STATE }
let cached: { key: string; stateId: number; prepared: PreparedBlock; base: StateReader } | undefined
let speculation: { key: string; stateId: number; prepared: PreparedBlock; memory: MultiVersionMemory } | undefined
let taskStarted = 0

const send = (message: WorkerResponse) => sendMessage(port, message)

// One message at a time, in arrival order: a task must not start while the state it names is
// still being opened, nor before this thread's crypto provider has loaded (WASM compiles async).
let handled: Promise<void> = loadCryptoProvider((workerData as LaneWorkerData | undefined)?.crypto).then(activateCryptoProvider)
port.on('message', (data: Uint8Array) => {
  const request = receiveMessage<WorkerRequest>(data)
  handled = handled
    .then(() => handle(request))
    .catch((error: unknown) => {
      // Nothing should reach here; if something does, the worker dies loudly and the pool replaces it.
      setImmediate(() => {
        throw error
      })
    })
})
void handled.then(() => send({ type: 'ready' }))

async function handle(request: WorkerRequest): Promise<void> {
  taskStarted = performance.now()
  if (request.type === 'state') {
    // The message is this thread's own copy: adopt it rather than copy it again.
    replaceState(request.stateId, new StateOverlay(EMPTY_STATE, request.state))
    return
  }
  if (request.type === 'attach') {
    // The old snapshot goes first: its database may be the one being closed to open the new.
    releaseState()
    try {
      replaceState(request.stateId, await openStateSource(request.source))
    } catch (error) {
      // Tasks on this state then answer with the reason rather than run on a wrong one.
      replaceState(request.stateId, new UnopenableState(`${codeOf(error)}: ${messageOf(error)}`))
    }
    return
  }
  if (request.type === 'release') return releaseState()
  if (request.type === 'fault') {
    if (request.kind === 'exit') process.exit(3)
    for (;;) {
      // Busy forever: the pool's task timeout must notice and replace this worker.
    }
  }
  if (request.type === 'recover') return recover(request)
  if (request.type === 'speculate') return speculate(request)
  if (request.type === 'digest') return digest(request)
  const results: TaskResult[] = []
  if (request.stateId !== state.id) return answer(request.taskId, failAll(request.indices, 'STATE_MISMATCH', `task for state ${request.stateId}, worker holds state ${state.id}`))
  let block: { prepared: PreparedBlock; base: StateReader }
  try {
    block = await blockOnState(request.blockKey, request.stateId, request.block)
  } catch (error) {
    // A block that cannot be prepared is the task's answer, not a reason to crash the worker.
    return answer(request.taskId, failAll(request.indices, codeOf(error), messageOf(error)))
  }
  const { prepared, base } = block
  for (const index of request.indices) {
    try {
      results.push({ index, outcome: await executeTransaction(lanes, prepared, index, base, request.options) })
    } catch (error) {
      results.push({ index, error: { code: codeOf(error), message: messageOf(error) } })
    }
  }
  answer(request.taskId, results)
}

async function speculate(request: Extract<WorkerRequest, { type: 'speculate' }>): Promise<void> {
  if (request.stateId !== state.id) return answer(request.taskId, failAll(request.indices, 'STATE_MISMATCH', `task for state ${request.stateId}, worker holds state ${state.id}`))
  if (request.block !== undefined) {
    try {
      speculation = { key: request.blockKey, stateId: request.stateId, ...speculationOn(request.block) }
    } catch (error) {
      return answer(request.taskId, failAll(request.indices, codeOf(error), messageOf(error)))
    }
  }
  if (speculation === undefined || speculation.key !== request.blockKey || speculation.stateId !== request.stateId) {
    return answer(request.taskId, failAll(request.indices, 'REPLICA_MISSING', `the worker holds no replica of block ${request.blockKey}`))
  }
  const { prepared, memory } = speculation
  applyUpdates(memory, request.updates)
  const results: TaskResult[] = []
  for (const index of request.indices) {
    try {
      const outcome = await executeTransaction(lanes, prepared, index, memory.at(index))
      // The next transaction of this batch sees this one's writes, as the coordinator will.
      memory.record(index, outcome.writeSet)
      results.push({ index, outcome })
    } catch (error) {
      if (error instanceof ReadDependencyError) results.push({ index, blockedOn: error.blockingTx })
      else results.push({ index, error: { code: codeOf(error), message: messageOf(error) } })
    }
  }
  answer(request.taskId, results)
}

/** Agreement on commit: the shard's replica, brought up to date, digests the partition it owns. */
function digest(request: Extract<WorkerRequest, { type: 'digest' }>): void {
  if (request.stateId !== state.id) return answer(request.taskId, failAll([-1], 'STATE_MISMATCH', `task for state ${request.stateId}, worker holds state ${state.id}`))
  // A replacement shard rebuilds its replica from the block and every write it owns.
  if (request.block !== undefined) {
    try {
      speculation = { key: request.blockKey, stateId: request.stateId, ...speculationOn(request.block) }
    } catch (error) {
      return answer(request.taskId, failAll([-1], codeOf(error), messageOf(error)))
    }
  }
  if (speculation === undefined || speculation.key !== request.blockKey || speculation.stateId !== request.stateId) {
    return answer(request.taskId, failAll([-1], 'REPLICA_MISSING', `the worker holds no replica of block ${request.blockKey}`))
  }
  const { memory } = speculation
  applyUpdates(memory, request.updates)
  answer(request.taskId, [{ index: -1, ...partitionDigest(memory, request.ownership, request.shard, request.transactionCount) }])
}

function applyUpdates(memory: MultiVersionMemory, updates: readonly VersionUpdate[]): void {
  for (const update of updates) {
    if ('writes' in update) memory.record(update.index, update.writes)
    else memory.markEstimate(update.index)
  }
}

function replaceState(id: number, reader: WorkerStateReader): void {
  releaseState()
  state = { id, reader }
}

function releaseState(): void {
  state.reader.release?.()
  state = { id: -1, reader: EMPTY_STATE }
  cached = undefined
  speculation = undefined
}

async function openStateSource(source: WorkerStateSource): Promise<WorkerStateReader> {
  const module = (await import(source.module)) as Record<string, unknown>
  const open = module[source.exportName]
  if (typeof open !== 'function') throw new Error(`${source.module} exports no function ${source.exportName}`)
  return (await (open as (options: unknown) => WorkerStateReader | Promise<WorkerStateReader>)(source.options))
}

function speculationOn(block: SpeculationBlock): { prepared: PreparedBlock; memory: MultiVersionMemory } {
  const prepared = prepareLaneBlock(block.rlp, block.senders, block.ancestorHashes, { common: commonFor(block.common) })
  return { prepared, memory: new MultiVersionMemory(new StateOverlay(state.reader, block.preBlock)) }
}

function commonFor(descriptor: CommonDescriptor): Common {
  const key = JSON.stringify(descriptor)
  let found = commons.get(key)
  if (found === undefined) {
    found = new Common({ chain: descriptor.chain, eips: descriptor.eips, customCrypto: { kzg: defaultKzg() } })
    commons.set(key, found)
  }
  return found
}

async function blockOnState(key: string, stateId: number, block: Parameters<typeof prepareBlock>[0]) {
  if (cached !== undefined && cached.key === key && cached.stateId === stateId) return cached
  const prepared = prepareBlock(block, { common, trustSenders: true })
  const lane = await lanes.laneFor(prepared.common, prepared.ancestorHashes)
  const base = new StateOverlay(state.reader)
  base.apply(await preBlockWrites(prepared, lane, state.reader))
  cached = { key, stateId, prepared, base }
  return cached
}

function recover(request: Extract<WorkerRequest, { type: 'recover' }>): void {
  const txCommon = installCrypto(commonFor(request.common).copy(), activeCryptoProvider())
  txCommon.setHardfork(request.hardfork)
  const results = request.indices.map((index, k): TaskResult => {
    try {
      return { index, sender: recoveredSender(createTxFromRLP(request.transactions[k]!, { common: txCommon })) }
    } catch (error) {
      // The coordinator recovers this one itself to raise the typed error that names it.
      return { index, error: { code: 'INVALID_TRANSACTION', message: messageOf(error) } }
    }
  })
  answer(request.taskId, results)
}

function answer(taskId: number, results: TaskResult[]): void {
  send({ type: 'executed', taskId, results, heapUsed: getHeapStatistics().used_heap_size, busyMs: performance.now() - taskStarted })
}

function failAll(indices: readonly number[], code: string, message: string): TaskResult[] {
  return indices.map((index) => ({ index, error: { code, message } }))
}

const codeOf = (error: unknown) => (error instanceof ParallelEvmError ? error.code : 'UNEXPECTED')
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))
