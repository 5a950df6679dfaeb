export {
  createShardedScheduler,
  DEFAULT_SHARDED_FALLBACK,
  partitionerNames,
  shardedPredictionSources,
  type PartitionerName,
  type ShardedBlockStats,
  type ShardedFallbackThresholds,
  type ShardedPredictionSource,
  type ShardedScheduler,
  type ShardedSchedulerOptions,
} from './shardedScheduler.js'
export { createHashPartitioner, NO_MIGRATION, type BlockProfile, type Migration, type Partition, type Partitioner } from './partitioner.js'
export { createActivityPartitioner, type ActivityPartitionerOptions } from './activityPartitioner.js'
export { actualShards, allShards, lazyCredits, MAX_SHARDS, routedSpeedupBound, routeTransactions, shardsOf, type ShardMask, type TxRoutes } from './txRoutes.js'
export { runSharded, type ShardedRunOptions, type ShardedRunStats } from './shardedRun.js'
export { workerThreadTransport, type ShardIncarnation, type ShardRequest, type ShardTransport } from './shardTransport.js'
export { ShardDigestMismatchError } from './errors.js'
// What a custom Partitioner returns and the default placement it can fall back on, so writing one
// needs nothing from core's internal entry.
export { hashShard, ownerOfAddress, ownerOfKey, type ShardOwnership } from '@parallel-evm/core/internal'
