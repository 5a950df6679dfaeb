import { createBlockFromRLP } from '@ethereumjs/block'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import { openBackendByName, runBlockchainTestCase } from '@parallel-evm/cli'
import { createExecutor, createSequentialScheduler, defaultKzg, InvalidBlockError, type Scheduler } from '@parallel-evm/core'
import { commonForNetwork, listBlockchainTestFiles, loadBlockchainTestFile, osakaTestsDir, type BlockchainTestCase } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { afterAll, describe, expect, it } from 'vitest'

// Official Prague/Osaka BlockchainTests (EIP-7685 requestsHash in every block, EIP-2935/4788 system
// contracts, a set-code transaction, Osaka's gas cap, modexp bounds, CLZ, P256VERIFY, BPO1). Stock
// @ethereumjs/vm passes all 11 cases (shared/fixtures/ethereum-tests-osaka/README.md).
const cases: BlockchainTestCase[] = listBlockchainTestFiles(osakaTestsDir()).flatMap((file) => loadBlockchainTestFile(file))

// Fallback off: the parallel schedulers run even these small blocks on their workers.
const runs: { label: string; state: string; scheduler: Scheduler }[] = [
  { label: 'sequential', state: 'memory', scheduler: createSequentialScheduler() },
  { label: 'sequential', state: 'merkle', scheduler: createSequentialScheduler() },
  { label: 'sequential', state: 'lmdb', scheduler: createSequentialScheduler() },
  ...['merkle', 'lmdb'].flatMap((state) => [
    { label: 'optimistic with 2 workers', state, scheduler: createOptimisticScheduler({ workers: 2, fallback: false }) },
    { label: 'static (pre-execution) with 2 workers', state, scheduler: createStaticScheduler({ workers: 2, predict: ['preexec'], fallback: false }) },
    { label: 'sharded (activity) with 2 shards', state, scheduler: createShardedScheduler({ workers: 2, partitioner: 'activity', fallback: false }) },
  ]),
]
afterAll(async () => {
  for (const { scheduler } of runs) await scheduler.close?.()
})

describe('Osaka BlockchainTests', () => {
  it('default: the whole folder is present (10 files, 11 cases)', () => {
    expect(cases).toHaveLength(11)
  })
  for (const { label, state, scheduler } of runs) {
    it(`behavior: every case passes, ${label} on state-${state}`, async () => {
      const failures: string[] = []
      for (const testCase of cases) {
        const result = await runBlockchainTestCase(testCase, { scheduler, state })
        if (!result.passed) failures.push(`${testCase.name}: ${result.reason}`)
      }
      expect(failures).toEqual([])
    })
  }
})

describe('Osaka and BPO1 header rules', () => {
  it('error: an excessBlobGas off by one at the Osaka-to-BPO1 transition (BPO blob parameters, EIP-7918 reserve price) is refused, naming the field', async () => {
    const testCase = cases.find((candidate) => candidate.network === 'OsakaToBPO1AtTime15k')!
    const [header, ...body] = RLP.decode(testCase.blocks[0]!.rlp) as NestedUint8Array[]
    const fields = [...(header as Uint8Array[])]
    // Header field 18 (after base fee, withdrawals root and blob gas used) is excessBlobGas.
    fields[18] = bigIntToUnpaddedBytes(bytesToBigInt(fields[18]!) + 1n)
    const common = commonForNetwork(testCase.network, { customCrypto: { kzg: defaultKzg() } })
    const genesis = createBlockFromRLP(testCase.genesisRlp, { common: common.copy(), setHardfork: true })
    const backend = await openBackendByName('merkle', testCase.pre, { number: 0n, blockHash: bytesToHex(genesis.hash()) })
    try {
      const before = bytesToHex(backend.state.stateRoot()!)
      const input = { block: { format: 'rlp' as const, rlp: RLP.encode([fields, ...body] as NestedUint8Array) }, ancestorHashes: new Map([[0n, genesis.hash()]]) }
      const error = await createExecutor({ scheduler: createSequentialScheduler(), state: backend.state, common })
        .executeBlock(input, { verify: 'enforce', parentHeader: genesis.header })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidBlockError)
      expect(error).toMatchObject({ rule: 'excessBlobGas' })
      expect(bytesToHex(backend.state.stateRoot()!)).toBe(before)
    } finally {
      await backend.close()
    }
  })
})

describe('EIP-7685 requestsHash', () => {
  // The first valid block of an Osaka case with its header's requestsHash (its last field) altered.
  async function alteredBlock() {
    const testCase = cases.find((candidate) => candidate.blocks.length > 0 && candidate.blocks[0]!.expectException === undefined)!
    const [header, ...body] = RLP.decode(testCase.blocks[0]!.rlp) as NestedUint8Array[]
    const fields = [...(header as Uint8Array[])]
    const requestsHash = Uint8Array.from(fields.at(-1)!)
    requestsHash[0]! ^= 0xff
    fields[fields.length - 1] = requestsHash
    const common = commonForNetwork(testCase.network, { customCrypto: { kzg: defaultKzg() } })
    const genesis = createBlockFromRLP(testCase.genesisRlp, { common: common.copy(), setHardfork: true })
    const backend = await openBackendByName('merkle', testCase.pre, { number: 0n, blockHash: bytesToHex(genesis.hash()) })
    const rlp = RLP.encode([fields, ...body] as NestedUint8Array)
    return { testCase, common, genesis, backend, input: { block: { format: 'rlp' as const, rlp }, ancestorHashes: new Map([[0n, genesis.hash()]]) } }
  }

  it('error: an altered requestsHash rejects the block in enforce mode, naming the field, with the state untouched', async () => {
    const { common, genesis, backend, input } = await alteredBlock()
    try {
      const before = bytesToHex(backend.state.stateRoot()!)
      const executor = createExecutor({ scheduler: createSequentialScheduler(), state: backend.state, common })
      const rejected = await executor.executeBlock(input, { verify: 'enforce', parentHeader: genesis.header }).catch((error: unknown) => error)
      expect(rejected).toBeInstanceOf(InvalidBlockError)
      expect((rejected as InvalidBlockError).message).toContain('requestsHash')
      expect(bytesToHex(backend.state.stateRoot()!)).toBe(before)
    } finally {
      await backend.close()
    }
  })

  it('behavior: in report mode the block runs and its requestsHash is reported as a mismatch, the other fields matching', async () => {
    const { common, backend, input } = await alteredBlock()
    try {
      const result = await createExecutor({ scheduler: createSequentialScheduler(), state: backend.state, common }).executeBlock(input)
      expect(result.matches).toMatchObject({ requestsHash: false, stateRoot: true, receiptsRoot: true, gasUsed: true })
      // Every Osaka fixture block requests nothing: the commitment is sha256 of no requests, over three empty types.
      expect(result.requests?.encoded.map((request) => bytesToHex(request))).toEqual(['0x00', '0x01', '0x02'])
    } finally {
      await backend.close()
    }
  })
})
