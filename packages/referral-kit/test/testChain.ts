import { createBlock } from '@ethereumjs/block'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { createAddressFromString } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type AddressHex, type Executor, type Hex, type TxOutcome } from '@parallel-evm/core'
import { BASE_FEE_PER_GAS, FORK_BLOCK_POSITION, generatedAccount, generatedCommon, GenesisBuilder, transactionsRootOf, type GeneratedAccount } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { decodeReferralError, decodeReferralLog, type ReferralEvent } from '../src/index.js'

export interface Call {
  to?: AddressHex
  data: Hex
  value?: bigint
  gasLimit?: bigint
}

export interface CallResult {
  outcome: TxOutcome
  status: 0 | 1
  gasUsed: bigint
  events: ReferralEvent[]
  /** The custom error name of a reverted call, `undefined` when it succeeded. */
  error: string | undefined
  errorArgs: readonly unknown[]
  createdAddress: AddressHex | undefined
}

/**
 * A chain for contract tests on our real executor (ethereumjs EVM, sequential scheduler, memory
 * state): one transaction per block, 12 seconds apart unless the test moves time on.
 */
export class TestChain {
  readonly common = generatedCommon('cancun')
  private number = FORK_BLOCK_POSITION.cancun.number
  timestamp = FORK_BLOCK_POSITION.cancun.timestamp
  private readonly nonces = new Map<AddressHex, bigint>()

  private constructor(
    readonly executor: Executor,
    readonly accounts: GeneratedAccount[],
  ) {}

  static async start(accountCount = 12): Promise<TestChain> {
    const accounts = Array.from({ length: accountCount }, (_, i) => generatedAccount(4242, 'kit-test', i))
    const genesis = new GenesisBuilder()
    for (const account of accounts) genesis.add(account.address, { balance: 1_000n * 10n ** 18n })
    const executor = createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: genesis.build() }) })
    return new TestChain(executor, accounts)
  }

  balanceOf(address: AddressHex): bigint {
    return this.executor.state.getAccount(address)?.balance ?? 0n
  }

  advance(seconds: bigint): void {
    this.timestamp += seconds
  }

  async send(from: GeneratedAccount, call: Call): Promise<CallResult> {
    const nonce = this.nonces.get(from.address) ?? 0n
    const tx = createFeeMarket1559Tx(
      { nonce, gasLimit: call.gasLimit ?? 5_000_000n, maxPriorityFeePerGas: 0n, maxFeePerGas: BASE_FEE_PER_GAS, to: call.to, value: call.value ?? 0n, data: call.data },
      { common: this.common },
    ).sign(from.privateKey)
    this.number += 1n
    this.timestamp += 12n
    const block = createBlock(
      {
        header: {
          number: this.number,
          timestamp: this.timestamp,
          coinbase: createAddressFromString('0x000000000000000000000000000000000000c0de'),
          gasLimit: 30_000_000n,
          baseFeePerGas: BASE_FEE_PER_GAS,
          excessBlobGas: 0n,
          transactionsTrie: transactionsRootOf([tx]),
          blobGasUsed: 0n,
          parentBeaconBlockRoot: new Uint8Array(32),
        },
        transactions: [tx],
        withdrawals: [],
      },
      { common: this.common },
    )
    const result = await this.executor.executeBlock({ block: { format: 'rlp', rlp: block.serialize() }, senders: [from.address] })
    this.nonces.set(from.address, nonce + 1n)
    const outcome = result.outcomes[0]!
    const decoded = outcome.revertData === undefined ? undefined : decodeReferralError(outcome.revertData)
    return {
      outcome,
      status: outcome.status,
      gasUsed: outcome.gasUsed,
      events: outcome.logs.flatMap((log) => {
        const event = decodeReferralLog(log)
        return event === undefined ? [] : [event]
      }),
      error: decoded?.errorName ?? (outcome.status === 0 ? outcome.exception : undefined),
      errorArgs: decoded?.args ?? [],
      createdAddress: outcome.createdAddress,
    }
  }
}
