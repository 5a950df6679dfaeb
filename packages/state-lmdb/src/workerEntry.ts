import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { InvalidOptionError } from '@parallel-evm/core'

/**
 * The built snapshot-reader module a worker imports. Workers run plain JavaScript, so even when
 * this package runs from its sources (tests), they load the one tsup built into `dist/`.
 */
export function snapshotReaderUrl(): string {
  const here = import.meta.url
  const built = here.endsWith('.ts') ? new URL('../dist/snapshotReader.js', here) : new URL('./snapshotReader.js', here)
  if (!existsSync(fileURLToPath(built))) {
    throw new InvalidOptionError({ option: 'worker', reason: `${fileURLToPath(built)} is missing: build @parallel-evm/state-lmdb first (npm run build)` })
  }
  return built.href
}
