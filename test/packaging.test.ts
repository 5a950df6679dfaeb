import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// What npm would publish: every public package carries its build, README, LICENSE and CHANGELOG, says which
// Node it needs, publishes with public access and builds itself when packed from a clean clone.
const root = resolve(__dirname, '..')
const license = readFileSync(join(root, 'LICENSE'), 'utf8')
const publicPackages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true)

// Asynchronous: a test file that blocks on children for long stops answering vitest's own calls.
const run = promisify(execFile)

async function npm(cwd: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  // A placeholder token: a dry run then says nothing about logging in, and nothing reaches a registry.
  const env = { ...process.env, 'npm_config_//registry.npmjs.org/:_authToken': 'dry-run-placeholder' }
  return run('npm', args, { cwd, encoding: 'utf8', env, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
    (failed: { code?: number; stdout?: string; stderr?: string }) => ({ status: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }),
  )
}

describe('packages as npm publishes them', () => {
  it('behavior: there are public packages to check, the CLI among them', () => {
    expect(publicPackages.map(({ manifest }) => manifest.name)).toContain('@parallel-evm/cli')
    expect(publicPackages.length).toBeGreaterThanOrEqual(11)
  })

  for (const { dir, manifest } of publicPackages) {
    describe(manifest.name, () => {
      it('behavior: the manifest declares the license, Node 20.19+ (CommonJS loads ESM-only dependencies), public access and a build on pack', () => {
        expect(manifest.license).toBe('MIT')
        expect(manifest.engines).toEqual({ node: '>=20.19' })
        expect(manifest.publishConfig).toEqual({ access: 'public' })
        expect(manifest.keywords.length).toBeGreaterThan(0)
        expect(manifest.scripts.prepack).toContain('turbo run build')
        expect(manifest.scripts.prepack).toContain('--filter=${npm_package_name}...')
        expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license)
      })

      it('behavior: the CHANGELOG has one entry per version, the newest being the version in the manifest', () => {
        const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')
        expect(changelog.startsWith(`# ${manifest.name}\n`)).toBe(true)
        const versions = [...changelog.matchAll(/^## (\S+)$/gm)].map((match) => match[1])
        expect(versions[0]).toBe(manifest.version)
        expect(new Set(versions).size).toBe(versions.length)
      })

      it('behavior: npm publish --dry-run lists the build, README and LICENSE, no tests, and warns of nothing', async () => {
        // Scripts skipped: npm test has built every package already, and a prepack per package would rebuild.
        const published = await npm(dir, 'publish', '--dry-run', '--json', '--ignore-scripts')
        expect(published.status, published.stderr).toBe(0)
        expect(published.stderr).not.toMatch(/npm warn/i)
        expect(published.stderr).toContain('with tag latest and public access (dry-run)')
        const files = (JSON.parse(published.stdout) as Record<string, { files: { path: string }[] }>)[manifest.name]!.files.map((file) => file.path)
        for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) expect(files).toContain(file)
        expect(files.filter((file) => file.startsWith('test/') || file.includes('.test.'))).toEqual([])
        for (const bin of Object.values<string>(manifest.bin ?? {})) expect(files).toContain(bin.replace(/^\.\//, ''))
      })
    })
  }
})
