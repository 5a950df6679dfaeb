// The demo (`npm run demo` at the repository root): generates a referral campaign, runs it through
// sequential @ethereumjs/vm (the baseline) and every scheduler we have, on the kit's contract, on
// the naive one and on a protocol (the example mint) reporting to the kit's registry and rewards
// vault, and prints a comparison table, the campaign's analytics and the keys that serialise each
// design; then writes an HTML report with charts.
//   node src/main.mjs [--users N] [--blocks N] [--seed N] [--report file.html]
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { merkleStateManagerFrom, runBlockBaseline } from '@parallel-evm/bench'
import { createProgress } from '@parallel-evm/cli/progress'
import { analyzeBlock } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler, WorkerPool } from '@parallel-evm/core'
import { analyzeCampaign, analyzeProtocolCampaign, gasProfile, generateCampaign, programSlotLabeller, recordsFromResults, renderCampaignReport, runCampaign } from '@parallel-evm/referral-kit'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { formatTable } from './table.mjs'

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '900' },
    blocks: { type: 'string', default: '24' },
    seed: { type: 'string', default: '1' },
    report: { type: 'string', default: 'referral-report.html' },
  },
})
const size = { seed: Number(values.seed), users: Number(values.users), blocks: Number(values.blocks) }
const toHex = (bytes) => Buffer.from(bytes).toString('hex')

/** A progress bar per step on a terminal (rate and time left); piped, one line per finished step. */
const bars = new Map()
function progress(label, done, total) {
  if (!bars.has(label)) bars.set(label, createProgress(total, `  ${label.padEnd(34)}`, { pipedLines: false }))
  bars.get(label).update(done, 'blocks')
  if (done === total) {
    bars.get(label).finish()
    if (!process.stderr.isTTY) process.stderr.write(`  ${label}: ${total} blocks\n`)
  }
}

async function runBaseline(campaign) {
  const stateManager = await merkleStateManagerFrom(campaign.genesis)
  const roots = []
  progress(`${campaign.design}: @ethereumjs/vm runBlock`, 0, campaign.blocks.length)
  const started = performance.now()
  for (const block of campaign.blocks) {
    const result = await runBlockBaseline(stateManager, { rlp: block.input.block.rlp, common: campaign.common, senders: block.input.senders, ancestorHashes: new Map() })
    roots.push(toHex(result.stateRoot))
    progress(`${campaign.design}: @ethereumjs/vm runBlock`, roots.length, campaign.blocks.length)
  }
  return { ms: performance.now() - started, roots }
}

async function runScheduler(campaign, name, scheduler) {
  const executor = createExecutor({ scheduler, state: await createMerkleState({ genesis: campaign.genesis }), common: campaign.common })
  progress(`${campaign.design}: ${name}`, 0, campaign.blocks.length)
  const started = performance.now()
  const blockMs = []
  let blockStarted = started
  const results = await runCampaign(campaign, executor, {
    onBlock: (done, total) => {
      const now = performance.now()
      blockMs.push(now - blockStarted)
      blockStarted = now
      progress(`${campaign.design}: ${name}`, done, total)
    },
  })
  return { ms: performance.now() - started, results, blockMs }
}

/** Dependency edges per key over all blocks, and the gas-weighted ideal speedup on 2 and 16 lanes (conflict detector). */
function campaignConflicts(campaign, results) {
  const labelSlot = programSlotLabeller(campaign)
  const edges = new Map()
  let gas = 0
  const idealTime = { 2: 0, 16: 0 }
  const idealByBlock = []
  for (const result of results) {
    const conflicts = analyzeBlock(result, { labelSlot, hotKeyLimit: 12 })
    const summary = conflicts.byRule['sender-chains']
    idealByBlock.push(summary.idealSpeedup[2])
    gas += Number(conflicts.totalGas)
    for (const lanes of [2, 16]) idealTime[lanes] += Number(conflicts.totalGas) / summary.idealSpeedup[lanes]
    for (const key of summary.hotKeys) {
      const label = contractNames(campaign).reduce(
        (text, [address, name]) => text.replaceAll(`contract ${address}`, name).replaceAll(`account ${address}`, name),
        key.label.replaceAll(` ${campaign.coinbase}`, ''),
      )
      edges.set(label, (edges.get(label) ?? 0) + key.edges)
    }
  }
  const keys = [...edges].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([label, count]) => ({ label, edges: count }))
  const ideal = (lanes) => (idealTime[lanes] === 0 ? 1 : gas / idealTime[lanes])
  return { design: campaign.design, idealSpeedup2: ideal(2), idealSpeedup16: ideal(16), idealByBlock, keys }
}

