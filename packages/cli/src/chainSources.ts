import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createBlockFromRLP, type BlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { bytesToHex } from '@ethereumjs/util'
import { createMainnetCommon, defaultKzg, InvalidOptionError, type BlockInput, type Hex, type WriteSet } from '@parallel-evm/core'
import { commonForNetwork, loadBlockchainTestFile, loadMainnetBlock } from '@parallel-evm/fixtures'
import { CAMPAIGN_FILE, readCampaign, type Campaign } from '@parallel-evm/referral-kit'

/** A block of a chain, decoded enough to know where it goes. */
export interface ChainBlock {
  number: bigint
  hash: Hex
  parentHash: Hex
  /** The decoded header (a JSON-RPC snapshot block is not decoded here). */
  header: BlockHeader | undefined
  input: BlockInput
  /** The fixture says this block must be rejected (the chain goes on from its parent). */
  expectInvalid: boolean
}

/**
 * A chain to replay: the state its first block starts from, where that state sits, and the
 * blocks. `verify` is how strictly each block is checked against its own header.
 */
export interface ChainSource {
  name: string
  common: Common
  genesis: WriteSet
  head: { number: bigint; blockHash: Hex }
  /** The header of the block `genesis` is the state after, when known (BlockchainTests' genesis). */
  genesisHeader: BlockHeader | undefined
  blocks: ChainBlock[]
  /**
   * `'enforce'`: every computed header field must match (BlockchainTests, and campaigns, whose
   * generator seals each block from a sequential run). `'report'`: the header cannot be checked (a
   * mainnet snapshot's partial pre-state).
   */
  verify: 'enforce' | 'report'
  /**
   * Whether each header is also validated against its parent's (gas limit bounds, base fee,
   * timestamps): a real chain's consensus rules. A campaign is a test chain with a constant base
   * fee and a gas limit sized to each block, so its headers follow their parents only by hash.
   */
  checkParentHeaders: boolean
}

/** Where a campaign's genesis sits: just before its first block, whose parent hash it names. */
export function campaignGenesisHead(campaign: Campaign): { number: bigint; blockHash: Hex } {
  const first = chainBlock(campaign.blocks[0]!.input, campaign.common, false)
  return { number: first.number - 1n, blockHash: first.parentHash }
}

/**
 * Loads the chain at `path`: a referral campaign directory (campaign.json), a mainnet snapshot
 * block directory (one block on its pre-state), or a BlockchainTests file (the case `testName`,
 * or its only case).
 */
export async function loadChainSource(path: string, testName?: string): Promise<ChainSource> {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
    if (existsSync(join(path, CAMPAIGN_FILE))) return campaignChain(readCampaign(path))
    return mainnetChain(path)
  }
  return blockchainTestChain(path, testName)
}

function campaignChain(campaign: Campaign): ChainSource {
  const blocks = campaign.blocks.map((block) => chainBlock(block.input, campaign.common, false))
  return { name: campaign.name, common: campaign.common, genesis: campaign.genesis, head: campaignGenesisHead(campaign), genesisHeader: undefined, blocks, verify: 'enforce', checkParentHeaders: false }
}

async function mainnetChain(dir: string): Promise<ChainSource> {
  const fixture = await loadMainnetBlock(dir)
  const json = fixture.block.block.format === 'rpc' ? fixture.block.block.json : undefined
  const parentHash = (json?.parentHash ?? '0x') as Hex
  const block: ChainBlock = { number: fixture.number, hash: fixture.header.hash, parentHash, header: undefined, input: fixture.block, expectInvalid: false }
  const head = { number: fixture.number - 1n, blockHash: parentHash }
  return { name: `mainnet block ${fixture.number}`, common: createMainnetCommon(), genesis: fixture.preState, head, genesisHeader: undefined, blocks: [block], verify: 'report', checkParentHeaders: true }
}

function blockchainTestChain(file: string, testName: string | undefined): ChainSource {
  const cases = loadBlockchainTestFile(file)
  const chosen = testName === undefined ? (cases.length === 1 ? cases[0] : undefined) : cases.find((c) => c.name === testName)
  if (chosen === undefined) {
    const reason = testName === undefined ? `holds ${cases.length} tests: name one with --test` : `has no test "${testName}"`
    throw new InvalidOptionError({ option: '--test', reason: `${file} ${reason} (${cases.map((c) => c.name).slice(0, 5).join(', ')}${cases.length > 5 ? ', …' : ''})` })
  }
  const common = commonForNetwork(chosen.network, { customCrypto: { kzg: defaultKzg() } })
  const genesis = createBlockFromRLP(chosen.genesisRlp, { common: common.copy(), setHardfork: true })
  const blocks = chosen.blocks.map((block) => chainBlock({ block: { format: 'rlp', rlp: block.rlp } }, common, block.expectException !== undefined))
  return {
    name: chosen.name,
    common,
    genesis: chosen.pre,
    head: { number: genesis.header.number, blockHash: bytesToHex(genesis.hash()) as Hex },
    genesisHeader: genesis.header,
    blocks,
    verify: 'enforce',
    checkParentHeaders: true,
  }
}

function chainBlock(input: BlockInput, common: Common, expectInvalid: boolean): ChainBlock {
  try {
    const block = decodeRlpBlock(input, common)
    const { header } = block
    return { number: header.number, hash: bytesToHex(block.hash()) as Hex, parentHash: bytesToHex(header.parentHash) as Hex, header, input, expectInvalid }
  } catch (error) {
    // An invalid block may not even decode: it keeps its place, and execution must reject it.
    if (!expectInvalid) throw error
    return { number: -1n, hash: '0x', parentHash: '0x', header: undefined, input, expectInvalid }
  }
}

function decodeRlpBlock(input: BlockInput, common: Common) {
  if (input.block.format !== 'rlp') throw new InvalidOptionError({ option: 'block', reason: 'expected an RLP block' })
  return createBlockFromRLP(input.block.rlp, { common: common.copy(), setHardfork: true })
}
