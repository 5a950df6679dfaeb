import { createExecutor, createMainnetCommon, createSequentialScheduler, type StateBackend } from '@parallel-evm/core'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { createMemoryState } from '@parallel-evm/state-memory'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { merkleStateManagerFrom, runBlockBaseline } from './runBlockBaseline.js'
import { median } from './stats.js'

export interface SequentialBenchOptions {
  runs: number
  warmup: number
}

export interface SequentialBenchRow {
  block: number
  txCount: number
  gasUsed: string
  /** Median wall-clock ms of each variant over `runs` interleaved runs. */
  runBlockMs: number
  sequentialMerkleMs: number
  sequentialMemoryMs: number
  /** Median over runs of (ours on state-merkle / runBlock) measured within the same run. */
  merkleRatio: number
  memoryRatio: number
  rootsAgree: boolean
}

type Variant = 'runBlock' | 'merkle' | 'memory'

/**
 * Times `@ethereumjs/vm` `runBlock` (MerkleStateManager) and our sequential path on state-merkle
 * and state-memory, interleaved in one process so that machine noise hits every variant alike.
 * Each run starts from a freshly imported pre-state; only block execution is timed (decoding,
 * execution, receipts, state root), with senders given to both sides.
 */
export async function benchSequentialBlock(blockDir: string, options: SequentialBenchOptions): Promise<SequentialBenchRow> {
  const fixture = await loadMainnetBlock(blockDir)
  const times: Record<Variant, number[]> = { runBlock: [], merkle: [], memory: [] }
  const ratios: Record<'merkle' | 'memory', number[]> = { merkle: [], memory: [] }
  let rootsAgree = true
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const measured = run >= options.warmup
    const order: Variant[] = run % 2 === 0 ? ['runBlock', 'merkle', 'memory'] : ['memory', 'merkle', 'runBlock']
    const sample: Partial<Record<Variant, number>> = {}
    let baselineRoot: string | undefined
    let ourRoot: string | undefined
    for (const variant of order) {
      const { ms, root } = await timeVariant(variant, fixture)
      sample[variant] = ms
      if (variant === 'runBlock') baselineRoot = root
      if (variant === 'merkle') ourRoot = root
    }
    if (baselineRoot !== ourRoot) rootsAgree = false
    if (!measured) continue
    for (const variant of order) times[variant].push(sample[variant]!)
    ratios.merkle.push(sample.merkle! / sample.runBlock!)
    ratios.memory.push(sample.memory! / sample.runBlock!)
  }
  return {
    block: Number(fixture.number),
    txCount: txCountOf(fixture),
    gasUsed: fixture.header.gasUsed.toString(),
    runBlockMs: median(times.runBlock),
    sequentialMerkleMs: median(times.merkle),
    sequentialMemoryMs: median(times.memory),
    merkleRatio: median(ratios.merkle),
    memoryRatio: median(ratios.memory),
    rootsAgree,
  }
}

async function timeVariant(variant: Variant, fixture: MainnetBlockFixture): Promise<{ ms: number; root?: string }> {
  if (variant === 'runBlock') {
    const stateManager = await merkleStateManagerFrom(fixture.preState)
    const json = fixture.block.block
    if (json.format !== 'rpc') throw new TypeError('mainnet fixtures are RPC JSON')
    const input = { common: createMainnetCommon(), json: json.json, senders: fixture.block.senders ?? [], ancestorHashes: fixture.block.ancestorHashes ?? new Map() }
    const started = performance.now()
    const result = await runBlockBaseline(stateManager, input)
    return { ms: performance.now() - started, root: Buffer.from(result.stateRoot).toString('hex') }
  }
  const state: StateBackend =
    variant === 'merkle' ? await createMerkleState({ genesis: fixture.preState }) : await createMemoryState({ genesis: fixture.preState })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state })
  const started = performance.now()
  const result = await executor.executeBlock(fixture.block)
  const ms = performance.now() - started
  return { ms, ...(result.stateRoot === undefined ? {} : { root: Buffer.from(result.stateRoot).toString('hex') }) }
}

function txCountOf(fixture: MainnetBlockFixture): number {
  const source = fixture.block.block
  return source.format === 'rpc' ? source.json.transactions.length : 0
}
