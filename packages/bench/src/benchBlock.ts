import type { Common } from '@ethereumjs/common'
import { createExecutor, createMainnetCommon, createSequentialScheduler, type BlockInput, type WriteSet } from '@parallel-evm/core'
import { generateBlock, loadMainnetBlock, type GenerateBlockOptions } from '@parallel-evm/fixtures'
import { generateCampaign, type CampaignOptions } from '@parallel-evm/referral-kit'
import { createMemoryState } from '@parallel-evm/state-memory'
import type { BaselineInput } from './runBlockBaseline.js'

/** A block the bench can run on every variant: mainnet snapshots and generated workloads alike. */
export interface BenchBlock {
  name: string
  txCount: number
  /** With senders; the bench drops them for its "senders recovered" mode. */
  input: BlockInput
  preState: WriteSet
  common: Common
}

export async function mainnetBenchBlock(dir: string): Promise<BenchBlock> {
  const fixture = await loadMainnetBlock(dir)
  return { name: String(fixture.number), txCount: fixture.block.senders?.length ?? 0, input: fixture.block, preState: fixture.preState, common: createMainnetCommon() }
}

/** The generated workloads: 2,000 transactions each unless `txCount` says otherwise. */
export function generatedBenchBlocks(txCount = 2000): BenchBlock[] {
  const workloads: GenerateBlockOptions[] = [
    { workload: 'eth-transfers', seed: 1, txCount },
    { workload: 'erc20-transfers', seed: 2, txCount },
    { workload: 'amm-swaps', seed: 3, txCount },
    { workload: 'mixed', seed: 4, txCount, contention: 0.1 },
    { workload: 'mixed', seed: 5, txCount, contention: 0.5 },
  ]
  return workloads.map((options) => {
    const generated = generateBlock(options)
    const name = options.workload === 'mixed' ? `mixed-${Math.round(options.contention! * 100)}%` : options.workload
    return { name, txCount: generated.block.senders?.length ?? 0, input: generated.block, preState: generated.preState, common: generated.common }
  })
}

/**
 * Every block of a referral campaign (the demo's, unless `options` say otherwise) as a bench block,
 * each with the state the blocks before it left: a sequential run on the memory backend exports it.
 */
export async function referralBenchBlocks(options: CampaignOptions): Promise<BenchBlock[]> {
  const campaign = await generateCampaign(options)
  const state = await createMemoryState({ genesis: campaign.genesis })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state, common: campaign.common })
  const blocks: BenchBlock[] = []
  for (const [i, block] of campaign.blocks.entries()) {
    blocks.push({ name: `referral-${campaign.design}-${i}`, txCount: block.input.senders?.length ?? 0, input: block.input, preState: state.exportState!(), common: campaign.common })
    await executor.executeBlock(block.input)
  }
  return blocks
}

/** The same block for `runBlock`; without senders when they are to be recovered. */
export function baselineInputOf(block: BenchBlock, sendersGiven: boolean): BaselineInput {
  const source = block.input.block
  const context = { common: block.common, ancestorHashes: block.input.ancestorHashes ?? new Map(), ...(sendersGiven ? { senders: block.input.senders ?? [] } : {}) }
  if (source.format === 'rpc') return { ...context, json: source.json }
  if (source.format === 'rlp') return { ...context, rlp: source.rlp }
  throw new TypeError(`bench blocks come as RPC JSON or RLP, not ${source.format}`)
}

export function inputOf(block: BenchBlock, sendersGiven: boolean): BlockInput {
  if (sendersGiven) return block.input
  const { senders: _senders, ...withoutSenders } = block.input
  return withoutSenders
}
