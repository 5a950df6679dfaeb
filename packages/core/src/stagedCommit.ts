import { StagedCommitSettledError } from './errors.js'
import type { StagedCommit } from './stateBackend.js'

export interface StagedCommitActions {
  apply(): Promise<void>
  discard(): Promise<void>
}

/**
 * The handle a backend's `stage` returns: the computed root plus the two ways to settle it, each
 * allowed once and exclusive of the other, since applying after a discard (or twice) would write
 * state that was already reverted or committed.
 */
export class SettleOnceCommit implements StagedCommit {
  private settled: 'applied' | 'discarded' | undefined

  constructor(
    readonly stateRoot: Uint8Array | undefined,
    private readonly actions: StagedCommitActions,
  ) {}

  async apply(): Promise<void> {
    this.settle('apply')
    await this.actions.apply()
  }

  async discard(): Promise<void> {
    this.settle('discard')
    await this.actions.discard()
  }

  // Marked before the first await, so two overlapping calls cannot both pass the check.
  private settle(attempted: 'apply' | 'discard'): void {
    if (this.settled !== undefined) throw new StagedCommitSettledError({ settledAs: this.settled, attempted })
    this.settled = attempted === 'apply' ? 'applied' : 'discarded'
  }
}
