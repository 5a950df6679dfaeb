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
      analysis = analyse.call(this, code) as JumpAnalysis
      byFork.set(fork, analysis)
    }
    return analysis
  }
  return true
}
