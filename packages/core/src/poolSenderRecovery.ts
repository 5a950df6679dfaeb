import type { Block } from '@ethereumjs/block'
import { recoverSendersOf } from './prepareBlock.js'
import type { AddressHex, BlockInput } from './types.js'
import type { WorkerPool } from './workerPool.js'

/**
 * Below this many transactions a block's senders are recovered on the calling thread alone: on
 * libsecp256k1 a recovery costs tens of µs, less than shipping it to a worker.
 */
export const MIN_POOLED_RECOVERY = 64

/**
 * Recovers a block's senders by ECDSA on every lane: the pool's workers each take a share (sent
 * the share's encoded transactions, which they decode alone) while the calling thread recovers its
 * own. A transaction whose signature does not recover is recovered again here, to raise the typed
 * error that names it.
 */
export async function recoverSendersOnPool(pool: (() => Promise<WorkerPool>) | undefined, workers: number, _input: BlockInput, block: Block): Promise<readonly AddressHex[]> {
  const all = block.transactions.map((_, index) => index)
  if (pool === undefined || all.length < MIN_POOLED_RECOVERY) return recoverSendersOf(block, all)
  const started = await pool()
  const share = Math.ceil(all.length / (workers + 1))
  // Posted before the calling thread starts its own share, so the lanes run together.
  const pooled = started.recoverSenders(block, all.slice(share))
  pooled.catch(() => {})
  const senders: AddressHex[] = recoverSendersOf(block, all.slice(0, share))
  for (const result of await pooled) {
    senders[result.index] = 'sender' in result ? result.sender! : recoverSendersOf(block, [result.index])[0]!
  }
  return senders
}
