import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { SeededRandom } from '@parallel-evm/fixtures'
import { generateCampaign, writeCampaign } from '@parallel-evm/referral-kit'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { fullMatrix } from './mainnetBlocks.js'

// `pevm replay` killed with SIGKILL at random moments must restart at its last committed block,
// with the root a clean run has there, and end at the clean run's final root.
const bin = resolve(__dirname, '../node_modules/.bin/pevm')
const work = mkdtempSync(join(tmpdir(), 'pevm-kill-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// npm test: 10 kills (each scheduler at least twice); test:full: 60.
const KILLS = fullMatrix ? 60 : 10

/** The scheduler arguments of attempt `attempt`: sequential, optimistic and sharded in turn. */
function schedulerOf(attempt: number): string {
  return replayArgs('', '', attempt).slice(6).join(' ')
}

function replayArgs(campaignDir: string, db: string, attempt: number): string[] {
  // Alternate schedulers, so kills land in the workers' snapshots (and shards') as well as in sequential commits.
  const parallel = attempt % 4 === 1 ? ['--scheduler', 'optimistic', '--workers', '2'] : ['--scheduler', 'sharded', '--workers', '2', '--partitioner', 'activity']
  const scheduler = attempt % 2 === 0 ? ['--scheduler', 'sequential'] : parallel
  return ['replay', campaignDir, '--state', 'lmdb', '--db', db, ...scheduler, '--json']
}

/** Starts a replay and SIGKILLs it after `delayMs`; resolves with how it ended. */
function replayKilledAfter(args: string[], delayMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolveRun) => {
    const child = spawn(bin, args, { stdio: 'ignore' })
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolveRun({ killed: signal === 'SIGKILL', code })
    })
  })
}

function headOf(db: string): { number: bigint; root: string } | undefined {
  const state = openLmdbState({ path: db })
  try {
    const head = state.head()
    return head === undefined ? undefined : { number: head.number, root: bytesToHex(head.stateRoot) }
  } finally {
    void state.close()
  }
}

describe('state-lmdb under SIGKILL', () => {
  it(`behavior: ${KILLS} kills at random points of a replay; every restart is at a committed block with the clean run's root, and the end root is the clean one`, async () => {
    const campaign = await generateCampaign({ seed: 7, users: 160, blocks: 14 })
    const campaignDir = join(work, 'campaign')
    writeCampaign(campaignDir, campaign)
    const genesisRoot = bytesToHex((await createMerkleState({ genesis: campaign.genesis })).stateRoot())

    // The clean run: one process, no interruption.
    const cleanStarted = performance.now()
    const clean = spawnSync(bin, replayArgs(campaignDir, join(work, 'clean'), 0), { encoding: 'utf8', timeout: 240_000 })
    expect(clean.status, clean.stderr).toBe(0)
    // Kill delays scale with how long start-up and the blocks take here, per scheduler (workers add
    // start-up), so a loaded machine still sees kills land from start-up to the last blocks.
    const cleanMs = performance.now() - cleanStarted
    const startupMs = new Map<string, number>()
    for (const attempt of [0, 1, 3]) {
      const started = performance.now()
      const idle = spawnSync(bin, replayArgs(campaignDir, join(work, 'clean'), attempt), { encoding: 'utf8', timeout: 240_000 })
      expect(idle.status, idle.stderr).toBe(0)
      startupMs.set(schedulerOf(attempt), performance.now() - started)
    }
    // A resumed replay's first block also builds its VMs: give the blocks a generous share of the window.
    const workMs = Math.max(cleanMs - startupMs.get(schedulerOf(0))!, 1_000) * 2
    const killDelay = (attempt: number) => {
      const startup = startupMs.get(schedulerOf(attempt))!
      return random.int(Math.round(startup / 2), Math.round(startup + workMs))
    }
    const report = JSON.parse(clean.stdout) as { executed: { number: string; stateRoot: string }[]; head: { number: string; stateRoot: string } }
    const cleanRoots = new Map<bigint, string>(report.executed.map((block) => [BigInt(block.number), block.stateRoot]))
    cleanRoots.set(campaign.blocks[0]!.number - 1n, genesisRoot)
    expect(report.executed).toHaveLength(campaign.blocks.length)

    const db = join(work, 'killed')
    const random = new SeededRandom(11)
    const heads: bigint[] = []
    let kills = 0
    let finished = 0
    for (let attempt = 0; kills < KILLS; attempt++) {
      expect(attempt, 'too many replays finished before their kill').toBeLessThan(KILLS * 4)
      // From process start to the end of a replay: start-up, import, execution and commits are all hit.
      const run = await replayKilledAfter(replayArgs(campaignDir, db, attempt), killDelay(attempt))
      if (run.killed) kills++
      else {
        expect(run.code).toBe(0)
        finished++
      }
      const head = headOf(db)
      if (head === undefined) continue // killed before the genesis import committed: nothing is there yet
      heads.push(head.number)
      expect(head.root, `after a kill at block ${head.number}`).toBe(cleanRoots.get(head.number))
      if (!run.killed) {
        // Finished: go back a random number of blocks, so the next kill lands mid-replay again.
        const unwound = spawnSync(bin, ['db', 'unwind', '--db', db, '--blocks', String(random.int(1, campaign.blocks.length - 1))], { encoding: 'utf8' })
        expect(unwound.status, unwound.stderr).toBe(0)
        const back = headOf(db)!
        expect(back.root).toBe(cleanRoots.get(back.number))
      }
    }
    // The kills landed at different points, not all before or after the work.
    expect(new Set(heads).size).toBeGreaterThan(3)
    const last = spawnSync(bin, replayArgs(campaignDir, db, 0), { encoding: 'utf8', timeout: 240_000 })
    expect(last.status, last.stderr).toBe(0)
    expect(JSON.parse(last.stdout).head).toEqual(report.head)
    expect(kills).toBe(KILLS)
    expect(finished + kills).toBeGreaterThanOrEqual(KILLS)
  })
})
