import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { InvalidOptionError } from '@parallel-evm/core'

/**
 * A module of this package that another thread or process loads as a file. Those run plain
 * JavaScript, so even when this package runs from its sources (tests), they get the one tsup built
 * into `dist/`.
 */
export function builtModuleUrl(name: 'snapshotReader' | 'verifyChild' | 'checkChild'): URL {
  const here = import.meta.url
  const built = here.endsWith('.ts') ? new URL(`../dist/${name}.js`, here) : new URL(`./${name}.js`, here)
  if (!existsSync(fileURLToPath(built))) {
    throw new InvalidOptionError({ option: 'worker', reason: `${fileURLToPath(built)} is missing: build @parallel-evm/state-lmdb first (npm run build)` })
  }
  return built
}
