import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { inspectInChromium } from './chromium.js'
import { scratchDir } from './scratchDir.js'

const run = promisify(execFile)
const demo = resolve(__dirname, '../examples/referral-campaign/src/main.mjs')

describe('npm run demo (the referral campaign)', () => {
  it('behavior: every scheduler matches, the analytics match, and the HTML report shows every chart with axes and nothing clipped in headless chromium', async () => {
    const report = join(scratchDir('pevm-demo'), 'report.html')
    const { stdout } = await run('node', [demo, '--users', '150', '--blocks', '6', '--report', report], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 })
    expect(stdout).toContain('Every scheduler produced the same state roots as sequential execution and @ethereumjs/vm.')
    expect(stdout).toContain("equal the generator's ground truth")
    // The table: plain columns within 100 characters, the speedup over our sequential path first of the figures.
    const lines = stdout.split('\n')
    const header = lines.findIndex((line) => line.startsWith('design '))
    expect(lines[header]!.split(/\s{2,}/)).toEqual(['design', 'scheduler', 'workers', 'vs sequential', 'ms', 'vs runBlock', 're-runs', 'fell back', 'roots'])
    const rows = lines.slice(header + 2, header + 17)
    expect(rows.map((row) => row.split(/\s+/).slice(0, 2).join(' '))).toEqual(
      ['kit', 'naive', 'protocol'].flatMap((design) => ['sequential', 'optimistic', 'optimistic', 'static', 'sharded'].map((scheduler) => `${design} ${scheduler}`)),
    )
    for (const line of [lines[header]!, lines[header + 1]!, ...rows]) expect(line.length, line).toBeLessThanOrEqual(100)
    for (const row of rows) expect(row).toMatch(/ (\d+\.\d\dx) +\d+ +\d+\.\d\dx +\d+ +\d+ blocks +same$/)
    expect(rows.filter((row) => /^\S+ +sequential +- +1\.00x /.test(row))).toHaveLength(3)
    expect(stdout).not.toContain('DO NOT equal')
    expect(readFileSync(report, 'utf8')).not.toContain('<script')
    const { errors, defects, charts } = await inspectInChromium(report, 'referral-report')
    expect(errors).toEqual([])
    expect(defects).toEqual([])
    expect(charts.map((chart) => chart.id)).toEqual(['speedup', 'blockTime', 'blockSpeedup', 'signUps', 'leaderboard', 'retention', 'gas', 'hotKeys-kit', 'hotKeys-naive', 'hotKeys-protocol'])
    for (const chart of charts) {
      expect(chart.axes, chart.id).toBeGreaterThanOrEqual(2)
      expect(chart.marks, chart.id).toBeGreaterThan(0)
    }
    // One bar per run; a point per block for each of the 5 runs (time) and each of the 4 parallel runs plus the ideal (speedup), per design.
    const byId = Object.fromEntries(charts.map((chart) => [chart.id, chart]))
    expect(byId.speedup!.marks).toBeGreaterThanOrEqual(15)
    expect(byId.blockTime!.symbols).toBe(3 * 5 * 7)
    expect(byId.blockSpeedup!.symbols).toBe(3 * 5 * 7)
  })
})
