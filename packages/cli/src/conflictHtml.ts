import { dependencyLevels } from '@parallel-evm/conflicts'
import { renderChart } from '@parallel-evm/referral-kit/chart'
import type { ConflictReport } from './conflictReport.js'

const kindColours: Record<string, string> = {
  storage: '#d9480f',
  balance: '#1971c2',
  nonce: '#2f9e44',
  code: '#9c36b5',
  existence: '#868e96',
  'critical path': '#f59f00',
}

/**
 * A self-contained page (no script, no network): the dependency graph as a Vega-Lite chart rendered
 * to SVG (`renderChart`), transactions along the block order and by dependency level, edges
 * coloured by key kind with a legend, the critical path highlighted, and the hot-key table.
 */
export async function renderConflictHtml(report: ConflictReport): Promise<string> {
  const rows = report.hotKeys
    .map((key) => `<tr><td>${key.edges}</td><td>${key.kind}</td><td><code>${escapeHtml(key.address)}</code></td><td>${escapeHtml(key.label)}</td></tr>`)
    .join('')
  const graph = await renderChart('graph', dependencyGraphChart(report))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Block ${report.block}: conflicts</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#212529}
svg.chart{max-width:100%;height:auto}
table{border-collapse:collapse;margin-top:16px}td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:left}th{background:#f1f3f5}
</style></head>
<body>
<h1>Block ${report.block}</h1>
<p>${report.txCount} transactions, ${report.edges} dependency edges, critical path ${report.criticalPathLength} transactions / ${report.criticalPathGas} gas,
ideal speedup ${report.idealSpeedup.unbounded}x unbounded, ${report.idealSpeedup['2']}x on 2 lanes, ${report.idealSpeedup['16']}x on 16 lanes.</p>
${graph}
<h2>Hot keys</h2>
<table><thead><tr><th>edges</th><th>kind</th><th>address</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`
}

/** Transactions as points (block order × dependency level), each drawn edge as a line from its earlier transaction. */
function dependencyGraphChart(report: ConflictReport): Parameters<typeof renderChart>[1] {
  const levels = dependencyLevels(report.dependencies)
  const onPath = new Set(report.criticalPath)
  const pathEdges = new Set(report.criticalPath.slice(1).map((to, k) => `${report.criticalPath[k]}>${to}`))
  const edges = report.drawnEdges.map(([from, to, kind]) => ({
    from,
    to,
    fromLevel: levels[from]!,
    toLevel: levels[to]!,
    kind: pathEdges.has(`${from}>${to}`) ? 'critical path' : kind,
  }))
  const nodes = levels.map((level, tx) => ({ tx, level, dependencies: report.dependencies[tx]!.length, critical: onPath.has(tx) }))
  const maxLevel = Math.max(1, ...levels)
  const x = (field: string) => ({ field, type: 'quantitative' as const, title: 'transaction (block order)', scale: { domain: [0, Math.max(1, report.txCount - 1)] } })
  const y = (field: string) => ({ field, type: 'quantitative' as const, title: 'dependency level (1: depends on nothing)', scale: { domain: [1, maxLevel], reverse: true }, axis: { tickMinStep: 1, format: 'd' } })
  return {
    title: { text: `Block ${report.block}: dependency graph`, subtitle: 'each line is a dependency through a key of that kind; orange: the critical path' },
    width: Math.min(1000, Math.max(400, report.txCount * 4)),
    height: Math.min(500, Math.max(160, maxLevel * 24)),
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', opacity: 0.6 },
        encoding: {
          x: x('from'),
          y: y('fromLevel'),
          x2: { field: 'to' },
          y2: { field: 'toLevel' },
          color: { field: 'kind', type: 'nominal', title: 'key kind', scale: { domain: Object.keys(kindColours), range: Object.values(kindColours) } },
          strokeWidth: { condition: { test: "datum.kind === 'critical path'", value: 2.5 }, value: 0.8 },
        },
      },
      {
        data: { values: nodes },
        mark: { type: 'circle', size: 24, opacity: 1 },
        encoding: {
          x: x('tx'),
          y: y('level'),
          fill: { condition: { test: 'datum.critical', value: kindColours['critical path']! }, value: '#343a40' },
          tooltip: [{ field: 'tx', title: 'transaction' }, { field: 'level' }, { field: 'dependencies' }],
        },
      },
    ],
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
