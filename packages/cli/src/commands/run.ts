import { runMainnetBlock, type BlockReport, type RepeatReport } from '../runMainnetBlock.js'
import type { PlanStats, SchedulerStats, ShardStats } from '@parallel-evm/core'
import type { CommonFlags } from '../flags.js'

export async function runRunCommand(blockDir: string, flags: CommonFlags & { repeat?: number }): Promise<number> {
  const { report } = await runMainnetBlock(blockDir, flags)
  console.log(flags.json ? JSON.stringify(report) : formatReport(report))
  return report.ok ? 0 : 1
}

function describeStats(stats: SchedulerStats): string {
  const parts = [`${stats.lanes} lane(s)`, `${stats.executions} executions`]
  if (stats.reExecutions !== undefined) parts.push(`${stats.reExecutions} re-executions`)
  if (stats.fellBack !== undefined) parts.push(`fell back to sequential: ${stats.fellBack}`)
  if (stats.workerMs !== undefined) parts.push(`workers ${stats.workerMs} ms, coordinator ${stats.coordinatorMs} ms, ${stats.messages} messages, ${stats.bytes} bytes`)
  return parts.join(', ')
}

function describePlan(plan: PlanStats): string {
  return (
    `${plan.source}: ${plan.plannedEdges} planned / ${plan.actualEdges} actual edges, precision ${plan.precision.toFixed(3)}, recall ${plan.recall.toFixed(3)}, ` +
    `${plan.missedEdges} missed, ${plan.mispredictionReExecutions} re-executions from misprediction; predict ${plan.predictMs.toFixed(1)} ms, plan ${plan.planMs.toFixed(1)} ms, score ${plan.scoreMs.toFixed(1)} ms`
  )
}

function describeShards(sharded: ShardStats): string {
  const load = sharded.perShard.map((shard) => `${shard.transactions} txs / ${shard.gas} gas`).join(', ')
  return (
    `${sharded.shards} shards (${sharded.partitioner}), cross-shard ${percent(sharded.crossShardRatio)} (predicted ${percent(sharded.predictedCrossShardRatio)}), ` +
    `${sharded.escapes} escapes, remote-read wait ${sharded.remoteWaitMs.toFixed(1)} ms, load ${load}; ` +
    `migrated ${sharded.migration.accounts} accounts + ${sharded.migration.slots} slots (${sharded.migration.bytes} bytes); ` +
    `predict ${sharded.predictMs.toFixed(1)} ms, partition ${sharded.partitionMs.toFixed(1)} ms, digests ${sharded.digestMs.toFixed(1)} ms`
  )
}

function describeCrypto(report: BlockReport): string {
  const { crypto } = report
  const senders = report.sendersVerified ? 'senders recovered and checked' : 'senders trusted as given'
  return `keccak256 ${crypto.keccak256}, secp256k1 ${crypto.secp256k1}, sha256 ${crypto.sha256}, bn254 ${crypto.bn254}; ${senders}${crypto.fallback === undefined ? '' : `; fallback: ${crypto.fallback}`}`
}

function describeRepeat(repeat: RepeatReport): string {
  const { executeMs, stageMedians: stages } = repeat
  return (
    `median of ${repeat.runs} runs after a warm-up, each on a fresh parent state (min ${executeMs.min}, max ${executeMs.max} ms); ` +
    `stage medians: prepare ${stages.prepareMs}, execute ${stages.executeMs}, finalize ${stages.finalizeMs}, commit ${stages.commitMs} ms; ` +
    `pool start ${repeat.poolStartMs} ms, in no run; ${repeat.identical ? 'every run identical' : 'RUNS DIFFER'}`
  )
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`

function mark(match: boolean | null, absent = 'not checkable before Byzantium'): string {
  if (match === null) return `- ${absent}`
  return match ? 'ok matches header' : 'MISMATCH with header'
}

function formatReport(report: BlockReport): string {
  return [
    `block ${report.block}: ${report.txCount} transactions, scheduler ${report.scheduler}, state ${report.state}`,
    `  gasUsed       ${report.gasUsed.padEnd(66)} ${mark(report.matches.gasUsed)}`,
    `  receiptsRoot  ${report.receiptsRoot.padEnd(66)} ${mark(report.matches.receiptsRoot)}`,
    `  logsBloom     ${(report.logsBloom.slice(0, 18) + '…').padEnd(66)} ${mark(report.matches.logsBloom)}`,
    `  stateRoot     ${report.stateRoot ?? '- (backend computes no root)'}`,
    ...(report.requestsHash === null ? [] : [`  requestsHash  ${report.requestsHash.padEnd(66)} ${mark(report.matches.requestsHash, 'none before Prague')}`]),
    `  executeMs     ${report.executeMs}`,
    ...(report.repeat === undefined ? [] : [`  repeat        ${describeRepeat(report.repeat)}`]),
    `  crypto        ${describeCrypto(report)}`,
    `  scheduler     ${describeStats(report.stats)}`,
    ...(report.stats.plan === undefined ? [] : [`  plan          ${describePlan(report.stats.plan)}`]),
    ...(report.stats.sharded === undefined ? [] : [`  shards        ${describeShards(report.stats.sharded)}`]),
    ...report.omissions.map((omission) => `  note: not applied: ${omission}`),
    report.ok ? 'OK' : 'FAILED: a checkable field differs from the header',
  ].join('\n')
}
