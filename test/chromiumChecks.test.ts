import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderChart } from '@parallel-evm/referral-kit/chart'
import { describe, expect, it } from 'vitest'
import { inspectInChromium } from './chromium.js'
import { scratchDir } from './scratchDir.js'

/** The browser checks the report tests rely on must fail on each defect they claim to catch. */
describe('the headless-browser page checks', () => {
  it('behavior: a chart without axes, a label wider than its chart, a table without a header and an empty header cell are each reported', async () => {
    const page = join(scratchDir('pevm-page-checks'), 'broken.html')
    writeFileSync(
      page,
      `<!doctype html><html><body>
<svg id="axisless" class="chart" width="200" height="100"><g class="role-mark"><rect x="10" y="10" width="50" height="20"/></g></svg>
<svg id="clipped" class="chart" width="200" height="100"><g class="role-axis"><text x="10" y="20">ok</text></g><g class="role-mark"><rect x="10" y="30" width="50" height="20"/></g><text x="150" y="60" font-size="14">a label far too long to fit</text></svg>
<table><tbody><tr><td>no header</td></tr></tbody></table>
<table><thead><tr><th>name</th><th> </th></tr></thead><tbody><tr><td>a</td><td>b</td></tr></tbody></table>
</body></html>`,
    )
    const { defects, errors, screenshot } = await inspectInChromium(page, 'page-checks-broken')
    expect(errors).toEqual([])
    expect(defects).toEqual([
      'axisless: no axis',
      'clipped: text "a label far too long to fit" reaches outside the chart (clipped)',
      'table 1: no header row',
      'table 2: an empty header cell',
    ])
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG')
  })

  it('behavior: a Vega-Lite chart rendered by renderChart passes them, with its axes and marks counted', async () => {
    const svg = await renderChart('bars', {
      title: 'Two bars',
      data: { values: [{ name: 'a rather long category label', value: 3 }, { name: 'b', value: 5 }] },
      mark: 'bar',
      encoding: { y: { field: 'name', type: 'nominal' }, x: { field: 'value', type: 'quantitative' } },
    })
    const page = join(scratchDir('pevm-page-checks'), 'chart.html')
    writeFileSync(page, `<!doctype html><html><body>${svg}</body></html>`)
    const { defects, errors, charts } = await inspectInChromium(page, 'page-checks-chart')
    expect(errors).toEqual([])
    expect(defects).toEqual([])
    expect(charts).toEqual([{ id: 'bars', marks: 2, symbols: 0, axes: expect.any(Number) }])
    expect(charts[0]!.axes).toBeGreaterThanOrEqual(2)
  })
})
