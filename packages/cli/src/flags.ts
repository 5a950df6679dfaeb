import type { WorkerCount } from '@parallel-evm/core'

/** The options every pevm command accepts. */
export interface CommonFlags {
  scheduler: string
  state: string
  /** A count, or 'auto' (the default): one lane per core. */
  workers: WorkerCount
  json: boolean
  /** The lmdb database directory (--db). */
  db?: string
  /** The static or sharded scheduler's prediction sources, comma-separated (--predict). */
  predict?: string
  /** The sharded scheduler's partitioner (--partitioner hash|activity). */
  partitioner?: string
  /** A hints file for the static scheduler (--hints; `pevm run` only). */
  hintsFile?: string
  /** Take a block's given senders and body as they are (--trust-senders), as a caller that checked them already. */
  trustSenders?: boolean
}