/** How hot keys name the campaign's contracts. */
function contractNames(campaign) {
  const { protocol } = campaign
  if (protocol === undefined) return [[campaign.program, 'the program']]
  return [[protocol.registry, 'the registry'], [protocol.rewards, 'the vault'], [protocol.badges, 'the badges'], [protocol.mint, 'the mint']]
}

// Worker threads start once (about 0.4 s each, loading ethereumjs), before anything is timed.
const poolsStartedAt = performance.now()
const pools = await Promise.all([WorkerPool.create({ size: 1 }), WorkerPool.create({ size: 2 })])
console.error(`worker pools started in ${(performance.now() - poolsStartedAt).toFixed(0)} ms (not counted in the table)`)
const schedulers = [
  ['sequential', 0, createSequentialScheduler()],
  ['optimistic', 1, createOptimisticScheduler({ workers: 1, pool: pools[0] })],
  ['optimistic', 2, createOptimisticScheduler({ workers: 2, pool: pools[1] })],
  // The static scheduler plans each block from pre-execution on the same two workers.
  ['static', 2, createStaticScheduler({ workers: 2, predict: ['preexec'], pool: pools[1] })],
  // The sharded scheduler: the two workers as shards, state placed by the campaign's activity.
  ['sharded', 2, createShardedScheduler({ workers: 2, partitioner: 'activity', pool: pools[1] })],
]
const runs = []
const hotKeys = []
let analytics
let gas
let analyticsMatch = false
let protocolAnalytics
let protocolMatch = false
const txCounts = {}
const asJson = (value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v))
try {
  for (const design of ['kit', 'naive', 'protocol']) {
    const generatedAt = performance.now()
    const campaign = await generateCampaign({ ...size, design })
    txCounts[design] = campaign.transactions.length
    console.error(`${campaign.name}: ${campaign.transactions.length} transactions in ${campaign.blocks.length} blocks, generated in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`)
    const baseline = await runBaseline(campaign)
    let reference
    let sequentialMs
    for (const [name, workers, scheduler] of schedulers) {
      const { ms, results, blockMs } = await runScheduler(campaign, name === 'sequential' ? name : `${name} (${workers} workers)`, scheduler)
      const roots = results.map((result) => toHex(result.stateRoot))
      reference ??= { roots, results }
      sequentialMs ??= ms
      runs.push({
        design,
        scheduler: name,
        workers,
        ms,
        speedup: baseline.ms / ms,
        overSequential: sequentialMs / ms,
        reExecutions: results.reduce((sum, r) => sum + (r.stats.reExecutions ?? 0), 0),
        fellBack: results.filter((r) => r.stats.fellBack !== undefined).length,
        rootsMatch: roots.every((root, i) => root === reference.roots[i] && root === baseline.roots[i]),
        baselineMs: baseline.ms,
        blockMs,
      })
    }
    hotKeys.push(campaignConflicts(campaign, reference.results))
    if (design === 'kit') {
      analytics = analyzeCampaign(recordsFromResults(reference.results, campaign))
      gas = gasProfile(campaign, reference.results)
      analyticsMatch = asJson(analytics) === asJson(campaign.groundTruth)
    }
    if (design === 'protocol') {
      protocolAnalytics = analyzeProtocolCampaign(reference.results, campaign.protocol)
      protocolMatch = asJson(protocolAnalytics) === asJson(campaign.protocol.truth)
    }
  }
} finally {
  for (const [, , scheduler] of schedulers) await scheduler.close?.()
  for (const pool of pools) await pool.close()
}

