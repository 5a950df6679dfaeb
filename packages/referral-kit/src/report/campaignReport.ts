import type { CampaignAnalytics } from '../analytics/types.js'
import type { ProgramDesign } from '../campaign/types.js'

/** One scheduler's run of one campaign design, as the demo measured it. */
export interface ReportRun {
  design: ProgramDesign
  scheduler: string
  workers: number
  ms: number
  /** Over sequential `@ethereumjs/vm` runBlock on the same campaign, in the same process. */
  speedup: number
  reExecutions: number
  rootsMatch: boolean
}

export interface ReportHotKeys {
  design: ProgramDesign
  /** The conflict detector's ideal speedup on 2 and 16 lanes, gas-weighted over the campaign's blocks. */
  idealSpeedup2: number
  idealSpeedup16: number
  keys: { label: string; edges: number }[]
}

export interface CampaignReportData {
  title: string
  runs: ReportRun[]
  analytics: CampaignAnalytics
  hotKeys: ReportHotKeys[]
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

/**
 * A self-contained page (no network): four bar charts drawn into SVG by an inline script (speedup
 * per scheduler, sign-ups per week, the leaderboard, hot keys of each design) and a retention table.
 * Each chart's `<svg>` gets `data-marks` with the bars it drew and `<body data-charts>` the number of
 * charts with at least one bar, which the headless-browser test reads.
 */
export function renderCampaignReport(data: CampaignReportData): string {
  const charts = {
    speedup: data.runs.map((run) => ({ label: `${run.design} · ${run.scheduler}${run.workers > 0 ? ` (${run.workers}w)` : ''}`, value: run.speedup, note: `${run.speedup.toFixed(2)}x` })),
    signUps: data.analytics.signUpsByWeek.map((count, week) => ({ label: `week ${week}`, value: count, note: String(count) })),
    leaderboard: data.analytics.leaderboard.map((r) => ({ label: `${r.referrer.slice(0, 6)}…${r.referrer.slice(-4)}`, value: r.conversions, note: `${r.conversions} conv. / ${r.signUps} sign-ups` })),
    hotKeys: data.hotKeys.flatMap((design) => design.keys.slice(0, 8).map((key) => ({ label: `${design.design}: ${key.label}`, value: key.edges, note: `${key.edges} edges` }))),
  }
  const json = JSON.stringify(charts).replace(/</g, '\\u003c')
  const runRows = data.runs
    .map((r) => `<tr><td>${r.design}</td><td>${escapeHtml(r.scheduler)}</td><td>${r.workers}</td><td>${r.ms.toFixed(0)}</td><td>${r.speedup.toFixed(2)}x</td><td>${r.reExecutions}</td><td>${r.rootsMatch ? 'yes' : 'NO'}</td></tr>`)
    .join('')
  const retentionRows = data.analytics.retention
    .map((c) => `<tr><td>week ${c.week}</td><td>${c.size}</td>${c.retained.map((n) => `<td>${c.size === 0 ? 0 : Math.round((100 * n) / c.size)}%</td>`).join('')}</tr>`)
    .join('')
  const fraudRows = Object.entries(data.analytics.fraudBlocked)
    .map(([kind, count]) => `<tr><td>${kind}</td><td>${count}</td></tr>`)
    .join('')
  const ideal = data.hotKeys.map((h) => `${h.design}: ${h.idealSpeedup2.toFixed(2)}x on 2 lanes, ${h.idealSpeedup16.toFixed(2)}x on 16`).join('; ')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#212529;max-width:1100px}
svg{border:1px solid #dee2e6;background:#fff;width:100%}
table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #dee2e6;padding:3px 8px;text-align:left}
</style></head>
<body data-charts="0">
<h1>${escapeHtml(data.title)}</h1>
<h2>Schedulers</h2>
<table><thead><tr><th>design</th><th>scheduler</th><th>workers</th><th>ms</th><th>vs runBlock</th><th>re-executions</th><th>roots = sequential</th></tr></thead><tbody>${runRows}</tbody></table>
<svg id="speedup" role="img" aria-label="speedup per scheduler"></svg>
<h2>Sign-ups per week</h2>
<p>${data.analytics.signUps} sign-ups, ${data.analytics.conversions} conversions (${(100 * data.analytics.conversionRate).toFixed(1)}%), ${data.analytics.purchases} purchases, median claim latency ${(data.analytics.claimLatency.medianSeconds / 86_400).toFixed(1)} days.</p>
<svg id="signUps" role="img" aria-label="sign-ups per week"></svg>
<h2>Leaderboard (conversions)</h2>
<svg id="leaderboard" role="img" aria-label="leaderboard"></svg>
<h2>Hot keys: what serialises each design</h2>
<p>Dependency edges through each key, summed over the campaign's blocks (conflict detector). Ideal speedup: ${ideal}.</p>
<svg id="hotKeys" role="img" aria-label="hot keys"></svg>
<h2>Retention by weekly cohort (share with a purchase in week +k)</h2>
<table><tbody>${retentionRows}</tbody></table>
<h2>Fraud attempts blocked</h2>
<table><tbody>${fraudRows}</tbody></table>
<script>
const charts = ${json};
const ns = 'http://www.w3.org/2000/svg';
function el(name, attrs, text) {
  const node = document.createElementNS(ns, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}
function barChart(id, rows) {
  const svg = document.getElementById(id);
  const labelWidth = 440, barHeight = 20, gap = 6, width = 1000;
  const max = Math.max(1e-9, ...rows.map((r) => r.value));
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + (rows.length * (barHeight + gap) + gap));
  let marks = 0;
  rows.forEach((row, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.max(1, (width - labelWidth - 140) * row.value / max);
    svg.appendChild(el('text', { x: labelWidth - 8, y: y + 14, 'text-anchor': 'end', 'font-size': 12 }, row.label));
    svg.appendChild(el('rect', { x: labelWidth, y, width: w, height: barHeight, fill: '#1971c2' }));
    svg.appendChild(el('text', { x: labelWidth + w + 6, y: y + 14, 'font-size': 12 }, row.note));
    marks++;
  });
  svg.setAttribute('data-marks', String(marks));
  return marks;
}
let drawn = 0;
for (const [id, rows] of Object.entries(charts)) if (barChart(id, rows) > 0) drawn++;
document.body.setAttribute('data-charts', String(drawn));
</script>
</body></html>
`
}
