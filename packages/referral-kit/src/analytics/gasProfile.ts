import { InvalidOptionError, type BlockResult } from '@parallel-evm/core'
import type { Campaign } from '../campaign/types.js'

export interface GasProfile {
  /** Median gas of a successful call of each kind (a conversion is a first qualifying purchase). */
  medians: Record<'register-code' | 'sign-up' | 'conversion' | 'repeat-purchase' | 'claim', number>
  /** Claim gas as base + perReferee × referees (least squares over the campaign's claims). */
  claim: { base: number; perReferee: number; claims: number }
}

/** Gas per action of an executed campaign, by the kinds the generator gave its transactions. */
export function gasProfile(campaign: Campaign, results: readonly BlockResult[]): GasProfile {
  // Conversions and claims are told apart by the kit program's logs.
  if (campaign.design !== 'kit') throw new InvalidOptionError({ option: 'campaign', reason: `gasProfile reads the kit design's logs, not the ${campaign.design} design's` })
  const samples: Record<keyof GasProfile['medians'], number[]> = { 'register-code': [], 'sign-up': [], conversion: [], 'repeat-purchase': [], claim: [] }
  const claims: [referees: number, gas: number][] = []
  for (const tx of campaign.transactions) {
    const outcome = results[tx.block]!.outcomes[tx.index]!
    if (outcome.status !== 1) continue
    const gas = Number(outcome.gasUsed)
    if (tx.kind === 'purchase') samples[outcome.logs.length > 1 ? 'conversion' : 'repeat-purchase'].push(gas)
    else if (tx.kind === 'claim') {
      samples.claim.push(gas)
      // One RewardClaimed per referee, then Claimed.
      claims.push([outcome.logs.length - 1, gas])
    } else if (tx.kind === 'register-code' || tx.kind === 'sign-up') samples[tx.kind].push(gas)
  }
  const median = (values: number[]) => (values.length === 0 ? 0 : [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!)
  const n = claims.length
  const meanX = claims.reduce((s, [x]) => s + x, 0) / Math.max(1, n)
  const meanY = claims.reduce((s, [, y]) => s + y, 0) / Math.max(1, n)
  const sxx = claims.reduce((s, [x]) => s + (x - meanX) ** 2, 0)
  const perReferee = sxx === 0 ? 0 : claims.reduce((s, [x, y]) => s + (x - meanX) * (y - meanY), 0) / sxx
  return {
    medians: Object.fromEntries(Object.entries(samples).map(([kind, values]) => [kind, median(values)])) as GasProfile['medians'],
    claim: { base: Math.round(meanY - perReferee * meanX), perReferee: Math.round(perReferee), claims: n },
  }
}
