import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ethereumTestsDir, mainnetBlocksDir } from '@parallel-evm/fixtures'
import { afterAll, describe, expect, it } from 'vitest'
import { pevm, pevmBin } from './pevmProcess.js'

// The lmdb commands as a user runs them: the npm-linked bin of the built package.
const work = mkdtempSync(join(tmpdir(), 'pevm-cli-lmdb-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const block = join(mainnetBlocksDir(), '4370000')
// A BlockchainTest chain of 15 valid blocks and one invalid one in the middle.
const chainFile = join(ethereumTestsDir(), 'GeneralStateTests/Pyspecs/cancun/eip4844_blobs/invalid_post_fork_block_without_blob_fields.json')
const chainTest = 'src/GeneralStateTestsFiller/Pyspecs/cancun/eip4844_blobs/test_excess_blob_gas_fork_transition.py::test_invalid_post_fork_block_without_blob_fields[fork_ShanghaiToCancunAtTime15k-blockchain_test-excess_blob_gas_missing_False-blob_gas_used_missing_True]'

describe('pevm run --state lmdb', () => {
  it('behavior: imports the pre-state, executes, and equals merkle; a second run on the same database is refused until it is unwound', async () => {
    const db = join(work, 'run')
    const merkle = JSON.parse((await pevm('run', block, '--state', 'merkle', '--json')).stdout)
    const first = await pevm('run', block, '--state', 'lmdb', '--db', db, '--scheduler', 'optimistic', '--workers', '2', '--json')
    expect(first.code, first.stderr).toBe(0)
    const report = JSON.parse(first.stdout)
    expect(report).toMatchObject({ state: 'lmdb', stateRoot: merkle.stateRoot, receiptsRoot: merkle.receiptsRoot, gasUsed: merkle.gasUsed })

    const again = await pevm('run', block, '--state', 'lmdb', '--db', db)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('[DATABASE_HEAD]')
    expect(again.stderr).toContain(db)

    expect((await pevm('db', 'unwind', '--db', db, '--blocks', '1')).code).toBe(0)
    // The head is the block's parent again: the pre-state is not imported twice, and the result is the same.
    const rerun = await pevm('run', block, '--state', 'lmdb', '--db', db, '--json')
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(JSON.parse(rerun.stdout).stateRoot).toBe(merkle.stateRoot)
  })

  it('behavior: import-state, then db info shows the head, its root and the tables', async () => {
    const db = join(work, 'import')
    const imported = await pevm('import-state', block, '--db', db, '--json')
    expect(imported.code, imported.stderr).toBe(0)
    const info = JSON.parse((await pevm('db', 'info', '--db', db, '--json')).stdout)
    expect(info.head.number).toBe('4369999')
    expect(info.head.stateRoot).toBe(JSON.parse(imported.stdout).head.stateRoot)
    expect(info.entries.accounts).toBeGreaterThan(0)
    expect(info.entries.nodes).toBeGreaterThan(0)
    expect(info.dataFileBytes).toBeGreaterThan(0)
    expect((await pevm('db', 'info', '--db', db)).stdout).toMatch(/head\s+block 4369999 0x[0-9a-f]{64}/)
  })

  it('behavior: db check reads a sound database through and says so; with its root node\'s key damaged on disk it exits 1 with CORRUPT_DATABASE', async () => {
    const db = join(work, 'check')
    expect((await pevm('import-state', block, '--db', db)).code).toBe(0)
    const sound = await pevm('db', 'check', '--db', db, '--json')
    expect(sound.code, sound.stderr).toBe(0)
    const report = JSON.parse(sound.stdout)
    expect(report.ok).toBe(true)
    expect(report.trie.accounts).toBe(report.entries.accounts)
    expect(sound.stderr).toMatch(/^check \d+ trie nodes$/m)
    const root = Buffer.from(JSON.parse((await pevm('db', 'info', '--db', db, '--json')).stdout).head.stateRoot.slice(2), 'hex')
    const file = join(db, 'data.mdb')
    const bytes = readFileSync(file)
    let flipped = 0
    for (let at = bytes.indexOf(root); at >= 0; at = bytes.indexOf(root, at + 1), flipped++) bytes[at] = bytes[at]! ^ 0x01
    expect(flipped).toBeGreaterThan(0)
    writeFileSync(file, bytes)
    const damaged = await pevm('db', 'check', '--db', db)
    expect(damaged.code).toBe(1)
    expect(damaged.stderr).toContain('[CORRUPT_DATABASE]')
    expect(damaged.stderr).toContain(db)
  })

  it('error: db info on a directory without a database is a usage error, and nothing is created', async () => {
    const { code, stderr } = await pevm('db', 'info', '--db', join(work, 'nothing-here'))
    expect(code).toBe(2)
    expect(stderr).toContain('holds no database')
  })
})

describe('pevm and the database path', () => {
  it('behavior: a --db path with an extension (the README\'s chain.lmdb) is a database directory, and db info reads what replay wrote', async () => {
    const db = join(work, 'chain.lmdb')
    const replay = await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db, '--json')
    expect(replay.code, replay.stderr).toBe(0)
    const info = await pevm('db', 'info', '--db', db, '--json')
    expect(info.code, info.stderr).toBe(0)
    expect(JSON.parse(info.stdout).head.stateRoot).toBe(JSON.parse(replay.stdout).head.stateRoot)
  })

  it('error: --db naming a file is a typed error that says so (exit 1), and the file is untouched', async () => {
    const file = join(work, 'a-file')
    writeFileSync(file, 'not a database')
    const { code, stderr } = await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', file)
    expect(code).toBe(1)
    expect(stderr).toContain('[DATABASE_ACCESS]')
    expect(stderr).toContain('is a file, not a directory')
    expect(readFileSync(file, 'utf8')).toBe('not a database')
  })

  it('error: a second replay on a database another replay is writing fails at once with DATABASE_LOCKED naming the pid; db info still reads it', async () => {
    const db = join(work, 'locked')
    const first = spawn(pevmBin, ['replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db, '--scheduler', 'optimistic', '--workers', '2'], { stdio: ['ignore', 'ignore', 'pipe'] })
    // Its first progress line: the database is open and its lock taken.
    await new Promise<void>((started) => first.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('replay ') && started()))
    // Frozen mid-replay, so that the second one surely meets it at work, however fast this machine is.
    first.kill('SIGSTOP')
    const done = new Promise<number | null>((exited) => first.on('exit', (code) => exited(code)))
    const second = await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db)
    // Reading is not writing: db info opens it read-only meanwhile.
    const info = await pevm('db', 'info', '--db', db, '--json')
    first.kill('SIGCONT')
    expect(info.code, info.stderr).toBe(0)
    expect(JSON.parse(info.stdout).head).not.toBeNull()
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('[DATABASE_LOCKED]')
    expect(second.stderr).toContain(`process ${first.pid}`)
    expect(await done).toBe(0)
  })
})

describe('pevm replay', () => {
  it('behavior: a BlockchainTest chain replays to the same head as merkle, rejects its invalid block, and a second replay resumes with nothing to do', async () => {
    const db = join(work, 'chain')
    const merkle = JSON.parse((await pevm('replay', chainFile, '--test', chainTest, '--state', 'merkle', '--json')).stdout)
    const replay = await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db, '--scheduler', 'optimistic', '--workers', '2', '--json')
    expect(replay.code, replay.stderr).toBe(0)
    const report = JSON.parse(replay.stdout)
    expect(report.executed).toHaveLength(15)
    expect(report.rejected).toHaveLength(1)
    expect(report.head).toEqual(merkle.head)

    const resumed = JSON.parse((await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db, '--json')).stdout)
    expect(resumed.startedAt).toBe('15')
    expect(resumed.executed).toEqual([])
    expect(resumed.head).toEqual(merkle.head)
  })

  it('behavior: after an unwind of 5 blocks the replay re-executes exactly those 5 and ends at the same root', async () => {
    const db = join(work, 'chain')
    expect((await pevm('db', 'unwind', '--db', db, '--blocks', '5')).code).toBe(0)
    const report = JSON.parse((await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', db, '--json')).stdout)
    expect(report.startedAt).toBe('10')
    expect(report.executed.map((b: { number: string }) => b.number)).toEqual(['11', '12', '13', '14', '15'])
  })

  it('error: a database holding another chain is refused with DATABASE_HEAD', async () => {
    const { code, stderr } = await pevm('replay', chainFile, '--test', chainTest, '--state', 'lmdb', '--db', join(work, 'import'))
    expect(code).toBe(1)
    expect(stderr).toContain('[DATABASE_HEAD]')
  })

  it('error: a file of several tests without --test is a usage error that lists them', async () => {
    const { code, stderr } = await pevm('replay', chainFile, '--state', 'lmdb')
    expect(code).toBe(2)
    expect(stderr).toContain('name one with --test')
  })
})

function occurrences(bytes: Buffer, needle: Buffer): number[] {
  const found: number[] = []
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) found.push(at)
  return found
}

