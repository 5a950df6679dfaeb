import { IndexHeap } from '@parallel-evm/core/internal'

/** Ready transactions, highest priority first (ties: lowest index first). */
export class PriorityQueue extends IndexHeap {
  constructor(priority: readonly bigint[]) {
    super((a, b) => priority[a]! > priority[b]! || (priority[a] === priority[b] && a < b))
  }
}
