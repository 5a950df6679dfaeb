import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { transformSync } from 'esbuild'
import { describe, expect, it } from 'vitest'

const packageDir = join(import.meta.dirname, '..')

/** The README's snippet under "On a dev chain": the one the consumer test cannot run, since it needs Hardhat. */
function devChainSnippet(): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### On a dev chain'))
  return /```ts\n([\s\S]*?)```/.exec(section)![1]!
}

describe('the README on a dev chain', () => {
  it('behavior: the snippet deploys the registry and vault on Hardhat, wires a reporter, signs a user up with an attestation, records an action and claims', async () => {
    // Inside the package, so the snippet resolves hardhat, viem and the kit's built entry as an app does.
    const dir = mkdtempSync(join(packageDir, '.snippet-'))
    try {
      writeFileSync(join(dir, 'hardhat.config.cjs'), 'module.exports = {}\n')
      writeFileSync(join(dir, 'snippet.mjs'), transformSync(devChainSnippet(), { loader: 'ts', format: 'esm' }).code)
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'snippet.mjs')], {
        cwd: dir,
        env: { ...process.env, HARDHAT_CONFIG: join(dir, 'hardhat.config.cjs'), HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
        timeout: 120_000,
      })
      expect(stdout.trim()).toBe('1 50000000000000000n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 150_000)
})
