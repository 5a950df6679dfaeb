import { createExecutor, InvalidOptionError } from '@parallel-evm/core'
import {
  analyticsToJson,
  analyzeCampaign,
  analyzeProtocolCampaign,
  PROGRAM_DESIGNS,
  generateCampaign,
  readCampaign,
  recordsFromResults,
  runCampaign,
  writeCampaign,
  type Campaign,
  type CampaignAnalytics,
  type ProgramDesign,
  type ProtocolCampaign,
} from '@parallel-evm/referral-kit'
import type { CommonFlags } from '../flags.js'
import { campaignGenesisHead } from '../chainSources.js'
import { openBackendByName, createSchedulerByName } from '../registry.js'

export interface GenerateFlags {
  seed: number
  users?: number
  blocks?: number
  design: string
}

/** `pevm referral generate <dir>`: writes a seeded campaign (genesis, blocks, ground truth). */
export async function runReferralGenerate(dir: string, flags: GenerateFlags & { json: boolean }): Promise<number> {
  if (!PROGRAM_DESIGNS.includes(flags.design as ProgramDesign)) throw new InvalidOptionError({ option: '--design', reason: `"${flags.design}" is not ${PROGRAM_DESIGNS.join(', ')}` })
  const campaign = await generateCampaign({
    seed: flags.seed,
    design: flags.design as ProgramDesign,
    ...(flags.users === undefined ? {} : { users: flags.users }),
    ...(flags.blocks === undefined ? {} : { blocks: flags.blocks }),
  })
  const file = writeCampaign(dir, campaign)
  const summary = { file, name: campaign.name, blocks: campaign.blocks.length, transactions: campaign.transactions.length, program: campaign.program }
  console.log(flags.json ? JSON.stringify(summary) : `${campaign.name}: ${summary.transactions} transactions in ${summary.blocks} blocks written to ${file}`)
  return 0
}

/**
 * `pevm referral analytics <dir>`: executes the campaign with the chosen scheduler and backend, then
 * reads the analytics from the receipts and logs. Exit 1 when they differ from the ground truth the
 * generator stored with the campaign.
 */
export async function runReferralAnalytics(dir: string, flags: CommonFlags): Promise<number> {
  const campaign = readCampaign(dir)
  if (campaign.design === 'naive') {
    throw new InvalidOptionError({ option: '<dir>', reason: 'holds a naive-design campaign: the analytics read the kit program\'s or the registry\'s and vault\'s events and errors' })
  }
  const results = await executeCampaign(campaign, flags)
  if (campaign.protocol !== undefined) return reportProtocol(campaign.name, campaign.protocol, analyzeProtocolCampaign(results, campaign.protocol), flags.json)
  const analytics = analyzeCampaign(recordsFromResults(results, campaign))
  const json = analyticsToJson(analytics)
  const matches = campaign.groundTruth === undefined ? null : JSON.stringify(json) === JSON.stringify(analyticsToJson(campaign.groundTruth))
  if (flags.json) console.log(JSON.stringify({ campaign: campaign.name, matchesGroundTruth: matches, analytics: json }))
  else console.log(formatAnalytics(campaign.name, analytics, matches))
  return matches === false ? 1 : 0
}

async function executeCampaign(campaign: Campaign, flags: CommonFlags) {
  const scheduler = createSchedulerByName(flags.scheduler, flags)
  try {
    const backend = await openBackendByName(flags.state, campaign.genesis, { ...campaignGenesisHead(campaign), ...(flags.db === undefined ? {} : { db: flags.db }) })
    try {
      const executor = createExecutor({ scheduler, state: backend.state, common: campaign.common, trustSenders: flags.trustSenders ?? false })
      return await runCampaign(campaign, executor)
    } finally {
      await backend.close()
    }
  } finally {
    await scheduler.close?.()
  }
}

function reportProtocol(name: string, protocol: ProtocolCampaign, found: ProtocolCampaign['truth'], json: boolean): number {
  const text = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  const matches = text(found) === text(protocol.truth)
  const { summary: s, fraudBlocked } = found
  const eth = (wei: bigint) => `${(Number(wei) / 1e18).toFixed(4)} ETH`
  if (json) console.log(JSON.stringify({ campaign: name, matchesGroundTruth: matches, analytics: JSON.parse(text(found)) }))
  else {
    console.log(
      [
        name,
        `  codes ${s.codes}, sign-ups ${s.signUps}, qualified referees ${s.qualified}`,
        `  rewarded actions ${s.actions.rewarded} on ${eth(s.actions.value)} of mints, accrued ${eth(s.actions.accrued)} (${s.actions.seasonal} seasonal), unfunded ${eth(s.actions.unfunded)}`,
        `  claims ${s.claims.count}, paid ${eth(s.claims.paid)}; vault funded ${eth(s.vault.funded)}; badges ${s.badges}`,
        `  fraud blocked   ${Object.entries(fraudBlocked).map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
        '  top referrers',
        ...s.referrers.slice(0, 10).map((r, i) => `    ${String(i + 1).padStart(2)}. ${r.referrer}  ${r.qualified} qualified, tier ${r.tier}, ${eth(r.accrued)} accrued, ${eth(r.claimed)} claimed`),
        matches ? "OK: equal to the generator's ground truth" : "MISMATCH: differs from the generator's ground truth",
      ].join('\n'),
    )
  }
  return matches ? 0 : 1
}

function formatAnalytics(name: string, a: CampaignAnalytics, matches: boolean | null): string {
  const eth = (wei: bigint) => `${(Number(wei) / 1e18).toFixed(4)} ETH`
  const days = (seconds: number) => `${(seconds / 86_400).toFixed(1)} days`
  return [
    `${name}`,
    `  sign-ups        ${a.signUps} (${a.signUpsByWeek.map((n, w) => `w${w} ${n}`).join(', ')})`,
    `  conversions     ${a.conversions} (${(100 * a.conversionRate).toFixed(1)}%), purchases ${a.purchases}`,
    `  rewards         accrued ${eth(a.rewardsAccrued)} (${a.seasonalRewards} seasonal), claimed ${eth(a.rewardsClaimed)}`,
    `  claim latency   median ${days(a.claimLatency.medianSeconds)}, mean ${days(a.claimLatency.meanSeconds)}, max ${days(a.claimLatency.maxSeconds)} (${a.claimLatency.count} rewards)`,
    `  retention       ${a.retention.map((c) => `w${c.week}: ${c.retained.map((n) => (c.size === 0 ? '-' : `${Math.round((100 * n) / c.size)}%`)).join(' ')}`).join('; ')}`,
    `  fraud blocked   ${Object.entries(a.fraudBlocked).map(([kind, n]) => `${kind} ${n}`).join(', ')}`,
    `  leaderboard`,
    ...a.leaderboard.map((r, i) => `    ${String(i + 1).padStart(2)}. ${r.referrer}  ${r.conversions} conversions, ${r.signUps} sign-ups, ${eth(r.rewardsAccrued)} accrued`),
    matches === null ? '  (no ground truth stored with this campaign)' : matches ? 'OK: equal to the generator\'s ground truth' : 'MISMATCH: differs from the generator\'s ground truth',
  ].join('\n')
}
