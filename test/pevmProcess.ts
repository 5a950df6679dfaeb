import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

// The CLI as a user runs it: the npm-linked bin of the built package.
export const pevmBin = resolve(import.meta.dirname, '../node_modules/.bin/pevm')

export interface PevmRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs the `pevm` binary and resolves with how it ended. Always asynchronous: a test that blocks on
 * children (spawnSync) stops answering vitest's own calls, which fail the whole run once they wait
 * 60 s, and several blocking runs in one test add up to that on a loaded machine.
 */
export async function runPevm(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<PevmRun> {
  const env = options.env === undefined ? process.env : { ...process.env, ...options.env }
  try {
    const { stdout, stderr } = await promisify(execFile)(pevmBin, [...args], { encoding: 'utf8', env, timeout: options.timeoutMs ?? 240_000, maxBuffer: 256 * 1024 * 1024 })
    return { code: 0, signal: null, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number | string | null; signal?: NodeJS.Signals | null; stdout?: string; stderr?: string }
    // A numeric code or a signal is the child's own ending; anything else (ENOENT, a buffer overflow) is the test's failure.
    if (typeof failed.code !== 'number' && !failed.signal) throw error
    return { code: typeof failed.code === 'number' ? failed.code : null, signal: failed.signal ?? null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}

/** `runPevm` with the arguments spread, as the CLI tests write their commands. */
export const pevm = (...args: string[]): Promise<PevmRun> => runPevm(args)
