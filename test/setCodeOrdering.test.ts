import { createBlock } from '@ethereumjs/block'
import { createEOACode7702Tx, createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, concatBytes, eoaCode7702SignAuthorization, hexToBytes, intToHex } from '@ethereumjs/util'
import { merkleStateManagerFrom, runBlockBaseline } from '@parallel-evm/bench'
import {
  createExecutor,
  createSequentialScheduler,
  toSlotHex,
  type AddressHex,
  type BlockInput,
  type BlockResult,
  type Scheduler,
  type WriteSet,
} from '@parallel-evm/core'
import { accountFieldKeyId } from '@parallel-evm/core/internal'
import { BASE_FEE_PER_GAS, generatedAccount, generatedCommon, generatedHeader, GenesisBuilder, transactionsRootOf, type GeneratedAccount } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { analyzeBlock, createGraphOrderScheduler, reverseWithinLevels } from '@parallel-evm/conflicts'
import { afterAll, describe, expect, it } from 'vitest'
import { comparableReceipt, expectSameResult } from './blockResults.js'

// EIP-7702: a set-code transaction delegates an account, another transaction calls that account.
// Which runs first decides what the call executes; every scheduler must order them as the block does.
const common = generatedCommon('prague')
const ETHER = 10n ** 18n
const COUNTER = hexToBytes('0x60005460010160005500') // slot 0 += 1
const MARKER = hexToBytes('0x604260015500') // slot 1 = 0x42
const counter = '0x00000000000000000000000000000000000c0001' as AddressHex
const marker = '0x00000000000000000000000000000000000c0002' as AddressHex
const sponsor = generatedAccount(7702, 'sponsor', 0)
const caller = generatedAccount(7702, 'caller', 0)
const authority = generatedAccount(7702, 'authority', 0)
const coinbase = '0x00000000000000000000000000000000000c0b05' as AddressHex

const delegationCode = (target: AddressHex) => concatBytes(hexToBytes('0xef0100'), hexToBytes(target))
const fees = { maxPriorityFeePerGas: 1n, maxFeePerGas: 2n * BASE_FEE_PER_GAS + 1n, gasLimit: 200_000n }

function setCode(from: GeneratedAccount, nonce: bigint, target: AddressHex, authorityNonce: bigint): TypedTransaction {
  const authorization = eoaCode7702SignAuthorization({ chainId: '0x1', address: target, nonce: intToHex(Number(authorityNonce)) }, authority.privateKey)
  return createEOACode7702Tx({ ...fees, nonce, to: from.address, authorizationList: [authorization] }, { common }).sign(from.privateKey)
}
const callAuthority = (nonce: bigint) => createFeeMarket1559Tx({ ...fees, nonce, to: authority.address }, { common }).sign(caller.privateKey)

function preState(authorityCode?: Uint8Array): WriteSet {
  const genesis = new GenesisBuilder()
  genesis.add(sponsor.address, { balance: 10n * ETHER })
  genesis.add(caller.address, { balance: 10n * ETHER })
  genesis.add(authority.address, { balance: ETHER, nonce: 0n, ...(authorityCode === undefined ? {} : { code: authorityCode }) })
  genesis.add(counter, { code: COUNTER })
  genesis.add(marker, { code: MARKER })
  return genesis.build()
}

function blockOf(transactions: { tx: TypedTransaction; from: GeneratedAccount }[]): BlockInput {
  const signed = transactions.map(({ tx }) => tx)
  const gas = signed.reduce((sum, tx) => sum + tx.gasLimit, 0n)
  const block = createBlock({ header: { ...generatedHeader('prague', coinbase, gas), transactionsTrie: transactionsRootOf(signed) }, transactions: signed, withdrawals: [] }, { common })
  return { block: { format: 'rlp', rlp: block.serialize() }, senders: transactions.map(({ from }) => from.address) }
}

interface Scenario {
  name: string
  preState: WriteSet
  block: BlockInput
  /** The authority's storage after the block, which tells which code the call ran (or none). */
  expectedStorage: Record<string, bigint>
}

