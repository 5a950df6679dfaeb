import { planningDependencies, type TxAccessSets } from '@parallel-evm/conflicts'
import { createExecutor, createSequentialScheduler, type PreparedBlock } from '@parallel-evm/core'
import { prepareBlock } from '@parallel-evm/core/internal'
import { generateBlock } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { actualAccessSets, planBlock, plannedSpeedupBound } from '../src/index.js'

type Access = Partial<Record<keyof TxAccessSets, string[]>>
const sets = (...txs: Access[]): TxAccessSets[] =>
  txs.map((tx) => ({ reads: new Set(tx.reads), writes: new Set(tx.writes), deltas: new Set(tx.deltas), chained: new Set(tx.chained) }))

/** The two fields planBlock reads: each transaction's gas limit and sender. */
const blockOf = (txs: [sender: string, gasLimit: bigint][]): PreparedBlock =>
  ({ transactions: txs.map(([, gasLimit]) => ({ gasLimit })), senders: txs.map(([sender]) => sender) }) as unknown as PreparedBlock

describe('planningDependencies', () => {
  it('behavior: a reader waits only for the last writer of a key, not every earlier one', () => {
    const deps = planningDependencies(sets({ writes: ['k'] }, { writes: ['k'] }, { reads: ['k'], writes: ['k'] }, { reads: ['k'] }))
    expect(deps).toEqual([[], [0], [1], [2]])
  })

  it('behavior: credits since the last write are all dependencies of a later reader, and of a later writer', () => {
    const deps = planningDependencies(
      sets({ writes: ['b'] }, { deltas: ['b'] }, { deltas: ['b'] }, { reads: ['b'] }, { deltas: ['b'] }, { writes: ['b'] }, { reads: ['b'] }),
    )
    expect(deps).toEqual([[], [], [], [0, 1, 2], [], [0, 1, 2, 4], [5]])
  })

  it('behavior: credits do not depend on each other or on an earlier write', () => {
    const deps = planningDependencies(sets({ deltas: ['b'] }, { deltas: ['b'] }, { writes: ['b'] }, { deltas: ['b'] }, { deltas: ['b', 'c'] }))
    expect(deps).toEqual([[], [], [0, 1], [], []])
  })

  it('behavior: a sender-chain update waits for the last absolute write but commutes with other chain updates and credits', () => {
    const deps = planningDependencies(sets({ writes: ['n'] }, { chained: ['n'] }, { deltas: ['n'] }, { chained: ['n'] }, { reads: ['n'] }))
    expect(deps).toEqual([[], [0], [], [0], [0, 1, 2, 3]])
  })

  it('behavior: transactions on disjoint keys, and readers of a key nobody writes, are independent', () => {
    const deps = planningDependencies(sets({ reads: ['a'] }, { reads: ['a'] }, { writes: ['x'] }, { reads: ['y'], writes: ['z'] }))
    expect(deps).toEqual([[], [], [], []])
  })

  it('behavior: on a real block the reduced graph has no edge to the transaction itself and only earlier ones, ascending', async () => {
    const generated = generateBlock({ workload: 'mixed', seed: 5, txCount: 40, contention: 0.5 })
    const result = await createExecutor({ scheduler: createSequentialScheduler(), state: await createMemoryState({ genesis: generated.preState }), common: generated.common }).executeBlock(generated.block)
    const deps = planningDependencies(actualAccessSets(result))
    expect(deps).toHaveLength(40)
    deps.forEach((list, j) => {
      expect(list.every((i) => i < j)).toBe(true)
      expect([...list].sort((a, b) => a - b)).toEqual(list)
    })
    expect(deps.some((list) => list.length > 0)).toBe(true)
  })
})

