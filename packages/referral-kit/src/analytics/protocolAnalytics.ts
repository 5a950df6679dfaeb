import type { BlockResult } from '@parallel-evm/core'
import type { ProtocolCampaign } from '../campaign/types.js'
import { emptyFraudCounts, fraudKindOf } from '../fraudKinds.js'
import { decodeReferralKitError } from '../kit/decode.js'
import { referralKitEventsFromResults, summarizeReferralKit } from '../kit/kitAnalytics.js'

/**
 * The protocol campaign's analytics from executed blocks: the kit's events summed
 * (`summarizeReferralKit`) and the refused fraud attempts by kind, from the failed transactions'
 * revert data. Equal to the campaign's `protocol.truth` when the execution is right.
 */
export function analyzeProtocolCampaign(results: readonly BlockResult[], protocol: Pick<ProtocolCampaign, 'registry' | 'rewards' | 'badges'>): ProtocolCampaign['truth'] {
  const fraudBlocked = emptyFraudCounts()
  for (const result of results) {
    for (const outcome of result.outcomes) {
      if (outcome.status === 1 || outcome.revertData === undefined) continue
      const kind = fraudKindOf(decodeReferralKitError(outcome.revertData)?.errorName ?? '')
      if (kind !== undefined) fraudBlocked[kind] += 1
    }
  }
  return { summary: summarizeReferralKit(referralKitEventsFromResults(results, protocol)), fraudBlocked }
}
