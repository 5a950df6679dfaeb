import { describe, expect, it } from 'vitest'
import { BlockGasLimitExceededError, FixtureFormatError, InvalidTransactionError, ParallelEvmError, parseStateKeyId, stateKeyId } from '../src/index.js'

describe('errors', () => {
  it('default: every error has a stable code, a short message and its fields', () => {
    const error = new InvalidTransactionError({ blockNumber: 5n, txIndex: 2, txHash: '0xab', reason: 'invalid nonce' })
    expect(error).toBeInstanceOf(ParallelEvmError)
    expect(error.code).toBe('INVALID_TRANSACTION')
    expect(error.name).toBe('InvalidTransactionError')
    expect(error.shortMessage).toContain('transaction 2')
    expect(error.txIndex).toBe(2)
    expect(new BlockGasLimitExceededError({ blockNumber: 1n, txIndex: 0, gasLimit: 10n, required: 11n }).code).toBe('BLOCK_GAS_LIMIT_EXCEEDED')
  })

  it('behavior: walk() follows the cause chain', () => {
    const root = new SyntaxError('Unexpected end of JSON input')
    const error = new FixtureFormatError({ file: 'block.json', field: '(json)', reason: 'is not valid JSON', cause: root })
    expect(error.walk()).toBe(root)
    expect(error.walk((e) => e instanceof SyntaxError)).toBe(root)
    expect(error.message).toContain('block.json')
  })
})

describe('stateKeyId', () => {
  it('behavior: round-trips every kind of key', () => {
    const address = '0x00000000000000000000000000000000000000aa' as const
    for (const key of [
      { kind: 'balance', address },
      { kind: 'nonce', address },
      { kind: 'code', address },
      { kind: 'existence', address },
      { kind: 'storage', address, slot: `0x${'0'.repeat(63)}1` },
    ] as const) {
      expect(parseStateKeyId(stateKeyId(key))).toEqual(key)
    }
  })
})
