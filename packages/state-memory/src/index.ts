export { createMemoryState, type CreateMemoryStateOptions } from './constructors.js'
export { MemoryState } from './memoryState.js'
