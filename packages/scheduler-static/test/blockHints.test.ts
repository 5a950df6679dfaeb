import { describe, expect, it } from 'vitest'
import { hintsForPlan, InvalidHintsError, parseBlockHints, serializeBlockHints, type BlockHints } from '../src/index.js'

const ADDRESS = '0x00000000000000000000000000000000000000Ab'
const SLOT = `0x${'0'.repeat(63)}1`

/** The error `run` throws; fails the test when it returns. */
function caught(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error, got none')
}

function parseError(json: unknown, source?: string): InvalidHintsError {
  const error = caught(() => parseBlockHints(json, source))
  expect(error).toBeInstanceOf(InvalidHintsError)
  return error as InvalidHintsError
}

const roundTrip = (hints: BlockHints): BlockHints => parseBlockHints(JSON.parse(JSON.stringify(serializeBlockHints(hints))))

describe('parseBlockHints: accepted forms', () => {
  it('behavior: the bare [[txIndex, [deps]]] list is dependency hints', () => {
    const hints = parseBlockHints([
      [2, [0, 1]],
      [1, []],
      [5, [3]],
    ])
    expect(hints.kind).toBe('dependencies')
    if (hints.kind !== 'dependencies') return
    expect([...hints.dependencies]).toEqual([
      [2, [0, 1]],
      [1, []],
      [5, [3]],
    ])
  })

  it('behavior: the same list under { dependencies } is read the same way', () => {
    const bare = parseBlockHints([[3, [0, 2]]])
    const wrapped = parseBlockHints({ dependencies: [[3, [0, 2]]] })
    expect(wrapped).toEqual(bare)
    expect(wrapped).toEqual({ kind: 'dependencies', dependencies: new Map([[3, [0, 2]]]) })
  })

  it('behavior: { accessLists } is access-list hints, addresses lower-cased and storageKeys optional', () => {
    const hints = parseBlockHints({
      accessLists: [
        [0, [{ address: ADDRESS, storageKeys: [SLOT, '0x2'] }]],
        [4, [{ address: ADDRESS }]],
      ],
    })
    expect(hints).toEqual({
      kind: 'access-lists',
      accessLists: new Map([
        [0, [{ address: ADDRESS.toLowerCase(), storageKeys: [SLOT, '0x2'] }]],
        [4, [{ address: ADDRESS.toLowerCase(), storageKeys: [] }]],
      ]),
    })
  })

  it('behavior: empty lists are valid hints that list nothing', () => {
    expect(parseBlockHints([])).toEqual({ kind: 'dependencies', dependencies: new Map() })
    expect(parseBlockHints({ accessLists: [] })).toEqual({ kind: 'access-lists', accessLists: new Map() })
  })
})

describe('serializeBlockHints', () => {
  it('behavior: dependency hints survive JSON and come out sorted by transaction index', () => {
    const hints: BlockHints = { kind: 'dependencies', dependencies: new Map([[7, [1, 6]], [2, []], [3, [0, 2]]]) }
    expect(serializeBlockHints(hints)).toEqual([
      [2, []],
      [3, [0, 2]],
      [7, [1, 6]],
    ])
    expect(roundTrip(hints)).toEqual(hints)
  })

  it('behavior: access-list hints survive JSON as { accessLists }', () => {
    const hints = parseBlockHints({ accessLists: [[9, [{ address: ADDRESS, storageKeys: [SLOT] }]], [1, []]] })
    const json = serializeBlockHints(hints) as { accessLists: [number, unknown][] }
    expect(json.accessLists.map(([index]) => index)).toEqual([1, 9])
    expect(roundTrip(hints)).toEqual(hints)
  })
})

