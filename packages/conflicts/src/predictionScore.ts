import type { PredictedKeys } from './predictedSets.js'

export interface PredictionScore {
  /** Of the keys predicted, the share the transactions really touched. */
  precision: number
  /** Of the keys really touched, the share that was predicted. */
  recall: number
  predicted: number
  actual: number
}

/** Micro-averaged over the block: every (transaction, key) pair counts once. */
export function scorePrediction(predicted: PredictedKeys, actual: readonly ReadonlySet<string>[]): PredictionScore {
  let hits = 0
  let predictedCount = 0
  let actualCount = 0
  actual.forEach((keys, index) => {
    const guess = predicted[index] ?? new Set<string>()
    predictedCount += guess.size
    actualCount += keys.size
    for (const key of guess) if (keys.has(key)) hits++
  })
  return {
    precision: predictedCount === 0 ? 1 : hits / predictedCount,
    recall: actualCount === 0 ? 1 : hits / actualCount,
    predicted: predictedCount,
    actual: actualCount,
  }
}
