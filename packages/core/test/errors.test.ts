import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  BlockGasLimitExceededError,
  FixtureFormatError,
  InvalidTransactionError,
  isParallelEvmError,
  ParallelEvmError,
  parallelEvmErrorCodes,
} from '../src/index.js'
import { parseStateKeyId, stateKeyId } from '../src/internal.js'

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

describe('error codes', () => {
  it('behavior: parallelEvmErrorCodes lists exactly the codes the packages throw', () => {
    const packagesDir = resolve(__dirname, '../..')
    const thrown = new Set<string>()
    for (const pkg of readdirSync(packagesDir)) {
      const src = join(packagesDir, pkg, 'src')
      let files: string[]
      try {
        files = readdirSync(src, { recursive: true }) as string[]
      } catch {
        continue
      }
      for (const file of files.filter((name) => name.endsWith('.ts'))) {
        for (const match of readFileSync(join(src, file), 'utf8').matchAll(/readonly code = '([A-Z_]+)'/g)) thrown.add(match[1]!)
      }
    }
    expect(thrown.size).toBeGreaterThan(20)
    expect([...parallelEvmErrorCodes].sort()).toEqual([...thrown].sort())
  })

  it('behavior: isParallelEvmError recognises an error from the other build (ESM and CommonJS), where instanceof cannot', () => {
    // A plain Node process: the builds as an app loads them (vitest would resolve packages to their sources).
    const script = `
      const commonJs = require(${JSON.stringify(resolve(__dirname, '../dist/index.cjs'))})
      import(${JSON.stringify(pathToFileURL(resolve(__dirname, '../dist/index.js')).href)}).then((esm) => {
        const fromCommonJs = new commonJs.InvalidOptionError({ option: '--workers', reason: 'must be a number' })
        const fromEsm = new esm.FixtureFormatError({ file: 'a.json', field: 'x', reason: 'is missing' })
        console.log(JSON.stringify({
          code: fromCommonJs.code,
          esmSeesCommonJs: esm.isParallelEvmError(fromCommonJs),
          commonJsSeesEsm: commonJs.isParallelEvmError(fromEsm),
          instanceofAcross: fromCommonJs instanceof esm.ParallelEvmError,
          lookAlikes: [new Error('plain'), Object.assign(new Error('look-alike'), { code: 'INVALID_OPTION' }), { code: 'INVALID_OPTION' }, null, 'INVALID_OPTION'].map(esm.isParallelEvmError),
        }))
      })`
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 })
    expect(child.status, child.stderr).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual({ code: 'INVALID_OPTION', esmSeesCommonJs: true, commonJsSeesEsm: true, instanceofAcross: false, lookAlikes: [false, false, false, false, false] })
  })

  it('behavior: the main entry and ./internal share one copy of the error classes and the crypto state, in the ESM build and in the CommonJS build', () => {
    // Each entry bundled on its own would carry its own classes: a scheduler's error (thrown from
    // ./internal code) would then fail an app's instanceof, and activating a provider through one
    // entry would not reach the other.
    const dist = resolve(__dirname, '../dist')
    const script = `
      const shared = ({ main, internal }) => {
        let thrown
        try { internal.assertWorkerCount(0, 'workers') } catch (error) { thrown = error }
        // A provider activated through the main entry must be the one ./internal's code hashes with.
        let calls = 0
        main.activateCryptoProvider({ ...main.jsCryptoProvider, keccak256: (bytes) => (calls++, main.jsCryptoProvider.keccak256(bytes)) })
        internal.orderedTrieRoot([])
        main.activateCryptoProvider(main.jsCryptoProvider)
        return { errorIsMainClass: thrown instanceof main.InvalidOptionError, providerSeenByInternal: calls > 0 }
      }
      const commonJs = { main: require(${JSON.stringify(join(dist, 'index.cjs'))}), internal: require(${JSON.stringify(join(dist, 'internal.cjs'))}) }
      Promise.all([import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)}), import(${JSON.stringify(pathToFileURL(join(dist, 'internal.js')).href)})]).then(([main, internal]) => {
        console.log(JSON.stringify({ esm: shared({ main, internal }), commonJs: shared(commonJs) }))
      })`
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 60_000 })
    expect(child.status, child.stderr).toBe(0)
    expect(JSON.parse(child.stdout)).toEqual({ esm: { errorIsMainClass: true, providerSeenByInternal: true }, commonJs: { errorIsMainClass: true, providerSeenByInternal: true } })
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
