import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchOptions } from './options.js'
import { selectBlocks } from './options.js'
import { median } from './stats.js'

/**
 * The child that times one block in one checkout: imports that checkout's built packages (from its
 * own node_modules, so an older release with other dependencies works too), runs `executeBlock`
 * on our sequential path and state-merkle, the pre-state imported afresh for each run (not timed),
 * and prints the per-run milliseconds and the state root. `TRUST` passes `trustSenders: true`,
 * which a checkout from before senders were verified does not know (and did not need).
 */
const childScript = `
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
const [blockDir, runs, warmup] = process.argv.slice(-3)
const fixture = await loadMainnetBlock(blockDir)
const times = []
let root
for (let run = 0; run < Number(warmup) + Number(runs); run++) {
  const state = await createMerkleState({ genesis: fixture.preState })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state, ...(process.env.TRUST === '1' ? { trustSenders: true } : {}) })
  globalThis.gc?.()
  const started = performance.now()
  const result = await executor.executeBlock(fixture.block)
  if (run >= Number(warmup)) times.push(performance.now() - started)
  root = Buffer.from(result.stateRoot).toString('hex')
}
console.log(JSON.stringify({ times, root }))
`

interface ChildRun {
  times: number[]
  root: string
}

/**
 * `bench compare --baseline DIR [--blocks a,b] [--runs 5] [--warmup 1]`: our sequential path in this
 * checkout against the same path in another, built one (a release, a commit's worktree), on the
 * mainnet blocks, senders given. The two cannot share a process (one package name, two codes), so
 * each block runs in four processes, alternating baseline, ours, ours, baseline, each timing
 * `runs` runs after `warmup`. Per block: each side's median over its runs, the ratio baseline ÷
 * ours, and whether all four agree on the state root; the summary gives the ratios' median,
 * minimum and maximum over the blocks.
 */
export async function compareMain(options: BenchOptions): Promise<void> {
  if (options.baseline === undefined) throw new Error('compare: --baseline DIR names the built checkout to compare with')
  const baseline = resolve(options.baseline)
  if (!existsSync(join(baseline, 'packages/core/dist/index.js'))) throw new Error(`compare: ${baseline} has no built packages/core (npm ci && npm run build there)`)
  const ours = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
  const perBlock: { block: string; baselineMs: number; oursMs: number; baselineOverOurs: number; rootsAgree: boolean }[] = []
  for (const blockDir of selectBlocks(options.blocks)) {
    const run = (checkout: string, trust: boolean): ChildRun => {
      const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', childScript, blockDir, String(options.runs), String(options.warmup)], {
        cwd: checkout,
        encoding: 'utf8',
        env: { ...process.env, TRUST: trust ? '1' : '0' },
        maxBuffer: 1 << 24,
      })
      if (child.status !== 0) throw new Error(`compare: block ${basename(blockDir)} in ${checkout} failed: ${child.stderr.split('\n').find((line) => line.trim() !== '')}`)
      return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ChildRun
    }
    const order: [string, boolean][] = [[baseline, false], [ours, true], [ours, true], [baseline, false]]
    const runs = order.map(([checkout, trust]) => ({ checkout, result: run(checkout, trust) }))
    const side = (checkout: string) => median(runs.filter((r) => r.checkout === checkout).flatMap((r) => r.result.times))
    const baselineMs = side(baseline)
    const oursMs = side(ours)
    const row = { block: basename(blockDir), baselineMs, oursMs, baselineOverOurs: baselineMs / oursMs, rootsAgree: new Set(runs.map((r) => r.result.root)).size === 1 }
    perBlock.push(row)
    console.log(`${row.block.padStart(9)}  baseline ${baselineMs.toFixed(1).padStart(7)} ms  ours ${oursMs.toFixed(1).padStart(7)} ms  ${row.baselineOverOurs.toFixed(2)}x${row.rootsAgree ? '' : '  ROOTS DIFFER'}`)
  }
  const ratios = perBlock.map((row) => row.baselineOverOurs)
  const report = {
    node: process.version,
    cores: availableParallelism(),
    baseline,
    runs: options.runs,
    warmup: options.warmup,
    blocks: perBlock.length,
    baselineOverOurs: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    rootsAgree: perBlock.every((row) => row.rootsAgree),
    perBlock,
  }
  console.log(JSON.stringify({ ...report, perBlock: undefined }, null, 2))
  mkdirSync(options.out, { recursive: true })
  const file = join(options.out, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify(report, null, 2))
  console.log(`wrote ${file}`)
}
