import { createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import type { AddressHex, BlockResult, Executor, TxOutcome } from '@parallel-evm/core'
import { BASE_FEE_PER_GAS, FORK_BLOCK_POSITION, generatedCommon, transactionsRootOf } from '@parallel-evm/fixtures'
import { encodeDeployData, encodeFunctionData, getAddress, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { decodeReferralKitError, decodeReferralKitLog, type ReferralKitEvent } from './decode.js'
import type { ReferralKitAddresses } from './types.js'
import { ReferralKitTransactionError, runKitDeployment, type DeployReferralKitOptions } from './viemClient.js'

/** A transaction to send on an `ExecutorChain`: `to` absent creates a contract. */
export interface ExecutorChainCall {
  to?: Hex
  data: Hex
  value?: bigint
  /** 5,000,000 unless given. */
  gasLimit?: bigint
  /** Seconds since the previous block: 12 unless given. */
  seconds?: bigint
}

/** What one transaction did on an `ExecutorChain`. */
export interface ExecutorChainReceipt {
  block: BlockResult
  outcome: TxOutcome
  status: 0 | 1
  createdAddress: AddressHex | undefined
  /** The kit contracts' events among its logs. */
  events: ReferralKitEvent[]
  /** The kit contracts' custom error of a reverted transaction, when it is one of theirs. */
  error: { errorName: string; args: readonly unknown[] } | undefined
}

const COINBASE = createAddressFromString('0x000000000000000000000000000000000000c0de')

/**
 * A chain of one transaction per block on our executor, Cancun rules, mainnet's chain id: what an app
 * needs to deploy and drive the kit on the executor without building transactions and blocks itself.
 * The executor's state must hold the senders' funds (its genesis).
 */
export class ExecutorChain {
  readonly common: Common
  number: bigint
  timestamp: bigint

  constructor(
    readonly executor: Executor,
    options: { number?: bigint; timestamp?: bigint } = {},
  ) {
    this.common = generatedCommon('cancun')
    this.number = options.number ?? FORK_BLOCK_POSITION.cancun.number
    this.timestamp = options.timestamp ?? FORK_BLOCK_POSITION.cancun.timestamp
  }

  /** Moves the clock on for the next block. */
  advance(seconds: bigint): void {
    this.timestamp += seconds
  }

  balanceOf(address: Hex): bigint {
    return this.executor.state.getAccount(address.toLowerCase() as AddressHex)?.balance ?? 0n
  }

  /** Signs `call` with `privateKey` (the sender's nonce read from the state) and executes it as the next block. */
  async send(privateKey: Hex, call: ExecutorChainCall): Promise<ExecutorChainReceipt> {
    const sender = privateKeyToAddress(privateKey).toLowerCase() as AddressHex
    const nonce = this.executor.state.getAccount(sender)?.nonce ?? 0n
    const tx = createFeeMarket1559Tx(
      { nonce, gasLimit: call.gasLimit ?? 5_000_000n, maxPriorityFeePerGas: 0n, maxFeePerGas: BASE_FEE_PER_GAS, to: call.to, value: call.value ?? 0n, data: call.data },
      { common: this.common },
    ).sign(hexToBytes(privateKey))
    const header = {
      number: this.number + 1n,
      timestamp: this.timestamp + (call.seconds ?? 12n),
      coinbase: COINBASE,
      gasLimit: 30_000_000n,
      baseFeePerGas: BASE_FEE_PER_GAS,
      excessBlobGas: 0n,
      transactionsTrie: transactionsRootOf([tx]),
      blobGasUsed: 0n,
      parentBeaconBlockRoot: new Uint8Array(32),
    }
    const block = createBlock({ header, transactions: [tx], withdrawals: [] }, { common: this.common })
    const result = await this.executor.executeBlock({ block: { format: 'rlp', rlp: block.serialize() }, senders: [sender] })
    this.number = header.number
    this.timestamp = header.timestamp
    const outcome = result.outcomes[0]!
    return {
      block: result,
      outcome,
      status: outcome.status,
      createdAddress: outcome.createdAddress,
      events: outcome.logs.flatMap((log) => decodeReferralKitLog(log) ?? []),
      error: outcome.revertData === undefined ? undefined : decodeReferralKitError(outcome.revertData),
    }
  }
}

/**
 * `deployReferralKit` on our executor: the same contracts, wiring and funding in the same order, each
 * a block of `chain` sent by `ownerKey`. A failed step throws `ReferralKitTransactionError` naming it.
 */
export async function deployReferralKitOnExecutor(
  chain: ExecutorChain,
  ownerKey: Hex,
  options: DeployReferralKitOptions & { /** Each step's whole receipt, block result included. */ onReceipt?: (step: string, receipt: ExecutorChainReceipt) => void },
): Promise<ReferralKitAddresses> {
  const send = async (step: string, call: ExecutorChainCall) => {
    const receipt = await chain.send(ownerKey, call)
    if (receipt.status !== 1) throw new ReferralKitTransactionError(step, receipt.outcome.txHash)
    options.onStep?.(step, receipt.outcome.txHash)
    options.onReceipt?.(step, receipt)
    return receipt
  }
  return runKitDeployment(options, {
    deploy: async (step, abi, bytecode, args) => getAddress((await send(step, { data: encodeDeployData({ abi, bytecode, args }) })).createdAddress!),
    write: async (step, address, abi, functionName, args, value) => {
      await send(step, { to: address, data: encodeFunctionData({ abi, functionName, args }), ...(value === undefined ? {} : { value }) })
    },
  })
}
