import { ParallelEvmError } from '@parallel-evm/core'

/** Hints that are not in a format the static scheduler reads, or that do not fit their block. */
export class InvalidHintsError extends ParallelEvmError {
  readonly code = 'INVALID_HINTS'
  /** Where the hints came from (a file path, or `hints` when given in code). */
  readonly source: string
  /** The JSON path of the offending value, e.g. `$[3][1][0]`. */
  readonly path: string
  constructor(args: { source: string; path: string; reason: string }) {
    super(`Hints ${args.source}: ${args.path} ${args.reason}`, { metaMessages: [`Source: ${args.source}`, `Path: ${args.path}`] })
    this.source = args.source
    this.path = args.path
  }
}
