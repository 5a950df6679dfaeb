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
    // The table: plain columns within 100 characters, the speedup over our sequential path first of the figures.
    const lines = stdout.split('\n')
    const header = lines.findIndex((line) => line.startsWith('design '))
    expect(lines[header]!.split(/\s{2,}/)).toEqual(['design', 'scheduler', 'workers', 'vs sequential', 'ms', 'vs runBlock', 're-runs', 'fell back', 'roots'])
    const rows = lines.slice(header + 2, header + 12)
    expect(rows.map((row) => row.split(/\s+/).slice(0, 2).join(' '))).toEqual(
      ['kit', 'naive'].flatMap((design) => ['sequential', 'optimistic', 'optimistic', 'static', 'sharded'].map((scheduler) => `${design} ${scheduler}`)),
    )
    for (const line of [lines[header]!, lines[header + 1]!, ...rows]) expect(line.length, line).toBeLessThanOrEqual(100)
    for (const row of rows) expect(row).toMatch(/ (\d+\.\d\dx) +\d+ +\d+\.\d\dx +\d+ +\d+ blocks +same$/)
    expect(rows.filter((row) => /^\S+ +sequential +- +1\.00x /.test(row))).toHaveLength(2)
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
