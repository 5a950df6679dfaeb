import { parentPort, workerData } from 'node:worker_threads'
import { getHeapStatistics } from 'node:v8'
import { LaneFactory } from './chainContext.js'
import { ParallelEvmError } from './errors.js'
import { executeTransaction } from './executeTransaction.js'
import { createMainnetCommon } from './mainnetCommon.js'
import { prepareBlock } from './prepareBlock.js'
import { StateOverlay } from './stateOverlay.js'
import { preBlockWrites } from './systemWrites.js'
import type { LaneWorkerData, TaskResult, WorkerRequest, WorkerResponse } from './workerProtocol.js'
import type { PreparedBlock, StateReader } from './types.js'

// A long-lived lane on its own thread: one VM per fork (LaneFactory), the parent state it was
// sent, and the last block it prepared, all reused across tasks.
const port = parentPort!
const common = createMainnetCommon((workerData as LaneWorkerData | undefined)?.chain)
const lanes = new LaneFactory()
const empty: StateReader = { getAccount: () => undefined, getStorage: () => 0n, getCode: () => undefined, hasStorage: () => false }
let state: { id: number; reader: StateReader } = { id: -1, reader: empty }
let cached: { key: string; stateId: number; prepared: PreparedBlock; base: StateReader } | undefined

const send = (message: WorkerResponse) => port.postMessage(message)

port.on('message', (request: WorkerRequest) => {
  void handle(request)
})
send({ type: 'ready' })

async function handle(request: WorkerRequest): Promise<void> {
  if (request.type === 'state') {
    // The message is this thread's own copy: adopt it rather than copy it again.
    state = { id: request.stateId, reader: new StateOverlay(empty, request.state) }
    cached = undefined
    return
  }
  if (request.type === 'fault') {
    if (request.kind === 'exit') process.exit(3)
    for (;;) {
      // Busy forever: the pool's task timeout must notice and replace this worker.
    }
  }
  const { prepared, base } = await blockOnState(request.blockKey, request.stateId, request.block)
  const results: TaskResult[] = []
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
