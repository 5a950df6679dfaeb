import { dirname, relative } from 'node:path'
import { runBlockchainTestCase } from '@parallel-evm/cli'
import { ethereumTestsDir, listBlockchainTestFiles, loadBlockchainTestFile } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'

// Every case in the shared subset of ethereum/tests, on both backends: stock @ethereumjs/vm passes
// all 2,229 (shared/fixtures/ethereum-tests/README.md), so every one must pass here too.
const root = ethereumTestsDir()
const files = listBlockchainTestFiles(root)
// One test per folder: ~35 tests per backend rather than 348 keeps the reporter light.
const folders = new Map<string, string[]>()
for (const file of files) {
  const folder = relative(root, dirname(file))
  folders.set(folder, [...(folders.get(folder) ?? []), file])
}

for (const state of ['memory', 'merkle']) {
  describe(`BlockchainTests on state-${state}`, () => {
    it('default: the whole subset is present', () => {
      expect(files.length).toBe(348)
    })
    for (const [folder, folderFiles] of folders) {
      it(`behavior: ${folder}`, async () => {
        const failures: string[] = []
        let cases = 0
        for (const file of folderFiles) {
          for (const testCase of loadBlockchainTestFile(file)) {
            cases++
            // EVM execution is one long microtask chain; yield so the test runner's IPC is served.
            await new Promise((resolve) => setImmediate(resolve))
            const result = await runBlockchainTestCase(testCase, { scheduler: 'sequential', state, workers: 1 })
            if (!result.passed) failures.push(`${relative(root, file)} ${result.name}: ${result.reason}`)
          }
        }
        expect(cases).toBeGreaterThan(0)
        expect(failures).toEqual([])
      })
    }
  })
}
