import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { loadMainnetBlock, mainnetBlocksDir, sharedFixturesDir } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { buildSync, transformSync } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { scratchDir } from './scratchDir.js'

// The packages as an integrator gets them: each public package packed by npm, unpacked into an app
// outside the repository, beside only the third-party packages the manifests declare. Plain ESM,
// CommonJS and TypeScript there must work from what was packed, not from the workspace.
const root = resolve(__dirname, '..')
const blockDir = join(mainnetBlocksDir(), '4370000')
const publicPackages = readdirSync(join(root, 'packages')).filter((dir) => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')).private !== true)

const app = scratchDir('pevm-consumer')
// Asynchronous: a test file that blocks on a child for long stops answering vitest's own calls.
const run = promisify(execFile)
let expectedRoot = ''

/** Packs every public package and unpacks it into the app's node_modules, with the declared dependencies linked. */
async function installPacked(): Promise<void> {
  const tarballs = join(app, 'tarballs')
  mkdirSync(tarballs)
  const declared = new Set<string>(['@types/node'])
  for (const dir of publicPackages) {
    // npm test built every package already; the prepack build is the packaging test's concern.
    const packed = JSON.parse((await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballs], { cwd: join(root, 'packages', dir), encoding: 'utf8' })).stdout)[0]
    const target = join(app, 'node_modules', packed.name)
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', join(tarballs, packed.filename), '-C', target, '--strip-components=1'])
    const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'))
    for (const dependency of Object.keys(manifest.dependencies ?? {})) if (!dependency.startsWith('@parallel-evm/')) declared.add(dependency)
  }
  for (const dependency of declared) {
    mkdirSync(join(app, 'node_modules', dependency, '..'), { recursive: true })
    symlinkSync(join(root, 'node_modules', dependency), join(app, 'node_modules', dependency))
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
}

async function runInApp(file: string, source: string, env: Record<string, string> = {}): Promise<string> {
  writeFileSync(join(app, file), source)
  const { stdout } = await run(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 240_000, env: { PATH: process.env.PATH, BLOCK_DIR: blockDir, PEVM_FIXTURES_DIR: sharedFixturesDir(), ...env } })
  return stdout.trim()
}

const blockOnWorkers = (load: string) => `${load}
  const fixture = await loadMainnetBlock(process.env.BLOCK_DIR)
  const scheduler = createOptimisticScheduler({ workers: 2, fallback: false })
  const result = await createExecutor({ scheduler, state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
  console.log(JSON.stringify({ root: '0x' + Buffer.from(result.stateRoot).toString('hex'), onWorkers: result.stats.workerMs > 0 }))
  await scheduler.close()`

/** Type-checks `file` in the app; returns the errors reported in our packages' files or in `file`. */
async function typeErrors(file: string, moduleResolution: 'bundler' | 'node16', module: 'esnext' | 'node16'): Promise<string[]> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--types', 'node', '--moduleResolution', moduleResolution, '--module', module, file]
  // tsc exits 2 on any error, third-party ones included: its report is stdout either way.
  const stdout = await run(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 240_000 }).then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => failed.stdout ?? '',
  )
  // Third-party declaration files have errors of their own under skipLibCheck false (ethereumjs's
  // `debug` types, lmdb's export =); only ours are this project's to keep clean.
  return stdout.split('\n').filter((line) => line.startsWith('node_modules/@parallel-evm/') || line.startsWith(file))
}

const everyPackage = () =>
  publicPackages
    .filter((dir) => dir !== 'cli')
    .map((dir) => `import * as ${dir.replace(/-(.)/g, (_, c: string) => c.toUpperCase())} from '@parallel-evm/${dir}'`)
    .concat("import * as coreInternal from '@parallel-evm/core/internal'")
    .join('\n')

