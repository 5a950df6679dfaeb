import { backendsMain } from './backendsMain.js'
import { conflictsMain } from './conflictsMain.js'
import { compareMain } from './compareMain.js'
import { cryptoMain } from './cryptoMain.js'
import { scaleMain } from './scaleMain.js'
import { parseBenchOptions } from './options.js'
import { sendersMain } from './sendersMain.js'
import { memoryMain } from './memoryMain.js'
import { optimisticMain } from './optimisticMain.js'
import { shardedMain } from './shardedMain.js'
import { staticMain } from './staticMain.js'
import { sequentialMain } from './sequentialMain.js'

const options = parseBenchOptions(process.argv.slice(2))
const modes = { sequential: sequentialMain, conflicts: conflictsMain, senders: sendersMain, optimistic: optimisticMain, memory: memoryMain, backends: backendsMain, scale: scaleMain, static: staticMain, sharded: shardedMain, crypto: cryptoMain, compare: compareMain }
await modes[options.mode](options)
