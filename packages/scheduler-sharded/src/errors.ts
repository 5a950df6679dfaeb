import { ParallelEvmError, type Hex } from '@parallel-evm/core'

/**
 * Agreement on commit failed: a shard's digest of the partition it owns differs from the
 * committed result's (a lost or corrupted message, a shard that diverged). Nothing is committed.
 */
export class ShardDigestMismatchError extends ParallelEvmError {
  readonly code = 'SHARD_DIGEST_MISMATCH'
  readonly shard: number
  readonly expected: Hex
  /** What the shard reported; undefined when it answered with an error instead. */
  readonly reported: Hex | undefined
  constructor(args: { shard: number; expected: Hex; reported: Hex | undefined; expectedKeys: number; reportedKeys: number | undefined; reason?: string }) {
    super(`Shard ${args.shard} does not agree on the block: its partition digest is ${args.reported ?? 'missing'}, the committed result's is ${args.expected}`, {
      metaMessages: [`Shard: ${args.shard}`, `Keys: ${args.reportedKeys ?? '?'} reported, ${args.expectedKeys} expected`],
      ...(args.reason === undefined ? {} : { details: args.reason }),
    })
    this.shard = args.shard
    this.expected = args.expected
    this.reported = args.reported
  }
}
