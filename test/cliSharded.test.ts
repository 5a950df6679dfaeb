import { join } from 'node:path'
import { mainnetBlocksDir } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'
import { pevm } from './pevmProcess.js'

const block = join(mainnetBlocksDir(), '4370000')

describe('pevm run --scheduler sharded', () => {
  it('behavior: each partitioner on 2 shards matches the header and the sequential state root, and reports its shards', async () => {
    const sequential = JSON.parse((await pevm('run', block, '--state', 'merkle', '--json')).stdout)
    for (const partitioner of ['hash', 'activity']) {
      const { code, stdout, stderr } = await pevm('run', block, '--scheduler', 'sharded', '--workers', '2', '--partitioner', partitioner, '--state', 'merkle', '--json')
      expect(code, stderr).toBe(0)
      const report = JSON.parse(stdout)
      expect(report.ok).toBe(true)
      expect(report.stateRoot).toBe(sequential.stateRoot)
      expect(report.stats.sharded).toMatchObject({ shards: 2, partitioner })
      expect(report.stats.sharded.perShard).toHaveLength(2)
      expect(report.stats.sharded.perShard.reduce((sum: number, shard: { transactions: number }) => sum + shard.transactions, 0)).toBeGreaterThanOrEqual(report.txCount)
    }
  })

  it('behavior: the human report has a shards line with the cross-shard ratio and the load per shard', async () => {
    const { code, stdout } = await pevm('run', block, '--scheduler', 'sharded', '--workers', '2', '--predict', 'static,access-list')
    expect(code).toBe(0)
    expect(stdout).toMatch(/shards\s+2 shards \(hash\), cross-shard \d+\.\d% \(predicted \d+\.\d%\), \d+ escapes, remote-read wait [\d.]+ ms, load \d+ txs/)
    expect(stdout).toContain('OK')
  })

  it('error: a partitioner for another scheduler, an unknown partitioner or prediction source exit 2 with the flag named', async () => {
    for (const [args, flag] of [
      [['--scheduler', 'optimistic', '--workers', '2', '--partitioner', 'activity'], '--partitioner'],
      [['--scheduler', 'sharded', '--workers', '2', '--partitioner', 'range'], '--partitioner'],
      [['--scheduler', 'sharded', '--workers', '2', '--predict', 'hints'], '--predict'],
    ] as const) {
      const { code, stderr } = await pevm('run', block, ...args)
      expect(code, args.join(' ')).toBe(2)
      expect(stderr).toContain(flag)
    }
  })
})