describe('pevm with a damaged database', () => {
  async function damagedCopy(name: string, damage: (file: string) => void): Promise<string> {
    const db = join(work, name)
    expect((await pevm('import-state', block, '--db', db)).code).toBe(0)
    damage(join(db, 'data.mdb'))
    return db
  }

  it('error: a truncated data file is CORRUPT_DATABASE naming the path, for every command', async () => {
    const db = await damagedCopy('truncated', (file) => truncateSync(file, Math.floor(readFileSync(file).length / 2)))
    for (const args of [['db', 'info', '--db', db], ['run', block, '--state', 'lmdb', '--db', db], ['replay', block, '--state', 'lmdb', '--db', db]]) {
      const { code, signal, stderr } = await pevm(...args)
      expect(signal, args.join(' ')).toBeNull()
      expect(code, args.join(' ')).toBe(1)
      expect(stderr).toContain('[CORRUPT_DATABASE]')
      expect(stderr).toContain(db)
    }
  })

  it('error: bytes flipped in a stored record are CORRUPT_DATABASE, not a wrong answer', async () => {
    const db = await damagedCopy('flipped', (file) => {
      const bytes = readFileSync(file)
      // Contract code (solc 0.4 prologues): bytes only the codes table holds.
      // Copy-on-write leaves stale copies in free pages: damage every copy.
      const found = occurrences(bytes, Buffer.from('6060604052', 'hex'))
      expect(found.length).toBeGreaterThan(0)
      for (const at of found) bytes.writeUInt8(bytes.readUInt8(at + 40) ^ 0x55, at + 40)
      writeFileSync(file, bytes)
    })
    const { code, stderr } = await pevm('run', block, '--state', 'lmdb', '--db', db)
    expect(code).toBe(1)
    expect(stderr).toContain('[CORRUPT_DATABASE]')
    expect(stderr).toContain('checksum')
  })

  it('error: a database of another format version is DATABASE_VERSION', async () => {
    const db = await damagedCopy('version', (file) => {
      const bytes = readFileSync(file)
      // The format record: the key "format", then the version, 4 bytes big-endian.
      const found = occurrences(bytes, Buffer.concat([Buffer.from('format'), Buffer.from([0, 0, 0, 1])]))
      expect(found.length).toBeGreaterThan(0)
      for (const at of found) bytes[at + 9] = 9
      writeFileSync(file, bytes)
    })
    const { code, stderr } = await pevm('db', 'info', '--db', db)
    expect(code).toBe(1)
    expect(stderr).toContain('[DATABASE_VERSION]')
    expect(stderr).toContain('format version 9')
    expect(stderr).toContain(db)
  })
})
