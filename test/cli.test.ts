import { readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { ethereumTestsDir, generatedCommon, listBlockchainTestFiles, mainnetBlocksDir, osakaTestsDir } from '@parallel-evm/fixtures'
import { createBlock, createBlockFromRLP } from '@ethereumjs/block'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { maxWorkerThreads } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { editedBlockDir } from './editedBlockDir.js'
import { pevm } from './pevmProcess.js'
import { scratchDir } from './scratchDir.js'

describe('pevm run', () => {
  it('default: --json prints the report and exits 0 when every checkable field matches', async () => {
    const { code, stdout } = await pevm('run', join(mainnetBlocksDir(), '4370000'), '--state', 'merkle', '--json')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ block: 4370000, txCount: 97, matches: { gasUsed: true, receiptsRoot: true, logsBloom: true } })
    for (const field of ['gasUsed', 'receiptsRoot', 'logsBloom', 'stateRoot', 'executeMs']) expect(report).toHaveProperty(field)
    expect(report.stateRoot).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it('behavior: before Byzantium the receipts root match is null and the human output says why', async () => {
    const { code, stdout } = await pevm('run', join(mainnetBlocksDir(), '46147'))
    expect(code).toBe(0)
    expect(stdout).toContain('not checkable before Byzantium')
    expect(stdout).toMatch(/gasUsed\s+21000\s+ok matches header/)
  })

  it('behavior: a block whose header disagrees exits 1', async () => {
    const dir = editedBlockDir('4370000', (json) => {
      json.receiptsRoot = `0x${'11'.repeat(32)}`
    })
    const { code, stdout } = await pevm('run', dir, '--json')
    expect(code).toBe(1)
    expect(JSON.parse(stdout).matches.receiptsRoot).toBe(false)
  })

  it('behavior: a wrong nonce exits 1 with the typed error', async () => {
    const dir = editedBlockDir('4370000', (json) => {
      json.transactions[0]!.nonce = '0x0'
    })
    const { code, stderr } = await pevm('run', dir)
    expect(code).toBe(1)
    expect(stderr).toContain('[INVALID_TRANSACTION]')
    expect(stderr).toContain('transaction 0')
  })

  it('behavior: a truncated block.json exits 1 with FIXTURE_FORMAT naming the file', async () => {
    const dir = editedBlockDir('46147', () => {})
    const file = join(dir, 'block.json')
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100))
    const { code, stderr } = await pevm('run', dir)
    expect(code).toBe(1)
    expect(stderr).toContain('[FIXTURE_FORMAT]')
    expect(stderr).toContain(file)
  })

  it('behavior: an unknown scheduler or state is a usage error', async () => {
    expect((await pevm('run', join(mainnetBlocksDir(), '46147'), '--scheduler', 'nope')).code).toBe(2)
    expect((await pevm('run', join(mainnetBlocksDir(), '46147'), '--state', 'nope')).code).toBe(2)
    expect((await pevm('run')).code).toBe(2)
  })

  it('error: an absurd worker count is a usage error naming the limit, before any thread starts', async () => {
    for (const scheduler of ['optimistic', 'static', 'sharded']) {
      const { code, stderr } = await pevm('run', join(mainnetBlocksDir(), '46147'), '--scheduler', scheduler, '--workers', '1000')
      expect(code, stderr).toBe(2)
      expect(stderr).toContain('--workers')
      expect(stderr).toContain(`more than ${maxWorkerThreads()}`)
    }
  })
})

