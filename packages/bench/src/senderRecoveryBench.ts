import type { Block } from '@ethereumjs/block'
import { activateCryptoProvider, createMainnetCommon, loadCryptoProvider, type CryptoPreference } from '@parallel-evm/core'
import { decodeBlockInput, recoverSendersOf } from '@parallel-evm/core/internal'
import { loadMainnetBlock } from '@parallel-evm/fixtures'
import { median } from './stats.js'

export interface SenderRecoveryRow {
  block: number
  txCount: number
  /** Median µs per transaction of `recoverSendersOf` over the whole block, per provider. */
  perTxUs: Record<CryptoPreference, number>
  /** Median of per-run ratios js ÷ fast. */
  jsOverFast: number
  /** Both providers recovered exactly the senders the block was given. */
  sendersMatch: boolean
}

/**
 * Per-transaction ECDSA sender recovery with each crypto provider: the block is decoded once per
 * provider (its transactions' Common carries that provider; unfrozen, so nothing caches a sender),
 * then `recoverSendersOf` over all its transactions is timed with that provider active, the two
 * providers alternating in order run by run. Undefined for a block without transactions.
 */
export async function benchSenderRecovery(blockDir: string, options: { runs: number; warmup: number }): Promise<SenderRecoveryRow | undefined> {
  const fixture = await loadMainnetBlock(blockDir)
  const given = (fixture.block.senders ?? []).map((s) => s.toLowerCase())
  if (given.length === 0) return undefined
  const common = createMainnetCommon()
  const prefs: CryptoPreference[] = ['js', 'fast']
  const decoded = new Map<CryptoPreference, Block>()
  for (const pref of prefs) decoded.set(pref, decodeBlockInput(fixture.block, { common, crypto: await loadCryptoProvider(pref) }))
  const indices = given.map((_, index) => index)
  const times: Record<CryptoPreference, number[]> = { js: [], fast: [] }
  const ratios: number[] = []
  let sendersMatch = true
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const sample: Partial<Record<CryptoPreference, number>> = {}
    for (const pref of run % 2 === 0 ? prefs : [...prefs].reverse()) {
      activateCryptoProvider(await loadCryptoProvider(pref))
      const started = performance.now()
      const senders = recoverSendersOf(decoded.get(pref)!, indices)
      sample[pref] = performance.now() - started
      if (senders.some((sender, index) => sender !== given[index])) sendersMatch = false
    }
    if (run < options.warmup) continue
    times.js.push(sample.js!)
    times.fast.push(sample.fast!)
    ratios.push(sample.js! / sample.fast!)
  }
  const perTx = (ms: number[]) => (median(ms) * 1000) / given.length
  return { block: Number(fixture.number), txCount: given.length, perTxUs: { js: perTx(times.js), fast: perTx(times.fast) }, jsOverFast: median(ratios), sendersMatch }
}
