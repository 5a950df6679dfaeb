export { actualAccessSets, deltaRules, qualifyingSenderChains, txAccessSets, touchedKeys, type DeltaRule, type TxAccessSets } from './accessSets.js'
export { buildDependencyGraph, dependencyLevels, type DependencyGraph } from './dependencyGraph.js'
export { criticalPath, type CriticalPath } from './criticalPath.js'
export { listScheduleMakespan } from './listSchedule.js'
export { hotKeys, type HotKey, type HotKeyContext, type SlotLabeller } from './hotKeys.js'
export {
  accessListPrediction,
  combinePredictions,
  predictBlock,
  predictionSources,
  preexecPrediction,
  preexecPredictionOnPool,
  staticPrediction,
  type PredictBlockOptions,
  type PredictedKeys,
  type PredictionSource,
} from './predictedSets.js'
export { accessListSets, blockAccessLists, combineAccessSets, staticAccessSets, type AccessListEntry } from './predictedAccessSets.js'
export { scorePrediction, type PredictionScore } from './predictionScore.js'
export { planningDependencies } from './planningGraph.js'
export { analyzeBlock, laneCounts, type AnalyzeOptions, type BlockConflicts, type GraphSummary } from './analyzeBlock.js'
export { systemCallEdges, type SystemCallEdges } from './systemCallEdges.js'
export { ConflictProfile, type KeyActivity } from './conflictProfile.js'
export { createGraphOrderScheduler, reverseWithinLevels } from './graphOrderScheduler.js'
export { describeSlot, knownContracts, type KnownContract } from './knownContracts.js'
