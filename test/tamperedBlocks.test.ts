import { createBlock, createBlockFromRLP, createBlockHeader } from '@ethereumjs/block'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bigIntToUnpaddedBytes, bytesToHex, concatBytes, SECP256K1_ORDER } from '@ethereumjs/util'
import {
  createExecutor,
  createSequentialScheduler,
  InvalidBlockError,
  InvalidTransactionError,
  type BlockInput,
  type Scheduler,
} from '@parallel-evm/core'
import { orderedTrieRoot } from '@parallel-evm/core/internal'
import { generateBlock, loadMainnetBlock, type GeneratedBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { afterAll, describe, expect, it } from 'vitest'
import { editedBlockDir } from './editedBlockDir.js'
import { runPevm } from './pevmProcess.js'

type TxJson = Record<string, unknown>
const MAINNET_BLOCK = '4370000'

/** Edits of a mainnet block's JSON, each with the transaction index the error must name. */
const jsonTampering: Record<string, { edit: (txs: TxJson[]) => void; txIndex: number }> = {
  'swapped r and s': { edit: (txs) => ([txs[0]!.r, txs[0]!.s] = [txs[0]!.s, txs[0]!.r]), txIndex: 0 },
  'r = s = 0': { edit: (txs) => Object.assign(txs[2]!, { r: '0x0', s: '0x0' }), txIndex: 2 },
  // Far enough into the block to be recovered on a worker by the parallel schedulers.
  'a changed from': { edit: (txs) => (txs[60]!.from = '0x000000000000000000000000000000000000dead'), txIndex: 60 },
  'a changed value': { edit: (txs) => (txs[3]!.value = `0x${(BigInt(txs[3]!.value as string) + 1n).toString(16)}`), txIndex: 3 },
  'a reordered transaction list': { edit: (txs) => ([txs[4], txs[5]] = [txs[5]!, txs[4]!]), txIndex: 4 },
  'a dropped transaction': { edit: (txs) => void txs.splice(6, 1), txIndex: 6 },
}

const schedulers: Record<string, () => Scheduler> = {
  sequential: () => createSequentialScheduler(),
  optimistic: () => createOptimisticScheduler({ workers: 2 }),
  static: () => createStaticScheduler({ workers: 2 }),
  sharded: () => createShardedScheduler({ workers: 2 }),
}

/**
 * A generated block re-sealed with transaction `index` replaced by `encoding`: its header commits
 * to the edited body. Built from raw fields, since ethereumjs refuses to construct some of these
 * transactions (a typed one with a high s) at all.
 */
function resealed(generated: GeneratedBlock, index: number, encode: (tx: TypedTransaction) => Uint8Array): BlockInput {
  if (generated.block.block.format !== 'rlp') throw new TypeError('generated blocks are RLP')
  const decoded = createBlockFromRLP(generated.block.block.rlp, { common: generated.common.copy(), setHardfork: true })
  const encodings = decoded.transactions.map((tx, i) => (i === index ? encode(tx) : tx.serialize()))
  const header = createBlockHeader({ ...decoded.header.toJSON(), transactionsTrie: orderedTrieRoot(encodings) }, { common: decoded.common })
  const [, , ommers, withdrawals] = decoded.raw()
  // In a block body a legacy transaction is its RLP list, a typed one its bytes.
  const body = encodings.map((encoding, i) => (decoded.transactions[i]!.type === 0 ? RLP.decode(encoding) : encoding))
  return { ...generated.block, block: { format: 'rlp', rlp: RLP.encode([header.raw(), body, ommers!, withdrawals!] as NestedUint8Array) } }
}

function withSignature(tx: TypedTransaction, signature: { v?: bigint; r: bigint; s: bigint }): Uint8Array {
  const raw = [...(tx.raw() as Uint8Array[])]
  raw.splice(raw.length - 3, 3, bigIntToUnpaddedBytes(signature.v ?? tx.v!), bigIntToUnpaddedBytes(signature.r), bigIntToUnpaddedBytes(signature.s))
  return tx.type === 0 ? RLP.encode(raw) : concatBytes(Uint8Array.of(tx.type), RLP.encode(raw))
}

/** `v` for the other recovery bit: yParity 0/1, or legacy 27/28 and EIP-155 35 + 2 chainId (+1). */
function otherRecoveryBit(v: bigint): bigint {
  if (v <= 1n) return v ^ 1n
  return v % 2n === 1n ? v + 1n : v - 1n
}

/** Edits that only a signature check can catch: the header commits to the edited transaction. */
const signatureTampering: Record<string, (tx: TypedTransaction) => Uint8Array> = {
  // The same signer's other valid signature (n - s, the other recovery bit): refused since Homestead (EIP-2).
  'a high-s signature': (tx) => withSignature(tx, { v: otherRecoveryBit(tx.v!), r: tx.r!, s: SECP256K1_ORDER - tx.s! }),
  'swapped r and s': (tx) => withSignature(tx, { r: tx.s!, s: tx.r! }),
  'r = s = 0': (tx) => withSignature(tx, { r: 0n, s: 0n }),
}

describe('tampered blocks are refused with a typed error, and nothing is committed', () => {
  const started: Scheduler[] = []
  afterAll(async () => {
    for (const scheduler of started) await scheduler.close?.()
  })

  for (const [schedulerName, create] of Object.entries(schedulers)) {
    describe(schedulerName, () => {
      const scheduler = create()
      started.push(scheduler)

      for (const [what, { edit, txIndex }] of Object.entries(jsonTampering)) {
        it(`behavior: ${what} names transaction ${txIndex} and its hash`, async () => {
          const fixture = await loadMainnetBlock(editedBlockDir(MAINNET_BLOCK, (json) => edit(json.transactions)))
          const state = await createMerkleState({ genesis: fixture.preState })
          const before = bytesToHex(state.stateRoot()!)
          const error = await createExecutor({ scheduler, state }).executeBlock(fixture.block).catch((e: unknown) => e)
          expect(error).toBeInstanceOf(InvalidTransactionError)
          expect((error as InvalidTransactionError).txIndex).toBe(txIndex)
          expect((error as InvalidTransactionError).txHash).toMatch(/^0x[0-9a-f]{64}$/)
          expect(bytesToHex(state.stateRoot()!)).toBe(before)
        })
      }

      for (const [what, edit] of Object.entries(signatureTampering)) {
        it(`behavior: ${what} in a sealed block is an InvalidTransactionError from the signature check`, async () => {
          // 100 transactions, the edited one in a worker's share when the scheduler has a pool.
          const generated = generateBlock({ workload: 'random', seed: 3, txCount: 100 })
          const input = resealed(generated, 90, edit)
          const state = await createMerkleState({ genesis: generated.preState })
          const before = bytesToHex(state.stateRoot()!)
          const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(input).catch((e: unknown) => e)
          expect(error).toBeInstanceOf(InvalidTransactionError)
          expect((error as InvalidTransactionError).txIndex).toBe(90)
          expect((error as InvalidTransactionError).reason).toMatch(/signature|signer|sender|does not decode/i)
          expect((error as InvalidTransactionError).txHash).toMatch(/^0x[0-9a-f]{64}$/)
          expect(bytesToHex(state.stateRoot()!)).toBe(before)
        })
      }

      it('behavior: a reordered RLP body (no declared hashes) is an InvalidBlockError on transactionsRoot', async () => {
        const generated = generateBlock({ workload: 'random', seed: 4, txCount: 24 })
        if (generated.block.block.format !== 'rlp') throw new TypeError('generated blocks are RLP')
        const decoded = createBlockFromRLP(generated.block.block.rlp, { common: generated.common.copy(), setHardfork: true })
        const transactions = [...decoded.transactions]
        ;[transactions[2], transactions[3]] = [transactions[3]!, transactions[2]!]
        const senders = [...generated.block.senders!]
        ;[senders[2], senders[3]] = [senders[3]!, senders[2]!]
        const reordered = createBlock({ header: decoded.header.toJSON(), transactions, withdrawals: [] }, { common: decoded.common })
        const state = await createMerkleState({ genesis: generated.preState })
        const before = bytesToHex(state.stateRoot()!)
        const input: BlockInput = { block: { format: 'rlp', rlp: reordered.serialize() }, senders }
        const error = await createExecutor({ scheduler, state, common: generated.common }).executeBlock(input).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(InvalidBlockError)
        expect((error as InvalidBlockError).rule).toBe('transactionsRoot')
        expect(bytesToHex(state.stateRoot()!)).toBe(before)
      })
    })
  }

  it('behavior: trustSenders runs a block whose given senders were checked elsewhere, as before', async () => {
    const fixture = await loadMainnetBlock(editedBlockDir(MAINNET_BLOCK, () => {}))
    const state = await createMerkleState({ genesis: fixture.preState })
    const result = await createExecutor({ scheduler: createSequentialScheduler(), state, trustSenders: true }).executeBlock(fixture.block)
    expect(result.stats.sendersVerified).toBe(false)
    expect(result.matches).toMatchObject({ gasUsed: true, receiptsRoot: true, logsBloom: true })
  })
})

describe('pevm run on tampered blocks', () => {
  for (const [what, { edit, txIndex }] of Object.entries(jsonTampering)) {
    it(`behavior: ${what} exits 1 naming transaction ${txIndex} and its hash`, async () => {
      const dir = editedBlockDir(MAINNET_BLOCK, (json) => edit(json.transactions))
      const run = await runPevm(['run', dir, '--state', 'merkle'])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(new RegExp(`\\[INVALID_TRANSACTION\\] Block ${MAINNET_BLOCK}: transaction ${txIndex} \\(0x[0-9a-f]{64}\\) is invalid`))
      expect(run.stderr).not.toMatch(/unexpected failure|\n\s+at /)
    })
  }

  for (const scheduler of ['optimistic', 'static', 'sharded']) {
    it(`behavior: a changed from exits 1 naming the transaction with --scheduler ${scheduler}`, async () => {
      const { edit, txIndex } = jsonTampering['a changed from']!
      const dir = editedBlockDir(MAINNET_BLOCK, (json) => edit(json.transactions))
      const run = await runPevm(['run', dir, '--state', 'merkle', '--scheduler', scheduler, '--workers', '2'])
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(new RegExp(`\\[INVALID_TRANSACTION\\] Block ${MAINNET_BLOCK}: transaction ${txIndex} \\(0x[0-9a-f]{64}\\) is invalid: sender`))
    })
  }

  it('behavior: --trust-senders takes the given senders, and the report says so', async () => {
    const dir = editedBlockDir(MAINNET_BLOCK, () => {})
    const run = await runPevm(['run', dir, '--state', 'merkle', '--trust-senders', '--json'])
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.sendersVerified).toBe(false)
    expect(report.crypto).toMatchObject({ preference: 'fast', keccak256: 'hash-wasm', secp256k1: 'libsecp256k1' })
  })
})
