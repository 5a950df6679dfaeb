import { setImmediate } from 'node:timers/promises'
import { bytesToHex } from '@ethereumjs/util'
import { merkleStateManagerFrom, runBlockBaseline } from '@parallel-evm/bench'
import { createExecutor, createSequentialScheduler, type BlockResult, type Scheduler, type StateBackend } from '@parallel-evm/core'
import { analyzeCampaign, analyzeProtocolCampaign, decodeReferralError, decodeReferralKitError, generateCampaign, programSlotLabeller, recordsFromResults, runCampaign, type Campaign, type ProgramDesign } from '@parallel-evm/referral-kit'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { actualAccessSets, analyzeBlock, type TxAccessSets } from '@parallel-evm/conflicts'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler, dependencyHintsOf, type BlockHints } from '@parallel-evm/scheduler-static'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { comparableReceipt, expectSameResult } from './blockResults.js'
import { fullMatrix } from './mainnetBlocks.js'
import { adversarialAccessSets } from './shardedPredictions.js'
import { adversarialHints } from './staticHints.js'

// npm test: a campaign of over 1,000 transactions (CI time; the protocol design, whose transactions
// cost about 3x the kit's, over 700); test:full: the demo's default size.
const sizeOf = (design: ProgramDesign) => (fullMatrix ? {} : design === 'protocol' ? { users: 400, blocks: 12 } : { users: 600, blocks: 14 })
const campaigns = new Map<ProgramDesign, Promise<Campaign>>()
const campaignOf = (design: ProgramDesign) => {
  if (!campaigns.has(design)) campaigns.set(design, generateCampaign({ seed: 1, design, ...sizeOf(design) }))
  return campaigns.get(design)!
}
const sequentialRuns = new Map<ProgramDesign, Promise<BlockResult[]>>()
const sequentialOf = (design: ProgramDesign) => {
  if (!sequentialRuns.has(design)) sequentialRuns.set(design, campaignOf(design).then((campaign) => run(campaign, createSequentialScheduler(), createMerkleState)))
  return sequentialRuns.get(design)!
}

const optimistic = new Map([1, 2, 4].map((workers) => [workers, createOptimisticScheduler({ workers, fallback: false })]))
// The static scheduler's hints come per block, by block number; each test sets them before its run.
let hintsByBlock = new Map<bigint, BlockHints>()
const staticBySource = new Map(
  (['static', 'access-list', 'preexec', 'hints'] as const).map((source) => [source, createStaticScheduler({ workers: 2, predict: [source], hints: (block) => hintsByBlock.get(block.header.number), fallback: false })]),
)
// The sharded scheduler: each partition on 2 shards (test:full: 1, 2 and 4); given access sets (per block) on 2.
let setsByBlock = new Map<bigint, readonly TxAccessSets[]>()
const shardCounts = fullMatrix ? [1, 2, 4] : [2]
const sharded = shardCounts.flatMap((shards) => (['hash', 'activity'] as const).map((partitioner) => ({ shards, partitioner, scheduler: createShardedScheduler({ workers: shards, partitioner, fallback: false }) })))
// npm test: the hash partition on the naive design and the activity partition on the kit's, given predictions on the kit's.
const shardedFor = (design: ProgramDesign) => (fullMatrix ? sharded : sharded.filter(({ partitioner }) => partitioner === (design === 'kit' ? 'activity' : 'hash')))
const shardedGiven = createShardedScheduler({ workers: 2, partitioner: 'activity', predict: [], accessSets: (block) => setsByBlock.get(block.header.number), fallback: false })
afterAll(async () => {
  for (const { scheduler } of sharded) await scheduler.close()
  await shardedGiven.close()
  for (const scheduler of staticBySource.values()) await scheduler.close()
  for (const scheduler of optimistic.values()) await scheduler.close()
})

