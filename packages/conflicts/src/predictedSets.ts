import type { Common } from '@ethereumjs/common'
import { type BlockInput, toAddressHex, type PreparedBlock, type WorkerPool, type WriteSet, type StateReader } from '@parallel-evm/core'
import { executeTransaction, LaneFactory, preBlockWrites, prepareBlock, StateOverlay } from '@parallel-evm/core/internal'
import { txAccessSets, touchedKeys } from './accessSets.js'
import { accessListSets, blockAccessLists, staticAccessSets } from './predictedAccessSets.js'

/** Where a prediction of a transaction's keys comes from. */
export type PredictionSource = 'static' | 'access-list' | 'preexec'

export const predictionSources: readonly PredictionSource[] = ['static', 'access-list', 'preexec']

/** Keys each transaction is predicted to touch, by block index. */
export type PredictedKeys = Set<string>[]

/** Facts from the transaction alone: the sender's nonce and balance, the recipient, the created address, the fee credit. */
export function staticPrediction(prepared: PreparedBlock): PredictedKeys {
  return staticAccessSets(prepared).map(touchedKeys)
}

/** EIP-2930 access lists: each listed account's code and existence, and each listed slot. */
export function accessListPrediction(prepared: PreparedBlock): PredictedKeys {
  return accessListSets(blockAccessLists(prepared)).map(touchedKeys)
}

/**
 * Each transaction run alone on the parent state (nonce and balance checks skipped, since earlier
 * transactions of the same sender have not run): what it touches there.
 */
export async function preexecPrediction(prepared: PreparedBlock, parent: StateReader, lanes: LaneFactory): Promise<PredictedKeys> {
  const coinbase = toAddressHex(prepared.header.coinbase)
  const predicted: PredictedKeys = []
  for (let index = 0; index < prepared.transactions.length; index++) {
    try {
      const outcome = await executeTransaction(lanes, prepared, index, parent, { skipNonce: true, skipBalance: true })
      predicted.push(touchedKeys(txAccessSets(outcome, 'credits', coinbase)))
    } catch {
      // A transaction that cannot run alone predicts nothing; recall shows the cost.
      predicted.push(new Set())
    }
  }
  return predicted
}

/** The parent state after the block's system calls, and the lanes to execute on, on this thread. */
async function parentOnCallingThread(prepared: PreparedBlock, state: StateReader): Promise<[StateReader, LaneFactory]> {
  const lanes = new LaneFactory()
  const lane = await lanes.laneFor(prepared.common, prepared.ancestorHashes)
  const parent = new StateOverlay(state)
  parent.apply(await preBlockWrites(prepared, lane, state))
  return [parent, lanes]
}

let poolBlocks = 0

/** `preexecPrediction` on worker threads: the block's transactions split into batches across the pool. */
export async function preexecPredictionOnPool(input: BlockInput, prepared: PreparedBlock, pool: WorkerPool, parentState: WriteSet): Promise<PredictedKeys> {
  const coinbase = toAddressHex(prepared.header.coinbase)
  const count = prepared.transactions.length
  // A few batches per worker: small enough to balance, few enough that messages stay cheap.
  const batchSize = Math.max(1, Math.ceil(count / (pool.size * 4)))
  const batches: number[][] = []
  for (let start = 0; start < count; start += batchSize) batches.push(Array.from({ length: Math.min(batchSize, count - start) }, (_, k) => start + k))
  pool.setState(parentState)
  const results = await pool.execute(`preexec-${++poolBlocks}`, input, batches, { skipNonce: true, skipBalance: true })
  return results.map((result) => ('outcome' in result ? touchedKeys(txAccessSets(result.outcome, 'credits', coinbase)) : new Set<string>()))
}

export function combinePredictions(...predictions: PredictedKeys[]): PredictedKeys {
  const length = Math.max(0, ...predictions.map((p) => p.length))
  return Array.from({ length }, (_, index) => new Set(predictions.flatMap((p) => [...(p[index] ?? [])])))
}

export interface PredictBlockOptions {
  common: Common
  sources: readonly PredictionSource[]
  /**
   * Runs pre-execution on these worker threads instead of the calling thread; `parentState` (the
   * same state as `state`, as a write set) is what the workers execute on.
   */
  pool?: { workers: WorkerPool; parentState: WriteSet }
}

/**
 * Every requested prediction for a block, made on `state` before the block runs (the parent
 * state, after the block's pre-transaction system calls), plus their union as `combined`.
 */
export async function predictBlock(
  input: BlockInput,
  state: StateReader,
  options: PredictBlockOptions,
): Promise<Partial<Record<PredictionSource | 'combined', PredictedKeys>>> {
  // Predictions are advice: the executor verifies the senders the block runs with.
  const prepared = prepareBlock(input, { common: options.common, trustSenders: true })
  const predictions: Partial<Record<PredictionSource | 'combined', PredictedKeys>> = {}
  for (const source of options.sources) {
    if (source === 'static') predictions.static = staticPrediction(prepared)
    if (source === 'access-list') predictions['access-list'] = accessListPrediction(prepared)
    if (source === 'preexec') {
      predictions.preexec =
        options.pool === undefined
          ? await preexecPrediction(prepared, ...(await parentOnCallingThread(prepared, state)))
          : await preexecPredictionOnPool(input, prepared, options.pool.workers, options.pool.parentState)
    }
  }
  const made = options.sources.map((source) => predictions[source]!)
  if (made.length > 1) predictions.combined = combinePredictions(...made)
  return predictions
}
