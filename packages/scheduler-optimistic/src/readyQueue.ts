import { IndexHeap } from '@parallel-evm/core/internal'

/** The transactions ready to execute, lowest index first (Block-STM runs the block's front first). */
export class ReadyQueue extends IndexHeap {
  constructor() {
    super((a, b) => a < b)
  }
}
