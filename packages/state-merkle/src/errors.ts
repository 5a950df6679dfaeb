import { ParallelEvmError } from '@parallel-evm/core'

/** `stage` was called while an earlier staged commit was neither applied nor discarded. */
export class StagedCommitPendingError extends ParallelEvmError {
  readonly code = 'STAGED_COMMIT_PENDING'
  constructor() {
    super('A staged commit is already pending: apply or discard it before staging another', {
      metaMessages: ['Each staged commit builds on the committed state, so two at once would each miss the other.'],
    })
  }
}

/** `apply` or `discard` was called on a staged commit that was already applied or discarded. */
export class StagedCommitSettledError extends ParallelEvmError {
  readonly code = 'STAGED_COMMIT_SETTLED'
  readonly settledAs: 'applied' | 'discarded'
  constructor(args: { settledAs: 'applied' | 'discarded'; attempted: 'apply' | 'discard' }) {
    super(`Cannot ${args.attempted} a staged commit that was already ${args.settledAs}`)
    this.settledAs = args.settledAs
  }
}
