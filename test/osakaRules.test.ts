import { createBlock, createBlockHeader } from '@ethereumjs/block'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, InvalidBlockError, InvalidTransactionError, type BlockInput, type Scheduler } from '@parallel-evm/core'
import { BASE_FEE_PER_GAS, generatedAccount, generatedCommon, generatedHeader, GenesisBuilder, rpcBlockJson, transactionsRootOf } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'

// Osaka's block-validity rules, refused with a typed error naming the rule, on every path a block
// takes in (RLP and JSON-RPC), in both verify modes, with nothing committed.
const osaka = generatedCommon('osaka')
const coinbase = '0x00000000000000000000000000000000000c0b05' as const
const senders = Array.from({ length: 7 }, (_, index) => generatedAccount(7825, 'sender', index))
const genesis = new GenesisBuilder()
for (const sender of senders) genesis.add(sender.address, { balance: 10n ** 18n })
const preState = genesis.build()

const fees = { maxPriorityFeePerGas: 1n, maxFeePerGas: 2n * BASE_FEE_PER_GAS + 1n }
const optimistic = createOptimisticScheduler({ workers: 2, fallback: false })
afterAll(() => optimistic.close())

/** An Osaka block of `transactions` as RLP, built without ethereumjs's own construction-time checks. */
function osakaBlock(transactions: TypedTransaction[]): Uint8Array {
  const gas = transactions.reduce((sum, tx) => sum + tx.gasLimit, 0n)
  const header = createBlockHeader({ ...generatedHeader('osaka', coinbase, gas), transactionsTrie: transactionsRootOf(transactions) }, { common: osaka })
  return RLP.encode([header.raw(), transactions.map((tx) => tx.serialize()), [], []] as NestedUint8Array)
}

async function expectRefused(input: BlockInput, scheduler: Scheduler, verify: 'report' | 'enforce'): Promise<unknown> {
  const state = await createMerkleState({ genesis: preState })
  const before = bytesToHex(state.stateRoot())
  const error = await createExecutor({ scheduler, state, common: osaka }).executeBlock(input, { verify }).catch((e: unknown) => e)
  expect(bytesToHex(state.stateRoot()), 'nothing committed').toBe(before)
  return error
}

describe('Osaka block rules', () => {
  it('error: a transaction above the EIP-7825 gas cap (2^24) is an InvalidTransactionError naming it, its hash and the EIP', async () => {
    // Signed under Prague, which has no cap, so ethereumjs lets it be built.
    const prague = generatedCommon('prague')
    const capped = createFeeMarket1559Tx({ ...fees, nonce: 0n, gasLimit: 2n ** 24n + 1n, to: senders[1]!.address }, { common: prague }).sign(senders[0]!.privateKey)
    const input: BlockInput = { block: { format: 'rlp', rlp: osakaBlock([capped]) }, senders: [senders[0]!.address] }
    for (const [scheduler, verify] of [[createSequentialScheduler(), 'report'], [optimistic, 'enforce']] as const) {
      const error = await expectRefused(input, scheduler, verify)
      expect(error).toBeInstanceOf(InvalidTransactionError)
      expect(error).toMatchObject({ txIndex: 0, txHash: bytesToHex(capped.hash()) })
      expect((error as Error).message).toContain('EIP-7825')
    }
  })

  it('error: a block over the EIP-7934 size limit (8 MiB of RLP) is an InvalidBlockError on blockSize, as RLP and as JSON-RPC', async () => {
    // Seven transactions of 1.5 MB of zero calldata: each under the gas cap even at the EIP-7623 floor.
    const calldata = new Uint8Array(1_500_000)
    const transactions = senders.map((sender, index) =>
      createFeeMarket1559Tx({ ...fees, nonce: 0n, gasLimit: 15_100_000n, to: senders[(index + 1) % senders.length]!.address, data: calldata }, { common: osaka }).sign(sender.privateKey),
    )
    const rlp = osakaBlock(transactions)
    expect(rlp.length).toBeGreaterThan(8_388_608)
    const addresses = senders.map((sender) => sender.address)
    const gas = transactions.reduce((sum, tx) => sum + tx.gasLimit, 0n)
    const header = { ...generatedHeader('osaka', coinbase, gas), transactionsTrie: transactionsRootOf(transactions) }
    const json = rpcBlockJson(createBlock({ header, transactions, withdrawals: [] }, { common: osaka }), addresses)
    for (const input of [{ block: { format: 'rlp', rlp }, senders: addresses }, { block: { format: 'rpc', json }, senders: addresses }] as BlockInput[]) {
      for (const verify of ['report', 'enforce'] as const) {
        const error = await expectRefused(input, createSequentialScheduler(), verify)
        expect(error).toBeInstanceOf(InvalidBlockError)
        expect(error).toMatchObject({ rule: 'blockSize' })
        expect((error as Error).message).toContain('EIP-7934')
      }
    }
  })

  it('behavior: a block just under the size limit runs', async () => {
    const transactions = senders.slice(0, 5).map((sender, index) =>
      createFeeMarket1559Tx({ ...fees, nonce: 0n, gasLimit: 15_100_000n, to: senders[index + 1]!.address, data: new Uint8Array(1_500_000) }, { common: osaka }).sign(sender.privateKey),
    )
    const rlp = osakaBlock(transactions)
    expect(rlp.length).toBeLessThan(8_388_608)
    const result = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: preState }), common: osaka }).executeBlock({
      block: { format: 'rlp', rlp },
      senders: senders.slice(0, 5).map((sender) => sender.address),
    })
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual([1, 1, 1, 1, 1])
  })
})
