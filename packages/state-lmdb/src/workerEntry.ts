import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InvalidOptionError } from '@parallel-evm/core'

const exportNames = { snapshotReader: 'snapshot-reader', verifyChild: 'verify-child', checkChild: 'check-child' } as const

/**
 * A module of this package that another thread or process loads as a file. Those run plain
 * JavaScript, so even when this package runs from its sources (tests), they get the one tsup built
 * into `dist/`. In an app that bundled this package, the file is not beside the bundle: then it is
 * the installed package's export (`@parallel-evm/state-lmdb/snapshot-reader` and so on).
 */
export function builtModuleUrl(name: keyof typeof exportNames): URL {
  // `new URL('./file', import.meta.url)` as written: the form bundlers recognise as a file to ship.
  const built = import.meta.url.endsWith('.ts') ? new URL(`../dist/${name}.js`, import.meta.url) : new URL(`./${name}.js`, import.meta.url)
  if (existsSync(fileURLToPath(built))) return built
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(`@parallel-evm/state-lmdb/${exportNames[name]}`))
  } catch {
    throw new InvalidOptionError({
      option: 'worker',
      reason:
        `${fileURLToPath(built)} is missing, and no installed @parallel-evm/state-lmdb was found from there, as when the package is bundled into an app shipped without node_modules. ` +
        'Install @parallel-evm/state-lmdb beside the app, or keep @parallel-evm/* external to the bundle. (In the parallel-evm repository itself: npm run build.)',
    })
  }
}
