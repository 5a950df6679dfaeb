export {
  createStaticScheduler,
  DEFAULT_STATIC_FALLBACK,
  staticPredictionSources,
  type StaticFallbackThresholds,
  type StaticPredictionSource,
  type StaticScheduler,
  type StaticSchedulerOptions,
} from './staticScheduler.js'
export { actualAccessSets } from '@parallel-evm/conflicts'
export { dependencyHintsOf, hintsForPlan, parseBlockHints, serializeBlockHints, type BlockHints } from './blockHints.js'
export { planBlock, plannedSpeedupBound, type BlockPlan } from './blockPlan.js'
export { scorePlan, type PlanScore } from './planScore.js'
export { runStaticPlan, type StaticRunOptions, type StaticRunResult } from './staticRun.js'
export { InvalidHintsError } from './invalidHintsError.js'
