import type { TxAccessSets } from '@parallel-evm/conflicts'
import type { PreparedBlock } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { planBlock, scorePlan } from '../src/index.js'

type Access = Partial<Record<keyof TxAccessSets, string[]>>
const sets = (...txs: Access[]): TxAccessSets[] =>
  txs.map((tx) => ({ reads: new Set(tx.reads), writes: new Set(tx.writes), deltas: new Set(tx.deltas), chained: new Set(tx.chained) }))

/** A block of `count` transactions from distinct senders, so only the given dependencies are planned. */
const planOf = (dependencies: number[][]) =>
  planBlock({ transactions: dependencies.map(() => ({ gasLimit: 21_000n })), senders: dependencies.map((_, j) => `0x${j}`) } as unknown as PreparedBlock, { dependencies })

describe('scorePlan', () => {
  it('behavior: a plan of exactly the actual edges has precision and recall 1 and misses nothing', () => {
    // 3 waits for 2 (it reads j) and for 0 (the last writer of k; 1 only read it).
    const actual = sets({ writes: ['k'] }, { reads: ['k'] }, { writes: ['j'] }, { reads: ['j'], writes: ['k'] })
    expect(scorePlan(planOf([[], [0], [], [0, 2]]), actual)).toEqual({ plannedEdges: 3, actualEdges: 3, missedEdges: 0, precision: 1, recall: 1 })
  })

  it('behavior: extra planned edges lower precision only', () => {
    const actual = sets({ writes: ['k'] }, { reads: ['k'] }, {}, {})
    expect(scorePlan(planOf([[], [0], [0, 1], [2]]), actual)).toEqual({ plannedEdges: 4, actualEdges: 1, missedEdges: 0, precision: 0.25, recall: 1 })
  })

  it('behavior: an actual edge the plan orders through a chain of planned edges is not missed, though not a hit', () => {
    // Actually 3 reads what 0 wrote; the plan orders 0 → 1 → 2 → 3.
    const actual = sets({ writes: ['k'] }, {}, {}, { reads: ['k'] })
    expect(scorePlan(planOf([[], [0], [1], [2]]), actual)).toEqual({ plannedEdges: 3, actualEdges: 1, missedEdges: 0, precision: 0, recall: 0 })
  })

  it('behavior: an actual edge the plan does not order at all is missed', () => {
    // 0 → 1 and 2 → 3 planned, but 3 reads what 0 wrote: no chain from 0 to 3.
    const actual = sets({ writes: ['k'] }, {}, {}, { reads: ['k'] })
    expect(scorePlan(planOf([[], [0], [], [2]]), actual)).toEqual({ plannedEdges: 2, actualEdges: 1, missedEdges: 1, precision: 0, recall: 0 })
  })

  it('behavior: a chain that passes the dependency by (through a later transaction only) does not order it', () => {
    // 3 depends on 1 actually; the plan has 0 → 2 → 3, which never reaches 1.
    const actual = sets({}, { writes: ['k'] }, {}, { reads: ['k'] })
    expect(scorePlan(planOf([[], [], [0], [2]]), actual)).toMatchObject({ missedEdges: 1, recall: 0 })
  })

  it('behavior: hits, transitive coverage and misses are counted per edge', () => {
    // Actual: 1 → [0] (a hit), 3 → [0] (ordered through the planned 0 → 1 → 3), 4 → [2] (missed).
    const actual = sets({ writes: ['a'] }, { reads: ['a'] }, { writes: ['b'] }, { reads: ['a'] }, { reads: ['b'] })
    const score = scorePlan(planOf([[], [0], [], [1], []]), actual)
    expect(score).toEqual({ plannedEdges: 2, actualEdges: 3, missedEdges: 1, precision: 0.5, recall: 1 / 3 })
  })

  it('behavior: no edges on either side scores 1 and 1', () => {
    expect(scorePlan(planOf([[], []]), sets({ reads: ['a'] }, { reads: ['a'] }))).toEqual({ plannedEdges: 0, actualEdges: 0, missedEdges: 0, precision: 1, recall: 1 })
  })

  it('behavior: credits that commute are not actual edges', () => {
    const actual = sets({ deltas: ['coinbase'] }, { deltas: ['coinbase'] }, { deltas: ['coinbase'] })
    expect(scorePlan(planOf([[], [], []]), actual)).toMatchObject({ actualEdges: 0, missedEdges: 0, recall: 1 })
  })
})