describe('parseBlockHints: malformed input', () => {
  const cases: [string, unknown, string][] = [
    ['a dependency equal to its transaction', [[2, [0, 2]]], '$[0][1][1]'],
    ['a dependency later than its transaction', { dependencies: [[1, []], [3, [5]]] }, '$.dependencies[1][1][0]'],
    ['a repeated transaction index', [[1, [0]], [2, []], [1, []]], '$[2][0]'],
    ['a non-integer transaction index', [[1.5, []]], '$[0][0]'],
    ['a negative transaction index', [[-1, []]], '$[0][0]'],
    ['a string transaction index', [['3', []]], '$[0][0]'],
    ['a non-integer dependency', [[4, [1, 2.5]]], '$[0][1][1]'],
    ['dependencies that are not a list', [[4, 1]], '$[0][1]'],
    ['an entry that is not a pair', [[4, [1]], [5]], '$[1]'],
    ['an entry with three elements', [[4, [1], 'x']], '$[0]'],
    ['a dependencies field that is not a list', { dependencies: { 1: [0] } }, '$.dependencies'],
    ['an access-list address that is too short', { accessLists: [[0, [{ address: '0x1234', storageKeys: [] }]]] }, '$.accessLists[0][1][0].address'],
    ['an access-list address that is not hex', { accessLists: [[0, [{ address: `0x${'g'.repeat(40)}` }]]] }, '$.accessLists[0][1][0].address'],
    ['an access-list item without an address', { accessLists: [[0, [{ address: ADDRESS }, { storageKeys: [] }]]] }, '$.accessLists[0][1][1].address'],
    ['a storage key that is not hex', { accessLists: [[2, []], [3, [{ address: ADDRESS, storageKeys: [SLOT, '0xzz'] }]]] }, '$.accessLists[1][1][0].storageKeys'],
    ['a storage key over 32 bytes', { accessLists: [[0, [{ address: ADDRESS, storageKeys: [`0x${'1'.repeat(65)}`] }]]] }, '$.accessLists[0][1][0].storageKeys'],
    ['a storage key that is a number', { accessLists: [[0, [{ address: ADDRESS, storageKeys: [1] }]]] }, '$.accessLists[0][1][0].storageKeys'],
    ['storageKeys that are not a list', { accessLists: [[0, [{ address: ADDRESS, storageKeys: SLOT }]]] }, '$.accessLists[0][1][0].storageKeys'],
    ['an access list that is not a list', { accessLists: [[0, { address: ADDRESS }]] }, '$.accessLists[0][1]'],
    ['a repeated index in access lists', { accessLists: [[0, []], [0, []]] }, '$.accessLists[1][0]'],
    ['an accessLists field that is not a list', { accessLists: {} }, '$.accessLists'],
    ['a top-level object of neither kind', { deps: [[1, [0]]] }, '$'],
    ['a top-level number', 42, '$'],
    ['a top-level string', '[[1, [0]]]', '$'],
    ['null', null, '$'],
  ]
  for (const [what, json, path] of cases) {
    it(`error: ${what} is INVALID_HINTS at ${path}`, () => {
      const error = parseError(json)
      expect(error.code).toBe('INVALID_HINTS')
      expect(error.path).toBe(path)
      expect(error.source).toBe('hints')
      expect(error.shortMessage.startsWith(`Hints hints: ${path} `)).toBe(true)
    })
  }

  it('error: the source given is named in the error', () => {
    const error = parseError([[0, [0]]], 'hints/block-19.json')
    expect(error.source).toBe('hints/block-19.json')
    expect(error.message).toContain('Source: hints/block-19.json')
    expect(error.message).toContain('Path: $[0][1][0]')
  })
})

describe('hintsForPlan', () => {
  it('behavior: dependency hints become one list per transaction, empty where not listed', () => {
    const plan = hintsForPlan({ kind: 'dependencies', dependencies: new Map([[2, [0, 1]]]) }, 4)
    expect(plan).toEqual({ dependencies: [[], [], [0, 1], []] })
  })

  it('behavior: access-list hints become access sets per transaction', () => {
    const hints = parseBlockHints({ accessLists: [[1, [{ address: ADDRESS, storageKeys: [SLOT, '0x2'] }]]] })
    const plan = hintsForPlan(hints, 3)
    expect(plan.dependencies).toBeUndefined()
    expect(plan.sets).toHaveLength(3)
    expect(plan.sets![0]!.reads.size).toBe(0)
    expect(plan.sets![1]!.writes.size).toBe(2)
    expect(plan.sets![1]!.reads.size).toBe(4) // existence, code and both slots
    expect(plan.sets![2]!.writes.size).toBe(0)
  })

  it('error: a dependency-hinted index past the block is INVALID_HINTS', () => {
    const hints: BlockHints = { kind: 'dependencies', dependencies: new Map([[1, [0]], [3, [1]]]) }
    const error = caught(() => hintsForPlan(hints, 3, 'producer'))
    expect(error).toBeInstanceOf(InvalidHintsError)
    expect(error).toMatchObject({ code: 'INVALID_HINTS', path: 'transaction 3', source: 'producer' })
    expect(hintsForPlan(hints, 4).dependencies).toEqual([[], [0], [], [1]])
  })

  it('error: an access-list-hinted index past the block is INVALID_HINTS', () => {
    const hints = parseBlockHints({ accessLists: [[5, []]] })
    const error = caught(() => hintsForPlan(hints, 5))
    expect(error).toBeInstanceOf(InvalidHintsError)
    expect(error).toMatchObject({ code: 'INVALID_HINTS', path: 'transaction 5', source: 'hints' })
    expect(hintsForPlan(hints, 6).sets).toHaveLength(6)
  })

  it('error: hints built in code whose dependency is past the block, not earlier, or itself are INVALID_HINTS (they would wait forever)', () => {
    for (const dependencies of [new Map([[0, [70]]]), new Map([[0, [1]], [1, [0]]]), new Map([[1, [1]]]), new Map([[2, [-1]]]), new Map([[2, [0.5]]])]) {
      const error = caught(() => hintsForPlan({ kind: 'dependencies', dependencies }, 3))
      expect(error, JSON.stringify([...dependencies])).toBeInstanceOf(InvalidHintsError)
      expect((error as InvalidHintsError).shortMessage).toContain('not an earlier transaction')
    }
    expect(caught(() => hintsForPlan({ kind: 'dependencies', dependencies: new Map([[-1, []]]) }, 3))).toBeInstanceOf(InvalidHintsError)
  })

  it('behavior: a dependency repeated in code-built hints is planned once', () => {
    expect(hintsForPlan({ kind: 'dependencies', dependencies: new Map([[2, [0, 0, 1]]]) }, 3).dependencies).toEqual([[], [], [0, 1]])
  })
})
