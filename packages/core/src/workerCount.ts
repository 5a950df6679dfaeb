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
