import { createBlock, type HeaderData } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, createAddressFromString, generateAddress, hexToBytes } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, InvalidOptionError, type AddressHex, type Hex } from '@parallel-evm/core'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { BASE_FEE_PER_GAS, FORK_BLOCK_POSITION, generatedAccount, generatedCommon, GenesisBuilder, SeededRandom, transactionsRootOf } from '@parallel-evm/fixtures'
import type { ProgramConfig, Season, Tier } from '../client.js'
import { emptyFraudCounts, FRAUD_ERRORS, fraudKindOf } from '../fraudKinds.js'
import { campaignActors, privateKeyHex } from './campaignActors.js'
import { CampaignPlanner } from './campaignPlanner.js'
import { encodeIntent, type EncodedCall, type EncodingContext } from './encodeIntent.js'
import { GroundTruthBook } from './groundTruthBook.js'
import { gasLimitFor, isSignUpIntent, type Intent } from './intents.js'
import { encodeProtocolIntent, type ProtocolAddresses, type ProtocolEncodingContext } from './encodeProtocolIntent.js'
import { ProgramModel, type CampaignModel, type ModelOutcome } from './programModel.js'
import { ProtocolModel, type MintOutcome, type ProtocolSettings } from './protocolModel.js'
import { PROGRAM_DESIGNS, type Campaign, type CampaignBlock, type CampaignOptions, type CampaignTransaction, type FraudKind, type ProgramDesign } from './types.js'

const DAY = 86_400n
const ETHER = 10n ** 18n
const FINNEY = 10n ** 15n
const MIN_BLOCK_GAS_LIMIT = 30_000_000n
const PRIORITY_FEE = 1n

export const CAMPAIGN_DEFAULTS = { users: 1200, referrers: 30, blocks: 28, daysPerBlock: 2, fraudPercent: 4, design: 'kit' as ProgramDesign }

/**
 * A seeded referral campaign: genesis, the deployment block, then `blocks` blocks of signed
 * transactions (sign-up waves, conversions, repeat purchases, claims, fraud attempts), and the
 * ground truth the analytics must reproduce. The same options give the same bytes.
 *
 * ```ts
 * const campaign = await generateCampaign({ seed: 1, users: 300, blocks: 12 })
 * ```
 */
