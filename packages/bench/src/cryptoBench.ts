import { createExecutor, createMainnetCommon, createSequentialScheduler, type CryptoPreference, type CryptoStats } from '@parallel-evm/core'
import { loadMainnetBlock, type MainnetBlockFixture } from '@parallel-evm/fixtures'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { merkleStateManagerFrom, runBlockBaseline } from './runBlockBaseline.js'
import { median } from './stats.js'

/**
 * The variants, in their order on even runs (reversed on odd ones): our sequential path on
 * state-merkle with each crypto provider, senders given (`trust`) or recovered and checked against
 * the given ones with the body roots (`verify`), and `runBlock` recovering its own senders.
 */
export const cryptoVariants = ['js/trust', 'fast/trust', 'fast/verify', 'js/verify', 'runBlock/recover'] as const
export type CryptoVariant = (typeof cryptoVariants)[number]

export interface CryptoBenchOptions {
  runs: number
  warmup: number
}

export interface CryptoBenchRow {
  block: number
  txCount: number
  /** Median wall-clock ms of each variant over `runs` interleaved runs (executeBlock / runBlock only). */
  medianMs: Record<CryptoVariant, number>
  /** Medians of per-run ratios. */
  jsOverFastTrust: number
  runBlockOverFastVerify: number
  jsOverFastVerify: number
  /** fast/verify over fast/trust: what recovering and checking the senders and body costs on the fast path. */
  verifyOverTrustFast: number
  /** Every run's roots, ours (four variants) and runBlock's, all equal. */
  rootsAgree: boolean
  /** `stats.crypto` of the first 'js' and 'fast' results. */
  providers: Partial<Record<CryptoPreference, CryptoStats>>
  /** `stats.sendersVerified` of each of our variants (from the last run). */
  sendersVerified: Partial<Record<CryptoVariant, boolean>>
}

/**
 * Times the five variants of one mainnet block interleaved in one process (each run from a freshly
 * imported pre-state, only `executeBlock` / `runBlock` timed). The crypto provider is per thread
 * and each executeBlock activates its own, so the variants run one after another.
 */
export async function benchCryptoBlock(blockDir: string, options: CryptoBenchOptions): Promise<CryptoBenchRow> {
  const fixture = await loadMainnetBlock(blockDir)
  const times = Object.fromEntries(cryptoVariants.map((v) => [v, [] as number[]])) as Record<CryptoVariant, number[]>
  const ratios = { jsOverFastTrust: [] as number[], runBlockOverFastVerify: [] as number[], jsOverFastVerify: [] as number[], verifyOverTrustFast: [] as number[] }
  const providers: CryptoBenchRow['providers'] = {}
  const sendersVerified: CryptoBenchRow['sendersVerified'] = {}
  let rootsAgree = true
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const order = run % 2 === 0 ? [...cryptoVariants] : [...cryptoVariants].reverse()
    const sample: Partial<Record<CryptoVariant, number>> = {}
    const roots = new Set<string>()
    for (const variant of order) {
      const timed = await timeVariant(variant, fixture)
      sample[variant] = timed.ms
      roots.add(timed.root)
      if (timed.crypto !== undefined) providers[timed.crypto.preference] ??= timed.crypto
      if (timed.sendersVerified !== undefined) sendersVerified[variant] = timed.sendersVerified
    }
    if (roots.size !== 1) rootsAgree = false
    if (run < options.warmup) continue
    for (const variant of cryptoVariants) times[variant].push(sample[variant]!)
    ratios.jsOverFastTrust.push(sample['js/trust']! / sample['fast/trust']!)
    ratios.runBlockOverFastVerify.push(sample['runBlock/recover']! / sample['fast/verify']!)
    ratios.jsOverFastVerify.push(sample['js/verify']! / sample['fast/verify']!)
    ratios.verifyOverTrustFast.push(sample['fast/verify']! / sample['fast/trust']!)
  }
  return {
    block: Number(fixture.number),
    txCount: fixture.block.senders?.length ?? 0,
    medianMs: Object.fromEntries(cryptoVariants.map((v) => [v, median(times[v])])) as Record<CryptoVariant, number>,
    jsOverFastTrust: median(ratios.jsOverFastTrust),
    runBlockOverFastVerify: median(ratios.runBlockOverFastVerify),
    jsOverFastVerify: median(ratios.jsOverFastVerify),
    verifyOverTrustFast: median(ratios.verifyOverTrustFast),
    rootsAgree,
    providers,
    sendersVerified,
  }
}

interface Timed {
  ms: number
  root: string
  crypto?: CryptoStats
  sendersVerified?: boolean
}

async function timeVariant(variant: CryptoVariant, fixture: MainnetBlockFixture): Promise<Timed> {
  if (variant === 'runBlock/recover') {
    const stateManager = await merkleStateManagerFrom(fixture.preState)
    const json = fixture.block.block
    if (json.format !== 'rpc') throw new TypeError('mainnet fixtures are RPC JSON')
    // No senders: runBlock recovers each by ECDSA, with ethereumjs's default (@noble) crypto.
    const input = { common: createMainnetCommon(), json: json.json, ancestorHashes: fixture.block.ancestorHashes ?? new Map() }
    const started = performance.now()
    const result = await runBlockBaseline(stateManager, input)
    return { ms: performance.now() - started, root: Buffer.from(result.stateRoot).toString('hex') }
  }
  const [crypto, mode] = variant.split('/') as [CryptoPreference, 'trust' | 'verify']
  const state = await createMerkleState({ genesis: fixture.preState })
  const executor = createExecutor({ scheduler: createSequentialScheduler(), state, crypto, trustSenders: mode === 'trust' })
  const started = performance.now()
  const result = await executor.executeBlock(fixture.block)
  const ms = performance.now() - started
  return { ms, root: Buffer.from(result.stateRoot!).toString('hex'), crypto: result.stats.crypto, sendersVerified: result.stats.sendersVerified }
}