console.log(
  `\nReferral campaign: seed ${size.seed}, ${size.users} users, ${size.blocks} blocks after deployment; ${txCounts.kit} transactions (kit),\n` +
    `${txCounts.naive} (naive), ${txCounts.protocol} (protocol); state-merkle, one run each:`,
)
const times = (ratio) => `${ratio.toFixed(2)}x`
console.log(
  formatTable(
    [
      { title: 'design' },
      { title: 'scheduler' },
      { title: 'workers', align: 'right' },
      { title: 'vs sequential', align: 'right' },
      { title: 'ms', align: 'right' },
      { title: 'vs runBlock', align: 'right' },
      { title: 're-runs', align: 'right' },
      { title: 'fell back', align: 'right' },
      { title: 'roots', align: 'right' },
    ],
    runs.map((run) => [
      run.design,
      run.scheduler,
      run.workers === 0 ? '-' : String(run.workers),
      times(run.overSequential),
      run.ms.toFixed(0),
      times(run.speedup),
      String(run.reExecutions),
      `${run.fellBack} blocks`,
      run.rootsMatch ? 'same' : 'DIFFER',
    ]),
  ),
)
const baselines = [...new Map(runs.map((run) => [run.design, run.baselineMs])).entries()]
console.log(
  `vs sequential: our sequential path's time over the row's. vs runBlock: @ethereumjs/vm runBlock's\n` +
    `(${baselines.map(([design, ms]) => `${design} ${ms.toFixed(0)} ms`).join(', ')}) over the row's. re-runs: transactions executed again after a conflict.\n` +
    "roots: every block's state root against sequential execution's and runBlock's.",
)
const eth = (wei) => `${(Number(wei) / 1e18).toFixed(4)} ETH`
console.log(`Analytics (kit design, from receipts and logs) ${analyticsMatch ? 'equal' : 'DO NOT equal'} the generator's ground truth:`)
console.log(`  sign-ups ${analytics.signUps}, conversions ${analytics.conversions} (${(100 * analytics.conversionRate).toFixed(1)}%), purchases ${analytics.purchases}`)
console.log(`  rewards accrued ${eth(analytics.rewardsAccrued)}, claimed ${eth(analytics.rewardsClaimed)}, ${analytics.seasonalRewards} with the seasonal bonus`)
console.log(`  claim latency: median ${(analytics.claimLatency.medianSeconds / 86400).toFixed(1)} days over ${analytics.claimLatency.count} rewards`)
console.log(`  leaderboard: ${analytics.leaderboard.slice(0, 5).map((r, i) => `#${i + 1} ${r.referrer.slice(0, 10)}… ${r.conversions} conversions`).join(', ')}`)
console.log(`  fraud blocked: ${Object.entries(analytics.fraudBlocked).map(([kind, n]) => `${kind} ${n}`).join(', ')}`)
console.log(`  retention (week +1) by cohort: ${analytics.retention.map((c) => `w${c.week} ${c.size === 0 || c.retained[1] === undefined ? '-' : `${Math.round((100 * c.retained[1]) / c.size)}%`}`).join(', ')}`)
console.log(
  `Gas (kit design, medians): sign-up ${gas.medians['sign-up']}, conversion ${gas.medians.conversion}, repeat purchase ${gas.medians['repeat-purchase']}, ` +
    `code registration ${gas.medians['register-code']}, claim ${gas.claim.base} + ${gas.claim.perReferee} per referee (fit over ${gas.claim.claims} claims)`,
)
const p = protocolAnalytics.summary
console.log(`Analytics (protocol design: the registry's and vault's events, fraud from revert data) ${protocolMatch ? 'equal' : 'DO NOT equal'} the generator's ground truth:`)
console.log(`  sign-ups ${p.signUps}, qualified referees ${p.qualified}, rewarded mints ${p.actions.rewarded} (${eth(p.actions.value)}), accrued ${eth(p.actions.accrued)}, claimed ${eth(p.claims.paid)}, badges ${p.badges}`)
console.log(`  top referrers: ${p.referrers.slice(0, 3).map((r, i) => `#${i + 1} ${r.referrer.slice(0, 10)}… tier ${r.tier}, ${eth(r.accrued)}`).join(', ')}`)
for (const design of hotKeys) {
  console.log(`Hot keys, ${design.design} design (ideal speedup ${design.idealSpeedup2.toFixed(2)}x on 2 lanes, ${design.idealSpeedup16.toFixed(2)}x on 16):`)
  for (const key of design.keys.slice(0, 5)) console.log(`  ${String(key.edges).padStart(6)} edges  ${key.label}`)
}
const reportPath = resolve(values.report)
writeFileSync(reportPath, await renderCampaignReport({ title: `Referral campaign, seed ${size.seed}`, runs, analytics, hotKeys, gas }))
console.log(`HTML report: ${reportPath}`)
const ok = analyticsMatch && protocolMatch && runs.every((run) => run.rootsMatch)
console.log(ok ? 'Every scheduler produced the same state roots as sequential execution and @ethereumjs/vm.' : 'MISMATCH: see the table above.')
process.exitCode = ok ? 0 : 1
