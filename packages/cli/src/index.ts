export { runMainnetBlock, type BlockReport, type RunMainnetBlockOptions } from './runMainnetBlock.js'
export { runBlockchainTestCase, type BlockchainTestOptions, type BlockchainTestResult } from './blockchainTests.js'
export { backendNames, createBackendByName, createSchedulerByName, schedulerNames, type SchedulerOptions } from './registry.js'
