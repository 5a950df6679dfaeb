import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { mainnetBlocksDir } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'
import { inspectInChromium } from './chromium.js'
import { scratchDir } from './scratchDir.js'

const run = promisify(execFile)
const pevm = resolve(__dirname, '../node_modules/.bin/pevm')

describe('pevm conflicts --html', () => {
  for (const block of ['12047794', '13287210']) {
    it(`behavior: the report page of block ${block} shows its dependency graph with axes, a point per transaction and nothing clipped, in headless chromium`, async () => {
      const out = join(scratchDir('pevm-html'), 'report.html')
      const { stdout } = await run(pevm, ['conflicts', join(mainnetBlocksDir(), block), '--html', out, '--json'], { timeout: 120_000 })
      const report = JSON.parse(stdout)
      expect(readFileSync(out, 'utf8')).not.toContain('<script')
      const { errors, defects, charts } = await inspectInChromium(out, `conflicts-${block}`)
      expect(errors).toEqual([])
      expect(defects).toEqual([])
      expect(charts).toHaveLength(1)
      const graph = charts[0]!
      expect(graph).toMatchObject({ id: 'graph', symbols: report.txCount })
      expect(graph.axes).toBeGreaterThanOrEqual(2)
      // Every transaction's point, plus at least one drawn dependency.
      expect(graph.marks).toBeGreaterThan(report.txCount)
    })
  }

  it('behavior: --json holds the fields integrators read', async () => {
    const { stdout } = await run(pevm, ['conflicts', join(mainnetBlocksDir(), '12047794'), '--predict', 'static,access-list,preexec', '--json'], { timeout: 120_000 })
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ block: 12047794, txCount: 232 })
    for (const field of ['edges', 'criticalPathGas', 'hotKeys']) expect(report).toHaveProperty(field)
    expect(Object.keys(report.idealSpeedup)).toEqual(expect.arrayContaining(['unbounded', '2', '4', '8', '16']))
    expect(Object.keys(report.byRule)).toEqual(['coinbase', 'credits', 'sender-chains'])
    for (const source of ['static', 'access-list', 'preexec', 'combined']) {
      expect(report.prediction[source].precision).toBeGreaterThan(0)
      expect(report.prediction[source].recall).toBeGreaterThanOrEqual(0)
    }
    expect(report.prediction.preexec.recall).toBeGreaterThan(0.9)
  })

  it('behavior: an unknown prediction source is a usage error', async () => {
    const error = await run(pevm, ['conflicts', join(mainnetBlocksDir(), '46147'), '--predict', 'oracle']).catch((e: { code: number }) => e)
    expect((error as { code: number }).code).toBe(2)
  })
})
