import type { StateBackend } from './stateBackend.js'
import type { WorkerPool } from './workerPool.js'

/**
 * Gives the pool's workers `backend`'s state for the length of `run`, and says how many bytes that
 * took (`SchedulerStats.stateBytes`). A database snapshot is released when `run` ends: pinned past
 * its block, it would keep the pages later commits free.
 */
export async function withWorkerState<T>(pool: WorkerPool, backend: StateBackend, run: () => Promise<T>): Promise<{ value: T; stateBytes: number }> {
  const sentBefore = bytesSent(pool)
  pool.useStateOf(backend)
  const stateBytes = bytesSent(pool) - sentBefore
  try {
    return { value: await run(), stateBytes }
  } finally {
    if (backend.workerSource !== undefined) releaseQuietly(pool)
  }
}

/** After a failed block the pool may still be winding down: the next block replaces the state anyway. */
function releaseQuietly(pool: WorkerPool): void {
  try {
    pool.releaseState()
  } catch {
    // Tasks still queued: their state goes with the next setState or attach.
  }
}

function bytesSent(pool: WorkerPool): number {
  return pool.stats().reduce((total, worker) => total + worker.bytesSent, 0)
}
