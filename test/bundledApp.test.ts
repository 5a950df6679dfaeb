import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { loadMainnetBlock, mainnetBlocksDir } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { buildSync, type BuildOptions } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDir } from './scratchDir.js'

// An app that bundles parallel-evm with esbuild: the lane worker (and state-lmdb's reader and
// children) are files of their own, which the bundle does not contain. With the packages installed
// (node_modules) they are found there; without, the app points at them (`laneWorker`,
// `workerFiles`) or gets an error saying how.
const root = resolve(__dirname, '..')
const blockDir = join(mainnetBlocksDir(), '4370000')
const app = `
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor } from '@parallel-evm/core'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'

const fixture = await loadMainnetBlock(process.env.BLOCK_DIR)
const laneWorker = process.env.LANE_WORKER
const scheduler = createOptimisticScheduler({ workers: 2, fallback: false, ...(laneWorker ? { laneWorker } : {}) })
let state
try {
  /* STATE */
  const executor = createExecutor({ scheduler, state })
  const result = await executor.executeBlock(fixture.block)
  console.log(JSON.stringify({ root: bytesToHex(result.stateRoot), scheduler: result.stats.scheduler, onWorkers: result.stats.workerMs > 0 }))
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }))
} finally {
  await scheduler.close()
  await state?.close?.()
}
`

const merkleState = 'state = await createMerkleState({ genesis: fixture.preState })'
// Workers open the database themselves (state-lmdb's snapshot reader), and a reopened database is
// verified in a child process (its verify child): two more files the bundle lacks.
const lmdbState = `const { openLmdbState } = await import('@parallel-evm/state-lmdb')
  const workerFiles = process.env.SNAPSHOT_READER ? { snapshotReader: process.env.SNAPSHOT_READER, verifyChild: process.env.VERIFY_CHILD } : undefined
  const importing = openLmdbState({ path: process.env.LMDB_DIR, workerFiles })
  await importing.importState([fixture.preState], { number: fixture.number - 1n })
  await importing.close()
  state = openLmdbState({ path: process.env.LMDB_DIR, verify: 'always', workerFiles })`

/** Everything but the native modules, as ESM files. */
const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  nodePaths: [join(root, 'node_modules')],
  external: ['lmdb', 'secp256k1'],
  // CommonJS dependencies call require; an ESM bundle has none of its own.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  logLevel: 'silent',
}

/** Bundles the app, on state-merkle or state-lmdb, into `dir` as an ESM file. */
function bundleInto(dir: string, backend: 'merkle' | 'lmdb' = 'merkle'): string {
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'app.src.mjs')
  writeFileSync(entry, app.replace('/* STATE */', backend === 'lmdb' ? lmdbState : merkleState))
  const outfile = join(dir, 'app.mjs')
  buildSync({ ...bundleOptions, entryPoints: [entry], outfile })
  return outfile
}

// Asynchronous: a test file that blocks on children for long stops answering vitest's own calls.
const run = promisify(execFile)

async function runApp(bundle: string, env: Record<string, string> = {}): Promise<{ root?: string; scheduler?: string; onWorkers?: boolean; code?: string; message?: string }> {
  const { stdout } = await run(process.execPath, [bundle], { encoding: 'utf8', timeout: 240_000, env: { PATH: process.env.PATH, BLOCK_DIR: blockDir, ...env } })
  return JSON.parse(stdout.trim().split('\n').at(-1)!)
}

// Inside the repository, so node_modules (the workspace's installed packages) is found from the bundle.
const besideInstalled = join(root, 'node_modules/.cache/pevm-bundled-app')
afterAll(() => rmSync(besideInstalled, { recursive: true, force: true }))

describe('an app that bundles parallel-evm (esbuild)', () => {
  let expectedRoot = ''
  beforeAll(async () => {
    const fixture = await loadMainnetBlock(blockDir)
    const sequential = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: fixture.preState }) }).executeBlock(fixture.block)
    expectedRoot = bytesToHex(sequential.stateRoot!)
  })

  it('behavior: with the packages installed beside it, its workers start from the installed lane worker and give the sequential root', async () => {
    const result = await runApp(bundleInto(besideInstalled))
    expect(result).toEqual({ root: expectedRoot, scheduler: 'optimistic', onWorkers: true })
  })

  it('behavior: on state-lmdb, its workers read the database through the installed snapshot reader, the installed verify child checks it, and the root is the sequential one', async () => {
    const result = await runApp(bundleInto(besideInstalled, 'lmdb'), { LMDB_DIR: join(scratchDir('pevm-bundle-db'), 'chain') })
    expect(result).toEqual({ root: expectedRoot, scheduler: 'optimistic', onWorkers: true })
  })

  describe('on state-lmdb, shipped with only the native lmdb installed', () => {
    // What such an app ships: its bundle, the worker entry points bundled beside it as files of
    // their own, and the native module it kept external; nothing of parallel-evm installed.
    const shipped = () => {
      const dir = scratchDir('pevm-bundle-lmdb')
      mkdirSync(join(dir, 'node_modules'))
      symlinkSync(join(root, 'node_modules/lmdb'), join(dir, 'node_modules/lmdb'))
      const app = bundleInto(dir, 'lmdb')
      buildSync({
        ...bundleOptions,
        entryPoints: {
          laneWorker: require.resolve('@parallel-evm/core/lane-worker'),
          snapshotReader: require.resolve('@parallel-evm/state-lmdb/snapshot-reader'),
          verifyChild: require.resolve('@parallel-evm/state-lmdb/verify-child'),
        },
        outdir: join(dir, 'workers'),
        outExtension: { '.js': '.mjs' },
      })
      return { app, workers: join(dir, 'workers') }
    }

    it('error: without workerFiles it fails with INVALID_OPTION naming the file it needs and the option to pass', async () => {
      const result = await runApp(shipped().app, { LMDB_DIR: join(scratchDir('pevm-bundle-db'), 'chain') })
      expect(result.code).toBe('INVALID_OPTION')
      expect(result.message).toContain('workerFiles.verifyChild')
      expect(result.message).toContain('@parallel-evm/state-lmdb/verify-child')
    })

    it('behavior: given its bundled worker files (workerFiles, laneWorker), the database is verified, the workers read it, and the root is the sequential one', async () => {
      const { app, workers } = shipped()
      const result = await runApp(app, {
        LMDB_DIR: join(scratchDir('pevm-bundle-db'), 'chain'),
        LANE_WORKER: join(workers, 'laneWorker.mjs'),
        SNAPSHOT_READER: join(workers, 'snapshotReader.mjs'),
        VERIFY_CHILD: pathToFileURL(join(workers, 'verifyChild.mjs')).href,
      })
      expect(result).toEqual({ root: expectedRoot, scheduler: 'optimistic', onWorkers: true })
    })
  })

  it('error: shipped without node_modules, it fails with INVALID_OPTION on laneWorker saying what to do, not to build a repository first', async () => {
    const result = await runApp(bundleInto(scratchDir('pevm-bundle')))
    expect(result.code).toBe('INVALID_OPTION')
    expect(result.message).toContain('laneWorker')
    expect(result.message).toContain('keep @parallel-evm/* external')
  })

  it('behavior: shipped without node_modules and given laneWorker, it runs the block on the workers with the sequential root', async () => {
    const result = await runApp(bundleInto(scratchDir('pevm-bundle')), { LANE_WORKER: join(root, 'packages/core/dist/laneWorker.js') })
    expect(result).toEqual({ root: expectedRoot, scheduler: 'optimistic', onWorkers: true })
  })
})
