import { relative } from 'node:path'
import { runBlockchainTestCase } from '@parallel-evm/cli'
import { ethereumTestsDir, listBlockchainTestFiles, loadBlockchainTestFile } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'

// Every case in the shared subset of ethereum/tests, on both backends: stock @ethereumjs/vm passes
// all 2,229 (shared/fixtures/ethereum-tests/README.md), so every one must pass here too.
const root = ethereumTestsDir()
const files = listBlockchainTestFiles(root)

for (const state of ['memory', 'merkle']) {
  describe(`BlockchainTests on state-${state}`, () => {
    it('default: the whole subset is present', () => {
      expect(files.length).toBe(348)
    })
    for (const file of files) {
      it(`behavior: ${relative(root, file)}`, async () => {
        const failures: string[] = []
        for (const testCase of loadBlockchainTestFile(file)) {
          const result = await runBlockchainTestCase(testCase, { scheduler: 'sequential', state, workers: 1 })
          if (!result.passed) failures.push(`${result.name}: ${result.reason}`)
        }
        expect(failures).toEqual([])
      })
    }
  })
}
