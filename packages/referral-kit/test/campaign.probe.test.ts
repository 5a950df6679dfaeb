import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createMemoryState } from '@parallel-evm/state-memory'
import { it } from 'vitest'
import { analyzeCampaign, decodeReferralError, generateCampaign, recordsFromResults, runCampaign } from '../src/index.js'

it('probe', async () => {
  let t = performance.now()
  const campaign = await generateCampaign({ seed: 1, users: 400, blocks: 14 })
  console.log('generate ms', performance.now() - t, 'txs', campaign.transactions.length)
  const state = await createMemoryState({ genesis: campaign.genesis })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state, common: campaign.common })
  t = performance.now()
  const results = await runCampaign(campaign, executor)
  console.log('run ms', performance.now() - t)
  let mismatches = 0
  for (const tx of campaign.transactions) {
    const outcome = results[tx.block]!.outcomes[tx.index]!
    const error = outcome.revertData === undefined ? undefined : decodeReferralError(outcome.revertData)?.errorName
    if (outcome.status !== tx.expectedStatus || error !== tx.expectedError) {
      if (mismatches++ < 10) console.log('mismatch', tx, outcome.status, outcome.exception, error, outcome.gasUsed)
    }
  }
  console.log('mismatches', mismatches)
  const analytics = analyzeCampaign(recordsFromResults(results, campaign.program))
  const j = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x))
  console.log(j({ ...analytics, referrers: analytics.referrers.length, leaderboard: analytics.leaderboard.slice(0, 3) }))
  console.log('equal', j(analytics) === j(campaign.groundTruth))
  if (j(analytics) !== j(campaign.groundTruth)) console.log(j({ ...campaign.groundTruth, referrers: 0, leaderboard: 0 }))
})
