// What an integrator uses: executing blocks, choosing crypto, the data that goes in and comes out,
// and the typed errors. Scheduler and state-backend authors import their building blocks from
// `@parallel-evm/core/internal` (internal.ts).
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
export type { Scheduler } from './scheduler.js'
export type { Executor, ExecuteBlockOptions, ExecutorSettings } from './executor.js'
export type { CreateExecutorOptions } from './constructors.js'
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
export { BlockExecutor } from './executor.js'
export { createSequentialScheduler } from './sequential.js'
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
export { createMainnetCommon, defaultKzg } from './mainnetCommon.js'
// One pool can serve several schedulers (their `pool` option), so its threads start once.
export { WorkerPool, type WorkerPoolOptions, type WorkerStats } from './workerPool.js'
export { maxWorkerThreads, type WorkerCount } from './workerCount.js'
// Writing state straight into a backend (genesis, tests, imports).
export { createWriteSet } from './writeSet.js'
export { EMPTY_CODE_HASH, toAddressHex, toSlotHex } from './stateKey.js'
