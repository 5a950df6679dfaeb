import { parseArgs } from 'node:util'
import { listMainnetBlocks } from '@parallel-evm/fixtures'

const modes = ['sequential', 'conflicts', 'senders', 'optimistic', 'memory', 'backends', 'scale', 'static', 'sharded', 'crypto', 'compare'] as const

export interface BenchOptions {
  mode: (typeof modes)[number]
  runs: number
  warmup: number
  blocks: string[] | undefined
  out: string
  /** optimistic: worker counts (default 1, 2 and, when the cores exist, 4, 8, 16). */
  workers: number[] | undefined
  /** sharded: shard counts (default 2 and 4); the optimistic scheduler beside each gets as many workers. */
  shards: number[]
  /** optimistic: senders given with the block, recovered by ECDSA, or both. */
  senders: 'given' | 'recovered' | 'both'
  /** optimistic: mainnet blocks, generated workloads, both, or the demo's referral campaign (each design). */
  suite: 'mainnet' | 'generated' | 'all' | 'referral'
  generatedTxs: number
  /** optimistic: the scheduler's per-block fallback to sequential (off to measure the thresholds). */
  fallback: boolean
  /** scale: the synthetic state's size, the block's transactions, and where the database goes. */
  scale: { accounts: number; slots: number; transactions: number; db: string | undefined; crypto: 'js' | 'fast' | 'both' }
  /** compare: the built checkout to compare our sequential path with. */
  baseline: string | undefined
}

/** A bad command line: printed as one line with a pointer to `--help`, exit code 2. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError'
}

export const BENCH_USAGE = `Usage: node packages/bench/dist/main.js [MODE] [options]   (npm run bench -- [MODE] [options])

Modes (default sequential): ${modes.join(', ')}

Every mode:      --blocks a,b   mainnet blocks (default: all 52)   --runs N (>= 5)   --warmup N (>= 1)   --out DIR
optimistic:      --workers 1,2   --senders given|recovered|both   --suite mainnet|generated|all|referral
                 --generated-txs N   --no-fallback
backends:        --workers 1,2   --suite mainnet|referral|generated|all   --no-fallback
static, sharded: --suite ...   --no-fallback   (static: --workers 2; sharded: --shards 2,4)
scale:           --accounts N   --slots N   --transactions N   --db DIR   --crypto js|fast|both
crypto:          --blocks a,b   --runs N   --warmup N (taken as given: --runs 1 --warmup 0 is a smoke test)
compare:         --baseline DIR (a built checkout)   --blocks a,b   --runs N   --warmup N

Results are printed and written as JSON under --out (default bench-results). packages/bench/README.md
says what each mode measures.`

/** The options of a bench run, or 'help' for `--help`; a bad command line is a `BenchUsageError`. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help'
  try {
    return checkedOptions(argv)
  } catch (error) {
    // Node's parseArgs errors carry a hint about positionals that does not apply here.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) throw new BenchUsageError((error as Error).message.split('. ')[0]!.replaceAll("'", ''))
    throw error
  }
}

function checkedOptions(argv: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      blocks: { type: 'string' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      out: { type: 'string', default: 'bench-results' },
      workers: { type: 'string' },
      shards: { type: 'string', default: '2,4' },
      senders: { type: 'string', default: 'both' },
      suite: { type: 'string', default: 'all' },
      'generated-txs': { type: 'string', default: '2000' },
      'no-fallback': { type: 'boolean', default: false },
      accounts: { type: 'string', default: '1000000' },
      slots: { type: 'string', default: '10000000' },
      transactions: { type: 'string', default: '1000' },
      db: { type: 'string' },
      crypto: { type: 'string', default: 'both' },
      baseline: { type: 'string' },
    },
  })
  const mode = positionals[0] ?? 'sequential'
  if (!(modes as readonly string[]).includes(mode)) throw new BenchUsageError(`unknown bench "${mode}": ${modes.join(', ')}`)
  if (!['given', 'recovered', 'both'].includes(values.senders)) throw new BenchUsageError(`--senders: given, recovered or both, not "${values.senders}"`)
  if (!['mainnet', 'generated', 'all', 'referral'].includes(values.suite)) throw new BenchUsageError(`--suite: mainnet, generated, all or referral, not "${values.suite}"`)
  if (!['js', 'fast', 'both'].includes(values.crypto)) throw new BenchUsageError(`--crypto: js, fast or both, not "${values.crypto}"`)
  const shards = values.shards.split(',').map((n) => Number(n.trim()))
  if (shards.some((n) => !Number.isInteger(n) || n < 1)) throw new BenchUsageError(`--shards: positive integers, not "${values.shards}"`)
  return {
    mode: mode as BenchOptions['mode'],
    runs: mode === 'crypto' ? Math.max(1, Number(values.runs)) : Math.max(5, Number(values.runs)),
    warmup: mode === 'crypto' ? Math.max(0, Number(values.warmup)) : Math.max(1, Number(values.warmup)),
    blocks: values.blocks?.split(',').map((n) => n.trim()),
    out: values.out,
    workers: values.workers?.split(',').map(Number),
    shards,
    senders: values.senders as BenchOptions['senders'],
    suite: values.suite as BenchOptions['suite'],
    generatedTxs: Number(values['generated-txs']),
    fallback: !values['no-fallback'],
    baseline: values.baseline,
    scale: { accounts: Number(values.accounts), slots: Number(values.slots), transactions: Number(values.transactions), db: values.db, crypto: values.crypto as BenchOptions['scale']['crypto'] },
  }
}

/** The shared mainnet block folders named in `blocks` (all of them when undefined). */
export function selectBlocks(blocks: readonly string[] | undefined): string[] {
  return listMainnetBlocks().filter((dir) => blocks === undefined || blocks.some((n) => dir.endsWith(`/${n}`)))
}
