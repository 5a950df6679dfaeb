import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Block } from '@ethereumjs/block'
import type { ChainConfig } from '@ethereumjs/common'
import { describeCommon } from './commonDescriptor.js'
import { assertWorkerCount } from './workerCount.js'
import { InvalidOptionError, WorkerCrashedError } from './errors.js'
import type { ExecuteTransactionOptions } from './executeTransaction.js'
import type { BlockInput, WriteSet } from './types.js'
import { receiveMessage, sendMessage } from './threadMessages.js'
import type { CryptoPreference } from './cryptoProvider.js'
import type { LaneWorkerData, TaskResult, WorkerRequest, WorkerResponse, WorkerStateSource } from './workerProtocol.js'
import type { StateBackend } from './stateBackend.js'

export interface WorkerPoolOptions {
  /** Number of worker threads. */
  size: number
  /** The chain's configuration (mainnet when absent); each worker builds its own Common from it. */
  chain?: ChainConfig
  /** Each worker's crypto provider (`'fast'` by default, with its pure-JS fallback). */
  crypto?: CryptoPreference
  /** A task that takes longer is treated as a hung worker: terminated, replaced, retried once. */
  taskTimeoutMs?: number
  /**
   * How many workers may be replaced after a crash or a hang: per block (counted from each new
   * parent state, default twice the pool's size) and over the pool's life (default 50 per worker).
   * Past either, the tasks fail with `WorkerCrashedError` instead of restarting again (and past the
   * pool's, so does every later task): a worker that dies on every task would otherwise restart
   * once per task, hundreds of times a block.
   */
  restartBudget?: { perBlock?: number; perPool?: number }
  /**
   * The lane worker's file, for an app that bundles this package: the bundle has no
   * `laneWorker.js` beside it. Point at the installed one,
   * `new URL(import.meta.resolve('@parallel-evm/core/lane-worker'))`, or at a copy the app ships
   * where it can still import its dependencies. A URL or a path.
   */
  laneWorker?: URL | string
  /** Test hook: a fault for the worker to suffer just before it receives a task attempt. */
  faults?: (attempt: { worker: number; taskId: number; attempt: number }) => 'exit' | 'hang' | undefined
}

export interface WorkerStats {
  messagesSent: number
  messagesReceived: number
  bytesSent: number
  bytesReceived: number
  tasks: number
  /** Time the worker reported spending on its tasks, in ms. */
  busyMs: number
  /** The worker's V8 heap after its last task, in bytes. */
  heapUsed: number
  restarts: number
}

/** What the workers did between two `stats()` readings: busy time, messages and bytes both ways. */
export function poolActivity(before: readonly WorkerStats[], after: readonly WorkerStats[]): { workerMs: number; messages: number; bytes: number } {
  const sum = (pick: (stats: WorkerStats) => number) => after.reduce((total, stats, k) => total + pick(stats) - (before[k] === undefined ? 0 : pick(before[k]!)), 0)
  return { workerMs: sum((s) => s.busyMs), messages: sum((s) => s.messagesSent + s.messagesReceived), bytes: sum((s) => s.bytesSent + s.bytesReceived) }
}

/** The worker a task is about to be sent to; `generation` changes when a worker is replaced. */
export interface WorkerIdentity {
  index: number
  generation: number
}

/** Builds a task's request for the worker it is dispatched to (again on a retry); undefined: nothing to do after all. */
export type TaskBuilder = (taskId: number, worker: WorkerIdentity) => TaskRequest | undefined

type TaskRequest = Extract<WorkerRequest, { type: 'execute' | 'recover' | 'speculate' | 'digest' }>
type StateRequest = Extract<WorkerRequest, { type: 'state' | 'attach' }>

interface Task {
  id: number
  build: TaskBuilder
  /** May wait in a busy worker's own queue, behind the task it runs (built then, not when it starts). */
  queueable: boolean
  /** The only worker slot that may run it (a shard's partition lives there), or any. */
  worker: number | undefined
  attempts: number
  resolve: (results: TaskResult[]) => void
  reject: (error: unknown) => void
}

interface Slot {
  index: number
  generation: number
  worker: Worker
  ready: Promise<void>
  isReady: boolean
  /** Rejects `ready`: the worker died before it could take any work. */
  startFailed?: (error: Error) => void
  /** Tasks sent to the worker, in order: the first runs, a second (queueable) waits behind it. */
  tasks: Task[]
  timer: NodeJS.Timeout | undefined
  stats: WorkerStats
}

