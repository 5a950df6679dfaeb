import { parentPort, workerData } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { LaneFactory } from './chainContext.js'
import { ParallelEvmError } from './errors.js'
import { executeTransaction } from './executeTransaction.js'
import { createMainnetCommon } from './mainnetCommon.js'
import { decodeBlockInput, prepareBlock, recoverSendersOf } from './prepareBlock.js'
import { EMPTY_STATE, StateOverlay } from './stateOverlay.js'
import { preBlockWrites } from './systemWrites.js'
import type { LaneWorkerData, TaskResult, WorkerRequest, WorkerResponse } from './workerProtocol.js'
import type { PreparedBlock, StateReader } from './types.js'

// A long-lived lane on its own thread: one VM per fork (LaneFactory), the parent state it was
// sent, and the last block it prepared, all reused across tasks.
const port = parentPort!
const common = createMainnetCommon((workerData as LaneWorkerData | undefined)?.chain)
const lanes = new LaneFactory()
let state: { id: number; reader: StateReader } = { id: -1, reader: EMPTY_STATE }
let cached: { key: string; stateId: number; prepared: PreparedBlock; base: StateReader } | undefined

const send = (message: WorkerResponse) => port.postMessage(message)

port.on('message', (request: WorkerRequest) => {
  void handle(request)
})
send({ type: 'ready' })

async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'state') {
    // The message is this thread's own copy: adopt it rather than copy it again.
    state = { id: request.stateId, reader: new StateOverlay(EMPTY_STATE, request.state) }
    cached = undefined
    return
  }
  if (request.type === 'fault') {
    if (request.kind === 'exit') process.exit(3)
    for (;;) {
      // Busy forever: the pool's task timeout must notice and replace this worker.
    }
  }
  if (request.type === 'recover') return recover(request)
  const results: TaskResult[] = []
  const failAll = (code: string, message: string) => {
    for (const index of request.indices) results.push({ index, error: { code, message } })
    send({ type: 'executed', taskId: request.taskId, results, heapUsed: getHeapStatistics().used_heap_size })
  }
  if (request.stateId !== state.id) return failAll('STATE_MISMATCH', `task for state ${request.stateId}, worker holds state ${state.id}`)
  let block: { prepared: PreparedBlock; base: StateReader }
  try {
    block = await blockOnState(request.blockKey, request.stateId, request.block)
  } catch (error) {
    // A block that cannot be prepared is the task's answer, not a reason to crash the worker.
    return failAll(error instanceof ParallelEvmError ? error.code : 'UNEXPECTED', error instanceof Error ? error.message : String(error))
  }
  const { prepared, base } = block
  for (const index of request.indices) {
    try {
      results.push({ index, outcome: await executeTransaction(lanes, prepared, index, base, request.options) })
    } catch (error) {
      const code = error instanceof ParallelEvmError ? error.code : 'UNEXPECTED'
      results.push({ index, error: { code, message: error instanceof Error ? error.message : String(error) } })
    }
  }
  send({ type: 'executed', taskId: request.taskId, results, heapUsed: getHeapStatistics().used_heap_size })
}

async function blockOnState(key: string, stateId: number, block: Parameters<typeof prepareBlock>[0]) {
  if (cached !== undefined && cached.key === key && cached.stateId === stateId) return cached
  const prepared = prepareBlock(block, { common })
  const lane = await lanes.laneFor(prepared.common, prepared.ancestorHashes)
  const base = new StateOverlay(state.reader)
  base.apply(await preBlockWrites(prepared, lane, state.reader))
  cached = { key, stateId, prepared, base }
  return cached
}

function recover(request: Extract<WorkerRequest, { type: 'recover' }>): void {
  const results: TaskResult[] = []
  try {
    const block = decodeBlockInput(request.block, { common })
    const senders = recoverSendersOf(block, request.indices)
    request.indices.forEach((index, k) => results.push({ index, sender: senders[k]! }))
  } catch (error) {
    const code = error instanceof ParallelEvmError ? error.code : 'UNEXPECTED'
    for (const index of request.indices) results.push({ index, error: { code, message: error instanceof Error ? error.message : String(error) } })
  }
  send({ type: 'executed', taskId: request.taskId, results, heapUsed: getHeapStatistics().used_heap_size })
}
