import type { Common } from '@ethereumjs/common'
import { interpreterPrototype } from './interpreterPrototype.js'

const CACHE = Symbol('parallel-evm.codeAnalysis')

interface JumpAnalysis {
  jumps: Uint8Array
  pushes: Record<number, bigint>
  opcodesCached: unknown[]
}

let patched: Promise<boolean> | undefined

/**
 * ethereumjs analyses a contract's jump destinations and decodes every opcode on each call,
 * allocating arrays as long as the code: a fifth of execution time and most of the garbage on
 * mainnet blocks. This keeps the analysis per code array for the EVMs given here (revm keeps
 * analysed bytecode the same way); other EVMs, `runBlock`'s included, are left as they are.
 * The analysis only reads the code and the EVM's fork, and each lane has one EVM per fork.
 * If the Interpreter cannot be loaded (see interpreterPrototype), execution goes without the cache.
 */
export async function cacheCodeAnalysis(evm: { common: Common }): Promise<boolean> {
  patched ??= patchInterpreter()
  if (!(await patched)) return false
  // Lanes replace their EVM after a throw, so analyses outlive it: keyed by code, then by the fork
  // and EIPs that decide the opcode table.
  ;(evm as unknown as Record<symbol, unknown>)[CACHE] = `${evm.common.hardfork()}+${evm.common.eips().join(',')}`
  return true
}

const analyses = new WeakMap<Uint8Array, Map<string, JumpAnalysis>>()

// Bounds the code kept alive for its analyses (which take several times the code's size).
const INTERNED_CODE_BYTES = 8 * 1024 * 1024
const interned = new Map<string, Uint8Array>()
let internedBytes = 0

/**
 * The one array this thread uses for the code with hash `codeHash`. The analysis cache is keyed by
 * array, and a lane worker receives its parent state anew each block (a fresh copy, or a fresh
 * database snapshot), so without this every block would analyse every contract again: a tenth of
 * a worker's time on mainnet blocks. Code is content-addressed, so an interned copy never goes stale.
 */
export function internCode(codeHash: string, code: Uint8Array): Uint8Array {
  const known = interned.get(codeHash)
  // A length that differs means a state holding wrong bytes under this hash: that state gets its own.
  if (known !== undefined && known.length === code.length) return known
  if (internedBytes + code.length > INTERNED_CODE_BYTES) {
    interned.clear()
    internedBytes = 0
  }
  interned.set(codeHash, code)
  internedBytes += code.length
  return code
}

async function patchInterpreter(): Promise<boolean> {
  const prototype = await interpreterPrototype()
  if (prototype === undefined || typeof prototype._getValidJumpDestinations !== 'function') return false
  const analyse = prototype._getValidJumpDestinations
  prototype._getValidJumpDestinations = function (code) {
    const fork = this._evm[CACHE] as string | undefined
    if (fork === undefined) return analyse.call(this, code)
    let byFork = analyses.get(code)
    if (byFork === undefined) {
      byFork = new Map()
      analyses.set(code, byFork)
    }
    let analysis = byFork.get(fork)
    if (analysis === undefined) {
      const opcodeMap = this._evm._opcodeMap
      analysis = this.common.isActivatedEIP(8024) || opcodeMap === undefined ? (analyse.call(this, code) as JumpAnalysis) : analyseCode(code, opcodeMap)
      byFork.set(fork, analysis)
    }
    return analysis
  }
  return true
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/**
 * ethereumjs's analysis, without its per-push costs: it turns each PUSH's bytes into a hex string
 * through a copied sub-array and looks the fork's EIPs up once per opcode. The same three results:
 * JUMPDEST marks, each PUSH's value keyed by the position after its opcode (bytes past the code's
 * end read as zero), and the opcode entry at every position that starts an instruction.
 * EIP-8024's immediates are not handled here: their forks take ethereumjs's own analysis.
 */
export function analyseCode(code: Uint8Array, opcodeMap: readonly unknown[]): JumpAnalysis {
  const length = code.length
  const jumps = new Uint8Array(length)
  const pushes: Record<number, bigint> = {}
  const opcodesCached: unknown[] = new Array(length)
  for (let i = 0; i < length; i++) {
    const opcode = code[i]!
    opcodesCached[i] = opcodeMap[opcode]
    if (opcode === 0x5b) jumps[i] = 1
    else if (opcode >= 0x60 && opcode <= 0x7f) {
      const size = opcode - 0x5f
      pushes[i + 1] = pushValue(code, i + 1, size)
      i += size
    }
  }
  return { jumps, pushes, opcodesCached }
}

function pushValue(code: Uint8Array, start: number, size: number): bigint {
  // Up to six bytes fit a double exactly.
  if (size <= 6) {
    let value = 0
    for (let k = 0; k < size; k++) value = value * 256 + (code[start + k] ?? 0)
    return BigInt(value)
  }
  let hex = '0x'
  for (let k = 0; k < size; k++) hex += HEX[code[start + k] ?? 0]
  return BigInt(hex)
}
