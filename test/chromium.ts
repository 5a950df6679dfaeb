import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { scratchDir } from './scratchDir.js'

const run = promisify(execFile)
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Loads a page in headless Debian chromium; returns the DOM after scripts ran and the browser's log. */
export async function renderInChromium(file: string): Promise<{ dom: string; log: string }> {
  const profile = scratchDir('pevm-chromium')
  const { stdout, stderr } = await run('chromium', [...chromiumFlags, `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return { dom: stdout, log: stderr }
}

/** Script errors a page logged to the console. */
export const SCRIPT_ERROR = /Uncaught|SyntaxError|TypeError|ReferenceError/