async function run(campaign: Campaign, scheduler: Scheduler, createState: (o: { genesis: Campaign['genesis'] }) => Promise<StateBackend>): Promise<BlockResult[]> {
  const executor = createExecutor({ scheduler, state: await createState({ genesis: campaign.genesis }), common: campaign.common })
  return runCampaign(campaign, executor)
}

describe('referral campaign on the executor', () => {
  it('behavior: every transaction ends as the generator\'s model of the contract predicts, custom error included', async () => {
    const [campaign, results] = await Promise.all([campaignOf('kit'), sequentialOf('kit')])
    expect(campaign.transactions.length).toBeGreaterThanOrEqual(1000)
    const kinds = new Set(campaign.transactions.map((tx) => tx.kind))
    for (const kind of ['sign-up', 'purchase', 'claim', 'self-referral', 'cycle', 'forged-attestation', 'replayed-attestation', 'expired-attestation', 'over-cap', 'duplicate-sign-up', 'foreign-claim']) {
      expect(kinds, `the campaign holds ${kind}`).toContain(kind)
    }
    for (const tx of campaign.transactions) {
      const outcome = results[tx.block]!.outcomes[tx.index]!
      const error = outcome.revertData === undefined ? undefined : decodeReferralError(outcome.revertData)?.errorName
      expect({ status: outcome.status, error }, `block ${tx.block} tx ${tx.index} (${tx.kind})`).toEqual({ status: tx.expectedStatus, error: tx.expectedError })
    }
  })

  it('behavior: the analytics read from receipts and logs equal the generator\'s ground truth', async () => {
    const [campaign, results] = await Promise.all([campaignOf('kit'), sequentialOf('kit')])
    const analytics = analyzeCampaign(recordsFromResults(results, campaign))
    expect(analytics).toEqual(campaign.groundTruth)
    expect(analytics.signUps).toBeGreaterThan(300)
    expect(analytics.claimLatency.count).toBeGreaterThan(50)
    expect(Object.values(analytics.fraudBlocked).every((count) => count > 0)).toBe(true)
  })

  it('behavior: on the naive design every honest sign-up and purchase succeeds too (its leaderboard fits the gas limits)', async () => {
    const [campaign, results] = await Promise.all([campaignOf('naive'), sequentialOf('naive')])
    const honest = campaign.transactions.filter((tx) => tx.kind === 'sign-up' || tx.kind === 'purchase' || tx.kind === 'register-code')
    expect(honest.length).toBeGreaterThan(1000)
    for (const tx of honest) expect(results[tx.block]!.outcomes[tx.index]!.status, `block ${tx.block} tx ${tx.index} (${tx.kind})`).toBe(1)
    const claims = campaign.transactions.filter((tx) => tx.kind === 'claim').map((tx) => results[tx.block]!.outcomes[tx.index]!.status)
    expect(claims.filter((status) => status === 1).length).toBeGreaterThan(claims.length / 2)
  })

  it('behavior: on the protocol design (the example mint reporting to the registry and vault) every transaction ends as the model predicts, and the analytics equal its ground truth', async () => {
    const [campaign, results] = await Promise.all([campaignOf('protocol'), sequentialOf('protocol')])
    expect(campaign.transactions.length).toBeGreaterThanOrEqual(fullMatrix ? 2000 : 700)
    for (const tx of campaign.transactions) {
      const outcome = results[tx.block]!.outcomes[tx.index]!
      const error = outcome.revertData === undefined ? undefined : decodeReferralKitError(outcome.revertData)?.errorName
      expect({ status: outcome.status, error }, `block ${tx.block} tx ${tx.index} (${tx.kind})`).toEqual({ status: tx.expectedStatus, error: tx.expectedError })
    }
    const truth = campaign.protocol!.truth
    expect(analyzeProtocolCampaign(results, campaign.protocol!)).toEqual(truth)
    expect(truth.summary.actions.rewarded).toBeGreaterThan(150)
    expect(truth.summary.badges).toBeGreaterThan(5)
    expect(truth.summary.actions.unfunded, 'the busiest buckets run short').toBeGreaterThan(0n)
    expect(Object.values(truth.fraudBlocked).every((count) => count > 0)).toBe(true)
  })

  it('behavior: on the protocol design the conflict report names the keys that serialise it, contract by contract', async () => {
    const [campaign, results] = await Promise.all([campaignOf('protocol'), sequentialOf('protocol')])
    const labelSlot = programSlotLabeller(campaign)
    const edges = new Map<string, number>()
    for (const result of results) {
      for (const key of analyzeBlock(result, { labelSlot, hotKeyLimit: 12 }).byRule['sender-chains'].hotKeys) edges.set(key.label, (edges.get(key.label) ?? 0) + key.edges)
    }
    const hottest = [...edges].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([label]) => label)
    // The vault's buckets and the registry's per-referrer state are what a referrer's referees share.
    expect(hottest.some((label) => /rewards\.buckets\[\d+\]/.test(label)), hottest.join('; ')).toBe(true)
    expect(hottest.some((label) => /registry\.(qualifiedOf|signUpsInEpoch)\[0x/.test(label)), hottest.join('; ')).toBe(true)
    expect(hottest.filter((label) => /^slot \d|^slot 0x/.test(label)), 'every hot slot has a name').toEqual([])
  })

  for (const design of ['kit', 'naive', 'protocol'] as const) {
    // npm test: runBlock on the kit's design (the generated and mainnet runBlock tests cover the rest); test:full: both.
    if (fullMatrix || design === 'kit') it(`behavior: ${design} design, our sequential path equals @ethereumjs/vm runBlock block by block (state root, receipts)`, async () => {
      const [campaign, results] = await Promise.all([campaignOf(design), sequentialOf(design)])
      const stateManager = await merkleStateManagerFrom(campaign.genesis)
      for (const [i, block] of campaign.blocks.entries()) {
        if (block.input.block.format !== 'rlp') throw new Error('campaign blocks are RLP')
        // runBlock is one chain of microtasks: let the event loop (and vitest's RPC) in between blocks,
        // since the protocol design's 25 blocks take over a minute in test:full.
        await setImmediate()
        const reference = await runBlockBaseline(stateManager, { rlp: block.input.block.rlp, common: campaign.common, senders: block.input.senders!, ancestorHashes: new Map() })
        const ours = results[i]!
        expect(bytesToHex(ours.stateRoot!), `block ${i} state root`).toBe(bytesToHex(reference.stateRoot))
        expect(ours.receipts.map(comparableReceipt), `block ${i} receipts`).toEqual(reference.receipts.map(comparableReceipt))
      }
    })

    // npm test: more of the matrix on the kit's design (one worker count, two predictions and two
    // hint sets each), one configuration per scheduler on the naive one; test:full runs all of it.
    const wholeMatrix = fullMatrix || design === 'kit'
    it(`behavior: ${design} design, the optimistic scheduler with ${fullMatrix ? '1, 2 and 4 workers' : '2 workers'}${wholeMatrix ? ' (and on state-memory)' : ''} equals sequential on every block`, async () => {
      const [campaign, sequential] = await Promise.all([campaignOf(design), sequentialOf(design)])
      for (const [workers, scheduler] of optimistic) {
        if (!fullMatrix && workers !== 2) continue
        const results = await run(campaign, scheduler, createMerkleState)
        results.forEach((result, i) => expectSameResult(result, sequential[i]!, `${design}, ${workers} workers, block ${i}`))
      }
      if (!wholeMatrix) return
      const onMemory = await run(campaign, optimistic.get(2)!, createMemoryState)
      const sequentialOnMemory = await run(campaign, createSequentialScheduler(), createMemoryState)
      onMemory.forEach((result, i) => expectSameResult(result, sequentialOnMemory[i]!, `${design}, memory, block ${i}`))
    })

    it(`behavior: ${design} design, the sharded scheduler (${fullMatrix ? 'each partition on 1, 2 and 4 shards' : design === 'kit' ? 'activity on 2 shards' : 'hash on 2 shards'})${fullMatrix ? ', and perfect, empty and adversarial predictions on 2,' : design === 'kit' ? ', and perfect and shuffled predictions on 2,' : ''} equals sequential on every block`, async () => {
      const [campaign, sequential] = await Promise.all([campaignOf(design), sequentialOf(design)])
      for (const { shards, partitioner, scheduler } of shardedFor(design)) {
        const results = await run(campaign, scheduler, createMerkleState)
        results.forEach((result, i) => expectSameResult(result, sequential[i]!, `${design}, sharded ${partitioner}, ${shards} shards, block ${i}`))
        expect(results.every((result) => result.stats.sharded?.shards === shards)).toBe(true)
      }
      const predictions: [string, (result: BlockResult, k: number) => readonly TxAccessSets[] | undefined][] = [
        ['perfect', (result) => actualAccessSets(result)],
        ['empty', () => undefined],
        ...(['everything', 'shuffled'] as const).map((name) => [name, (result: BlockResult, k: number) => adversarialAccessSets(actualAccessSets(result), k + 1)[name]] as [string, (result: BlockResult, k: number) => TxAccessSets[]]),
      ]
      for (const [name, setsOf] of fullMatrix ? predictions : design === 'kit' ? predictions.filter(([name]) => name === 'perfect' || name === 'shuffled') : []) {
        setsByBlock = new Map(sequential.flatMap((result, k) => { const sets = setsOf(result, k); return sets === undefined ? [] : [[result.number, sets] as [bigint, readonly TxAccessSets[]]] }))
        const results = await run(campaign, shardedGiven, createMerkleState)
        results.forEach((result, i) => expectSameResult(result, sequential[i]!, `${design}, sharded (${name} prediction), block ${i}`))
        if (name === 'perfect') expect(results.every((result) => result.stats.sharded?.escapes === 0)).toBe(true)
      }
    })

    it(`behavior: ${design} design, the static scheduler with ${fullMatrix ? 'each prediction source, perfect and adversarial hints' : wholeMatrix ? 'pre-execution, perfect and random hints' : 'random hints'} (2 workers) equals sequential on every block`, async () => {
      const [campaign, sequential] = await Promise.all([campaignOf(design), sequentialOf(design)])
      const hintSets: [string, (result: BlockResult, k: number) => BlockHints][] = [
        ['perfect', (result) => dependencyHintsOf(result)],
        ...(['empty', 'all-conflicting', 'random'] as const).map((name) => [name, (result: BlockResult, k: number) => adversarialHints(result, k + 1)[name]] as [string, (result: BlockResult, k: number) => BlockHints]),
      ]
      for (const [source, scheduler] of staticBySource) {
        // npm test: pre-execution and hints on the kit's design, hints alone on the naive one.
        if (!fullMatrix && (source === 'static' || source === 'access-list')) continue
        if (!wholeMatrix && source !== 'hints') continue
        const hintsRun = hintSets.filter(([name]) => fullMatrix || name === 'random' || (wholeMatrix && name === 'perfect'))
        for (const [name, hintsOf] of source === 'hints' ? hintsRun : [['none', () => undefined] as const]) {
          hintsByBlock = new Map(sequential.flatMap((result, k) => { const hints = hintsOf(result, k); return hints === undefined ? [] : [[result.number, hints] as [bigint, BlockHints]] }))
          const results = await run(campaign, scheduler, createMerkleState)
          results.forEach((result, i) => expectSameResult(result, sequential[i]!, `${design}, static ${source} (${name} hints), block ${i}`))
          if (name === 'perfect') expect(results.every((result) => result.stats.plan?.missedEdges === 0 && result.stats.reExecutions === 0)).toBe(true)
        }
      }
    })
  }
})
