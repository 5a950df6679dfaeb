import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { createMemoryState } from '@parallel-evm/state-memory'
import { describe, expect, it } from 'vitest'
import { analyzeBlock, type BlockConflicts } from '../src/index.js'
import { account, contractAddress, contracts, generatedBlock, type TxSpec } from './generatedBlock.js'

async function conflictsOf(
  specs: TxSpec[],
  deployed: Parameters<typeof generatedBlock>[1] = {},
  options: Parameters<typeof generatedBlock>[2] = {},
): Promise<BlockConflicts> {
  const { input, genesis } = generatedBlock(specs, deployed, options)
  const state = await createMemoryState({ genesis })
  const result = await createExecutor({ scheduler: createSequentialScheduler(), state }).executeBlock(input)
  expect(result.outcomes.every((outcome) => outcome.status === 1)).toBe(true)
  return analyzeBlock(result)
}

const n = 8
const earlier = (j: number) => Array.from({ length: j }, (_, i) => i)

describe('dependency graphs of generated blocks', () => {
  it('behavior: disjoint transfers give no edges', async () => {
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(i), to: account(100 + i).address, value: 1n }))
    const conflicts = await conflictsOf(specs)
    for (const rule of ['coinbase', 'credits', 'sender-chains'] as const) expect(conflicts.byRule[rule].edges).toBe(0)
    expect(conflicts.byRule.credits.idealSpeedup.unbounded).toBeCloseTo(n)
    expect(conflicts.byRule.credits.idealSpeedup[4]).toBeCloseTo(4)
  })

  it('behavior: one sender gives a chain, which our sender-chain rule lifts when its balance covers it', async () => {
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(0), to: account(100 + i).address, value: 1n }))
    const conflicts = await conflictsOf(specs)
    for (const rule of ['coinbase', 'credits'] as const) {
      expect(conflicts.graphs[rule].dependencies).toEqual(Array.from({ length: n }, (_, j) => earlier(j)))
      expect(conflicts.byRule[rule].criticalPathLength).toBe(n)
      expect(conflicts.byRule[rule].idealSpeedup.unbounded).toBeCloseTo(1)
      expect(conflicts.byRule[rule].hotKeys[0]!.label).toContain('of sender')
    }
    expect(conflicts.chainSenders).toEqual([account(0).address])
    expect(conflicts.byRule['sender-chains'].edges).toBe(0)
    expect(conflicts.byRule['sender-chains'].idealSpeedup.unbounded).toBeCloseTo(n)
  })

  it('behavior: credits to a sender before its chain commute with the chain', async () => {
    const specs = [{ from: account(1), to: account(0).address, value: 7n }, ...Array.from({ length: n - 1 }, (_, i) => ({ from: account(0), to: account(100 + i).address, value: 1n }))]
    const conflicts = await conflictsOf(specs)
    expect(conflicts.chainSenders).toEqual([account(0).address])
    expect(conflicts.byRule['sender-chains'].edges).toBe(0)
    // Without the rule the first chain transaction reads the credited balance: one chain of n.
    expect(conflicts.byRule.credits.criticalPathLength).toBe(n)
  })

  it('behavior: a sender chain whose balance cannot cover every transaction stays a chain', async () => {
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(0), to: account(100 + i).address, value: 10n ** 21n / BigInt(n) - 10n ** 14n }))
    // Every transaction is affordable in block order, but not all of them at their fee cap at once.
    const conflicts = await conflictsOf(specs, {}, { senderBalance: 10n ** 21n })
    expect(conflicts.chainSenders).toEqual([])
    expect(conflicts.byRule['sender-chains'].criticalPathLength).toBe(n)
  })

  it('behavior: a sender chain whose code observes the sender balance stays a chain', async () => {
    const reader = contractAddress(3)
    const specs = Array.from({ length: n }, () => ({ from: account(0), to: reader }))
    const conflicts = await conflictsOf(specs, { [reader]: contracts.callerBalanceReader })
    expect(conflicts.chainSenders).toEqual([])
    expect(conflicts.byRule['sender-chains'].criticalPathLength).toBe(n)
  })

  it('behavior: transfers to one recipient commute under our rule, chain under pevm rule', async () => {
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(i), to: account(999).address, value: 5n }))
    const conflicts = await conflictsOf(specs)
    expect(conflicts.byRule.credits.edges).toBe(0)
    expect(conflicts.byRule.coinbase.criticalPathLength).toBe(n)
  })

  it('behavior: the transfer that creates the recipient orders every later transfer to it', async () => {
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(i), to: account(998).address, value: 5n }))
    const conflicts = await conflictsOf(specs, {}, { recipientsExist: false })
    // Existence changes what a transfer costs (new-account gas), so it is a real read.
    expect(conflicts.graphs.credits.dependencies).toEqual([[], ...Array.from({ length: n - 1 }, () => [0])])
  })

  it('behavior: a contract incrementing one slot gives a chain through that slot', async () => {
    const counter = contractAddress(1)
    const specs = Array.from({ length: n }, (_, i) => ({ from: account(i), to: counter }))
    const conflicts = await conflictsOf(specs, { [counter]: contracts.counter })
    expect(conflicts.byRule.credits.criticalPathLength).toBe(n)
    expect(conflicts.byRule.credits.hotKeys[0]!.key).toBe(`${counter}:0x${'0'.repeat(64)}`)
  })

  it('behavior: a transaction reading the coinbase balance depends on every earlier fee payer', async () => {
    const reader = contractAddress(2)
    const specs: TxSpec[] = [...Array.from({ length: n - 1 }, (_, i) => ({ from: account(i), to: account(100 + i).address, value: 1n })), { from: account(50), to: reader }]
    const conflicts = await conflictsOf(specs, { [reader]: contracts.coinbaseReader })
    expect(conflicts.graphs.credits.dependencies.at(-1)).toEqual(earlier(n - 1))
    expect(conflicts.graphs.credits.dependencies.slice(0, -1).every((deps) => deps.length === 0)).toBe(true)
  })
})
