import { parseArgs } from 'node:util'
import { listMainnetBlocks } from '@parallel-evm/fixtures'

export interface BenchOptions {
  mode: 'sequential' | 'conflicts' | 'senders'
  runs: number
  warmup: number
  blocks: string[] | undefined
  out: string
}

/** `bench [sequential|conflicts|senders] [--blocks a,b] [--runs N>=5] [--warmup N>=1] [--out dir]` */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      blocks: { type: 'string' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      out: { type: 'string', default: 'bench-results' },
    },
  })
  const mode = positionals[0] ?? 'sequential'
  if (mode !== 'sequential' && mode !== 'conflicts' && mode !== 'senders') throw new Error(`unknown bench "${mode}": sequential, conflicts or senders`)
  return {
    mode,
    runs: Math.max(5, Number(values.runs)),
    warmup: Math.max(1, Number(values.warmup)),
    blocks: values.blocks?.split(',').map((n) => n.trim()),
    out: values.out,
  }
}

/** The shared mainnet block folders named in `blocks` (all of them when undefined). */
export function selectBlocks(blocks: readonly string[] | undefined): string[] {
  return listMainnetBlocks().filter((dir) => blocks === undefined || blocks.some((n) => dir.endsWith(`/${n}`)))
}
