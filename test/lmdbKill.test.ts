import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { SeededRandom } from '@parallel-evm/fixtures'
import { generateCampaign, writeCampaign } from '@parallel-evm/referral-kit'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { fullMatrix } from './mainnetBlocks.js'
import { pevmBin, runPevm } from './pevmProcess.js'

// `pevm replay` killed with SIGKILL at random moments must restart at its last committed block,
// with the root a clean run has there, and end at the clean run's final root.
const work = mkdtempSync(join(tmpdir(), 'pevm-kill-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// npm test: 8 kills (the schedulers alternate, so each parallel one is killed at least twice); test:full: 60.
const KILLS = fullMatrix ? 60 : 8

function replayArgs(campaignDir: string, db: string, attempt: number): string[] {
  // Alternate schedulers, so kills land in the workers' snapshots (and shards') as well as in sequential commits.
  const parallel = attempt % 4 === 1 ? ['--scheduler', 'optimistic', '--workers', '2'] : ['--scheduler', 'sharded', '--workers', '2', '--partitioner', 'activity']
  const scheduler = attempt % 2 === 0 ? ['--scheduler', 'sequential'] : parallel
  return ['replay', campaignDir, '--state', 'lmdb', '--db', db, ...scheduler, '--json']
}

/**
 * Where a replay is killed: during start-up (a share of the start-up seen so far), or inside a
 * block: as its progress line is read (`fraction` 0), or `fraction` of the previous block's duration
 * after it.
 */
type KillPoint = { kind: 'startup'; fraction: number } | { kind: 'block'; line: number; fraction: number }

/**
 * Starts a replay and SIGKILLs it at `point`, timed from the progress lines it prints on stderr (one
 * per block, as it starts it) rather than from the clock, so a loaded machine moves the kills with
 * the work: inside a block, `fraction` of the way through the previous block's duration after the
 * chosen line; in start-up, `fraction` of the time the first line took to appear in earlier runs.
 * Resolves with how it ended and when its first line came.
 */
function replayKilledAt(args: string[], point: KillPoint, startupMs: number): Promise<{ killed: boolean; code: number | null; firstLineMs: number | undefined }> {
  return new Promise((resolveRun) => {
    const started = performance.now()
    const child = spawn(pevmBin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let timer: NodeJS.Timeout | undefined
    const killAfter = (ms: number) => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), Math.max(0, Math.round(ms)))
    }
    if (point.kind === 'startup') killAfter(point.fraction * startupMs)
    let lines = 0
    let previousLineAt = started
    let firstLineMs: number | undefined
    let buffered = ''
    child.stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const complete = buffered.split('\n')
      buffered = complete.pop()!
      for (const line of complete) {
        if (!line.startsWith('replay ')) continue
        const now = performance.now()
        firstLineMs ??= now - started
        lines++
        if (point.kind === 'block' && lines === point.line) {
          // On a loaded machine a timer fires late and the replay may finish first; a kill as the line
          // is read lands in that block (or the next, if the line was read late) whatever the load.
          if (point.fraction === 0) child.kill('SIGKILL')
          else killAfter(point.fraction * Math.max(now - previousLineAt, 50))
        }
        previousLineAt = now
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolveRun({ killed: signal === 'SIGKILL', code, firstLineMs })
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
  // About 10 s a kill on a loaded 2-core machine: 60 kills (test:full) need more than the default 300 s.
  it(`behavior: ${KILLS} kills at random points of a replay; every restart is at a committed block with the clean run's root, and the end root is the clean one`, async () => {
    const campaign = await generateCampaign({ seed: 7, users: 160, blocks: 14 })
    const campaignDir = join(work, 'campaign')
    writeCampaign(campaignDir, campaign)
    const genesisRoot = bytesToHex((await createMerkleState({ genesis: campaign.genesis })).stateRoot())

    // The clean run: one process, no interruption.
    const clean = await runPevm(replayArgs(campaignDir, join(work, 'clean'), 0))
    expect(clean.code, clean.stderr).toBe(0)
    const report = JSON.parse(clean.stdout) as { executed: { number: string; stateRoot: string }[]; head: { number: string; stateRoot: string } }
    const cleanRoots = new Map<bigint, string>(report.executed.map((block) => [BigInt(block.number), block.stateRoot]))
    cleanRoots.set(campaign.blocks[0]!.number - 1n, genesisRoot)
    expect(report.executed).toHaveLength(campaign.blocks.length)

    const db = join(work, 'killed')
    const random = new SeededRandom(11)
    const killedHeads: bigint[] = []
    let kills = 0
    let finished = 0
    // Start-up (until the first progress line) as measured by this test's own runs; a first guess until then.
    let startupMs = 2_000
    for (let attempt = 0; kills < KILLS; attempt++) {
      expect(attempt, 'too many replays finished before their kill').toBeLessThan(KILLS * 4)
      // One kill in five in start-up (import, workers, opening the database), the rest inside a random block.
      // Only the blocks this run executes print a line: a resumed replay skips those already committed.
      const before = headOf(db)
      const remaining = campaign.blocks.length - (before === undefined ? 0 : Number(before.number - campaign.blocks[0]!.number + 1n))
      // Half the kills inside a block are as its line is read, so that they land mid-chain under any load.
      const point: KillPoint =
        random.int(0, 4) === 0 || remaining < 1
          ? { kind: 'startup', fraction: random.float() }
          : { kind: 'block', line: random.int(1, remaining), fraction: random.int(0, 1) === 0 ? 0 : random.float() }
      const run = await replayKilledAt(replayArgs(campaignDir, db, attempt), point, startupMs)
      if (run.firstLineMs !== undefined) startupMs = run.firstLineMs
      if (run.killed) kills++
      else {
        expect(run.code).toBe(0)
        finished++
      }
      const head = headOf(db)
      if (head === undefined) continue // killed before the genesis import committed: nothing is there yet
      if (run.killed) killedHeads.push(head.number)
      expect(head.root, `after a kill at block ${head.number}`).toBe(cleanRoots.get(head.number))
      // Kills only move the head forward, so without going back they bunch up at the end of the chain:
      // after a finished run, and after half the kills, unwind a random number of the committed blocks.
      const committed = Number(head.number - campaign.blocks[0]!.number + 1n)
      if (committed > 0 && (!run.killed || random.int(0, 1) === 0)) {
        const unwound = await runPevm(['db', 'unwind', '--db', db, '--blocks', String(random.int(1, committed))])
        expect(unwound.code, unwound.stderr).toBe(0)
        const back = headOf(db)!
        expect(back.root).toBe(cleanRoots.get(back.number))
      }
    }
    // The kills landed at different points of the chain, not all before or after the work.
    expect(new Set(killedHeads).size, `heads after the kills: ${killedHeads.join(', ')}`).toBeGreaterThan(3)
    const last = await runPevm(replayArgs(campaignDir, db, 0))
    expect(last.code, last.stderr).toBe(0)
    expect(JSON.parse(last.stdout).head).toEqual(report.head)
    expect(kills).toBe(KILLS)
    expect(finished + kills).toBeGreaterThanOrEqual(KILLS)
  }, Math.max(300_000, KILLS * 20_000))
})
