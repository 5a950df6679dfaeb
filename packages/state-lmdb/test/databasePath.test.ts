import { spawn } from 'node:child_process'
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidOptionError } from '@parallel-evm/core'
import { afterEach, describe, expect, it } from 'vitest'
import { DatabaseAccessError, DatabaseLockedError } from '../src/errors.js'
import { openLmdbState } from '../src/lmdbState.js'
import { blockHashOf, genesisOf, randomModel, TempDirs } from './helpers.js'

const dirs = new TempDirs()
afterEach(() => dirs.cleanup())

/**
 * A child process (the built package, as another program would load it) that opens `path` for
 * writing and waits; `opened` is what it printed ('opened' or the error's code), or how it ended.
 * `withoutDacOverride` runs it as root without the capability to ignore file permissions.
 */
function holdOpen(path: string, options: { withoutDacOverride?: boolean } = {}): { child: ReturnType<typeof spawn>; opened: Promise<string> } {
  const script = `import { openLmdbState } from '@parallel-evm/state-lmdb'
try { openLmdbState({ path: ${JSON.stringify(path)}, verify: 'never' }); console.log('opened') } catch (error) { console.log(error.code ?? error.message) }
setInterval(() => {}, 1000)`
  const node = [process.execPath, '--input-type=module', '-e', script]
  const [command, ...args] = options.withoutDacOverride === true ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--', ...node] : node
  const child = spawn(command!, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const opened = new Promise<string>((resolve) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()))
    child.once('exit', (code) => resolve(`exited ${code}: ${stderr.split('\n').find((line) => line.trim() !== '') ?? ''}`))
  })
  return { child, opened }
}

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
}

describe('the writer lock', () => {
  it('error: a second process opening the database for writing gets DatabaseLockedError naming the path and the owner\'s pid', async () => {
    const path = join(dirs.make(), 'db')
    const holder = holdOpen(path)
    try {
      expect(await holder.opened).toBe('opened')
      let error: unknown
      try {
        openLmdbState({ path, verify: 'never' })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(DatabaseLockedError)
      expect((error as DatabaseLockedError).pid).toBe(holder.child.pid)
      expect((error as DatabaseLockedError).message).toContain(path)
      expect((error as DatabaseLockedError).message).toContain(String(holder.child.pid))
    } finally {
      holder.child.kill('SIGKILL')
      await exited(holder.child)
    }
    // Its owner was killed: the lock is stale and taken over.
    const state = dirs.track(openLmdbState({ path, verify: 'never' }))
    await state.importState([genesisOf(randomModel(3, 4))], { number: 0n, blockHash: blockHashOf(0n) })
    expect(state.head()?.number).toBe(0n)
  })

  it('behavior: a read-only handle takes no lock, so it reads while another process writes, and its writes are refused', async () => {
    const path = join(dirs.make(), 'db')
    const setup = openLmdbState({ path })
    await setup.importState([genesisOf(randomModel(3, 4))], { number: 0n, blockHash: blockHashOf(0n) })
    const root = Buffer.from(setup.stateRoot()).toString('hex')
    await setup.close()
    const holder = holdOpen(path)
    try {
      expect(await holder.opened).toBe('opened')
      const reader = dirs.track(openLmdbState({ path, readOnly: true }))
      expect(reader.head()?.number).toBe(0n)
      expect(Buffer.from(reader.stateRoot()).toString('hex')).toBe(root)
      await expect(reader.unwind(1)).rejects.toBeInstanceOf(InvalidOptionError)
      await expect(reader.stage({ accounts: new Map(), codes: new Map() }, { blockNumber: 1n, blockHash: blockHashOf(1n) })).rejects.toThrow(/read-only/)
    } finally {
      holder.child.kill('SIGKILL')
      await exited(holder.child)
    }
  })

  it('behavior: handles in one process share the lock, and closing the last releases it for another process', async () => {
    const path = join(dirs.make(), 'db')
    const first = openLmdbState({ path, verify: 'never' })
    const second = openLmdbState({ path, verify: 'never' })
    await first.close()
    expect(existsSync(join(path, 'writer.lock'))).toBe(true)
    await second.close()
    expect(existsSync(join(path, 'writer.lock'))).toBe(false)
    const other = holdOpen(path)
    try {
      expect(await other.opened).toBe('opened')
    } finally {
      other.child.kill('SIGKILL')
      await exited(other.child)
    }
  })
})

describe('database paths', () => {
  it('behavior: a path with an extension is a directory like any other, and reopens with its state', async () => {
    const path = join(dirs.make(), 'chain.lmdb')
    const state = openLmdbState({ path })
    await state.importState([genesisOf(randomModel(3, 4))], { number: 0n, blockHash: blockHashOf(0n) })
    const root = state.stateRoot()
    await state.close()
    expect(statSync(path).isDirectory()).toBe(true)
    expect(existsSync(join(path, 'data.mdb'))).toBe(true)
    const reopened = dirs.track(openLmdbState({ path }))
    expect(Buffer.from(reopened.stateRoot()).toString('hex')).toBe(Buffer.from(root).toString('hex'))
  })

  it('error: a file given as the database, or a path under a file, is DatabaseAccessError saying so, and the file is untouched', () => {
    const file = join(dirs.make(), 'not-a-directory')
    writeFileSync(file, 'hello')
    for (const [path, says] of [[file, 'is a file, not a directory'], [join(file, 'db'), 'under a file']] as const) {
      let error: unknown
      try {
        openLmdbState({ path })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(DatabaseAccessError)
      expect((error as DatabaseAccessError).message).toContain(says)
      expect((error as DatabaseAccessError).message).toContain(path)
    }
    expect(statSync(file).size).toBe(5)
  })

  it('error: a directory the process may not write is DatabaseAccessError (permission denied), not corruption', async () => {
    const path = join(dirs.make(), 'db')
    const state = openLmdbState({ path })
    await state.importState([genesisOf(randomModel(3, 4))], { number: 0n, blockHash: blockHashOf(0n) })
    await state.close()
    if (process.getuid?.() === 0) {
      // Root writes anywhere: the child runs as root without the capability that overrides file
      // permissions, so the directory's mode applies to it as to anyone.
      chmodSync(path, 0o555)
      const other = holdOpen(path, { withoutDacOverride: true })
      try {
        expect(await other.opened).toBe('DATABASE_ACCESS')
      } finally {
        other.child.kill('SIGKILL')
        await exited(other.child)
        chmodSync(path, 0o755)
      }
    } else {
      chmodSync(path, 0o555)
      try {
        expect(() => openLmdbState({ path })).toThrow(DatabaseAccessError)
        expect(() => openLmdbState({ path })).toThrow(/permission denied/)
      } finally {
        chmodSync(path, 0o755)
      }
    }
  })
})
