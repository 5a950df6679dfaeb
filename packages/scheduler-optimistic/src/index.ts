export { createOptimisticScheduler, type OptimisticScheduler, type OptimisticSchedulerOptions } from './optimisticScheduler.js'
export { DEFAULT_FALLBACK, fallbackReason, senderBoundSpeedup, type FallbackThresholds } from './fallbackPolicy.js'
export { runBlockStm, type BlockStmOptions, type ContentionLimit } from './blockStm.js'
