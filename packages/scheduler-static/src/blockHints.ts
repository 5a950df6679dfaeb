import { accessListSets, actualAccessSets, planningDependencies, type AccessListEntry, type TxAccessSets } from '@parallel-evm/conflicts'
import { toAddressHex, type AddressHex, type BlockResult } from '@parallel-evm/core'
import { InvalidHintsError } from './invalidHintsError.js'

/**
 * What a block producer (or an earlier run) says about a block ahead of execution: which earlier
 * transactions each one depends on (bor's and BSC's dependency metadata), or the accounts and slots
 * each one touches (access lists, as in EIP-7928 block-level access lists). Transactions not listed
 * are hinted to depend on nothing, or to touch nothing.
 */
export type BlockHints =
  | { kind: 'dependencies'; dependencies: ReadonlyMap<number, readonly number[]> }
  | { kind: 'access-lists'; accessLists: ReadonlyMap<number, readonly AccessListEntry[]> }

/**
 * Reads hints from their JSON form: `[[txIndex, [dependsOn, ...]], ...]` (or that list under
 * `dependencies`), or `{ "accessLists": [[txIndex, [{ "address", "storageKeys" }, ...]], ...] }`.
 * A value out of shape is an `InvalidHintsError` naming `source` and the JSON path.
 */
export function parseBlockHints(json: unknown, source = 'hints'): BlockHints {
  const fail = (path: string, reason: string): never => {
    throw new InvalidHintsError({ source, path, reason })
  }
  const entries = (value: unknown, path: string): [number, unknown][] => {
    if (!Array.isArray(value)) return fail(path, 'is not a list of [txIndex, ...] pairs')
    const seen = new Set<number>()
    return value.map((entry, k) => {
      if (!Array.isArray(entry) || entry.length !== 2) return fail(`${path}[${k}]`, 'is not a [txIndex, ...] pair')
      const index = txIndex(entry[0], `${path}[${k}][0]`, fail)
      if (seen.has(index)) fail(`${path}[${k}][0]`, `repeats transaction ${index}`)
      seen.add(index)
      return [index, entry[1]]
    })
  }
  if (Array.isArray(json) || (isObject(json) && 'dependencies' in json)) {
    const path = Array.isArray(json) ? '$' : '$.dependencies'
    const list = Array.isArray(json) ? json : json.dependencies
    const dependencies = new Map<number, number[]>()
    for (const [k, [index, deps]] of entries(list, path).entries()) {
      const where = `${path}[${k}][1]`
      if (!Array.isArray(deps)) fail(where, 'is not a list of transaction indices')
      dependencies.set(
        index,
        (deps as unknown[]).map((dep, d) => {
          const earlier = txIndex(dep, `${where}[${d}]`, fail)
          if (earlier >= index) fail(`${where}[${d}]`, `is transaction ${earlier}, not earlier than ${index}`)
          return earlier
        }),
      )
    }
    return { kind: 'dependencies', dependencies }
  }
  if (isObject(json) && 'accessLists' in json) {
    const accessLists = new Map<number, AccessListEntry[]>()
    for (const [k, [index, list]] of entries(json.accessLists, '$.accessLists').entries()) {
      const where = `$.accessLists[${k}][1]`
      if (!Array.isArray(list)) fail(where, 'is not an access list')
      accessLists.set(
        index,
        (list as unknown[]).map((item, e) => {
          if (!isObject(item) || typeof item.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(item.address)) return fail(`${where}[${e}].address`, 'is not a 20-byte hex address')
          const keys = item.storageKeys ?? []
          if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(key))) return fail(`${where}[${e}].storageKeys`, 'is not a list of hex slots')
          return { address: toAddressHex(item.address as AddressHex), storageKeys: keys as string[] }
        }),
      )
    }
    return { kind: 'access-lists', accessLists }
  }
  return fail('$', 'is neither a dependency list nor { "accessLists": [...] }')
}

/** The JSON form `parseBlockHints` reads. */
export function serializeBlockHints(hints: BlockHints): unknown {
  if (hints.kind === 'dependencies') return [...hints.dependencies].sort(([a], [b]) => a - b)
  return { accessLists: [...hints.accessLists].sort(([a], [b]) => a - b) }
}

/**
 * Perfect hints from an earlier run of the block: each transaction's actual dependencies (credits
 * commute). The static scheduler given these re-executes nothing.
 */
export function dependencyHintsOf(result: Pick<BlockResult, 'outcomes' | 'header'>): BlockHints {
  return { kind: 'dependencies', dependencies: new Map(planningDependencies(actualAccessSets(result)).map((deps, j) => [j, deps])) }
}

/** The hints as plan input for a block of `count` transactions; an index past the block is an error. */
export function hintsForPlan(hints: BlockHints, count: number, source = 'hints'): { sets?: TxAccessSets[]; dependencies?: number[][] } {
  const fail = (path: string, reason: string): never => {
    throw new InvalidHintsError({ source, path, reason })
  }
  const listed = hints.kind === 'dependencies' ? hints.dependencies : hints.accessLists
  for (const index of listed.keys()) {
    if (!Number.isSafeInteger(index) || index < 0) fail(`transaction ${index}`, 'is not a transaction index')
    if (index >= count) fail(`transaction ${index}`, `is past the block's ${count} transactions`)
  }
  if (hints.kind === 'dependencies') {
    // Hints built in code skip the parser: a dependency that is not earlier would wait forever.
    return {
      dependencies: Array.from({ length: count }, (_, j) => {
        const deps = hints.dependencies.get(j) ?? []
        for (const dep of deps) if (!Number.isSafeInteger(dep) || dep < 0 || dep >= j) fail(`transaction ${j}`, `depends on ${dep}, not an earlier transaction`)
        return [...new Set(deps)]
      }),
    }
  }
  return { sets: accessListSets(Array.from({ length: count }, (_, j) => hints.accessLists.get(j) ?? [])) }
}

function txIndex(value: unknown, path: string, fail: (path: string, reason: string) => never): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return fail(path, `is ${JSON.stringify(value)}, not a transaction index`)
  return value
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
