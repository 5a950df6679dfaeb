import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { renderInChromium, SCRIPT_ERROR } from './chromium.js'
import { scratchDir } from './scratchDir.js'

const run = promisify(execFile)
const demo = resolve(__dirname, '../examples/referral-campaign/src/main.mjs')

describe('npm run demo (the referral campaign)', () => {
  it('behavior: every scheduler matches, the analytics match, and the HTML report draws every chart in headless chromium', async () => {
    const report = join(scratchDir('pevm-demo'), 'report.html')
    const { stdout } = await run('node', [demo, '--users', '150', '--blocks', '6', '--report', report], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 })
    expect(stdout).toContain('Every scheduler produced the same state roots as sequential execution and @ethereumjs/vm.')
    expect(stdout).toContain("equal the generator's ground truth")
    for (const row of ["'sequential'", "'optimistic'", "'static'", "'sharded'"]) expect(stdout).toContain(row)
    expect(readFileSync(report, 'utf8')).toContain('<svg id="speedup"')
    const { dom, log } = await renderInChromium(report)
    expect(log).not.toMatch(SCRIPT_ERROR)
    expect(dom).toContain('data-charts="4"')
    for (const chart of ['speedup', 'signUps', 'leaderboard', 'hotKeys']) {
      const marks = Number(new RegExp(`<svg id="${chart}"[^>]*data-marks="(\\d+)"`).exec(dom)?.[1])
      expect(marks, chart).toBeGreaterThan(0)
      expect(dom).toMatch(new RegExp(`<svg id="${chart}"[^>]*>.*?<rect`, 's'))
    }
  })
})
