import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { mainnetBlocksDir } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'
import { pevm } from './pevmProcess.js'
import { editedBlockDir } from './editedBlockDir.js'
import { scratchDir } from './scratchDir.js'

const block = '4370000'

describe('pevm run --scheduler static', () => {
  it('behavior: pevm hints writes the actual dependencies, and run --hints scores them perfect with no re-execution', async () => {
    const out = join(scratchDir('pevm-hints'), 'hints.json')
    const written = await pevm('hints', join(mainnetBlocksDir(), block), '--out', out)
    expect(written.code).toBe(0)
    const hints = JSON.parse(readFileSync(out, 'utf8')) as [number, number[]][]
    expect(hints).toHaveLength(97)
    const { code, stdout } = await pevm('run', join(mainnetBlocksDir(), block), '--scheduler', 'static', '--workers', '2', '--hints', out, '--state', 'merkle', '--json')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report.matches).toEqual({ gasUsed: true, receiptsRoot: true, logsBloom: true, requestsHash: null })
    expect(report.stats.plan).toMatchObject({ source: 'hints', recall: 1, precision: 1, missedEdges: 0, mispredictionReExecutions: 0 })
    expect(report.stats.plan.actualEdges).toBe(hints.reduce((total, [, deps]) => total + deps.length, 0))
  })

  it('behavior: a hints file beside the block is found by name, and wrong hints still give the header-matching result', async () => {
    const dir = editedBlockDir(block, () => {})
    // Every transaction on every earlier one, except that nothing is said of the last 40.
    writeFileSync(join(dir, 'hints.json'), JSON.stringify(Array.from({ length: 57 }, (_, j) => [j, Array.from({ length: j }, (_, i) => i)])))
    const { code, stdout } = await pevm('run', dir, '--scheduler', 'static', '--workers', '2', '--hints', 'hints.json', '--state', 'merkle')
    expect(code).toBe(0)
    expect(stdout).toMatch(/receiptsRoot\s+0x[0-9a-f]{64}\s+ok matches header/)
    expect(stdout).toMatch(/plan\s+hints: \d+ planned \/ \d+ actual edges/)
  })

  it('behavior: each prediction source runs the block to the header-matching result', async () => {
    for (const predict of ['static', 'access-list', 'preexec', 'static,access-list,preexec']) {
      const { code, stdout } = await pevm('run', join(mainnetBlocksDir(), block), '--scheduler', 'static', '--workers', '2', '--predict', predict, '--json')
      expect(code, predict).toBe(0)
      expect(JSON.parse(stdout).stats.plan.source).toBe(predict.replaceAll(',', '+'))
    }
  })

  it('behavior: hints that do not fit exit 1 with INVALID_HINTS naming the file and the JSON path', async () => {
    const file = join(scratchDir('pevm-hints'), 'bad.json')
    writeFileSync(file, '[[3, [7]]]')
    const later = await pevm('run', join(mainnetBlocksDir(), block), '--scheduler', 'static', '--hints', file)
    expect(later.code).toBe(1)
    expect(later.stderr).toContain('[INVALID_HINTS]')
    expect(later.stderr).toContain(file)
    expect(later.stderr).toContain('$[0][1][0]')
    writeFileSync(file, '[[500, []]]')
    const past = await pevm('run', join(mainnetBlocksDir(), block), '--scheduler', 'static', '--hints', file)
    expect(past.code).toBe(1)
    expect(past.stderr).toContain("past the block's 97 transactions")
    writeFileSync(file, '{ not json')
    expect((await pevm('run', join(mainnetBlocksDir(), block), '--scheduler', 'static', '--hints', file)).stderr).toContain('is not JSON')
  })

  it('behavior: --predict and --hints off the static scheduler, an unknown source or a missing file are usage errors', async () => {
    const dir = join(mainnetBlocksDir(), block)
    for (const args of [
      ['--scheduler', 'optimistic', '--predict', 'static'],
      ['--scheduler', 'sequential', '--hints', 'hints.json'],
      ['--scheduler', 'static', '--predict', 'oracle'],
      ['--scheduler', 'static', '--hints', 'no-such-file.json'],
    ]) {
      const { code, stderr } = await pevm('run', dir, ...args)
      expect(code, args.join(' ')).toBe(2)
      expect(stderr).toMatch(/--predict|--hints/)
    }
  })
})
