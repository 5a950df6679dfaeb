import { dependencyLevels } from '@parallel-evm/conflicts'
import type { ConflictReport } from './conflictReport.js'

const kindColours: Record<string, string> = {
  storage: '#d9480f',
  balance: '#1971c2',
  nonce: '#2f9e44',
  code: '#9c36b5',
  existence: '#868e96',
}

/**
 * A self-contained page (no network): the dependency graph drawn by an inline script into SVG,
 * transactions along the block order and by dependency level, edges coloured by key kind, the
 * critical path highlighted, and the hot-key table. The script marks `<body data-rendered>` with
 * the number of nodes drawn, which the headless-browser test reads.
 */
export function renderConflictHtml(report: ConflictReport): string {
  const data = JSON.stringify({
    txCount: report.txCount,
    dependencies: report.dependencies.map((deps) => deps.length),
    levels: dependencyLevels(report.dependencies),
    edges: report.drawnEdges,
    criticalPath: report.criticalPath,
    colours: kindColours,
  }).replace(/</g, '\\u003c')
  const rows = report.hotKeys
    .map((key) => `<tr><td>${key.edges}</td><td>${key.kind}</td><td><code>${escapeHtml(key.address)}</code></td><td>${escapeHtml(key.label)}</td></tr>`)
    .join('')
  const legend = Object.entries(kindColours)
    .map(([kind, colour]) => `<span><i style="background:${colour}"></i>${kind}</span>`)
    .join(' ')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Block ${report.block}: conflicts</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#212529}
svg{border:1px solid #dee2e6;background:#fff;max-width:100%}
table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:left}
.legend i{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
</style></head>
<body data-rendered="0">
<h1>Block ${report.block}</h1>
<p>${report.txCount} transactions, ${report.edges} dependency edges, critical path ${report.criticalPathLength} transactions / ${report.criticalPathGas} gas,
ideal speedup ${report.idealSpeedup.unbounded}x unbounded, ${report.idealSpeedup['2']}x on 2 lanes, ${report.idealSpeedup['16']}x on 16 lanes.</p>
<p class="legend">Edges by key kind: ${legend} <span><i style="background:#f59f00"></i>critical path</span></p>
<svg id="graph" role="img" aria-label="dependency graph"></svg>
<h2>Hot keys</h2>
<table><thead><tr><th>edges</th><th>kind</th><th>address</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>
<script>
const data = ${data};
const svg = document.getElementById('graph');
const ns = 'http://www.w3.org/2000/svg';
const dx = Math.max(3, Math.min(40, 1600 / Math.max(1, data.txCount)));
const maxLevel = Math.max(1, ...data.levels);
const dy = Math.max(6, Math.min(40, 600 / maxLevel));
const width = 40 + data.txCount * dx, height = 40 + maxLevel * dy;
svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
svg.setAttribute('width', String(Math.min(width, 1600)));
const x = (i) => 20 + i * dx, y = (i) => 20 + (data.levels[i] - 1) * dy;
const onPath = new Set(data.criticalPath);
const pathEdge = new Set(data.criticalPath.slice(1).map((to, k) => data.criticalPath[k] + '>' + to));
function el(name, attrs) { const e = document.createElementNS(ns, name); for (const k in attrs) e.setAttribute(k, attrs[k]); svg.appendChild(e); return e; }
for (const [from, to, kind] of data.edges) {
  const critical = pathEdge.has(from + '>' + to);
  el('line', { x1: x(from), y1: y(from), x2: x(to), y2: y(to), stroke: critical ? '#f59f00' : data.colours[kind], 'stroke-width': critical ? 2.5 : 0.8, 'stroke-opacity': critical ? 1 : 0.6 });
}
let drawn = 0;
for (let i = 0; i < data.txCount; i++) {
  el('circle', { cx: x(i), cy: y(i), r: Math.max(1.5, Math.min(5, dx / 2.5)), fill: onPath.has(i) ? '#f59f00' : '#343a40' }).appendChild(document.createElementNS(ns, 'title')).textContent = 'tx ' + i + ', ' + data.dependencies[i] + ' dependencies';
  drawn++;
}
document.body.dataset.rendered = String(drawn);
document.body.dataset.edges = String(data.edges.length);
</script>
</body></html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
