import type { GasProfile } from '../analytics/gasProfile.js'
import type { CampaignAnalytics } from '../analytics/types.js'
import type { ProgramDesign } from '../campaign/types.js'
import { blockSpeedupChart, blockTimeChart, gasChart, hotKeysChart, leaderboardChart, retentionChart, runLabel, signUpsChart, speedupChart } from './campaignCharts.js'
import { escapeHtml, renderChart } from './chart.js'

/** One scheduler's run of one campaign design, as the demo measured it. */
export interface ReportRun {
  design: ProgramDesign
  scheduler: string
  /** Worker threads; 0 for our sequential path. */
  workers: number
  ms: number
  /** Our sequential path's time on the same design over this run's. */
  overSequential: number
  /** Over sequential `@ethereumjs/vm` runBlock on the same campaign, in the same process. */
  speedup: number
  reExecutions: number
  rootsMatch: boolean
  /** Each block's time (ms), in block order. */
  blockMs: number[]
}

export interface ReportHotKeys {
  design: ProgramDesign
  /** The conflict detector's ideal speedup on 2 and 16 lanes, gas-weighted over the campaign's blocks. */
  idealSpeedup2: number
  idealSpeedup16: number
  /** Each block's ideal speedup on 2 lanes, in block order. */
  idealByBlock: number[]
  keys: { label: string; edges: number }[]
}

export interface CampaignReportData {
  title: string
  runs: ReportRun[]
  analytics: CampaignAnalytics
  hotKeys: ReportHotKeys[]
  /** Gas per action of the kit design (`gasProfile`). */
  gas: GasProfile
}

/**
 * A self-contained page: no script, no network. Its charts are Vega-Lite specs rendered to SVG in
 * Node (`renderChart`), with axes, legends and titles: speedup per run against the 1x line, time
 * and speedup per block against the conflict detector's ideal, sign-ups per week, the leaderboard,
 * each design's hot keys on its own scale, a retention heatmap and gas per action.
 */
export async function renderCampaignReport(data: CampaignReportData): Promise<string> {
  const [speedup, blockTime, blockSpeedup, signUps, leaderboard, retention, gas, ...hotKeys] = await Promise.all([
    renderChart('speedup', speedupChart(data.runs)),
    renderChart('blockTime', blockTimeChart(data.runs)),
    renderChart('blockSpeedup', blockSpeedupChart(data.runs, data.hotKeys)),
    renderChart('signUps', signUpsChart(data.analytics)),
    renderChart('leaderboard', leaderboardChart(data.analytics)),
    renderChart('retention', retentionChart(data.analytics)),
    renderChart('gas', gasChart(data.gas)),
    ...data.hotKeys.map((design) => renderChart(`hotKeys-${design.design}`, hotKeysChart(design))),
  ])
  const runRows = data.runs
    .map(
      (r) =>
        `<tr><td>${r.design}</td><td>${escapeHtml(runLabel(r))}</td><td>${r.overSequential.toFixed(2)}x</td><td>${r.ms.toFixed(0)}</td><td>${r.speedup.toFixed(2)}x</td><td>${r.reExecutions}</td><td>${r.rootsMatch ? 'same' : 'DIFFER'}</td></tr>`,
    )
    .join('')
  const fraudRows = Object.entries(data.analytics.fraudBlocked)
    .map(([kind, count]) => `<tr><td>${escapeHtml(kind)}</td><td>${count}</td></tr>`)
    .join('')
  const ideal = data.hotKeys.map((h) => `${h.design}: ${h.idealSpeedup2.toFixed(2)}x on 2 lanes, ${h.idealSpeedup16.toFixed(2)}x on 16`).join('; ')
  const a = data.analytics
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#212529;max-width:1100px}
figure{margin:8px 0 24px}svg.chart{max-width:100%;height:auto}
table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:left}th{background:#f1f3f5}
</style></head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<h2>Schedulers</h2>
<table><thead><tr><th>design</th><th>run</th><th>vs our sequential</th><th>ms</th><th>vs runBlock</th><th>re-executions</th><th>state roots</th></tr></thead><tbody>${runRows}</tbody></table>
<figure>${speedup}</figure>
<figure>${blockTime}</figure>
<p>The ideal is what each block's dependency graph allows on 2 lanes (conflict detector); over the campaign, ${ideal}.</p>
<figure>${blockSpeedup}</figure>
<h2>Campaign</h2>
<p>${a.signUps} sign-ups, ${a.conversions} conversions (${(100 * a.conversionRate).toFixed(1)}%), ${a.purchases} purchases, median claim latency ${(a.claimLatency.medianSeconds / 86_400).toFixed(1)} days.</p>
<figure>${signUps}</figure>
<figure>${leaderboard}</figure>
<figure>${retention}</figure>
<figure>${gas}</figure>
<h2>Hot keys: what serialises each design</h2>
${hotKeys.map((svg) => `<figure>${svg}</figure>`).join('\n')}
<h2>Fraud attempts blocked</h2>
<table><thead><tr><th>kind of attempt</th><th>blocked</th></tr></thead><tbody>${fraudRows}</tbody></table>
</body></html>
`
}
