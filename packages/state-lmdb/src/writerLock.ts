import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { DatabaseAccessError, DatabaseLockedError } from './errors.js'

const LOCK_FILE = 'writer.lock'

/** Handles of this process per database: several may share one process's lock. */
const heldHere = new Map<string, number>()

/**
 * Takes the database's writer lock: a file holding the owner's pid and host, created exclusively.
 * LMDB lets several processes write one environment in turn, but two replays interleaving blocks on
 * one head corrupt each other's work (the loser failed deep in a block with a nonce error), so a
 * second writer is refused up front. A lock whose process no longer runs on this host is stale and
 * taken over. Returns the release function.
 */
export function acquireWriterLock(path: string): () => void {
  const file = join(path, LOCK_FILE)
  const held = heldHere.get(file)
  if (held !== undefined) {
    heldHere.set(file, held + 1)
    return releaseOnce(file)
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EEXIST') throw new DatabaseAccessError({ path, reason: `cannot take its writer lock (${code ?? 'error'}): the directory must be writable`, cause: error })
      const owner = readOwner(file)
      if (owner !== undefined && (owner.host !== hostname() || isRunning(owner.pid))) throw new DatabaseLockedError({ path, pid: owner.pid, host: owner.host })
      // Stale (its process is gone) or unreadable (a crash while writing it): remove and try again.
      rmSync(file, { force: true })
      continue
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }))
    closeSync(fd)
    heldHere.set(file, 1)
    return releaseOnce(file)
  }
  throw new DatabaseAccessError({ path, reason: 'has a writer lock that keeps coming back: another process is taking it' })
}

function releaseOnce(file: string): () => void {
  let released = false
  return () => {
    if (released) return
    released = true
    const count = (heldHere.get(file) ?? 1) - 1
    if (count > 0) return void heldHere.set(file, count)
    heldHere.delete(file)
    rmSync(file, { force: true })
  }
}

function readOwner(file: string): { pid: number; host: string } | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; host?: unknown }
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? { pid: owner.pid as number, host: owner.host } : undefined
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  // This process holds none (or `heldHere` would say so): a leftover of an earlier process with its pid.
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