describe('the packed packages in an app outside the repository', () => {
  beforeAll(async () => {
    await installPacked()
    const fixture = await loadMainnetBlock(blockDir)
    expectedRoot = bytesToHex((await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)).stateRoot!)
  })

  it('behavior: an ESM script runs a mainnet block on the optimistic scheduler with workers, with the sequential root', async () => {
    const source = blockOnWorkers(`import { createExecutor } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'`)
    expect(JSON.parse(await runInApp('esm.mjs', source))).toEqual({ root: expectedRoot, onWorkers: true })
  })

  it('behavior: a CommonJS script does the same through require', async () => {
    const source = `const { createExecutor } = require('@parallel-evm/core')
const { loadMainnetBlock } = require('@parallel-evm/fixtures')
const { createOptimisticScheduler } = require('@parallel-evm/scheduler-optimistic')
const { createMerkleState } = require('@parallel-evm/state-merkle')
;(async () => {${blockOnWorkers('')}
})()`
    expect(JSON.parse(await runInApp('cjs.cjs', source))).toEqual({ root: expectedRoot, onWorkers: true })
  })

  it('behavior: an esbuild bundle of an app runs a block with workers on state-lmdb (workers reading the database), with the sequential root', async () => {
    const entry = blockOnWorkers(`import { createExecutor } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { openLmdbState } from '@parallel-evm/state-lmdb'
const createMerkleState = async ({ genesis }) => {
  const state = openLmdbState({ path: process.env.LMDB_DIR })
  await state.importState([genesis], { number: BigInt(process.env.PARENT) })
  return state
}`)
    writeFileSync(join(app, 'bundle.src.mjs'), entry)
    buildSync({
      entryPoints: [join(app, 'bundle.src.mjs')],
      outfile: join(app, 'bundle.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['lmdb', 'secp256k1'],
      banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
      logLevel: 'silent',
    })
    const parent = String(Number(blockDir.split('/').at(-1)) - 1)
    const result = JSON.parse(await runInApp('bundle.run.mjs', "import './bundle.mjs'\n", { LMDB_DIR: join(app, 'chain'), PARENT: parent }))
    expect(result).toEqual({ root: expectedRoot, onWorkers: true })
  })

  it('behavior: the referral kit\'s ./chart entry renders a chart from the packed package, in ESM and in CommonJS (Vega loaded on demand)', async () => {
    const spec = "{ mark: 'point', data: { values: [{ a: 1 }, { a: 2 }] }, encoding: { x: { field: 'a', type: 'quantitative' } } }"
    const esm = await runInApp('chart.mjs', `import { renderChart } from '@parallel-evm/referral-kit/chart'\nconsole.log(await renderChart('c', ${spec}))`)
    const cjs = await runInApp('chart.cjs', `require('@parallel-evm/referral-kit/chart').renderChart('c', ${spec}).then((svg) => console.log(svg))`)
    expect(esm).toMatch(/^<svg id="c" role="img"/)
    expect(cjs).toBe(esm)
  })

  for (const dir of publicPackages.filter((name) => name !== 'cli')) {
    it(`behavior: the README snippet of ${dir} runs from the packed packages`, async () => {
      const readme = readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8')
      const snippet = /```ts\n([\s\S]*?)```/.exec(readme)![1]!
      const output = await runInApp(`snippet-${dir}.mjs`, transformSync(snippet, { loader: 'ts', format: 'esm' }).code)
      expect(output.length).toBeGreaterThan(0)
    })
  }

  it('behavior: every package\'s types check in our files under bundler and node16 resolution (ESM)', async () => {
    writeFileSync(join(app, 'types.ts'), `${everyPackage()}\nexport {}\n`)
    expect(await typeErrors('types.ts', 'bundler', 'esnext')).toEqual([])
    expect(await typeErrors('types.ts', 'node16', 'node16')).toEqual([])
  })

  it('behavior: the types check from a CommonJS file under node16 resolution', async () => {
    writeFileSync(join(app, 'types.cts'), `${everyPackage()}\nexport {}\n`)
    expect(await typeErrors('types.cts', 'node16', 'node16')).toEqual([])
  })
})