export async function generateCampaign(options: CampaignOptions): Promise<Campaign> {
  const settings = resolveOptions(options)
  const { seed, blocks, daysPerBlock, design } = settings
  const common = generatedCommon('cancun')
  const actors = campaignActors(seed, settings.referrers, settings.users)
  const coinbase = generatedAccount(seed, 'referral-coinbase', 0).address
  const start = FORK_BLOCK_POSITION.cancun.timestamp
  const created = (nonce: number) => bytesToHex(generateAddress(hexToBytes(actors.admin.address), nonce === 0 ? new Uint8Array() : new Uint8Array([nonce]))) as AddressHex
  const program = created(0)
  const { config, tiers, season } = programSettings(actors.verifier.address, start, blocks, daysPerBlock)
  const programModel = new ProgramModel(start, config, tiers, season)
  const protocol = design === 'protocol' ? protocolCampaign(actors.verifier.address, config, season, created, settings.users) : undefined
  const protocolModel = protocol === undefined ? undefined : new ProtocolModel(start, protocol.settings)
  const model: CampaignModel = protocolModel ?? programModel
  const book = new GroundTruthBook((timestamp) => programModel.epochAt(timestamp))
  const fraudBlocked = emptyFraudCounts()
  const random = new SeededRandom(seed)
  const planner = new CampaignPlanner(actors, model, random, { blocks, daysPerBlock, fraudPercent: settings.fraudPercent, start })
  const encoding: EncodingContext = {
    design,
    program,
    chainId: Number(common.chainId()),
    verifierKey: privateKeyHex(actors.verifier),
    forgerKey: privateKeyHex(actors.forger),
    config,
    tiers,
    season,
    funding: 100n * ETHER,
    naiveReward: tiers[1]!.rewardWei,
  }
  const protocolEncoding: ProtocolEncodingContext | undefined = protocol && {
    addresses: protocol.addresses,
    settings: protocol.settings,
    chainId: encoding.chainId,
    verifierKey: encoding.verifierKey,
    forgerKey: encoding.forgerKey,
    badgesUri: BADGES_URI,
  }

  const genesis = new GenesisBuilder()
  genesis.add(actors.admin.address, { balance: 1_000n * ETHER })
  for (const account of [...actors.referrers, ...actors.users, ...actors.attackers]) genesis.add(account.address, { balance: 10n * ETHER })

  const nonces = new Map<AddressHex, bigint>()
  const transactions: CampaignTransaction[] = []
  const campaignBlocks: CampaignBlock[] = []
  let parentHash: Uint8Array = new Uint8Array(32)
  const sealer = await createSealer(genesis, common)
  for (let b = 0; b <= blocks; b++) {
    const now = planner.timestampOf(b)
    const signed: TypedTransaction[] = []
    const senders: AddressHex[] = []
    let gasLimits = 0n
    for (const intent of b === 0 ? planner.launch() : planner.plan(b)) {
      if (intent.kind === 'deploy') protocolModel?.fund(protocol!.settings.funding)
      const outcome = applyToModel(model, intent, now)
      planner.observe(intent, outcome, b, now)
      const kind = expectedKind(intent, outcome)
      const predicted = design !== 'naive'
      let calls: EncodedCall[]
      if (protocolEncoding !== undefined) calls = await encodeProtocolIntent(intent, outcome.ok ? (outcome.value as MintOutcome) : undefined, protocolEncoding)
      else {
        // The naive design has no cap: its users skip the attempts the kit refuses for it, so both
        // campaigns hold the same sign-ups.
        const call = design === 'naive' && kind === 'over-cap' ? undefined : await encodeIntent(intent, encoding)
        calls = call === undefined ? [] : [call]
      }
      if (calls.length === 0) continue
      if (design === 'kit') record(book, intent, outcome, now)
      if (design === 'protocol' && !outcome.ok) fraudBlocked[fraudKindOf(outcome.error)!] += 1
      for (const call of calls) {
        const nonce = nonces.get(intent.from) ?? 0n
        nonces.set(intent.from, nonce + 1n)
        const gasLimit = intent.kind === 'deploy' && design === 'protocol' ? PROTOCOL_DEPLOY_GAS : gasLimitFor(intent)
        gasLimits += gasLimit
        const tx = createFeeMarket1559Tx(
          { nonce, gasLimit, maxPriorityFeePerGas: PRIORITY_FEE, maxFeePerGas: 2n * BASE_FEE_PER_GAS + PRIORITY_FEE, to: call.to, value: call.value, data: call.data },
          { common },
        )
        signed.push(tx.sign(actors.keyOf.get(intent.from)!))
        senders.push(intent.from)
        transactions.push({
          block: b,
          index: signed.length - 1,
          kind,
          ...(predicted ? { expectedStatus: outcome.ok ? 1 : 0, ...(outcome.ok ? {} : { expectedError: outcome.error }) } : {}),
        })
      }
    }
    const number = FORK_BLOCK_POSITION.cancun.number + BigInt(b)
    const header = {
      number,
      timestamp: now,
      parentHash,
      coinbase: createAddressFromString(coinbase),
      gasLimit: gasLimits > MIN_BLOCK_GAS_LIMIT ? gasLimits : MIN_BLOCK_GAS_LIMIT,
      baseFeePerGas: BASE_FEE_PER_GAS,
      excessBlobGas: 0n,
      blobGasUsed: 0n,
      parentBeaconBlockRoot: new Uint8Array(32),
      transactionsTrie: transactionsRootOf(signed),
    }
    const block = await sealer.seal(header, signed, senders)
    parentHash = block.hash()
    campaignBlocks.push({ number, timestamp: now, input: { block: { format: 'rlp', rlp: block.serialize() }, senders } })
  }

  return {
    name: `referral-${design}-seed-${seed}-${settings.users}-users-${blocks}-blocks`,
    design,
    common,
    genesis: genesis.build(),
    blocks: campaignBlocks,
    program,
    epochLength: config.epochLength,
    admin: actors.admin.address,
    verifier: actors.verifier.address,
    coinbase,
    referrers: actors.referrers.map((r) => r.address),
    transactions,
    groundTruth: design === 'kit' ? book.result(planner.timestampOf(blocks)) : undefined,
    ...(protocol === undefined ? {} : { protocol: { ...protocol.addresses, truth: { summary: protocolModel!.truth(), fraudBlocked } } }),
  }
}