describe('planBlock', () => {
  it("behavior: a sender's transactions are chained in nonce order even when the prediction says nothing", () => {
    const block = blockOf([['0xa', 21_000n], ['0xb', 21_000n], ['0xa', 21_000n], ['0xc', 21_000n], ['0xa', 21_000n], ['0xb', 21_000n]])
    for (const predicted of [{}, { dependencies: [[], [], [], [], [], []] }, { sets: sets({}, {}, {}, {}, {}, {}) }]) {
      const plan = planBlock(block, predicted)
      expect(plan.dependencies).toEqual([[], [], [0], [], [2], [1]])
      expect(plan.dependents).toEqual([[2], [5], [4], [], [], []])
      expect(plan.edges).toBe(3)
    }
  })

  it('behavior: predicted sets, hinted dependencies and sender chains are combined without duplicates, ascending', () => {
    const block = blockOf([['0xa', 1n], ['0xb', 1n], ['0xc', 1n], ['0xa', 1n]])
    const plan = planBlock(block, { sets: sets({ writes: ['k'] }, {}, { reads: ['k'] }, { reads: ['k'] }), dependencies: [[], [0], [0, 1], [1, 0]] })
    expect(plan.dependencies).toEqual([[], [0], [0, 1], [0, 1]])
    expect(plan.dependents).toEqual([[1, 2, 3], [2, 3], [], []])
    expect(plan.edges).toBe(5)
  })

  it('behavior: the plan uses the reduced graph (a key written by 0, 1, 2 and read by 3 gives 3 → [2])', () => {
    const block = blockOf([['0xa', 1n], ['0xb', 1n], ['0xc', 1n], ['0xd', 1n]])
    const plan = planBlock(block, { sets: sets({ writes: ['k'] }, { writes: ['k'] }, { writes: ['k'] }, { reads: ['k'] }) })
    expect(plan.dependencies).toEqual([[], [0], [1], [2]])
    expect(plan.edges).toBe(3)
  })

  it('behavior: remainingGas is the gas limit of the heaviest chain each transaction heads', () => {
    // 0 → 1 → 3 and 0 → 2: the chain through 1 and 3 is heavier.
    const block = blockOf([['0xa', 10n], ['0xb', 20n], ['0xc', 30n], ['0xd', 40n], ['0xe', 5n]])
    const plan = planBlock(block, { dependencies: [[], [0], [0], [1], []] })
    expect(plan.remainingGas).toEqual([70n, 60n, 30n, 40n, 5n])
  })

  it('behavior: with no dependencies remainingGas is each gas limit, and an empty block plans empty', () => {
    const plan = planBlock(blockOf([['0xa', 7n], ['0xb', 9n]]), {})
    expect(plan.remainingGas).toEqual([7n, 9n])
    expect(plan.edges).toBe(0)
    expect(planBlock(blockOf([]), {})).toEqual({ dependencies: [], dependents: [], edges: 0, remainingGas: [] })
  })

  it('behavior: a generated block prepared by core plans its senders chained', () => {
    const generated = generateBlock({ workload: 'eth-transfers', seed: 2, txCount: 12 })
    const prepared = prepareBlock(generated.block, { common: generated.common })
    const plan = planBlock(prepared, {})
    const last = new Map<string, number>()
    prepared.senders.forEach((sender, j) => {
      const previous = last.get(sender)
      expect(plan.dependencies[j]).toEqual(previous === undefined ? [] : [previous])
      last.set(sender, j)
    })
    expect(plan.remainingGas[0]).toBeGreaterThanOrEqual(prepared.transactions[0]!.gasLimit)
  })
})

describe('plannedSpeedupBound', () => {
  it('behavior: the heaviest chain bounds the speedup when it outweighs an even split', () => {
    const block = blockOf([['0xa', 10n], ['0xb', 20n], ['0xc', 30n], ['0xd', 40n]])
    const plan = planBlock(block, { dependencies: [[], [0], [0], [1]] })
    // total 100, heaviest chain 0 → 1 → 3 = 70
    expect(plannedSpeedupBound(block, plan, 2)).toBe(1.428)
    expect(plannedSpeedupBound(block, plan, 8)).toBe(1.428)
  })

  it('behavior: independent transactions are bounded by the number of lanes', () => {
    const block = blockOf([['0xa', 25n], ['0xb', 25n], ['0xc', 25n], ['0xd', 25n]])
    const plan = planBlock(block, {})
    expect(plannedSpeedupBound(block, plan, 1)).toBe(1)
    expect(plannedSpeedupBound(block, plan, 2)).toBe(2)
    expect(plannedSpeedupBound(block, plan, 4)).toBe(4)
    expect(plannedSpeedupBound(block, plan, 16)).toBe(4)
  })

  it("behavior: one sender's chain allows no speedup, and an empty block bounds to 1", () => {
    const chained = blockOf([['0xa', 21_000n], ['0xa', 21_000n], ['0xa', 21_000n]])
    expect(plannedSpeedupBound(chained, planBlock(chained, {}), 4)).toBe(1)
    const empty = blockOf([])
    expect(plannedSpeedupBound(empty, planBlock(empty, {}), 4)).toBe(1)
  })
})
