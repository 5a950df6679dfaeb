import { conflictsMain } from './conflictsMain.js'
import { parseBenchOptions } from './options.js'
import { sequentialMain } from './sequentialMain.js'

const options = parseBenchOptions(process.argv.slice(2))
await (options.mode === 'conflicts' ? conflictsMain(options) : sequentialMain(options))
