import type { TopLevelSpec } from 'vega-lite'
import type { CampaignAnalytics } from '../analytics/types.js'
import type { GasProfile } from '../analytics/gasProfile.js'
import type { ReportHotKeys, ReportRun } from './campaignReport.js'

const WIDE = 860
const FACET = 400
const ONE_X = 'red dashed line: 1x, our sequential path'

/** A run's name in charts and tables: sequential has no workers ("-" in the terminal too). */
export const runLabel = (run: Pick<ReportRun, 'scheduler' | 'workers'>) =>
  run.workers > 0 ? `${run.scheduler} (${run.workers} worker${run.workers === 1 ? '' : 's'})` : run.scheduler

/** The whole campaign's speedup over our sequential path, per design and run, with the 1x line. */
export function speedupChart(runs: readonly ReportRun[]): TopLevelSpec {
  const values = runs.map((run) => ({ run: `${run.design} · ${runLabel(run)}`, design: run.design, speedup: run.overSequential }))
  return {
    title: { text: 'Whole campaign: speedup over our sequential path', subtitle: ONE_X },
    width: WIDE - 300,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          y: { field: 'run', type: 'nominal', sort: null, title: null },
          x: { field: 'speedup', type: 'quantitative', title: 'speedup (x), higher is faster' },
          color: { field: 'design', type: 'nominal', title: 'design' },
          tooltip: [{ field: 'run' }, { field: 'speedup', format: '.2f' }],
        },
      },
      { data: { values: [{ one: 1 }] }, mark: { type: 'rule', color: '#c92a2a', strokeDash: [5, 3], strokeWidth: 2 }, encoding: { x: { field: 'one', type: 'quantitative' } } },
    ],
  }
}

/** Each block's time per run (ms), one panel per design. */
export function blockTimeChart(runs: readonly ReportRun[]): TopLevelSpec {
  const values = runs.flatMap((run) => run.blockMs.map((ms, block) => ({ design: run.design, run: runLabel(run), block: block + 1, ms })))
  return {
    title: 'Time per block',
    data: { values },
    facet: { column: { field: 'design', type: 'nominal', title: 'design' } },
    spec: {
      width: FACET,
      height: 220,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'block', type: 'quantitative', title: 'block', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'ms', type: 'quantitative', title: 'ms (lower is faster)' },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
    },
  }
}

/**
 * Each block's speedup over our sequential path per parallel run, against the conflict detector's
 * ideal on 2 lanes (what the block's dependencies allow), with the 1x line; one panel per design.
 */
export function blockSpeedupChart(runs: readonly ReportRun[], hotKeys: readonly ReportHotKeys[]): TopLevelSpec {
  const values: { design: string; series: string; block: number; speedup: number }[] = []
  for (const run of runs) {
    const sequential = runs.find((other) => other.design === run.design && other.workers === 0)
    if (run.workers === 0 || sequential === undefined) continue
    run.blockMs.forEach((ms, block) => values.push({ design: run.design, series: runLabel(run), block: block + 1, speedup: sequential.blockMs[block]! / ms }))
  }
  for (const design of hotKeys) design.idealByBlock.forEach((speedup, block) => values.push({ design: design.design, series: 'ideal on 2 lanes', block: block + 1, speedup }))
  return {
    title: { text: 'Speedup per block: achieved against ideal', subtitle: `dashed: the ideal on 2 lanes; ${ONE_X}` },
    data: { values },
    facet: { column: { field: 'design', type: 'nominal', title: 'design' } },
    spec: {
      width: FACET,
      height: 220,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'block', type: 'quantitative', title: 'block', axis: { tickMinStep: 1, format: 'd' } },
            y: { field: 'speedup', type: 'quantitative', title: 'speedup over our sequential path (x)' },
            color: { field: 'series', type: 'nominal', title: 'run' },
            strokeDash: { condition: { test: "datum.series === 'ideal on 2 lanes'", value: [6, 3] }, value: [1, 0] },
          },
        },
        { mark: { type: 'rule', color: '#c92a2a', strokeDash: [5, 3] }, encoding: { y: { datum: 1 } } },
      ],
    },
  }
}

