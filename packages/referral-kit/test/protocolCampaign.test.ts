import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { analyzeProtocolCampaign, decodeReferralKitError, generateCampaign, readCampaign, runCampaign, writeCampaign } from '../src/index.js'

describe('the protocol campaign (the example mint reporting to the registry and rewards vault)', () => {
  it('behavior: every transaction ends as the model predicts, and the analytics equal the ground truth', async () => {
    const campaign = await generateCampaign({ seed: 3, users: 160, referrers: 8, blocks: 10, design: 'protocol' })
    const state = await createMemoryState({ genesis: campaign.genesis })
    const executor = createExecutor({ scheduler: createSequentialScheduler(), state, common: campaign.common })
    const results = await runCampaign(campaign, executor)
    const outcomes = results.flatMap((result) => result.outcomes)
    expect(outcomes.length).toBe(campaign.transactions.length)
    const mismatches = campaign.transactions.flatMap((tx, i) => {
      const outcome = outcomes[i]!
      const error = outcome.revertData === undefined ? outcome.exception : decodeReferralKitError(outcome.revertData)?.errorName
      return outcome.status === tx.expectedStatus && (tx.expectedError === undefined || error === tx.expectedError) ? [] : [`${tx.block}/${tx.index} ${tx.kind}: ${outcome.status} ${error}, expected ${tx.expectedStatus} ${tx.expectedError}`]
    })
    expect(mismatches).toEqual([])
    const truth = campaign.protocol!.truth
    expect(analyzeProtocolCampaign(results, campaign.protocol!)).toEqual(truth)
    // The campaign exercises what it claims to: rewards at every tier, claims, badges, refused fraud.
    expect(truth.summary.actions.rewarded).toBeGreaterThan(50)
    expect(truth.summary.claims.count).toBeGreaterThan(5)
    expect(truth.summary.badges).toBeGreaterThan(0)
    expect(Object.values(truth.fraudBlocked).reduce((a, b) => a + b, 0)).toBeGreaterThan(3)

    // The campaign file keeps the contracts and the ground truth, bigints included.
    const dir = mkdtempSync(join(tmpdir(), 'protocol-campaign-'))
    try {
      writeCampaign(dir, campaign)
      expect(readCampaign(dir).protocol).toEqual(campaign.protocol)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
