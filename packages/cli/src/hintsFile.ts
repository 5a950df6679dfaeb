import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { InvalidOptionError } from '@parallel-evm/core'
import { InvalidHintsError, parseBlockHints, type BlockHints } from '@parallel-evm/scheduler-static'

/**
 * Reads a hints file: `path` as given (absolute, or from the working directory), or else the file
 * of that name beside the block, in `blockDir`. A file that is not JSON or not hints is an
 * `InvalidHintsError` naming it.
 */
export function loadHintsFile(path: string, blockDir: string): BlockHints {
  const candidates = isAbsolute(path) ? [path] : [path, join(blockDir, path)]
  const file = candidates.find((candidate) => existsSync(candidate))
  if (file === undefined) throw new InvalidOptionError({ option: '--hints', reason: `no file at ${candidates.join(' or ')}` })
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new InvalidHintsError({ source: file, path: '$', reason: `is not JSON (${(error as Error).message})` })
  }
  return parseBlockHints(json, file)
}