export function signUpsChart(analytics: CampaignAnalytics): TopLevelSpec {
  return {
    title: 'Sign-ups per program week',
    width: WIDE - 200,
    height: 200,
    data: { values: analytics.signUpsByWeek.map((signUps, week) => ({ week, signUps })) },
    mark: 'bar',
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'program week', axis: { labelAngle: 0 } },
      y: { field: 'signUps', type: 'quantitative', title: 'sign-ups' },
    },
  }
}

export function leaderboardChart(analytics: CampaignAnalytics): TopLevelSpec {
  const values = analytics.leaderboard.map((row, rank) => ({ referrer: `#${rank + 1} ${row.referrer.slice(0, 8)}…${row.referrer.slice(-4)}`, conversions: row.conversions, signUps: row.signUps }))
  return {
    title: 'Leaderboard: top referrers by conversions',
    width: WIDE - 300,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'referrer', type: 'nominal', sort: null, title: 'referrer' },
      x: { field: 'conversions', type: 'quantitative', title: 'conversions', axis: { tickMinStep: 1, format: 'd' } },
      tooltip: [{ field: 'referrer' }, { field: 'conversions' }, { field: 'signUps', title: 'sign-ups' }],
    },
  }
}

const DESIGN_COLORS: Record<ReportHotKeys['design'], string> = { kit: '#1971c2', naive: '#e8590c', protocol: '#2f9e44' }

/** One design's hot keys on its own scale: the designs differ by orders of magnitude. */
export function hotKeysChart(design: ReportHotKeys): TopLevelSpec {
  return {
    title: `Hot keys of the ${design.design} design (dependency edges through each key)`,
    width: WIDE - 420,
    data: { values: design.keys.map((key) => ({ key: key.label, edges: key.edges })) },
    mark: { type: 'bar', color: DESIGN_COLORS[design.design] },
    encoding: {
      y: { field: 'key', type: 'nominal', sort: null, title: null },
      x: { field: 'edges', type: 'quantitative', title: 'dependency edges over the campaign' },
    },
  }
}

/** Each weekly cohort's share with a purchase in week +k, as a labelled heatmap. */
export function retentionChart(analytics: CampaignAnalytics): TopLevelSpec {
  const values = analytics.retention.flatMap((cohort) =>
    cohort.retained.map((count, offset) => ({ cohort: `week ${cohort.week} (${cohort.size})`, offset: `+${offset}`, share: cohort.size === 0 ? 0 : count / cohort.size })),
  )
  return {
    title: 'Retention: share of each sign-up cohort with a purchase k weeks later',
    data: { values },
    encoding: {
      x: { field: 'offset', type: 'ordinal', sort: null, title: 'weeks after sign-up', axis: { labelAngle: 0 } },
      y: { field: 'cohort', type: 'ordinal', sort: null, title: 'sign-up week (cohort size)' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', title: 'share', scale: { scheme: 'blues', domain: [0, 1] }, legend: { format: '.0%', orient: 'bottom', direction: 'horizontal' } } } },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'share', type: 'quantitative', format: '.0%' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
    width: { step: 44 },
    height: { step: 24 },
  }
}

export function gasChart(gas: GasProfile): TopLevelSpec {
  const names: Record<keyof GasProfile['medians'], string> = {
    'register-code': 'register a code',
    'sign-up': 'sign up',
    conversion: 'conversion (first purchase)',
    'repeat-purchase': 'repeat purchase',
    claim: 'claim',
  }
  const values = Object.entries(gas.medians).map(([action, median]) => ({ action: names[action as keyof GasProfile['medians']], gas: median }))
  return {
    title: { text: 'Gas per action (kit design, median of successful calls)', subtitle: `claim: ${gas.claim.base} + ${gas.claim.perReferee} per referee (fit over ${gas.claim.claims} claims)` },
    width: WIDE - 300,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'action', type: 'nominal', sort: null, title: null },
      x: { field: 'gas', type: 'quantitative', title: 'gas' },
    },
  }
}
