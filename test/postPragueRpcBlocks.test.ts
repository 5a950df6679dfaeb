import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createBlockFromRLP } from '@ethereumjs/block'
import { bigIntToHex, bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, defaultKzg, type AddressHex, type BlockInput, type WriteSet } from '@parallel-evm/core'
import {
  commonForNetwork,
  generateBlock,
  listBlockchainTestFiles,
  loadBlockchainTestFile,
  loadMainnetBlock,
  osakaTestsDir,
  rpcBlockJson,
} from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'

// A post-Prague block as a node's JSON-RPC returns it (requestsHash, blob fields, type-4
// transactions with an authorizationList) runs exactly as its RLP does, directly and through the
// snapshot loader.
const work = mkdtempSync(join(tmpdir(), 'pevm-rpc-'))
const optimistic = createOptimisticScheduler({ workers: 2, fallback: false })
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await optimistic.close()
})

/** `preState` and the block's JSON written in the snapshot layout `loadMainnetBlock` reads. */
function snapshotFolder(name: string, json: BlockInput['block'], preState: WriteSet): string {
  if (json.format !== 'rpc') throw new Error('expects a JSON-RPC block')
  const root = join(work, name)
  const blockDir = join(root, 'blocks', String(BigInt(json.json.number)))
  mkdirSync(blockDir, { recursive: true })
  const accounts = Object.fromEntries(
    [...preState.accounts].map(([address, account]) => [
      address,
      {
        balance: bigIntToHex(account.balance ?? 0n),
        nonce: Number(account.nonce ?? 0n),
        code_hash: account.codeHash,
        storage: Object.fromEntries([...(account.storage ?? [])].map(([slot, value]) => [slot, bigIntToHex(value)])),
      },
    ]),
  )
  writeFileSync(join(blockDir, 'block.json'), JSON.stringify(json.json))
  writeFileSync(join(blockDir, 'pre_state.json'), JSON.stringify(accounts))
  writeFileSync(join(root, 'bytecodes.json.gz'), gzipSync(JSON.stringify(Object.fromEntries([...preState.codes].map(([hash, code]) => [hash, bytesToHex(code)])))))
  writeFileSync(join(root, 'block_hashes.json'), '{}')
  return blockDir
}

describe('post-Prague JSON-RPC blocks', () => {
  for (const fork of ['prague', 'osaka'] as const) {
    for (const seed of [1, 2, 3]) {
      it(`behavior: random block, seed ${seed} (${fork}): JSON-RPC, RLP and the snapshot loader give the same block, on sequential and optimistic`, async () => {
        const options = { workload: 'random' as const, seed, txCount: 30, fork }
        const rlp = generateBlock(options)
        const rpc = generateBlock({ ...options, format: 'rpc' })
        const run = async (input: BlockInput, scheduler = createSequentialScheduler()) =>
          createExecutor({ scheduler, state: await createMerkleState({ genesis: rlp.preState }), common: rlp.common }).executeBlock(input)
        const reference = await run(rlp.block)
        expect(reference.matches.requestsHash).toBe(true)
        expectSameResult(await run(rpc.block), reference, `${fork} seed ${seed}, JSON-RPC`)
        expectSameResult(await run(rpc.block, optimistic), reference, `${fork} seed ${seed}, JSON-RPC, optimistic`)
        const loaded = await loadMainnetBlock(snapshotFolder(`${fork}-${seed}`, rpc.block.block, rlp.preState))
        expectSameResult(await run(loaded.block), reference, `${fork} seed ${seed}, loaded`)
        expect(loaded.header.hash).toBe(reference.hash)
      })
    }
  }

  it('behavior: the official set-code (type-4) test block, as JSON-RPC, runs as its RLP does and passes its checks', async () => {
    const testCase = listBlockchainTestFiles(osakaTestsDir())
      .filter((file) => file.includes('set_code'))
      .flatMap((file) => loadBlockchainTestFile(file))[0]!
    const common = commonForNetwork(testCase.network, { customCrypto: { kzg: defaultKzg() } })
    const genesis = createBlockFromRLP(testCase.genesisRlp, { common: common.copy(), setHardfork: true })
    const block = createBlockFromRLP(testCase.blocks[0]!.rlp, { common: common.copy(), setHardfork: true })
    expect(block.transactions.some((tx) => tx.type === 4)).toBe(true)
    const senders = block.transactions.map((tx) => tx.getSenderAddress().toString() as AddressHex)
    const ancestorHashes = new Map([[0n, genesis.hash()]])
    const run = async (input: BlockInput) =>
      createExecutor({ scheduler: createSequentialScheduler(), state: await createMerkleState({ genesis: testCase.pre }), common }).executeBlock(input, {
        verify: 'enforce',
        parentHeader: genesis.header,
      })
    const fromRlp = await run({ block: { format: 'rlp', rlp: testCase.blocks[0]!.rlp }, ancestorHashes })
    const json = rpcBlockJson(block, senders)
    expect(json.transactions.find((tx) => typeof tx !== 'string' && tx.type === '0x4')).toHaveProperty('authorizationList')
    const fromRpc = await run({ block: { format: 'rpc', json }, senders, ancestorHashes })
    expectSameResult(fromRpc, fromRlp, 'set-code block, JSON-RPC')
    expect(fromRpc.matches).toEqual({ gasUsed: true, blobGasUsed: true, logsBloom: true, receiptsRoot: true, stateRoot: true, requestsHash: true })
  })
})