describe('pevm help, --version and usage errors', () => {
  const commands = ['run', 'hints', 'replay', 'import-state', 'db', 'test-vectors', 'conflicts', 'referral']

  it('behavior: every command has its own help, by --help and by pevm help, naming its usage and the exit codes, exit 0', async () => {
    // Help loads no scheduler or backend: the processes are light enough to run side by side.
    const helps = await Promise.all(commands.map((command) => Promise.all([pevm(command, '--help'), pevm('help', command)])))
    for (const [i, command] of commands.entries()) {
      const [byFlag, byHelp] = helps[i]!
      expect(byFlag.code, command).toBe(0)
      expect(byFlag.stdout, command).toBe(byHelp.stdout)
      expect(byFlag.stdout, command).toContain(`Usage: pevm ${command}`)
      expect(byFlag.stdout, command).toContain('Exit codes: 0')
      expect(byFlag.stdout, command).toContain('70 an unexpected failure')
    }
    const global = await pevm('help')
    expect(global.code).toBe(0)
    for (const command of commands) expect(global.stdout).toContain(`  ${command}`)
  })

  it("behavior: --version prints the CLI package's version", async () => {
    const { code, stdout } = await pevm('--version')
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(`pevm ${JSON.parse(readFileSync(resolve(__dirname, '../packages/cli/package.json'), 'utf8')).version}`)
  })

  it('error: a mistyped flag, command, subcommand or scheduler is exit 2 with one line suggesting the nearest name, not the whole usage', async () => {
    const cases: [string[], string][] = [
      [['run', join(mainnetBlocksDir(), '46147'), '--wokers', '2'], 'unknown option --wokers; did you mean --workers?'],
      [['rnu', join(mainnetBlocksDir(), '46147')], 'unknown command "rnu"; did you mean "run"?'],
      [['db', 'inf', '--db', 'x'], 'unknown db subcommand "inf"; did you mean "info"?'],
      [['run', join(mainnetBlocksDir(), '46147'), '--scheduler', 'optimstic'], 'did you mean optimistic?'],
      [['help', 'replya'], 'unknown command "replya"; did you mean "replay"?'],
    ]
    const results = await Promise.all(cases.map(([args]) => pevm(...args)))
    for (const [i, [args, message]] of cases.entries()) {
      const { code, stdout, stderr } = results[i]!
      expect(code, args.join(' ')).toBe(2)
      expect(stderr, args.join(' ')).toContain(message)
      expect(stderr.split('\n').length, args.join(' ')).toBeLessThan(5)
      expect(stdout).toBe('')
    }
  })

  it('error: a missing path argument is exit 2 with the command\'s usage line; a path that does not exist is exit 1 naming that path', async () => {
    const missing = await pevm('run')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('pevm run: missing the path argument')
    expect(missing.stderr).toContain('Usage: pevm run <blockDir>')
    const absent = join(scratchDir('pevm-absent'), 'no-such-block')
    const { code, stderr } = await pevm('run', absent)
    expect(code).toBe(1)
    expect(stderr).toContain(absent)
    expect(stderr).not.toContain('block_hashes.json')
  })
})

describe('pevm run --workers auto', () => {
  it('default: without --workers each parallel scheduler takes one lane per core and gives the sequential result', async () => {
    // A block every scheduler runs on its workers rather than falling back (45 transactions, Cancun).
    const block = join(mainnetBlocksDir(), '19933122')
    const sequential = JSON.parse((await pevm('run', block, '--state', 'merkle', '--json')).stdout)
    for (const scheduler of ['optimistic', 'static', 'sharded']) {
      const { code, stdout, stderr } = await pevm('run', block, '--state', 'merkle', '--scheduler', scheduler, '--json')
      expect(code, stderr).toBe(0)
      const report = JSON.parse(stdout)
      expect([report.stateRoot, report.receiptsRoot, report.gasUsed], scheduler).toEqual([sequential.stateRoot, sequential.receiptsRoot, sequential.gasUsed])
      // The optimistic scheduler's calling thread is a lane too; the others only coordinate.
      expect(report.stats.lanes, scheduler).toBe(scheduler === 'optimistic' ? Math.max(1, availableParallelism() - 1) + 1 : availableParallelism())
    }
  })

  it('error: --workers that is neither a positive integer nor auto is a usage error', async () => {
    const { code, stderr } = await pevm('run', join(mainnetBlocksDir(), '46147'), '--workers', 'many')
    expect(code).toBe(2)
    expect(stderr).toContain('neither a positive integer nor auto')
  })
})

