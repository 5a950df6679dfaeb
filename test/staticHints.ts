import type { BlockResult } from '@parallel-evm/core'
import type { BlockHints } from '@parallel-evm/scheduler-static'
import { seededRandom } from './seededRandom.js'

/**
 * Hints that are wrong on purpose, for a block already run: none at all, every transaction on
 * every earlier one, and random dependency lists (seeded) that ignore the real graph.
 */
export function adversarialHints(result: Pick<BlockResult, 'txCount'>, seed: number): Record<'empty' | 'all-conflicting' | 'random', BlockHints> {
  const count = result.txCount
  const random = seededRandom(seed)
  const indices = Array.from({ length: count }, (_, j) => j)
  return {
    empty: { kind: 'dependencies', dependencies: new Map() },
    'all-conflicting': { kind: 'dependencies', dependencies: new Map(indices.map((j) => [j, indices.slice(0, j)])) },
    random: {
      kind: 'dependencies',
      dependencies: new Map(indices.map((j) => [j, indices.slice(0, j).filter(() => random() < Math.min(0.5, 2 / (j + 1)))])),
    },
  }
}