/**
 * Long-lived lane workers (`node:worker_threads`), each with its own VMs and a copy of the parent
 * state, reused across blocks. Tasks are batches of transaction indices; a worker that exits,
 * throws or exceeds the task timeout is replaced, sent the current state again, and its task runs
 * once more; a second failure rejects with `WorkerCrashedError`. Results never depend on which
 * worker ran what.
 */
export class WorkerPool {
  private readonly slots: Slot[] = []
  private readonly queue: Task[] = []
  private state: { id: number; request: StateRequest } | undefined
  private lastStateId = 0
  private nextTaskId = 0
  private closed = false
  /** Set when a worker could not even start: every later task would meet the same fate. */
  private broken: WorkerCrashedError | undefined
  /** Wall-clock ms the workers took to start (loading ethereumjs), reported apart from execution. */
  startMs = 0
  private restarts = { block: 0, pool: 0 }
  private readonly budget: { perBlock: number; perPool: number }

  private constructor(private readonly options: WorkerPoolOptions & { taskTimeoutMs: number }) {
    this.budget = { perBlock: options.restartBudget?.perBlock ?? 2 * options.size, perPool: options.restartBudget?.perPool ?? 50 * options.size }
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    assertWorkerCount(options.size, 'size')
    for (const [name, value] of Object.entries(options.restartBudget ?? {})) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new InvalidOptionError({ option: `restartBudget.${name}`, reason: `${value} is not a whole number` })
    }
    const pool = new WorkerPool({ ...options, taskTimeoutMs: options.taskTimeoutMs ?? 120_000 })
    const started = performance.now()
    for (let index = 0; index < options.size; index++) pool.slots.push(pool.spawn(index, undefined))
    try {
      await Promise.all(pool.slots.map((slot) => slot.ready))
    } catch (error) {
      await pool.close()
      throw error
    }
    pool.startMs = performance.now() - started
    return pool
  }

  get size(): number {
    return this.slots.length
  }

  /** Ships a parent state to every worker; later tasks run on it. Only between batches. */
  setState(writes: WriteSet): void {
    this.replaceState((stateId) => ({ type: 'state', stateId, state: writes }))
  }

  /** Has every worker open the parent state itself (a database snapshot): nothing is copied. */
  attachState(source: WorkerStateSource): void {
    this.replaceState((stateId) => ({ type: 'attach', stateId, source }))
  }

  /** Gives the workers `backend`'s committed state the cheapest way it offers; false when it offers none. */
  useStateOf(backend: StateBackend): boolean {
    const source = backend.workerSource?.()
    if (source !== undefined) this.attachState(source)
    else {
      const writes = backend.exportState?.()
      if (writes === undefined) return false
      this.setState(writes)
    }
    return true
  }

  /**
   * Has every worker drop its parent state, so that a database snapshot is not held open (and its
   * pages kept from reuse) between blocks. The next task needs a new state.
   */
  releaseState(): void {
    this.assertIdle()
    this.state = undefined
    for (const slot of this.slots) this.post(slot, { type: 'release' })
  }

  private assertIdle(): void {
    if (this.queue.length > 0 || this.slots.some((slot) => slot.tasks.length > 0)) {
      throw new InvalidOptionError({ option: 'state', reason: 'a state change while tasks are running would change their state under them' })
    }
  }

  private replaceState(request: (stateId: number) => StateRequest): void {
    this.assertIdle()
    const id = ++this.lastStateId
    this.state = { id, request: request(id) }
    this.restarts.block = 0
    for (const slot of this.slots) this.post(slot, this.state.request)
  }

  /**
   * Runs each list of transaction indices as one task on the current state; resolves with every
   * transaction's result, in the order of `batches` flattened.
   */
  async execute(blockKey: string, block: BlockInput, batches: readonly number[][], options: ExecuteTransactionOptions = {}): Promise<TaskResult[]> {
    if (this.closed) throw new InvalidOptionError({ option: 'pool', reason: 'the pool is closed' })
    if (this.broken !== undefined) throw this.broken
    if (this.state === undefined) throw new InvalidOptionError({ option: 'state', reason: 'setState() must be called before execute()' })
    const stateId = this.state.id
    const results = await Promise.all(batches.map((indices) => this.submit((taskId) => ({ type: 'execute', taskId, stateId, blockKey, block, indices, options }))))
    return results.flat()
  }

  /**
   * Recovers the senders of a decoded block's transactions `indices` by ECDSA on the workers, one
   * batch each; a worker decodes only the transactions it is sent. A transaction whose signature
   * does not recover answers with an error in its result.
   */
  recoverSenders(block: Block, indices: readonly number[]): Promise<TaskResult[]> {
    if (this.closed) return Promise.reject(new InvalidOptionError({ option: 'pool', reason: 'the pool is closed' }))
    if (this.broken !== undefined) return Promise.reject(this.broken)
    const common = describeCommon(block.common)
    const hardfork = block.common.hardfork()
    const batchSize = Math.max(1, Math.ceil(indices.length / this.slots.length))
    const batches: Promise<TaskResult[]>[] = []
    for (let start = 0; start < indices.length; start += batchSize) {
      const batch = indices.slice(start, start + batchSize)
      const transactions = batch.map((index) => block.transactions[index]!.serialize())
      batches.push(this.submit((taskId) => ({ type: 'recover', taskId, common, hardfork, indices: batch, transactions })))
    }
    return Promise.all(batches).then((results) => results.flat())
  }

  /**
   * Queues a task whose request is built only when a worker is free to take it, for that worker:
   * a scheduler picks the work and the state updates that worker lacks at the last moment. A
   * retry after a crash builds again, for the replacement. A task for `worker` runs only on that
   * slot (on its replacement after a crash), in the order such tasks were submitted.
   */
  submit(build: TaskBuilder, options: { queueBehind?: boolean; worker?: number } = {}): Promise<TaskResult[]> {
    if (this.closed) return Promise.reject(new InvalidOptionError({ option: 'pool', reason: 'the pool is closed' }))
    if (this.broken !== undefined) return Promise.reject(this.broken)
    const { worker } = options
    if (worker !== undefined && (!Number.isInteger(worker) || worker < 0 || worker >= this.slots.length)) {
      return Promise.reject(new InvalidOptionError({ option: 'worker', reason: `${worker} is not a worker of a pool of ${this.slots.length}` }))
    }
    return new Promise<TaskResult[]>((resolve, reject) => {
      this.queue.push({ id: this.nextTaskId++, attempts: 0, queueable: options.queueBehind === true, worker, resolve, reject, build })
      this.dispatch()
    })
  }

  /** The current state's id, which task requests must carry. */
  get stateId(): number {
    if (this.state === undefined) throw new InvalidOptionError({ option: 'state', reason: 'setState() must be called first' })
    return this.state.id
  }

  stats(): WorkerStats[] {
    return this.slots.map((slot) => ({ ...slot.stats }))
  }

  /** Stops every worker; tasks still queued or running reject with `WorkerCrashedError`. */
  async close(): Promise<void> {
    this.closed = true
    for (const slot of this.slots) {
      clearTimeout(slot.timer)
      for (const task of slot.tasks.splice(0)) task.reject(new WorkerCrashedError({ worker: slot.index, taskId: task.id, reason: 'the pool was closed' }))
    }
    for (const task of this.queue.splice(0)) task.reject(new WorkerCrashedError({ worker: -1, taskId: task.id, reason: 'the pool was closed' }))
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()))
  }

  private spawn(index: number, previous: WorkerStats | undefined): Slot {
    const workerData: LaneWorkerData = {
      ...(this.options.chain === undefined ? {} : { chain: this.options.chain }),
      ...(this.options.crypto === undefined ? {} : { crypto: this.options.crypto }),
    }
    const worker = startWorker(laneWorkerFile(this.options.laneWorker), workerData)
    const stats = previous === undefined ? { messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, tasks: 0, busyMs: 0, heapUsed: 0, restarts: 0 } : { ...previous, restarts: previous.restarts + 1 }
    let markReady: () => void = () => {}
    let failStart: (error: Error) => void = () => {}
    const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failStart = reject)))
    ready.catch(() => {}) // observed by create() or by a task's dispatch
    const slot: Slot = { index, generation: stats.restarts, worker, ready, isReady: false, tasks: [], timer: undefined, stats }
    slot.startFailed = failStart
    worker.on('message', (data: Uint8Array) => {
      const message = receiveMessage<WorkerResponse>(data)
      slot.stats.messagesReceived++
      slot.stats.bytesReceived += data.byteLength
      if (message.type === 'ready') {
        slot.isReady = true
        this.holdProcessWhileBusy(slot)
        return markReady()
      }
      this.finish(slot, message)
    })
    worker.on('error', (error) => this.fail(slot, error.message))
    worker.on('exit', (code) => this.fail(slot, `exited with code ${code}`))
    if (this.state !== undefined) this.post(slot, this.state.request)
    return slot
  }

  private post(slot: Slot, message: WorkerRequest): void {
    slot.stats.messagesSent++
    slot.stats.bytesSent += sendMessage(slot.worker, message)
  }

  private dispatch(): void {
    if (this.broken !== undefined) return
    for (const slot of this.slots) {
      // A free worker takes the next task it may run; a busy one also takes it into its own queue when the task allows.
      for (;;) {
        const position = this.queue.findIndex((queued) => queued.worker === undefined || queued.worker === slot.index)
        if (position < 0) break
        const next = this.queue[position]!
        if (!(slot.tasks.length === 0 || (slot.tasks.length === 1 && next.queueable))) break
        const task = this.queue.splice(position, 1)[0]!
        const request = task.build(task.id, { index: slot.index, generation: slot.generation })
        if (request === undefined) {
          task.resolve([])
          continue
        }
        slot.tasks.push(task)
        this.holdProcessWhileBusy(slot)
        task.attempts++
        const fault = this.options.faults?.({ worker: slot.index, taskId: task.id, attempt: task.attempts })
        slot.ready.then(
          () => {
            if (!slot.tasks.includes(task)) return
            if (slot.tasks[0] === task) this.startTimer(slot)
            if (fault !== undefined) this.post(slot, { type: 'fault', kind: fault })
            this.post(slot, request)
          },
          () => {}, // a worker that dies starting goes through fail(), which re-queues the task
        )
      }
    }
  }

  /** Times the worker's running task, from when the worker can start on it (not from a replacement's start-up). */
  private startTimer(slot: Slot): void {
    clearTimeout(slot.timer)
    slot.timer = setTimeout(() => {
      void slot.worker.terminate()
      this.fail(slot, `no answer within ${this.options.taskTimeoutMs} ms`)
    }, this.options.taskTimeoutMs)
  }

  private finish(slot: Slot, message: Extract<WorkerResponse, { type: 'executed' }>): void {
    const task = slot.tasks[0]
    if (task === undefined || task.id !== message.taskId) return
    clearTimeout(slot.timer)
    slot.tasks.shift()
    // The task queued behind it starts now.
    if (slot.tasks.length > 0) this.startTimer(slot)
    slot.stats.tasks++
    slot.stats.busyMs += message.busyMs
    slot.stats.heapUsed = message.heapUsed
    task.resolve(message.results)
    this.dispatch()
    this.holdProcessWhileBusy(slot)
  }

  /**
   * A worker keeps the process alive only while it starts or has work: an idle pool a caller never
   * closed must not stop the process from exiting (the event loop has nothing else to wait for).
   */
  private holdProcessWhileBusy(slot: Slot): void {
    if (this.slots[slot.index] !== slot) return
    if (slot.isReady && slot.tasks.length === 0) slot.worker.unref()
    else slot.worker.ref()
  }

  /** A worker died or hung: replace it, and retry its task once. */
  private fail(slot: Slot, reason: string): void {
    if (this.closed || this.slots[slot.index] !== slot) return
    clearTimeout(slot.timer)
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    const tasks = slot.tasks.splice(0)
    if (!slot.isReady) {
      // It died before it could work: a replacement would too (a missing build, a bad chain).
      const error = new WorkerCrashedError({ worker: slot.index, taskId: tasks[0]?.id ?? -1, reason: `failed to start: ${reason}` })
      this.broken = error
      slot.startFailed?.(error)
      for (const task of tasks) task.reject(error)
      for (const queued of this.queue.splice(0)) queued.reject(error)
      return
    }
    const exhausted = this.restarts.pool >= this.budget.perPool ? 'pool' : this.restarts.block >= this.budget.perBlock ? 'block' : undefined
    if (exhausted !== undefined) {
      const limit = exhausted === 'pool' ? `${this.budget.perPool} over the pool's life` : `${this.budget.perBlock} per block`
      const error = new WorkerCrashedError({ worker: slot.index, taskId: tasks[0]?.id ?? -1, reason: `${reason}, and no restart is left (the budget is ${limit})` })
      // The block's remaining work fails with it. Past the pool's budget every later task does too;
      // past the block's, a fresh worker waits for the next block.
      for (const task of [...tasks, ...this.queue.splice(0)]) task.reject(error)
      if (exhausted === 'pool') {
        this.broken = error
        return
      }
    }
    this.restarts.block++
    this.restarts.pool++
    const replacement = this.spawn(slot.index, slot.stats)
    this.slots[slot.index] = replacement
    if (exhausted !== undefined) return
    // A task that only waited behind the failed one was not at fault: its attempt does not count.
    for (const waiting of tasks.slice(1)) waiting.attempts--
    for (const task of tasks.reverse()) {
      if (task.attempts >= 2) task.reject(new WorkerCrashedError({ worker: slot.index, taskId: task.id, reason: `${reason}, and again after a restart` }))
      else this.queue.unshift(task)
    }
    this.dispatch()
  }
}

