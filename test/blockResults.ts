import { bytesToHex } from '@ethereumjs/util'
import type { TxReceipt } from '@ethereumjs/vm'
import type { BlockResult } from '@parallel-evm/core'
import { expect } from 'vitest'

export function comparableReceipt(receipt: TxReceipt) {
  return {
    status: 'status' in receipt ? receipt.status : undefined,
    cumulativeBlockGasUsed: receipt.cumulativeBlockGasUsed,
    bitvector: bytesToHex(receipt.bitvector),
    logs: receipt.logs.map(([address, topics, data]) => [bytesToHex(address), topics.map(bytesToHex), bytesToHex(data)]),
  }
}

/** What must be byte-identical between two schedulers' runs of one block: everything but timings. */
export function comparableResult(result: BlockResult) {
  return {
    stateRoot: result.stateRoot === undefined ? undefined : bytesToHex(result.stateRoot),
    receiptsRoot: bytesToHex(result.receiptsRoot),
    logsBloom: bytesToHex(result.logsBloom),
    gasUsed: result.gasUsed,
    matches: result.matches,
    receipts: result.receipts.map(comparableReceipt),
    outcomes: result.outcomes.map((outcome) => ({
      index: outcome.index,
      status: outcome.status,
      exception: outcome.exception,
      gasUsed: outcome.gasUsed,
      blockGasUsed: outcome.blockGasUsed,
      createdAddress: outcome.createdAddress,
    })),
    writeSet: result.writeSet,
  }
}

export function expectSameResult(actual: BlockResult, expected: BlockResult, label: string): void {
  expect(comparableResult(actual), label).toEqual(comparableResult(expected))
}
