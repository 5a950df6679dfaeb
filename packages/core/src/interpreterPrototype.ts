import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/** The members of ethereumjs's (unexported) Interpreter that our lanes patch. */
export interface InterpreterPrototype {
  _evm: Record<symbol, unknown>
  _getValidJumpDestinations(this: InterpreterPrototype, code: Uint8Array): unknown
  _baseCall(this: InterpreterPrototype, msg: { value: bigint; delegatecall?: boolean }): Promise<bigint>
}

let loaded: Promise<InterpreterPrototype | undefined> | undefined

/**
 * ethereumjs's Interpreter prototype, loaded once by path next to the `@ethereumjs/evm` entry (it
 * is not exported). Undefined when that fails: every patch is an optimisation, never required.
 */
export function interpreterPrototype(): Promise<InterpreterPrototype | undefined> {
  loaded ??= (async () => {
    try {
      const entry = createRequire(import.meta.url).resolve('@ethereumjs/evm')
      // Node resolves the CJS entry (the ESM build sits beside it); a bundler or test runner honouring
      // ethereumjs's "typescript" export condition resolves its sources, which it runs instead.
      const file = entry.endsWith('.ts') ? entry.replace(/index\.ts$/, 'interpreter.ts') : entry.replace(/([\\/])dist[\\/]cjs[\\/]index\.js$/, '$1dist$1esm$1interpreter.js')
      const module = (await import(pathToFileURL(file).href)) as { Interpreter?: { prototype: InterpreterPrototype } }
      return module.Interpreter?.prototype
    } catch {
      return undefined
    }
  })()
  return loaded
}
