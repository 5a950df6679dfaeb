import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { FixtureFormatError, type AccountWrite, type AddressHex, type Hex, type SlotHex, type WriteSet } from '@parallel-evm/core'
import { generatedCommon } from '@parallel-evm/fixtures'
import { analyticsFromJson, analyticsToJson, type CampaignAnalyticsJson } from '../analytics/analyticsJson.js'
import type { Campaign, CampaignTransaction, ProtocolCampaign } from './types.js'

export const CAMPAIGN_FILE = 'campaign.json'
const FORMAT = 'parallel-evm/referral-campaign@1'

interface AccountJson {
  balance: Hex
  nonce: Hex
  codeHash: Hex
  storage: Record<SlotHex, Hex>
}

interface CampaignJson {
  format: typeof FORMAT
  name: string
  design: Campaign['design']
  program: AddressHex
  epochLength: Hex
  admin: AddressHex
  verifier: AddressHex
  coinbase: AddressHex
  referrers: AddressHex[]
  genesis: { accounts: Record<AddressHex, AccountJson>; codes: Record<Hex, Hex> }
  blocks: { number: Hex; timestamp: Hex; rlp: Hex; senders: AddressHex[] }[]
  transactions: CampaignTransaction[]
  groundTruth: CampaignAnalyticsJson | null
  /** The protocol design's contracts and ground truth, bigints as `{ "bigint": "<decimal>" }`. */
  protocol?: unknown
}

const hex = (value: bigint) => `0x${value.toString(16)}` as Hex

/** Writes the campaign to `dir/campaign.json`: genesis, blocks as RLP with their senders, ground truth. */
export function writeCampaign(dir: string, campaign: Campaign): string {
  const accounts: Record<AddressHex, AccountJson> = {}
  for (const [address, write] of campaign.genesis.accounts) {
    accounts[address] = {
      balance: hex(write.balance ?? 0n),
      nonce: hex(write.nonce ?? 0n),
      codeHash: write.codeHash!,
      storage: Object.fromEntries([...write.storage].map(([slot, value]) => [slot, hex(value)])),
    }
  }
  const json: CampaignJson = {
    format: FORMAT,
    name: campaign.name,
    design: campaign.design,
    program: campaign.program,
    epochLength: hex(campaign.epochLength),
    admin: campaign.admin,
    verifier: campaign.verifier,
    coinbase: campaign.coinbase,
    referrers: campaign.referrers,
    genesis: { accounts, codes: Object.fromEntries([...campaign.genesis.codes].map(([hash, code]) => [hash, bytesToHex(code) as Hex])) },
    blocks: campaign.blocks.map((block) => {
      if (block.input.block.format !== 'rlp') throw new Error('campaign blocks are RLP')
      return { number: hex(block.number), timestamp: hex(block.timestamp), rlp: bytesToHex(block.input.block.rlp) as Hex, senders: [...block.input.senders!] }
    }),
    transactions: campaign.transactions,
    groundTruth: campaign.groundTruth === undefined ? null : analyticsToJson(campaign.groundTruth),
    ...(campaign.protocol === undefined ? {} : { protocol: JSON.parse(JSON.stringify(campaign.protocol, (_, v: unknown) => (typeof v === 'bigint' ? { bigint: v.toString() } : v))) }),
  }
  mkdirSync(dir, { recursive: true })
  const file = join(dir, CAMPAIGN_FILE)
  writeFileSync(file, JSON.stringify(json))
  return file
}

/** Reads a campaign written by `writeCampaign`; a missing, truncated or foreign file is a FixtureFormatError naming it. */
export function readCampaign(dir: string): Campaign {
  const file = join(dir, CAMPAIGN_FILE)
  let json: CampaignJson
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as CampaignJson
  } catch (cause) {
    throw new FixtureFormatError({ file, field: '(file)', reason: `is not readable JSON: ${(cause as Error).message}`, cause })
  }
  if (json?.format !== FORMAT) throw new FixtureFormatError({ file, field: 'format', reason: `must be "${FORMAT}", found ${JSON.stringify(json?.format)}` })
  for (const field of ['program', 'epochLength', 'genesis', 'blocks', 'transactions'] as const) {
    if (json[field] === undefined || json[field] === null) throw new FixtureFormatError({ file, field, reason: 'is missing' })
  }
  const parse = <T>(field: string, read: () => T): T => {
    try {
      return read()
    } catch (cause) {
      throw new FixtureFormatError({ file, field, reason: `is malformed: ${(cause as Error).message}`, cause })
    }
  }
  const genesis: WriteSet = parse('genesis', () => ({
    accounts: new Map(
      Object.entries(json.genesis.accounts).map(([address, account]): [AddressHex, AccountWrite] => [
        address as AddressHex,
        {
          lifecycle: 'created',
          balance: BigInt(account.balance),
          nonce: BigInt(account.nonce),
          codeHash: account.codeHash,
          storage: new Map(Object.entries(account.storage).map(([slot, value]) => [slot as SlotHex, BigInt(value)])),
        },
      ]),
    ),
    codes: new Map(Object.entries(json.genesis.codes).map(([hash, code]) => [hash as Hex, hexToBytes(code)])),
  }))
  const blocks = parse('blocks', () =>
    json.blocks.map((block) => ({
      number: BigInt(block.number),
      timestamp: BigInt(block.timestamp),
      input: { block: { format: 'rlp' as const, rlp: hexToBytes(block.rlp) }, senders: block.senders },
    })),
  )
  return {
    name: json.name,
    design: json.design,
    common: generatedCommon('cancun'),
    genesis,
    blocks,
    program: json.program,
    epochLength: parse('epochLength', () => BigInt(json.epochLength)),
    admin: json.admin,
    verifier: json.verifier,
    coinbase: json.coinbase,
    referrers: json.referrers,
    transactions: json.transactions,
    groundTruth: json.groundTruth === null ? undefined : parse('groundTruth', () => analyticsFromJson(json.groundTruth!)),
    ...(json.protocol === undefined ? {} : { protocol: parse('protocol', () => revivedBigInts(json.protocol) as ProtocolCampaign) }),
  }
}

function revivedBigInts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revivedBigInts)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]![0] === 'bigint' && typeof entries[0]![1] === 'string') return BigInt(entries[0]![1])
  return Object.fromEntries(entries.map(([key, inner]) => [key, revivedBigInts(inner)]))
}
