export { benchSequentialBlock, type SequentialBenchOptions, type SequentialBenchRow } from './sequentialBench.js'
export { merkleStateManagerFrom, runBlockBaseline, type BaselineInput } from './runBlockBaseline.js'
export { median } from './stats.js'
