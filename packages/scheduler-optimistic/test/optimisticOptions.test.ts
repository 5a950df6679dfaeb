import { InvalidOptionError } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { createOptimisticScheduler } from '../src/index.js'

describe('createOptimisticScheduler options', () => {
  it('error: workers 0, fractional or past the thread limit (1000) is INVALID_OPTION on workers, before any thread starts', () => {
    for (const workers of [0, 1.5, 1000]) {
      let error: unknown
      try {
        createOptimisticScheduler({ workers })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(InvalidOptionError)
      expect((error as InvalidOptionError).option).toBe('workers')
    }
  })
})
