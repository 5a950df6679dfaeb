import { evmInternalModule } from './interpreterPrototype.js'

/** The parts of ethereumjs's (10.1.x) run state these gas functions read and update. */
export interface GasRunState {
  stack: { peek(count?: number): bigint[] }
  memoryWordCount: bigint
  highestMemCost: bigint
}
export interface GasCommon {
  param(name: string): bigint
}
/** Gas of one opcode on top of `gas`, its fixed fee; undefined leaves the step to ethereumjs. */
export type SyncGas = (runState: GasRunState, gas: bigint, common: GasCommon) => bigint | undefined

type SubMemUsage = (runState: GasRunState, offset: bigint, length: bigint, common: GasCommon) => bigint
type DivCeil = (a: bigint, b: bigint) => bigint

let loaded: Promise<(SyncGas | undefined)[] | undefined> | undefined

/**
 * ethereumjs computes every dynamic gas cost in an `async` function, so MLOAD, MSTORE, KECCAK256
 * and the other memory opcodes cost a promise and a microtask turn per step although nothing in
 * their gas is asynchronous. These are the same computations (ethereumjs's own `subMemUsage` and
 * `divCeil`, the same parameters, in the same order), called synchronously; indexed by opcode.
 * Only for forks without EIP-6800/7864 code-chunk charges (the fast interpreter checks that).
 */
export function syncDynamicGas(): Promise<(SyncGas | undefined)[] | undefined> {
  loaded ??= evmInternalModule('opcodes/util').then((util) => {
    const subMemUsage = util?.subMemUsage as SubMemUsage | undefined
    const divCeil = util?.divCeil as DivCeil | undefined
    if (typeof subMemUsage !== 'function' || typeof divCeil !== 'function') return undefined
    const table: (SyncGas | undefined)[] = []
    // EXP: an exponent outside 1-32 bytes traps, which ethereumjs's own step does.
    table[0x0a] = (runState, gas, common) => {
      const exponent = runState.stack.peek(2)[1]!
      if (exponent === 0n) return gas
      const byteLength = Math.ceil(exponent.toString(2).length / 8)
      if (byteLength < 1 || byteLength > 32) return undefined
      return gas + BigInt(byteLength) * common.param('expByteGas')
    }
    table[0x20] = (runState, gas, common) => {
      const [offset, length] = runState.stack.peek(2) as [bigint, bigint]
      gas += subMemUsage(runState, offset, length, common)
      return gas + common.param('keccak256WordGas') * divCeil(length, 32n)
    }
    table[0x39] = (runState, gas, common) => {
      const [memOffset, , dataLength] = runState.stack.peek(3) as [bigint, bigint, bigint]
      gas += subMemUsage(runState, memOffset, dataLength, common)
      return dataLength === 0n ? gas : gas + common.param('copyGas') * divCeil(dataLength, 32n)
    }
    table[0x51] = (runState, gas, common) => gas + subMemUsage(runState, runState.stack.peek()[0]!, 32n, common)
    table[0x52] = (runState, gas, common) => gas + subMemUsage(runState, runState.stack.peek()[0]!, 32n, common)
    table[0x53] = (runState, gas, common) => gas + subMemUsage(runState, runState.stack.peek()[0]!, 1n, common)
    table[0x5e] = (runState, gas, common) => {
      const [destination, source, length] = runState.stack.peek(3) as [bigint, bigint, bigint]
      gas += 3n * ((length + 31n) / 32n)
      gas += subMemUsage(runState, source, length, common)
      return gas + subMemUsage(runState, destination, length, common)
    }
    return table
  })
  return loaded
}
