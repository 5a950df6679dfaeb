import type { BlockConflicts } from './analyzeBlock.js'

export interface KeyActivity {
  /** Blocks × transactions that wrote or credited the key. */
  writes: number
  /** Transactions that depended on an earlier one through the key. */
  contended: number
}

/**
 * Key → activity across many blocks: what the sharded scheduler's activity-aware partitioner reads
 * to keep keys written together on one shard and to give hot contracts a shard of their own.
 */
export class ConflictProfile {
  readonly keys = new Map<string, KeyActivity>()
  blocks = 0

  add(conflicts: BlockConflicts): void {
    this.blocks++
    for (const sets of conflicts.accessSets) {
      for (const key of [...sets.writes, ...sets.deltas, ...sets.chained]) this.activity(key).writes++
    }
    for (const [key, edges] of conflicts.graphs['sender-chains'].edgesByKey) this.activity(key).contended += edges
  }

  /** The most contended keys, then the most written. */
  hottest(limit = 20): [string, KeyActivity][] {
    return [...this.keys].sort(([a, x], [b, y]) => y.contended - x.contended || y.writes - x.writes || (a < b ? -1 : 1)).slice(0, limit)
  }

  toJSON(): { blocks: number; keys: Record<string, KeyActivity> } {
    return { blocks: this.blocks, keys: Object.fromEntries([...this.keys].sort(([a], [b]) => (a < b ? -1 : 1))) }
  }

  static fromJSON(json: { blocks: number; keys: Record<string, KeyActivity> }): ConflictProfile {
    const profile = new ConflictProfile()
    profile.blocks = json.blocks
    for (const [key, activity] of Object.entries(json.keys)) profile.keys.set(key, { ...activity })
    return profile
  }

  private activity(key: string): KeyActivity {
    let activity = this.keys.get(key)
    if (activity === undefined) {
      activity = { writes: 0, contended: 0 }
      this.keys.set(key, activity)
    }
    return activity
  }
}
