import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBlockFromRLP } from '@ethereumjs/block'
import { createExecutor, type BlockResult, type Scheduler, type StateBackend } from '@parallel-evm/core'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import type { BenchBlock } from './benchBlock.js'
import { median } from './stats.js'

export const BACKENDS = ['memory', 'merkle', 'lmdb'] as const
export type BackendName = (typeof BACKENDS)[number]

/** One backend × scheduler cell: its median time and what its last run shipped to the workers. */
export interface BackendCell {
  backend: BackendName
  scheduler: string
  ms: number
  /** Bytes of parent state the last run sent the workers (a copy for memory and merkle, a snapshot's name for lmdb). */
  stateBytes: number
  fellBack: string | undefined
}

export interface BackendsBenchRow {
  block: string
  txCount: number
  cells: BackendCell[]
  /** Medians of per-run ratios, lmdb over each in-memory backend, per scheduler (above 1: lmdb is slower). */
  lmdbOver: Record<string, { memory: number; merkle: number }>
  rootsAgree: boolean
}

/**
 * Times one block on every backend with every scheduler, interleaved run by run in a rotating
 * order. memory and merkle import the pre-state afresh for each run; lmdb imports it once into a
 * database and unwinds the block after each run (neither is timed), so each run starts on the
 * same committed state, read from the memory map.
 */
export async function benchBackendsBlock(block: BenchBlock, schedulers: ReadonlyMap<string, Scheduler>, options: { runs: number; warmup: number }): Promise<BackendsBenchRow> {
  const dir = mkdtempSync(join(tmpdir(), 'pevm-bench-lmdb-'))
  const lmdb = openLmdbState({ path: dir, verify: 'never' })
  try {
    await lmdb.importState([block.preState], { number: numberOf(block) - 1n })
    const variants = BACKENDS.flatMap((backend) => [...schedulers.keys()].map((scheduler) => ({ backend, scheduler })))
    const key = (v: { backend: string; scheduler: string }) => `${v.backend}/${v.scheduler}`
    const times = new Map<string, number[]>(variants.map((v) => [key(v), []]))
    const last = new Map<string, BlockResult>()
    let rootsAgree = true
    for (let run = 0; run < options.warmup + options.runs; run++) {
      const roots = new Set<string>()
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(k + run) % variants.length]!
        const state: StateBackend = variant.backend === 'lmdb' ? lmdb : variant.backend === 'memory' ? await createMemoryState({ genesis: block.preState }) : await createMerkleState({ genesis: block.preState })
        const executor = createExecutor({ scheduler: schedulers.get(variant.scheduler)!, state, common: block.common })
        const started = performance.now()
        const result = await executor.executeBlock(block.input)
        const ms = performance.now() - started
        if (variant.backend !== 'memory') roots.add(Buffer.from(result.stateRoot!).toString('hex'))
        if (variant.backend === 'lmdb') await lmdb.unwind(1)
        if (run >= options.warmup) times.get(key(variant))!.push(ms)
        last.set(key(variant), result)
      }
      if (roots.size !== 1) rootsAgree = false
    }
    const cells = variants.map((v): BackendCell => {
      const stats = last.get(key(v))!.stats
      return { backend: v.backend, scheduler: v.scheduler, ms: median(times.get(key(v))!), stateBytes: stats.stateBytes ?? 0, fellBack: stats.fellBack }
    })
    const ratio = (a: string, b: string) => median(times.get(a)!.map((ms, k) => ms / times.get(b)![k]!))
    const lmdbOver = Object.fromEntries([...schedulers.keys()].map((s) => [s, { memory: ratio(`lmdb/${s}`, `memory/${s}`), merkle: ratio(`lmdb/${s}`, `merkle/${s}`) }]))
    return { block: block.name, txCount: block.txCount, cells, lmdbOver, rootsAgree }
  } finally {
    await lmdb.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The block's number, read from its header: the database's head must be its parent. */
function numberOf(block: BenchBlock): bigint {
  const source = block.input.block
  if (source.format === 'rpc') return BigInt(source.json.number as string)
  if (source.format === 'rlp') return createBlockFromRLP(source.rlp, { common: block.common.copy() }).header.number
  throw new TypeError(`bench blocks come as RPC JSON or RLP, not ${source.format}`)
}
