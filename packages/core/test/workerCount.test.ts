import { availableParallelism } from 'node:os'
import { describe, expect, it } from 'vitest'
import { InvalidOptionError, maxWorkerThreads, WorkerPool } from '../src/index.js'
import { assertWorkerCount, resolveWorkerCount } from '../src/internal.js'

describe('worker counts', () => {
  it("default: 'auto' (or nothing) is one lane per core, the calling thread's lanes counted, and at least one worker", () => {
    const cores = availableParallelism()
    expect(resolveWorkerCount('auto', 0)).toBe(cores)
    expect(resolveWorkerCount(undefined, 0)).toBe(cores)
    expect(resolveWorkerCount('auto', 1)).toBe(Math.max(1, cores - 1))
    expect(resolveWorkerCount('auto', cores + 3)).toBe(1)
  })

  it('behavior: a count is taken as asked, above the cores too, up to the thread limit; anything else is INVALID_OPTION on the option named', () => {
    expect(resolveWorkerCount(3, 1)).toBe(3)
    expect(resolveWorkerCount(maxWorkerThreads(), 0)).toBe(maxWorkerThreads())
    for (const bad of [0, 2.5, maxWorkerThreads() + 1, 'many' as 'auto']) {
      let error: unknown
      try {
        resolveWorkerCount(bad, 0, '--workers')
      } catch (caught) {
        error = caught
      }
      expect(error, String(bad)).toBeInstanceOf(InvalidOptionError)
      expect((error as InvalidOptionError).option).toBe('--workers')
    }
  })

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
