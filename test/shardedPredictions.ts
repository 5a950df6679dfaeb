import type { TxAccessSets } from '@parallel-evm/conflicts'
import { seededRandom } from './seededRandom.js'

/**
 * Predictions that are wrong on purpose, for a block whose actual access sets are known: every
 * transaction predicted to touch every key the block changes (so it involves every shard), and,
 * seeded, each transaction given the sets of another one instead of its own.
 */
export function adversarialAccessSets(actual: readonly TxAccessSets[], seed: number): Record<'everything' | 'shuffled', TxAccessSets[]> {
  const all = new Set<string>()
  for (const sets of actual) for (const group of [sets.writes, sets.deltas]) for (const key of group) all.add(key)
  const random = seededRandom(seed)
  return {
    everything: actual.map(() => ({ reads: new Set(all), writes: new Set(all), deltas: new Set<string>(), chained: new Set<string>() })),
    shuffled: actual.map(() => actual[Math.floor(random() * actual.length)]!),
  }
}
