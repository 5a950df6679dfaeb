import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InvalidOptionError } from '@parallel-evm/core'

const exportNames = { snapshotReader: 'snapshot-reader', verifyChild: 'verify-child', checkChild: 'check-child' } as const

/**
 * Where this package's thread and process entry points are, for an app whose bundle ships without
 * `node_modules`: each a URL or path of the built file (`dist/snapshotReader.js` and so on, which the package
 * exports as `@parallel-evm/state-lmdb/snapshot-reader`, `/verify-child` and `/check-child`).
 */
export interface LmdbWorkerFiles {
  /** Loaded by worker threads to read the database (`workerSource`). */
  snapshotReader?: URL | string
  /** Run as a child process to read every record before the database is trusted (`verify`). */
  verifyChild?: URL | string
  /** Run as a child process by `checkDatabase` (give it `{ workerFiles }` too). */
  checkChild?: URL | string
}

/**
 * A module of this package that another thread or process loads as a file: the one given, else the
 * one tsup built beside this module (even when it runs from its sources, as in tests: those run
 * plain JavaScript), else, in an app that bundled this package, the installed package's export
 * (`@parallel-evm/state-lmdb/snapshot-reader` and so on).
 */
export function builtModuleUrl(name: keyof typeof exportNames, given?: URL | string): URL {
  if (given !== undefined) {
    const url = given instanceof URL ? given : given.startsWith('file:') ? new URL(given) : pathToFileURL(given)
    if (!existsSync(fileURLToPath(url))) throw new InvalidOptionError({ option: `workerFiles.${name}`, reason: `${fileURLToPath(url)} does not exist` })
    return url
  }
  // `new URL('./file', import.meta.url)` as written: the form bundlers recognise as a file to ship.
  const built = import.meta.url.endsWith('.ts') ? new URL(`../dist/${name}.js`, import.meta.url) : new URL(`./${name}.js`, import.meta.url)
  if (existsSync(fileURLToPath(built))) return built
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(`@parallel-evm/state-lmdb/${exportNames[name]}`))
  } catch {
    throw new InvalidOptionError({
      option: `workerFiles.${name}`,
      reason:
        `${fileURLToPath(built)} is missing, and no installed @parallel-evm/state-lmdb was found from there, as when the package is bundled into an app shipped without node_modules. ` +
        `Install @parallel-evm/state-lmdb beside the app, keep @parallel-evm/* external to the bundle, or pass workerFiles.${name} (a URL or path of @parallel-evm/state-lmdb/${exportNames[name]}). ` +
        '(In the parallel-evm repository itself: npm run build.)',
    })
  }
}
