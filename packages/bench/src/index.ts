export { benchSequentialBlock, type SequentialBenchOptions, type SequentialBenchRow } from './sequentialBench.js'
export { merkleStateManagerFrom, runBlockBaseline, type BaselineBlockContext, type BaselineInput } from './runBlockBaseline.js'
export { median } from './stats.js'
