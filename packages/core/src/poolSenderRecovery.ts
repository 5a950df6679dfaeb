import type { Block } from '@ethereumjs/block'
import { recoverSendersOf } from './prepareBlock.js'
import type { AddressHex, BlockInput } from './types.js'
import type { WorkerPool } from './workerPool.js'

/**
 * Recovers a block's senders by ECDSA on the pool's workers (about 2 ms a transaction, and it
 * parallelises perfectly), or on the calling thread when `pool` is undefined or the block is small.
 */
export async function recoverSendersOnPool(pool: (() => Promise<WorkerPool>) | undefined, workers: number, input: BlockInput, block: Block): Promise<readonly AddressHex[]> {
  const count = block.transactions.length
  const all = block.transactions.map((_, index) => index)
  if (pool === undefined || count < 2 * workers) return recoverSendersOf(block, all)
  const results = await (await pool()).recoverSenders(input, count)
  const senders = results.map((result) => ('sender' in result ? result.sender : undefined))
  // A bad signature: recovering here raises the typed error naming the transaction.
  if (senders.some((sender) => sender === undefined)) return recoverSendersOf(block, all)
  return senders as AddressHex[]
}
