import { createBlock } from '@ethereumjs/block'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, createAddressFromString } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type AddressHex, type BlockResult, type Executor, type Hex, type TxOutcome } from '@parallel-evm/core'
import { BASE_FEE_PER_GAS, FORK_BLOCK_POSITION, generatedAccount, generatedCommon, GenesisBuilder, transactionsRootOf, type GeneratedAccount } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { decodeEventLog, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Abi } from 'viem'
import { decodeReferralError, decodeReferralLog, type ReferralEvent } from '../src/index.js'
import { viewProbeAbi, viewProbeBytecode } from './generated/viewProbe.js'

export interface Call {
  to?: AddressHex
  data: Hex
  value?: bigint
  gasLimit?: bigint
  /** Seconds since the previous block (12 unless given). */
  seconds?: bigint
}

/** How a test's chain names what its contracts revert with. */
export type ErrorDecoder = (revertData: Hex) => { errorName: string; args: readonly unknown[] } | undefined

export interface CallResult {
  /** The whole block the call was mined in (one transaction). */
  block: BlockResult
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
  private probe: AddressHex | undefined

  private constructor(
    readonly executor: Executor,
    readonly accounts: GeneratedAccount[],
    private readonly reader: GeneratedAccount,
    private readonly decodeError: ErrorDecoder,
  ) {}

  /** `accountCount` funded accounts; `decodeError` names custom errors (the kit program's by default). */
  static async start(accountCount = 12, decodeError: ErrorDecoder = decodeReferralError): Promise<TestChain> {
    const accounts = Array.from({ length: accountCount + 1 }, (_, i) => generatedAccount(4242, 'kit-test', i))
    const genesis = new GenesisBuilder()
    for (const account of accounts) genesis.add(account.address, { balance: 1_000n * 10n ** 18n })
    const executor = createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: genesis.build() }) })
    return new TestChain(executor, accounts.slice(0, accountCount), accounts[accountCount]!, decodeError)
  }

  /**
   * A view's result, read by a transaction through the view probe one second after the last block
   * (the executor runs transactions, not calls). Reverts throw with the decoded error.
   */
  async read<T>(address: AddressHex, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
    if (this.probe === undefined) {
      const deployed = await this.send(this.reader, { data: encodeDeployData({ abi: viewProbeAbi, bytecode: viewProbeBytecode }), seconds: 1n })
      this.probe = deployed.createdAddress!
    }
    const data = encodeFunctionData({ abi, functionName, args })
    const probed = await this.send(this.reader, { to: this.probe, data: encodeFunctionData({ abi: viewProbeAbi, functionName: 'probe', args: [address, data] }), seconds: 1n })
    const [log] = probed.outcome.logs
    const returned = decodeEventLog({ abi: viewProbeAbi, eventName: 'Returned', topics: [bytesToHex(log![1][0]!) as Hex], data: bytesToHex(log![2]) as Hex }).args as { ok: boolean; data: Hex }
    if (!returned.ok) throw new Error(`${functionName} reverted: ${this.decodeError(returned.data)?.errorName ?? returned.data}`)
    return decodeFunctionResult({ abi, functionName, data: returned.data }) as T
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
    this.timestamp += call.seconds ?? 12n
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
    const decoded = outcome.revertData === undefined ? undefined : this.decodeError(outcome.revertData)
    return {
      block: result,
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
