import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/** The members of ethereumjs's (unexported) Interpreter that our lanes patch. */
export interface InterpreterPrototype {
  _evm: Record<symbol, unknown> & { _opcodeMap?: readonly unknown[] }
  common: { isActivatedEIP(eip: number): boolean }
  _getValidJumpDestinations(this: InterpreterPrototype, code: Uint8Array): unknown
  _baseCall(this: InterpreterPrototype, msg: { value: bigint; delegatecall?: boolean }): Promise<bigint>
}

let loaded: Promise<InterpreterPrototype | undefined> | undefined
const modules = new Map<string, Promise<Record<string, unknown> | undefined>>()

/**
 * One of ethereumjs's unexported EVM modules (`interpreter`, `opcodes/util`...), loaded once by
 * path next to the `@ethereumjs/evm` entry. Undefined when that fails: every patch built on one is
 * an optimisation, never required.
 */
export function evmInternalModule(name: string): Promise<Record<string, unknown> | undefined> {
  let module = modules.get(name)
  if (module === undefined) {
    module = (async () => {
      try {
        const entry = createRequire(import.meta.url).resolve('@ethereumjs/evm')
        // Node resolves the CJS entry (the ESM build sits beside it); a bundler or test runner honouring
        // ethereumjs's "typescript" export condition resolves its sources, which it runs instead.
        const file = entry.endsWith('.ts') ? entry.replace(/index\.ts$/, `${name}.ts`) : entry.replace(/([\\/])dist[\\/]cjs[\\/]index\.js$/, `$1dist$1esm$1${name}.js`)
        return (await import(pathToFileURL(file).href)) as Record<string, unknown>
      } catch {
        return undefined
      }
    })()
    modules.set(name, module)
  }
  return module
}

/** ethereumjs's Interpreter prototype (it is not exported); undefined when it cannot be loaded. */
export function interpreterPrototype(): Promise<InterpreterPrototype | undefined> {
  loaded ??= evmInternalModule('interpreter').then((module) => (module?.Interpreter as { prototype: InterpreterPrototype } | undefined)?.prototype)
  return loaded
}