// The authority's nonce in each authorization: 0 when another account sends the set-code
// transaction; its own transaction nonce + 1 when it sponsors itself (its nonce is bumped first).
const scenarios: Scenario[] = [
  { name: 'delegation, then the call', preState: preState(), block: blockOf([{ tx: setCode(sponsor, 0n, counter, 0n), from: sponsor }, { tx: callAuthority(0n), from: caller }]), expectedStorage: { [toSlotHex(0n)]: 1n } },
  { name: 'the call, then the delegation', preState: preState(), block: blockOf([{ tx: callAuthority(0n), from: caller }, { tx: setCode(sponsor, 0n, counter, 0n), from: sponsor }]), expectedStorage: {} },
  {
    name: 're-delegation from the counter to the marker, then the call',
    preState: preState(delegationCode(counter)),
    block: blockOf([{ tx: setCode(sponsor, 0n, marker, 0n), from: sponsor }, { tx: callAuthority(0n), from: caller }]),
    expectedStorage: { [toSlotHex(1n)]: 0x42n },
  },
  {
    name: 'the call, then re-delegation from the counter to the marker',
    preState: preState(delegationCode(counter)),
    block: blockOf([{ tx: callAuthority(0n), from: caller }, { tx: setCode(sponsor, 0n, marker, 0n), from: sponsor }]),
    expectedStorage: { [toSlotHex(0n)]: 1n },
  },
  {
    // The set-code transaction is addressed to the authority itself, so it already runs the counter.
    name: 'a self-sponsored delegation that calls itself, then two calls',
    preState: preState(),
    block: blockOf([{ tx: setCode(authority, 0n, counter, 1n), from: authority }, { tx: callAuthority(0n), from: caller }, { tx: callAuthority(1n), from: caller }]),
    expectedStorage: { [toSlotHex(0n)]: 3n },
  },
]

const schedulers: [string, Scheduler][] = [
  ['optimistic, 2 workers', createOptimisticScheduler({ workers: 2, fallback: false })],
  ['optimistic, 1 worker', createOptimisticScheduler({ workers: 1, fallback: false })],
  ['static (pre-execution), 2 workers', createStaticScheduler({ workers: 2, predict: ['preexec'], fallback: false })],
  ['static (static facts, access lists), 2 workers', createStaticScheduler({ workers: 2, predict: ['static', 'access-list'], fallback: false })],
  ['sharded (hash), 2 shards', createShardedScheduler({ workers: 2, partitioner: 'hash', fallback: false })],
  ['sharded (activity), 2 shards', createShardedScheduler({ workers: 2, partitioner: 'activity', fallback: false })],
]
afterAll(async () => {
  for (const [, scheduler] of schedulers) await scheduler.close?.()
})

async function run(scenario: Scenario, scheduler: Scheduler): Promise<BlockResult> {
  return createExecutor({ scheduler, state: await createMerkleState({ genesis: scenario.preState }), common }).executeBlock(scenario.block)
}

describe('EIP-7702 set-code transactions and the calls they redirect', () => {
  for (const scenario of scenarios) {
    it(`behavior: ${scenario.name}: sequential equals runBlock, and every scheduler equals sequential`, async () => {
      const sequential = await run(scenario, createSequentialScheduler())
      expect(sequential.outcomes.map((outcome) => outcome.status)).toEqual(sequential.outcomes.map(() => 1))
      const storage = Object.fromEntries(sequential.writeSet.accounts.get(authority.address)?.storage ?? [])
      expect(storage, 'the code the call ran').toEqual(scenario.expectedStorage)
      // The authorization writes the authority's nonce and code hash, field by field: not its balance, not the whole account.
      const setCode = sequential.outcomes.find((outcome) => outcome.writeSet.accounts.get(authority.address)?.codeHash !== undefined)!
      const written = setCode.writeSet.accounts.get(authority.address)!
      expect(written).toMatchObject({ nonce: expect.any(BigInt), codeHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
      expect(written.lifecycle).toBeUndefined()
      if (setCode.sender !== authority.address) expect(written.balance ?? written.balanceDelta).toBeUndefined()
      // Checking the authorization's nonce is a read of the authority's nonce field.
      expect(setCode.readSet.has(accountFieldKeyId(authority.address, 'nonce'))).toBe(true)

      const stateManager = await merkleStateManagerFrom(scenario.preState)
      const source = scenario.block.block
      if (source.format !== 'rlp') throw new Error('blocks here are RLP')
      const reference = await runBlockBaseline(stateManager, { common, rlp: source.rlp, senders: scenario.block.senders!, ancestorHashes: new Map() })
      expect(bytesToHex(sequential.stateRoot!)).toBe(bytesToHex(reference.stateRoot))
      expect(sequential.receipts.map(comparableReceipt)).toEqual(reference.receipts.map(comparableReceipt))

      for (const [label, scheduler] of schedulers) expectSameResult(await run(scenario, scheduler), sequential, `${scenario.name}, ${label}`)
      // The conflict detector's graph holds the delegation-to-call edge: another order it allows gives the same block.
      const reordered = await run(scenario, createGraphOrderScheduler(reverseWithinLevels(analyzeBlock(sequential).graphs.credits)))
      expectSameResult(reordered, sequential, `${scenario.name}, reverse-within-levels order of the dependency graph`)
    })
  }
})
