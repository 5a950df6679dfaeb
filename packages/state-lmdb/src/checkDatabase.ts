import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CorruptDatabaseError, DatabaseVersionError } from './errors.js'
import { FORMAT_VERSION } from './records.js'
import { builtModuleUrl, type LmdbWorkerFiles } from './workerEntry.js'

/** What a full check found: every table's records (checksums good) and the head's tries, complete. */
export interface CheckReport {
  entries: Record<string, number>
  /** Trie nodes read from the head's state root, and the account and storage leaves under it. */
  trie: { nodes: number; accounts: number; slots: number }
  ms: number
}

/** A step of a check under way: records read in `table`, or trie nodes walked. */
export type CheckProgress = { phase: 'records'; table: string; done: number } | { phase: 'trie'; done: number }

/**
 * The full verification, for a database of any size: every record of every table read and its
 * checksum checked, then every trie node reachable from the head's state root read and hashed, and
 * the tries' accounts and slots counted against the flat tables. In a child process, like
 * `verifyDatabase` (a damaged page can crash the reader); `onProgress` hears each step;
 * `workerFiles.checkChild` is the child's file for a bundled app (see `LmdbWorkerFiles`).
 * Throws `CorruptDatabaseError` saying what is wrong, or `DatabaseVersionError`.
 */
export function checkDatabase(path: string, onProgress: (progress: CheckProgress) => void = () => {}, options: { workerFiles?: LmdbWorkerFiles } = {}): Promise<CheckReport> {
  const started = performance.now()
  if (!existsSync(join(path, 'data.mdb'))) return Promise.reject(new CorruptDatabaseError({ path, what: 'its data file', reason: 'does not exist' }))
  const corrupt = (reason: string, cause?: unknown) => new CorruptDatabaseError({ path, what: 'its check', reason, cause })
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(builtModuleUrl('checkChild', options.workerFiles?.checkChild)), path], { stdio: ['ignore', 'pipe', 'pipe'] })
    let verdict: { ok: boolean; code?: string; found?: number; message?: string; entries?: Record<string, number>; trie?: CheckReport['trie'] } | undefined
    let buffered = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (buffered + chunk.toString()).split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const message = JSON.parse(line) as { progress?: 'records' | 'trie'; table?: string; done?: number; ok?: boolean }
        if (message.progress === 'records') onProgress({ phase: 'records', table: message.table!, done: message.done! })
        else if (message.progress === 'trie') onProgress({ phase: 'trie', done: message.done! })
        else verdict = message as typeof verdict
      }
    })
    child.on('error', (error) => reject(corrupt('could not start', error)))
    child.on('exit', (code, signal) => {
      if (signal !== null) return reject(corrupt(`crashed the reader (${signal}): its pages are damaged`))
      if (verdict === undefined) return reject(corrupt(`ended without a verdict (exit ${code}): ${stderr.split('\n').find((line) => line.trim() !== '') ?? 'no output'}`))
      if (!verdict.ok && verdict.found !== undefined) return reject(new DatabaseVersionError({ path, found: verdict.found, supported: FORMAT_VERSION }))
      if (!verdict.ok) return reject(new CorruptDatabaseError({ path, what: 'the check', reason: `found that ${verdict.message!.split('\n')[0]}` }))
      resolve({ entries: verdict.entries!, trie: verdict.trie!, ms: performance.now() - started })
    })
  })
}
