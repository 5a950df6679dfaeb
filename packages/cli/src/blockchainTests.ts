import { createBlockFromRLP, type Block, type BlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import { createExecutor, defaultKzg, keccak256, ParallelEvmError, type Hex, type Scheduler, type SlotHex, type StateBackend } from '@parallel-evm/core'
import { commonForNetwork, type BlockchainTestCase } from '@parallel-evm/fixtures'
import { openBackendByName } from './registry.js'

export interface BlockchainTestOptions {
  /** Shared by every case, so a parallel scheduler's workers start once. */
  scheduler: Scheduler
  state: string
  /** Take each block's senders and body as given (see `CreateExecutorOptions.trustSenders`). */
  trustSenders?: boolean
}

export interface BlockchainTestResult {
  file: string
  name: string
  passed: boolean
  /** Why the case failed, naming the block. */
  reason?: string
}

/**
 * Runs one BlockchainTest: every valid block must be accepted with every header field matching
 * (state root included when the backend computes one), every block marked `expectException` must
 * be rejected with a typed error leaving the state as it was, and the chain must end at the
 * fixture's last block hash and post-state.
 */
export async function runBlockchainTestCase(testCase: BlockchainTestCase, options: BlockchainTestOptions): Promise<BlockchainTestResult> {
  const common = commonForNetwork(testCase.network, { customCrypto: { kzg: defaultKzg() } })
  const genesis = createBlockFromRLP(testCase.genesisRlp, { common: common.copy(), setHardfork: true })
  const backend = await openBackendByName(options.state, testCase.pre, { number: genesis.header.number, blockHash: bytesToHex(genesis.hash()) as Hex })
  try {
    return await runChain(testCase, options, common, genesis, backend.state)
  } finally {
    await backend.close()
  }
}

async function runChain(testCase: BlockchainTestCase, options: BlockchainTestOptions, common: Common, genesis: Block, state: StateBackend): Promise<BlockchainTestResult> {
  const fail = (reason: string): BlockchainTestResult => ({ file: testCase.file, name: testCase.name, passed: false, reason })
  const genesisRoot = state.stateRoot()
  if (genesisRoot !== undefined && !equalsBytes(genesisRoot, genesis.header.stateRoot)) {
    return fail(`genesis state root ${bytesToHex(genesisRoot)} is not ${bytesToHex(genesis.header.stateRoot)}`)
  }
  const executor = createExecutor({ scheduler: options.scheduler, state, common, trustSenders: options.trustSenders ?? false })
  let parent: BlockHeader = genesis.header
  const ancestorHashes = new Map<bigint, Uint8Array>([[0n, genesis.hash()]])
  for (const [position, block] of testCase.blocks.entries()) {
    const label = `block ${position + 1}${block.expectException === undefined ? '' : ` (expects ${block.expectException})`}`
    const before = stateFingerprint(state)
    try {
      const result = await executor.executeBlock(
        { block: { format: 'rlp', rlp: block.rlp }, ancestorHashes: new Map(ancestorHashes) },
        { verify: 'enforce', parentHeader: parent },
      )
      if (block.expectException !== undefined) return fail(`${label}: accepted`)
      parent = result.header
      ancestorHashes.set(result.number, result.header.hash())
    } catch (error) {
      if (block.expectException === undefined) return fail(`${label}: rejected: ${describe(error)}`)
      if (!(error instanceof ParallelEvmError)) return fail(`${label}: rejected with an untyped error: ${describe(error)}`)
      if (stateFingerprint(state) !== before) return fail(`${label}: rejected but the committed state changed`)
    }
  }
  const lastHash = bytesToHex(parent.hash())
  if (lastHash !== testCase.lastBlockHash.toLowerCase()) return fail(`last block hash ${lastHash} is not ${testCase.lastBlockHash}`)
  const postMismatch = comparePostState(testCase, state)
  if (postMismatch !== undefined) return fail(postMismatch)
  return { file: testCase.file, name: testCase.name, passed: true }
}

function describe(error: unknown): string {
  if (error instanceof ParallelEvmError) return `[${error.code}] ${error.shortMessage}`
  return error instanceof Error ? error.message.split('\n')[0]! : String(error)
}

interface Dumpable {
  dump(): Map<string, { nonce: bigint; balance: bigint; codeHash: string; storage: Map<string, bigint> }>
}

function hasDump(state: StateBackend): state is StateBackend & Dumpable {
  return typeof (state as Partial<Dumpable>).dump === 'function'
}

/** The state root when there is one, else a canonical rendering of the whole state. */
function stateFingerprint(state: StateBackend): string {
  const root = state.stateRoot()
  if (root !== undefined) return bytesToHex(root)
  if (!hasDump(state)) throw new TypeError(`backend ${state.kind} has neither a state root nor dump()`)
  const parts: string[] = []
  for (const [address, account] of state.dump()) {
    parts.push(`${address}:${account.nonce}:${account.balance}:${account.codeHash}`)
    for (const [slot, value] of [...account.storage].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${slot}=${value}`)
  }
  return parts.join('|')
}

/** With a root, the root must be the expected one; without, every account must equal `postState`. */
function comparePostState(testCase: BlockchainTestCase, state: StateBackend): string | undefined {
  const root = state.stateRoot()
  if (root !== undefined) {
    if (testCase.postStateHash !== undefined && bytesToHex(root) !== testCase.postStateHash.toLowerCase()) {
      return `post-state root ${bytesToHex(root)} is not ${testCase.postStateHash}`
    }
    return undefined
  }
  if (testCase.postState === undefined || !hasDump(state)) return undefined
  const actual = state.dump()
  for (const [address, expected] of testCase.postState) {
    const account = actual.get(address)
    if (account === undefined) return `post-state: account ${address} missing`
    const codeHash = bytesToHex(keccak256(expected.code))
    if (account.nonce !== expected.nonce || account.balance !== expected.balance || account.codeHash !== codeHash) {
      return `post-state: account ${address} differs (nonce ${account.nonce}/${expected.nonce}, balance ${account.balance}/${expected.balance})`
    }
    const slots = new Set([...account.storage.keys(), ...expected.storage.keys()])
    for (const slot of slots) {
      if ((account.storage.get(slot) ?? 0n) !== (expected.storage.get(slot as SlotHex) ?? 0n)) return `post-state: ${address} slot ${slot} differs`
    }
  }
  for (const address of actual.keys()) {
    if (!testCase.postState.has(address as never)) return `post-state: unexpected account ${address}`
  }
  return undefined
}
