import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { benchCryptoBlock, cryptoVariants, type CryptoBenchRow } from './cryptoBench.js'
import { selectBlocks, type BenchOptions } from './options.js'
import { benchSenderRecovery, type SenderRecoveryRow } from './senderRecoveryBench.js'
import { fmt, median } from './stats.js'

/**
 * `bench crypto [--blocks a,b] [--runs 5] [--warmup 1]`: our sequential path on state-merkle with the
 * pure-JS and the fast crypto provider, senders given or verified, beside `runBlock` recovering its
 * own senders; then per-transaction sender recovery on each provider.
 */
export async function cryptoMain({ runs, warmup, blocks, out }: BenchOptions): Promise<void> {
  const dirs = selectBlocks(blocks)
  const started = new Date()
  const loadAtStart = loadavg()
  console.log(`crypto providers, sequential on state-merkle vs runBlock: ${dirs.length} blocks, median of ${runs} runs after ${warmup} warm-up, node ${process.version}`)
  if (runs < 5) console.log(`(fewer than 5 runs: a smoke test, not a measurement)`)
  console.log(['block', 'txs', ...cryptoVariants.map((v) => `${v} ms`), 'js÷fast trust', 'runBlock÷fast/verify', 'js÷fast verify', 'verify÷trust fast', 'roots'].join('\t'))
  const rows: CryptoBenchRow[] = []
  for (const dir of dirs) {
    const row = await benchCryptoBlock(dir, { runs, warmup })
    rows.push(row)
    console.log(
      [
        row.block,
        row.txCount,
        ...cryptoVariants.map((v) => fmt(row.medianMs[v])),
        row.jsOverFastTrust.toFixed(3),
        row.runBlockOverFastVerify.toFixed(3),
        row.jsOverFastVerify.toFixed(3),
        row.verifyOverTrustFast.toFixed(3),
        row.rootsAgree ? 'equal' : 'DIFFER',
      ].join('\t'),
    )
  }
  const providers = Object.assign({}, ...rows.map((row) => row.providers)) as CryptoBenchRow['providers']
  const spread = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })
  const withTxs = rows.filter((row) => row.txCount > 0)
  const summary = {
    blocks: rows.length,
    jsOverFastTrust: spread(rows.map((row) => row.jsOverFastTrust)),
    runBlockOverFastVerify: spread(rows.map((row) => row.runBlockOverFastVerify)),
    jsOverFastVerify: spread(rows.map((row) => row.jsOverFastVerify)),
    verifyOverTrustFast: spread(rows.map((row) => row.verifyOverTrustFast)),
    blocksWithTransactions: withTxs.length,
    jsOverFastTrustWithTransactions: spread(withTxs.map((row) => row.jsOverFastTrust)),
    runBlockOverFastVerifyWithTransactions: spread(withTxs.map((row) => row.runBlockOverFastVerify)),
    rootsAgree: rows.every((row) => row.rootsAgree),
    blocksWithDifferingRoots: rows.filter((row) => !row.rootsAgree).map((row) => row.block),
  }
  const line = (name: string, s: { median: number; min: number; max: number }) => `${name} median ${s.median.toFixed(2)}x (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`
  console.log(
    `over ${summary.blocks} blocks: ${line('js/trust÷fast/trust', summary.jsOverFastTrust)}; ${line('runBlock/recover÷fast/verify', summary.runBlockOverFastVerify)}; ` +
      `${line('js/verify÷fast/verify', summary.jsOverFastVerify)}; roots ${summary.rootsAgree ? 'all equal' : `DIFFER on ${summary.blocksWithDifferingRoots.join(', ')}`}`,
  )
  if (withTxs.length !== rows.length) {
    console.log(
      `over the ${withTxs.length} blocks with transactions: ${line('js/trust÷fast/trust', summary.jsOverFastTrustWithTransactions)}; ${line('runBlock/recover÷fast/verify', summary.runBlockOverFastVerifyWithTransactions)}`,
    )
  }
  console.log(`providers: ${Object.values(providers).map((stats) => JSON.stringify(stats)).join('; ')}`)

  console.log(`\nsender recovery (recoverSendersOf over the whole block), µs per transaction, median of ${runs} runs after ${warmup} warm-up`)
  console.log(['block', 'txs', 'js µs/tx', 'fast µs/tx', 'js÷fast', 'senders'].join('\t'))
  const recovery: SenderRecoveryRow[] = []
  for (const dir of dirs) {
    const row = await benchSenderRecovery(dir, { runs, warmup })
    if (row === undefined) continue
    recovery.push(row)
    console.log([row.block, row.txCount, row.perTxUs.js.toFixed(1), row.perTxUs.fast.toFixed(1), row.jsOverFast.toFixed(2), row.sendersMatch ? 'match' : 'DIFFER'].join('\t'))
  }
  const recoverySummary = {
    blocks: recovery.length,
    jsPerTxUs: spread(recovery.map((row) => row.perTxUs.js)),
    fastPerTxUs: spread(recovery.map((row) => row.perTxUs.fast)),
    jsOverFast: spread(recovery.map((row) => row.jsOverFast)),
    sendersMatch: recovery.every((row) => row.sendersMatch),
  }
  console.log(
    `over ${recoverySummary.blocks} blocks: js ${recoverySummary.jsPerTxUs.median.toFixed(1)} µs/tx, fast ${recoverySummary.fastPerTxUs.median.toFixed(1)} µs/tx (medians); ` +
      `${line('js÷fast', recoverySummary.jsOverFast)}; senders ${recoverySummary.sendersMatch ? 'all match the given ones' : 'DIFFER'}`,
  )
  const finished = new Date()
  const load = { start: loadAtStart, end: loadavg() }
  console.log(`load average (1, 5, 15 min) at start ${load.start.map((n) => n.toFixed(2)).join(', ')}, at end ${load.end.map((n) => n.toFixed(2)).join(', ')}`)
  mkdirSync(out, { recursive: true })
  const file = join(out, `crypto-${finished.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    file,
    JSON.stringify({ node: process.version, runs, warmup, started: started.toISOString(), finished: finished.toISOString(), loadAverage: load, providers, summary, rows, recovery: { summary: recoverySummary, rows: recovery } }, null, 2),
  )
  console.log(`wrote ${file} (${started.toISOString()} to ${finished.toISOString()})`)
}