const BADGES_URI = 'https://badges.example/{id}.json'
/** Each of the protocol design's deployments and wiring calls. */
const PROTOCOL_DEPLOY_GAS = 6_000_000n

/**
 * The protocol design's contracts and settings, on the kit design's terms: the example mint's item
 * costs the kit's `minPurchase`, the rewards vault pays 10% to 20% of each mint by tier (with a fee
 * discount for the referees of the higher tiers), under the same epochs, vesting, payout cap,
 * season, end and claim window, from a budget of 10 finney per invited user. The admin's first four creations are the registry, vault, badges and mint.
 */
function protocolCampaign(verifier: AddressHex, config: ProgramConfig, season: Season, created: (nonce: number) => AddressHex, users: number): { addresses: ProtocolAddresses; settings: ProtocolSettings } {
  const addresses: ProtocolAddresses = { registry: created(0), rewards: created(1), badges: created(2), mint: created(3) }
  const settings: ProtocolSettings = {
    registry: { verifier: verifier as Hex, epochLength: config.epochLength, maxCycleDepth: config.maxCycleDepth, signUpCapPerEpoch: config.signUpCapPerEpoch, requireAttestation: true },
    tiers: [
      { minQualified: 0, rewardBps: 1_000, discountBps: 0 },
      { minQualified: 5, rewardBps: 1_500, discountBps: 300 },
      { minQualified: 15, rewardBps: 2_000, discountBps: 500 },
    ],
    rewards: { epochLength: config.epochLength, vestingDelay: config.vestingDelay, programEnd: config.programEnd, claimWindow: config.claimWindow, payoutCapPerEpoch: config.payoutCapPerEpoch, minQualifyingValue: config.minPurchase / 2n },
    season,
    unitPrice: config.minPurchase,
    // A sponsor's budget of 10 finney per invited user: the busiest referrers' buckets outgrow it
    // and their late rewards fall short, the others' never do.
    funding: BigInt(users) * 10n * FINNEY,
  }
  return { addresses, settings }
}

function applyToModel(model: CampaignModel, intent: Intent, now: bigint): ModelOutcome<unknown> {
  switch (intent.kind) {
    case 'deploy':
      return { ok: true, value: undefined }
    case 'register-code':
      return model.registerCode(intent.from, intent.code)
    case 'purchase':
      return model.purchase(intent.from, intent.value, now)
    case 'claim':
    case 'foreign-claim':
      return model.claim(intent.from, intent.referees, now)
    default:
      return model.signUp(intent.from, intent.signUp, now)
  }
}

/** The transaction's kind as it turned out: an honest sign-up over the referrer's cap is an over-cap attempt. */
function expectedKind(intent: Intent, outcome: ModelOutcome<unknown>): CampaignTransaction['kind'] {
  const fraud = intent.kind in FRAUD_ERRORS ? (intent.kind as FraudKind) : undefined
  if (fraud !== undefined) {
    if (outcome.ok || outcome.error !== FRAUD_ERRORS[fraud]) throw new Error(`campaign generator: a ${fraud} attempt would ${outcome.ok ? 'succeed' : `fail with ${outcome.error}`}`)
    return fraud
  }
  if (outcome.ok) return intent.kind
  if (intent.kind === 'sign-up' && outcome.error === FRAUD_ERRORS['over-cap']) return 'over-cap'
  throw new Error(`campaign generator: an honest ${intent.kind} would fail with ${outcome.error}`)
}

