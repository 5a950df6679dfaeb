export type {
  AccountField,
  AccountWrite,
  AddressHex,
  BlockInput,
  BlockResult,
  BlockSource,
  FlatAccount,
  HeaderMatches,
  Hex,
  PlanStats,
  ShardStats,
  PreparedBlock,
  ReadSet,
  SchedulerStats,
  SlotHex,
  StateKey,
  StateReader,
  StateValue,
  TxOutcome,
  WriteSet,
} from './types.js'
export type { CommitContext, StateBackend, StagedCommit } from './stateBackend.js'
export { SettleOnceCommit, type StagedCommitActions } from './stagedCommit.js'
export type { Scheduler, SchedulerContext, ScheduleResult } from './scheduler.js'
export type { Executor, ExecuteBlockOptions, ExecutorSettings } from './executor.js'
export type { CreateExecutorOptions } from './constructors.js'
export type { Lane } from './chainContext.js'
export type { FinalizedBlock } from './finalizeBlock.js'
export type { PrepareBlockOptions } from './prepareBlock.js'
export {
  BlockGasLimitExceededError,
  FixtureFormatError,
  InvalidBlockError,
  InvalidOptionError,
  InvalidTransactionError,
  isParallelEvmError,
  MissingStateError,
  ParallelEvmError,
  parallelEvmErrorCodes,
  type ParallelEvmErrorCode,
  ReadDependencyError,
  StagedCommitPendingError,
  StagedCommitSettledError,
  StateUnavailableError,
  UnsupportedBlockError,
  UnsupportedStateOperationError,
  WorkerCrashedError,
} from './errors.js'
export { createExecutor } from './constructors.js'
export {
  activateCryptoProvider,
  activeCryptoProvider,
  installCrypto,
  jsCryptoProvider,
  keccak256,
  loadCryptoProvider,
  type CryptoPreference,
  type CryptoProvider,
  type CryptoStats,
} from './cryptoProvider.js'
export { SECP256K1_ADDON_ENV } from './nativeSecp256k1.js'
export { assertBodyRoots } from './bodyRoots.js'
export { orderedTrieRoot } from './orderedTrieRoot.js'
export { createMainnetCommon, defaultKzg } from './mainnetCommon.js'
export { BlockExecutor } from './executor.js'
export { createSequentialScheduler, executeSequential } from './sequential.js'
export { attachSenders, decodeBlockInput, prepareBlock, prepareBlockRecovering, recoverSendersOf, type SenderRecovery } from './prepareBlock.js'
export { finalizeBlock, assertBlockGasAvailable } from './finalizeBlock.js'
export { executeTransaction, type ExecuteTransactionOptions } from './executeTransaction.js'
export { validateBlockBeforeExecution } from './validateBlock.js'
export { preBlockWrites, postBlockWrites } from './systemWrites.js'
export { AncestorHashes, LaneFactory } from './chainContext.js'
export { TxStateView } from './txStateView.js'
export { ObservedAccount } from './observedAccount.js'
export { applyAccountWrite, EMPTY_STATE, StateOverlay } from './stateOverlay.js'
export { encodeRlp, encodeRlpInteger, type RlpItem } from './rlpEncode.js'
export { createWriteSet, creditedAddresses, mergeWriteSet, resolveDeltas, writtenKeys } from './writeSet.js'
export type { BalanceAccess } from './txStateView.js'
export {
  accountFieldKeyId,
  EMPTY_CODE_HASH,
  parseStateKeyId,
  stateKeyId,
  storageKeyId,
  toAddressHex,
  toSlotHex,
} from './stateKey.js'
export { poolActivity, WorkerPool, type TaskBuilder, type WorkerIdentity, type WorkerPoolOptions, type WorkerStats } from './workerPool.js'
export { assertWorkerCount, maxWorkerThreads } from './workerCount.js'
export type { CommonDescriptor, LaneWorkerData, SpeculationBlock, TaskResult, VersionUpdate, WorkerRequest, WorkerResponse, WorkerStateReader, WorkerStateSource } from './workerProtocol.js'
export { ALL_STORAGE, MultiVersionMemory, type VersionChange } from './multiVersionMemory.js'
export { VersionList } from './versionList.js'
export { describeCommon } from './commonDescriptor.js'
export { ReplicaFeed } from './replicaFeed.js'
export { hashShard, ownerOfAddress, ownerOfKey, partitionDigest, type ShardOwnership } from './shardOwnership.js'
export { cannotShipState, expectedBlockGas, senderBoundSpeedup } from './parallelReadiness.js'
export { withWorkerState } from './workerStateScope.js'
export { recoverSendersOnPool } from './poolSenderRecovery.js'
export { IndexHeap } from './indexHeap.js'
export { RunSettlement } from './runSettlement.js'