/** The flags a lane worker starts with: the parent's (see `parentExecArgv`) less those a worker refused. */
function workerExecArgv(): string[] {
  return parentExecArgv().filter((arg) => !refusedFlags.has(arg))
}

// Flags of the parent a worker refused (Node checks them only when a worker starts): the heap
// sizes (`--max-semi-space-size`, `--max-old-space-size`) among them. V8's flags are process-wide,
// so dropping them from a worker's execArgv changes nothing the worker runs with.
const refusedFlags = new Set<string>()

function startWorker(file: URL, workerData: LaneWorkerData): Worker {
  try {
    return new Worker(file, { workerData, execArgv: workerExecArgv() })
  } catch (error) {
    const refused = refusedExecArgv(error)
    if (refused.length === 0) throw error
    for (const flag of refused) refusedFlags.add(flag)
    return new Worker(file, { workerData, execArgv: workerExecArgv() })
  }
}

/** The flags an `ERR_WORKER_INVALID_EXEC_ARGV` names ("...flags: --a=1, --b"); none for any other error. */
function refusedExecArgv(error: unknown): string[] {
  if ((error as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !(error instanceof Error)) return []
  const listed = error.message.slice(error.message.lastIndexOf(': ') + 2)
  return listed.split(', ').filter((flag) => process.execArgv.includes(flag))
}

/**
 * The parent's flags minus custom export conditions and the flags about the main script's own
 * source: a test runner resolving workspace packages to their TypeScript sources (`--conditions
 * typescript`) must not make the plain-JS worker load `.ts` files from dependencies that ship that
 * condition too, and a parent run as `node --input-type=module -e ...` must not pass those to a
 * worker that runs a file (Node refuses to start it).
 */
function parentExecArgv(): string[] {
  const argv: string[] = []
  const withValue = new Set(['--conditions', '-C', '--input-type', '--eval', '-e', '--print', '-p'])
  const prefixed = ['--conditions=', '-C=', '--input-type=', '--eval=', '--print=']
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!
    if (withValue.has(arg)) i++
    else if (!prefixed.some((prefix) => arg.startsWith(prefix))) argv.push(arg)
  }
  return argv
}

