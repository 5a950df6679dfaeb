import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError, maxWorkerThreads, WorkerPool } from '../src/index.js'
import { assertWorkerCount } from '../src/internal.js'

describe('worker counts', () => {
  it('default: four threads per core, at least 8', () => {
    expect(maxWorkerThreads()).toBe(Math.max(8, 4 * availableParallelism()))
    expect(() => assertWorkerCount(1)).not.toThrow()
    expect(() => assertWorkerCount(maxWorkerThreads())).not.toThrow()
  })

  it('error: zero, fractions and counts past the limit are InvalidOptionError naming the option and the limit', () => {
    for (const count of [0, -1, 1.5, Number.NaN]) expect(() => assertWorkerCount(count)).toThrow(InvalidOptionError)
    const error = (() => {
      try {
        assertWorkerCount(1000, '--workers')
      } catch (caught) {
        return caught as InvalidOptionError
      }
    })()
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error!.message).toContain('--workers')
    expect(error!.message).toContain(`more than ${maxWorkerThreads()}`)
  })

  it('error: a pool of 1000 workers is refused before any thread starts', async () => {
    await expect(WorkerPool.create({ size: 1000 })).rejects.toBeInstanceOf(InvalidOptionError)
  })
})
