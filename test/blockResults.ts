import { bytesToBigInt, bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import type { TxReceipt } from '@ethereumjs/vm'
import type { merkleStateManagerFrom } from '@parallel-evm/bench'
import type { BlockResult, WriteSet } from '@parallel-evm/core'
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
      revertData: outcome.revertData,
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

/** Every value in `writeSet` is what `@ethereumjs/vm` left in its state manager. */
export async function expectWritesIn(stateManager: Awaited<ReturnType<typeof merkleStateManagerFrom>>, writeSet: WriteSet): Promise<void> {
  for (const [address, write] of writeSet.accounts) {
    const account = await stateManager.getAccount(createAddressFromString(address))
    if (write.lifecycle === 'deleted') {
      expect(account, `${address} deleted`).toBeUndefined()
      continue
    }
    if (write.balance !== undefined) expect(account?.balance, `${address} balance`).toBe(write.balance)
    if (write.nonce !== undefined) expect(account?.nonce, `${address} nonce`).toBe(write.nonce)
    if (write.codeHash !== undefined) expect(bytesToHex(account!.codeHash), `${address} code`).toBe(write.codeHash)
    for (const [slot, value] of write.storage) {
      const stored = await stateManager.getStorage(createAddressFromString(address), hexToBytes(slot))
      expect(bytesToBigInt(stored), `${address} slot ${slot}`).toBe(value)
    }
  }
}
