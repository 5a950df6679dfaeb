import { availableParallelism } from 'node:os'
import { InvalidOptionError } from './errors.js'

/**
 * The most worker threads one pool may start: four per core, at least 8. Past the cores, threads
 * only share them (and each loads its own EVM, tens of MB); a count far past them is a typo, and
 * starting it anyway took a thousand threads and 10 GB here before anything ran.
 */
export function maxWorkerThreads(): number {
  return Math.max(8, 4 * availableParallelism())
}

/** Throws `InvalidOptionError` on `option` unless `count` is a whole number from 1 to `maxWorkerThreads()`. */
export function assertWorkerCount(count: number, option = 'workers'): void {
  if (!Number.isInteger(count) || count < 1) throw new InvalidOptionError({ option, reason: `${count} is not a positive integer` })
  const max = maxWorkerThreads()
  if (count > max) {
    throw new InvalidOptionError({ option, reason: `${count} is more than ${max}, four threads per core on this machine's ${availableParallelism()} cores (at least 8)` })
  }
}

/** How many worker threads a scheduler starts: a count, or `'auto'` for one lane per core. */
export type WorkerCount = number | 'auto'

/**
 * The worker threads for `requested`: `'auto'` (also when not given) gives one lane per core, the
 * calling thread's own lanes (`callingThreadLanes`: 1 where it executes transactions too) counted,
 * so no more threads execute than there are cores; at least one worker. A number is checked by
 * `assertWorkerCount`: more than the cores only when asked for, and never past `maxWorkerThreads()`.
 * Beside a given pool (`poolSize`), the pool's size, and a count that differs from it is refused.
 */
export function resolveWorkerCount(requested: WorkerCount | undefined, callingThreadLanes: number, option = 'workers', poolSize?: number): number {
  if (poolSize !== undefined && typeof requested === 'number' && requested !== poolSize) {
    throw new InvalidOptionError({ option, reason: `${requested} differs from the ${poolSize} workers of the given pool` })
  }
  if (poolSize !== undefined) return poolSize
  if (requested === undefined || requested === 'auto') return Math.max(1, availableParallelism() - callingThreadLanes)
  if (typeof requested !== 'number') throw new InvalidOptionError({ option, reason: `${JSON.stringify(requested)} is neither a positive integer nor 'auto'` })
  assertWorkerCount(requested, option)
  return requested
}
