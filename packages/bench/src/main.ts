import { backendsMain } from './backendsMain.js'
import { conflictsMain } from './conflictsMain.js'
import { compareMain } from './compareMain.js'
import { cryptoMain } from './cryptoMain.js'
import { scaleMain } from './scaleMain.js'
import { BENCH_USAGE, BenchUsageError, parseBenchOptions, type BenchOptions } from './options.js'
import { sendersMain } from './sendersMain.js'
import { memoryMain } from './memoryMain.js'
import { optimisticMain } from './optimisticMain.js'
import { shardedMain } from './shardedMain.js'
import { staticMain } from './staticMain.js'
import { sequentialMain } from './sequentialMain.js'

let options: BenchOptions | 'help'
try {
  options = parseBenchOptions(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error
  console.error(`bench: ${error.message} (--help lists the modes and options)`)
  process.exit(2)
}
if (options === 'help') {
  console.log(BENCH_USAGE)
  process.exit(0)
}
const modes = { sequential: sequentialMain, conflicts: conflictsMain, senders: sendersMain, optimistic: optimisticMain, memory: memoryMain, backends: backendsMain, scale: scaleMain, static: staticMain, sharded: shardedMain, crypto: cryptoMain, compare: compareMain }
await modes[options.mode](options)
