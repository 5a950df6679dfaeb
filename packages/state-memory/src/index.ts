export { createMemoryState, type CreateMemoryStateOptions } from './constructors.js'
export { MemoryState, StagedCommitPendingError } from './memoryState.js'
