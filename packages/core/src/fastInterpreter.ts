import { interpreterPrototype } from './interpreterPrototype.js'
import { syncDynamicGas, type GasCommon, type GasRunState } from './syncDynamicGas.js'

const FAST = Symbol('parallel-evm.fastInterpreter')

/** The parts of ethereumjs's Interpreter (10.1.x, pinned) that the fast path reads. */
interface OpcodeInfo {
  code: number
  feeBigInt: bigint
  dynamicGas: boolean
  isAsync: boolean
  isInvalid: boolean
}
interface OpcodeEntry {
  opcodeInfo: OpcodeInfo
  opHandler: (runState: RunState, common: unknown) => unknown
}
interface RunState extends GasRunState {
  code: Uint8Array
  programCounter: number
  opCode: number
  gasLeft: bigint
  validJumps: Uint8Array
  cachedPushes: Record<number, bigint>
  shouldDoJumpAnalysis: boolean
  eip7928PostTargetCallOog?: unknown
  env: { accessWitness?: { commit(): void; revert(): void } }
}
interface Common extends GasCommon {
  isActivatedEIP(eip: number): boolean
}
interface Interpreter {
  _evm: Record<symbol, unknown> & { DEBUG: boolean; events: { listenerCount(event: string): number } }
  _runState: RunState
  common: Common
  profilerOpts?: { enabled?: boolean }
  lookupOpInfo(op: number): OpcodeEntry
  useGas(amount: bigint, context: OpcodeInfo): void
  runStep(opcodeObj?: OpcodeEntry): Promise<void> | undefined
  run(code: Uint8Array, opts?: { pc?: number }): Promise<{ runState: RunState; exceptionError?: unknown }>
  _getValidJumpDestinations(code: Uint8Array): { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: OpcodeEntry[] }
}

let patched: Promise<boolean> | undefined

/**
 * ethereumjs runs every opcode as `await this.runStep(op)`, an async function: a promise and a
 * microtask turn per opcode, even for the majority (PUSH, DUP, ADD, JUMP...) whose gas is fixed
 * and whose handler is synchronous. For the EVMs given here this runs those opcodes synchronously
 * (with the memory opcodes' dynamic gas, see syncDynamicGas) and awaits only the steps that return a
 * promise. Every other case (other dynamic gas, async handlers,
 * invalid opcodes, a pending EIP-7928 call charge, tracing, profiling, EOF, Verkle/binary-tree
 * code chunks, EIP-8037) takes ethereumjs's own code unchanged. Other EVMs are left as they are.
 */
export async function fastInterpreter(evm: object): Promise<boolean> {
  patched ??= patch()
  if (!(await patched)) return false
  ;(evm as Record<symbol, unknown>)[FAST] = true
  return true
}

/** Whether this interpreter may take the fast path at all (checked once per `run`). */
function eligible(interpreter: Interpreter): boolean {
  const evm = interpreter._evm
  if (evm[FAST] !== true || evm.DEBUG || interpreter.profilerOpts?.enabled === true) return false
  const { common } = interpreter
  return !common.isActivatedEIP(6800) && !common.isActivatedEIP(7864) && !common.isActivatedEIP(8037)
}

async function patch(): Promise<boolean> {
  const prototype = (await interpreterPrototype()) as unknown as Interpreter | undefined
  if (prototype === undefined || typeof prototype.run !== 'function' || typeof prototype.runStep !== 'function') return false
  const originalRun = prototype.run
  const originalStep = prototype.runStep
  const dynamicGas = (await syncDynamicGas()) ?? []

  // Only reached from the fast `run` below, which checked eligibility.
  function fastStep(this: Interpreter, opEntry: OpcodeEntry): Promise<void> | undefined {
    const info = opEntry.opcodeInfo
    const runState = this._runState
    if (info.isAsync || info.isInvalid || runState.eip7928PostTargetCallOog !== undefined || this._evm.events.listenerCount('step') > 0) {
      return originalStep.call(this, opEntry) as Promise<void>
    }
    let gas = info.feeBigInt
    if (info.dynamicGas) {
      // A cost ethereumjs computes without awaiting anything (memory, hashing, EXP), or its own step.
      const charged = dynamicGas[info.code]?.(runState, gas, this.common)
      if (charged === undefined) return originalStep.call(this, opEntry) as Promise<void>
      gas = charged
    }
    // runStep's own order for such an opcode: charge the gas, advance, run the handler.
    this.useGas(gas, info)
    runState.programCounter++
    opEntry.opHandler(runState, this.common)
    runState.env.accessWitness?.commit()
    return undefined
  }

  prototype.run = async function (this: Interpreter, code: Uint8Array, opts: { pc?: number } = {}) {
    // EOF containers (0xEF with EIP-3540) take the original path, as does anything not eligible.
    if (!eligible(this) || (code[0] === 0xef && this.common.isActivatedEIP(3540))) return originalRun.call(this, code, opts)
    const runState = this._runState
    runState.code = code
    runState.programCounter = opts.pc ?? runState.programCounter
    const pc = runState.programCounter
    if (pc !== 0 && (pc < 0 || pc >= runState.code.length)) throw new Error('Internal error: program counter not in range')
    let err: unknown
    let cachedOpcodes: OpcodeEntry[] | undefined
    while (runState.programCounter < runState.code.length) {
      const programCounter = runState.programCounter
      let opCode: number
      let opEntry: OpcodeEntry
      if (cachedOpcodes === undefined) {
        opCode = runState.code[programCounter]!
        if (opCode === 0x56 || opCode === 0x57 || opCode === 0x5e) {
          const { jumps, pushes, opcodesCached } = this._getValidJumpDestinations(runState.code)
          runState.validJumps = jumps
          runState.cachedPushes = pushes
          runState.shouldDoJumpAnalysis = false
          cachedOpcodes = opcodesCached
        }
        opEntry = this.lookupOpInfo(opCode)
      } else {
        opEntry = cachedOpcodes[programCounter]!
        opCode = opEntry.opcodeInfo.code
      }
      runState.opCode = opCode
      try {
        const pending = fastStep.call(this, opEntry)
        if (pending !== undefined) await pending
      } catch (e) {
        runState.env.accessWitness?.revert()
        const error = e as { errorType?: string; error?: string }
        if (!(typeof e === 'object' && e !== null && 'errorType' in e && error.errorType === 'EVMError')) throw e
        if (error.error !== 'stop') err = e
        break
      }
    }
    return { runState, exceptionError: err }
  } as Interpreter['run']
  return true
}