describe('pevm run --repeat', () => {
  const block = join(mainnetBlocksDir(), '4370000')

  it('behavior: times the block over N runs on fresh parent state after a warm-up, the pool started once and counted apart; every run is identical', async () => {
    const { code, stdout } = await pevm('run', block, '--scheduler', 'optimistic', '--workers', '2', '--state', 'merkle', '--repeat', '3', '--json')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ ok: true, repeat: { runs: 3, identical: true } })
    expect(report.stats.workerMs).toBeGreaterThan(0)
    const { executeMs, stageMedians, poolStartMs } = report.repeat
    expect(report.executeMs).toBe(executeMs.median)
    expect(executeMs.min).toBeLessThanOrEqual(executeMs.median)
    expect(executeMs.median).toBeLessThanOrEqual(executeMs.max)
    expect(poolStartMs).toBeGreaterThan(0)
    for (const stage of ['prepareMs', 'executeMs', 'finalizeMs', 'commitMs']) expect(stageMedians[stage]).toBeGreaterThanOrEqual(0)
    // The header's own fields match (ok), and the state root is the one every scheduler gives this block.
    expect(report.matches).toMatchObject({ gasUsed: true, receiptsRoot: true, logsBloom: true })
  })

  it('behavior: on state-lmdb each run gets its own temporary database; sequential starts no pool; the text report says so', async () => {
    const { code, stdout } = await pevm('run', block, '--state', 'lmdb', '--repeat', '2')
    expect(code).toBe(0)
    expect(stdout).toMatch(/repeat +median of 2 runs after a warm-up/)
    expect(stdout).toContain('pool start 0 ms, in no run; every run identical')
  })

  it('error: --repeat with --db, below 1, or on another command is a usage error naming --repeat', async () => {
    for (const args of [['run', block, '--state', 'lmdb', '--db', join(scratchDir('pevm-repeat'), 'db'), '--repeat', '2'], ['run', block, '--repeat', '0'], ['test-vectors', osakaTestsDir(), '--repeat', '2']]) {
      const { code, stderr } = await pevm(...args)
      expect(code, stderr).toBe(2)
      expect(stderr).toContain('--repeat')
    }
  })
})

describe('pevm test-vectors', () => {
  it('default: ends with the pass/fail line and exits 0', async () => {
    const { code, stdout } = await pevm('test-vectors', join(ethereumTestsDir(), 'ValidBlocks/bcStateTests/refundReset.json'), '--state', 'merkle')
    expect(code).toBe(0)
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/)
  })

  it('behavior: the official Osaka BlockchainTests all pass, on the optimistic scheduler and state-lmdb', async () => {
    const { code, stdout, stderr } = await pevm('test-vectors', osakaTestsDir(), '--scheduler', 'optimistic', '--workers', '2', '--state', 'lmdb')
    expect(code, stderr).toBe(0)
    expect(stdout.trim().split('\n').at(-1)).toBe('11 passed, 0 failed')
    // Piped, progress is one line per file on stderr (a redrawn bar with rate and time left only on a terminal).
    const files = listBlockchainTestFiles(osakaTestsDir())
    const lines = stderr.trim().split('\n').filter((line) => line.startsWith('test-vectors '))
    expect(lines).toHaveLength(files.length + 1)
    expect(lines.at(-1)).toBe(`test-vectors ${files.length}/${files.length} done`)
    expect(stderr).not.toContain('\r')
  })
})

