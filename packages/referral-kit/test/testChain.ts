import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type AddressHex, type BlockResult, type Executor, type Hex, type TxOutcome } from '@parallel-evm/core'
import { generatedAccount, GenesisBuilder, type GeneratedAccount } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { decodeEventLog, decodeFunctionResult, encodeDeployData, encodeFunctionData, type Abi } from 'viem'
import { decodeReferralError, decodeReferralLog, ExecutorChain, type ReferralEvent } from '../src/index.js'
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
 * state), the kit's `ExecutorChain` with named accounts, error decoding and view reads: one
 * transaction per block, 12 seconds apart unless the test moves time on.
 */
export class TestChain {
  private probe: AddressHex | undefined

  private constructor(
    readonly chain: ExecutorChain,
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
    return new TestChain(new ExecutorChain(executor), accounts.slice(0, accountCount), accounts[accountCount]!, decodeError)
  }

  get executor(): Executor {
    return this.chain.executor
  }

  get timestamp(): bigint {
    return this.chain.timestamp
  }

  set timestamp(timestamp: bigint) {
    this.chain.timestamp = timestamp
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
    return this.chain.balanceOf(address)
  }

  advance(seconds: bigint): void {
    this.chain.advance(seconds)
  }

  async send(from: GeneratedAccount, call: Call): Promise<CallResult> {
    const { block, outcome } = await this.chain.send(bytesToHex(from.privateKey) as Hex, call)
    const decoded = outcome.revertData === undefined ? undefined : this.decodeError(outcome.revertData)
    return {
      block,
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