/**
 * The lane worker's file: the one given, else the one tsup built beside this module (even when
 * this module runs from sources, as in tests: workers need plain JavaScript), else, in an app that
 * bundled this module, the installed package's `@parallel-evm/core/lane-worker`.
 */
function laneWorkerFile(given: URL | string | undefined): URL {
  if (given !== undefined) {
    const url = given instanceof URL ? given : given.startsWith('file:') ? new URL(given) : pathToFileURL(given)
    if (!existsSync(fileURLToPath(url))) throw new InvalidOptionError({ option: 'laneWorker', reason: `${fileURLToPath(url)} does not exist` })
    return url
  }
  // `new URL('./file', import.meta.url)` as written: the form bundlers recognise as a file to ship.
  const built = import.meta.url.endsWith('.ts') ? new URL('../dist/laneWorker.js', import.meta.url) : new URL('./laneWorker.js', import.meta.url)
  if (existsSync(fileURLToPath(built))) return built
  const installed = installedFile('@parallel-evm/core/lane-worker')
  if (installed !== undefined) return installed
  throw new InvalidOptionError({
    option: 'laneWorker',
    reason:
      `the lane worker ${fileURLToPath(built)} is missing, and no installed @parallel-evm/core was found from there, as when the package is bundled into an app shipped without node_modules. ` +
      'Install @parallel-evm/core beside the app, keep @parallel-evm/* external to the bundle, or pass laneWorker (a URL or path of dist/laneWorker.js) ' +
      'to WorkerPool.create or the scheduler. (In the parallel-evm repository itself: npm run build.)',
  })
}

/** The file a package export resolves to from this module's location, if it resolves. */
function installedFile(specifier: string): URL | undefined {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(specifier))
  } catch {
    return undefined
  }
}
