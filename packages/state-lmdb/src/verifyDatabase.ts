import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CorruptDatabaseError, DatabaseVersionError } from './errors.js'
import { FORMAT_VERSION } from './records.js'
import { builtModuleUrl } from './workerEntry.js'

/** What a verification read found: every table's entries, all checksums good. */
export interface VerifyReport {
  entries: Record<string, number>
  ms: number
}

/** When `openLmdbState` verifies: `'auto'` for data files up to this size (a few hundred ms of reading). */
export const AUTO_VERIFY_MAX_BYTES = 256 * 2 ** 20

/**
 * Reads every record of every table, checksums included, in a child process. LMDB trusts its
 * pages: a damaged branch page can send a read through the memory map to anywhere and kill the
 * process. Done in a child, such damage is a `CorruptDatabaseError` here, not a crash.
 */
export function verifyDatabase(path: string, verifyChild?: URL | string): VerifyReport {
  const started = performance.now()
  // A database not created yet has nothing to verify.
  if (statSync(join(path, 'data.mdb'), { throwIfNoEntry: false }) === undefined) return { entries: {}, ms: 0 }
  const child = spawnSync(process.execPath, [fileURLToPath(builtModuleUrl('verifyChild', verifyChild)), path], { encoding: 'utf8', maxBuffer: 1 << 20 })
  if (child.error !== undefined) throw new CorruptDatabaseError({ path, what: 'its verification', reason: 'could not start', cause: child.error })
  const corrupt = (reason: string) => new CorruptDatabaseError({ path, what: 'its data file', reason })
  if (child.signal !== null) throw corrupt(`crashed a verification read (${child.signal}): its pages are damaged`)
  let answer: { ok: true; entries: Record<string, number> } | { ok: false; code: string; message: string; found?: number }
  try {
    answer = JSON.parse(child.stdout) as typeof answer
  } catch {
    throw corrupt(`failed a verification read (exit ${child.status}): ${child.stderr.split('\n').find((line) => line.trim() !== '') ?? 'no output'}`)
  }
  if (!answer.ok && answer.found !== undefined) throw new DatabaseVersionError({ path, found: answer.found, supported: FORMAT_VERSION })
  if (!answer.ok) throw corrupt(`failed a verification read: ${answer.message.split('\n')[0]}`)
  return { entries: answer.entries, ms: performance.now() - started }
}

export function shouldAutoVerify(path: string): boolean {
  const size = statSync(join(path, 'data.mdb'), { throwIfNoEntry: false })?.size ?? 0
  return size > 0 && size <= AUTO_VERIFY_MAX_BYTES
}
