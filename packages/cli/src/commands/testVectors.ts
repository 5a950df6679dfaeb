import { relative } from 'node:path'
import { listBlockchainTestFiles, loadBlockchainTestFile } from '@parallel-evm/fixtures'
import { runBlockchainTestCase, type BlockchainTestResult } from '../blockchainTests.js'
import type { CommonFlags } from '../flags.js'
import { createProgress } from '../progress.js'
import { createSchedulerByName } from '../registry.js'

export async function runTestVectorsCommand(target: string, flags: CommonFlags): Promise<number> {
  const files = listBlockchainTestFiles(target)
  const results: BlockchainTestResult[] = []
  const scheduler = createSchedulerByName(flags.scheduler, flags)
  const progress = createProgress(files.length, 'test-vectors')
  try {
    for (const [done, file] of files.entries()) {
      progress.update(done, relative(target, file) || file)
      for (const testCase of loadBlockchainTestFile(file)) {
        const result = await runBlockchainTestCase(testCase, { scheduler, state: flags.state, trustSenders: flags.trustSenders ?? false })
        results.push(result)
        if (!result.passed && !flags.json) progress.print(`FAIL ${relative(target, file) || file} ${result.name}: ${result.reason}`)
      }
    }
    progress.update(files.length, 'done')
  } finally {
    progress.finish()
    await scheduler.close?.()
  }
  const passed = results.filter((result) => result.passed).length
  const failed = results.length - passed
  if (flags.json) {
    console.log(JSON.stringify({ passed, failed, byFolder: byFolder(target, results), failures: results.filter((r) => !r.passed) }))
  } else {
    for (const [folder, counts] of Object.entries(byFolder(target, results))) {
      console.log(`${folder.padEnd(60)} ${counts.passed} passed, ${counts.failed} failed`)
    }
    console.log(`${passed} passed, ${failed} failed`)
  }
  return failed === 0 ? 0 : 1
}

function byFolder(root: string, results: BlockchainTestResult[]): Record<string, { passed: number; failed: number }> {
  const folders: Record<string, { passed: number; failed: number }> = {}
  for (const result of results) {
    const folder = relative(root, result.file).split('/').slice(0, -1).join('/') || '.'
    const counts = (folders[folder] ??= { passed: 0, failed: 0 })
    if (result.passed) counts.passed++
    else counts.failed++
  }
  return folders
}