describe('pevm referral', () => {
  const dir = scratchDir('pevm-referral')

  it('default: generate writes a campaign that analytics reads back equal to its ground truth', async () => {
    const generated = await pevm('referral', 'generate', dir, '--users', '120', '--blocks', '5', '--seed', '3', '--json')
    expect(generated.code, generated.stderr).toBe(0)
    expect(JSON.parse(generated.stdout)).toMatchObject({ blocks: 6, name: 'referral-kit-seed-3-120-users-5-blocks' })
    for (const extra of [[], ['--scheduler', 'optimistic', '--workers', '2', '--state', 'merkle'], ['--scheduler', 'sharded', '--workers', '2', '--partitioner', 'activity']]) {
      const analytics = await pevm('referral', 'analytics', dir, '--json', ...extra)
      expect(analytics.code, analytics.stderr).toBe(0)
      const report = JSON.parse(analytics.stdout)
      expect(report.matchesGroundTruth).toBe(true)
      expect(report.analytics.signUps).toBeGreaterThan(0)
      expect(typeof report.analytics.rewardsAccrued).toBe('string')
    }
    const human = await pevm('referral', 'analytics', dir)
    expect(human.stdout).toContain("OK: equal to the generator's ground truth")
    expect(human.stdout).toContain('leaderboard')
  })

  it('behavior: the campaign\'s blocks are sealed, so replay checks each against its header: a last block whose state root was edited is rejected (exit 1), the head stays at its parent', async () => {
    const sealed = JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8'))
    const replayed = await pevm('replay', dir, '--state', 'merkle', '--json')
    expect(replayed.code, replayed.stderr).toBe(0)
    expect(JSON.parse(replayed.stdout).executed).toHaveLength(sealed.blocks.length)
    const last = sealed.blocks.at(-1)
    const block = createBlockFromRLP(hexToBytes(last.rlp), { common: generatedCommon('cancun') })
    const header = { ...block.header.toJSON(), stateRoot: `0x${'ab'.repeat(32)}` as const }
    last.rlp = bytesToHex(createBlock({ header, transactions: block.transactions, withdrawals: [] }, { common: block.common }).serialize())
    const edited = scratchDir('pevm-referral-edited')
    writeFileSync(join(edited, 'campaign.json'), JSON.stringify(sealed))
    const rejected = await pevm('replay', edited, '--state', 'merkle', '--json')
    expect(rejected.code).toBe(1)
    const report = JSON.parse(rejected.stdout)
    expect(report.failure).toContain('[INVALID_BLOCK]')
    expect(report.failure).toContain('stateRoot')
    expect(report.executed).toHaveLength(sealed.blocks.length - 1)
  })

  it('behavior: a truncated campaign file exits 1 with FIXTURE_FORMAT naming the file', async () => {
    const broken = scratchDir('pevm-referral-bad')
    writeFileSync(join(broken, 'campaign.json'), readFileSync(join(dir, 'campaign.json'), 'utf8').slice(0, 500))
    const { code, stderr } = await pevm('referral', 'analytics', broken)
    expect(code).toBe(1)
    expect(stderr).toContain('FIXTURE_FORMAT')
    expect(stderr).toContain(join(broken, 'campaign.json'))
  })

  it('behavior: analytics of a naive-design campaign is a usage error (it has none of the kit events)', async () => {
    const naive = scratchDir('pevm-referral-naive')
    expect((await pevm('referral', 'generate', naive, '--users', '60', '--blocks', '2', '--design', 'naive')).code).toBe(0)
    const { code, stderr } = await pevm('referral', 'analytics', naive)
    expect(code).toBe(2)
    expect(stderr).toContain('naive-design campaign')
  })

  it('behavior: a protocol-design campaign (the example mint and the kit\'s registry and vault) reads back equal to its ground truth, on the optimistic scheduler too', async () => {
    const protocol = scratchDir('pevm-referral-protocol')
    const generated = await pevm('referral', 'generate', protocol, '--users', '80', '--blocks', '4', '--seed', '3', '--design', 'protocol', '--json')
    expect(generated.code, generated.stderr).toBe(0)
    const optimistic = await pevm('referral', 'analytics', protocol, '--scheduler', 'optimistic', '--workers', '2')
    expect(optimistic.code, optimistic.stderr).toBe(0)
    expect(optimistic.stdout).toContain("OK: equal to the generator's ground truth")
    expect(optimistic.stdout).toMatch(/codes \d+, sign-ups [1-9]\d*/)
    expect(optimistic.stdout).toContain('top referrers')
  })

  it('behavior: an unknown design or subcommand is a usage error', async () => {
    expect((await pevm('referral', 'generate', dir, '--design', 'fancy')).code).toBe(2)
    expect((await pevm('referral', 'replay', dir)).code).toBe(2)
  })
})
