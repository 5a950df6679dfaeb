import type { BlockResult, Executor } from '@parallel-evm/core'
import type { Campaign } from './campaign/types.js'

export interface RunCampaignOptions {
  /** Called after each block with how many of the campaign's blocks are done. */
  onBlock?: (done: number, total: number, result: BlockResult) => void
}

/**
 * Executes the campaign's blocks in order on `executor`, whose state must start at the campaign's
 * genesis. Each block commits before the next starts; a failing block throws and leaves the state
 * at the last committed block.
 */
export async function runCampaign(campaign: Campaign, executor: Executor, options: RunCampaignOptions = {}): Promise<BlockResult[]> {
  const results: BlockResult[] = []
  for (const block of campaign.blocks) {
    const result = await executor.executeBlock(block.input)
    results.push(result)
    options.onBlock?.(results.length, campaign.blocks.length, result)
  }
  return results
}