function record(book: GroundTruthBook, intent: Intent, outcome: ModelOutcome<unknown>, now: bigint): void {
  if (!outcome.ok) {
    book.rejected(outcome.error)
    return
  }
  if (isSignUpIntent(intent)) {
    book.signedUp(intent.from, (outcome.value as { referrer: AddressHex }).referrer, now)
  } else if (intent.kind === 'purchase') {
    book.purchased(intent.from, now)
    const { referrer, conversion } = outcome.value as { referrer: AddressHex; conversion?: { amount: bigint; seasonal: boolean } }
    if (conversion !== undefined) book.converted(referrer, conversion.amount, conversion.seasonal)
  } else if (intent.kind === 'claim') {
    for (const item of (outcome.value as { paid: { amount: bigint; accruedAt: bigint }[] }).paid) book.claimed(intent.from, item.amount, item.accruedAt, now)
  }
}

function programSettings(verifier: AddressHex, start: bigint, blocks: number, daysPerBlock: number): { config: ProgramConfig; tiers: Tier[]; season: Season } {
  const config: ProgramConfig = {
    verifier: verifier as Hex,
    epochLength: 7n * DAY,
    vestingDelay: 7n * DAY,
    maxCycleDepth: 4,
    signUpCapPerEpoch: 25,
    payoutCapPerEpoch: 40n * FINNEY,
    minPurchase: 10n * FINNEY,
    programEnd: start + BigInt((blocks + 1) * daysPerBlock) * DAY,
    claimWindow: 30n * DAY,
    requireAttestation: true,
  }
  const tiers: Tier[] = [
    { minQualified: 0, rewardWei: 1n * FINNEY },
    { minQualified: 5, rewardWei: (3n * FINNEY) / 2n },
    { minQualified: 15, rewardWei: 2n * FINNEY },
  ]
  // The seasonal window: weeks 3 and 4, rewards x1.5.
  const season: Season = { start: start + 14n * DAY, end: start + 28n * DAY, bonusBps: 15_000 }
  return { config, tiers, season }
}

function resolveOptions(options: CampaignOptions) {
  const resolved = { ...CAMPAIGN_DEFAULTS, ...options }
  for (const option of ['users', 'referrers', 'blocks', 'daysPerBlock'] as const) {
    if (!Number.isSafeInteger(resolved[option]) || resolved[option] < 1) throw new InvalidOptionError({ option, reason: `must be a positive integer, got ${resolved[option]}` })
  }
  if (!Number.isSafeInteger(resolved.seed)) throw new InvalidOptionError({ option: 'seed', reason: `must be a safe integer, got ${resolved.seed}` })
  if (!(resolved.fraudPercent >= 0 && resolved.fraudPercent <= 100)) throw new InvalidOptionError({ option: 'fraudPercent', reason: `must be within 0..100, got ${resolved.fraudPercent}` })
  if (!PROGRAM_DESIGNS.includes(resolved.design)) throw new InvalidOptionError({ option: 'design', reason: `must be one of ${PROGRAM_DESIGNS.join(', ')}, got ${String(resolved.design)}` })
  return resolved
}

/**
 * Seals each block as a producer would: executes it on our sequential path over a Merkle state
 * (the campaign's own chain so far) and writes the results into its header (state root, receipts
 * root, logs bloom, gas used), so that a replay can check every block against its header and a
 * wrong state (a damaged database) cannot pass unnoticed.
 */
async function createSealer(genesis: GenesisBuilder, common: Common) {
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: genesis.build() }), common, trustSenders: true })
  const ancestorHashes = new Map<bigint, Uint8Array>()
  return {
    async seal(header: HeaderData, transactions: TypedTransaction[], senders: AddressHex[]) {
      const unsealed = createBlock({ header, transactions, withdrawals: [] }, { common })
      const result = await executor.executeBlock({ block: { format: 'rlp', rlp: unsealed.serialize() }, senders, ancestorHashes: new Map(ancestorHashes) })
      const sealed = createBlock(
        { header: { ...header, stateRoot: result.stateRoot, receiptTrie: result.receiptsRoot, logsBloom: result.logsBloom, gasUsed: result.gasUsed }, transactions, withdrawals: [] },
        { common },
      )
      ancestorHashes.set(sealed.header.number, sealed.hash())
      return sealed
    },
  }
}
