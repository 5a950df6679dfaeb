import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { BENCH_USAGE, BenchUsageError, parseBenchOptions } from '../src/options.js'

const run = promisify(execFile)
const main = resolve(__dirname, '../dist/main.js')

describe('the bench command line', () => {
  it('default: no mode is the sequential bench over every block, 5 runs after 1 warm-up', () => {
    expect(parseBenchOptions([])).toMatchObject({ mode: 'sequential', runs: 5, warmup: 1, blocks: undefined })
    expect(parseBenchOptions(['optimistic', '--workers', '1', '--senders', 'given', '--blocks', '1,2'])).toMatchObject({ mode: 'optimistic', workers: [1], senders: 'given', blocks: ['1', '2'] })
  })

  it('behavior: --help and -h ask for the usage, which names every mode', () => {
    expect(parseBenchOptions(['optimistic', '--help'])).toBe('help')
    expect(parseBenchOptions(['-h'])).toBe('help')
    for (const mode of ['sequential', 'conflicts', 'senders', 'optimistic', 'memory', 'backends', 'scale', 'static', 'sharded', 'crypto', 'compare']) expect(BENCH_USAGE).toContain(mode)
  })

  it('behavior: an unknown option or mode and a bad value are usage errors that name them', () => {
    const usageError = (argv: string[]) => {
      try {
        parseBenchOptions(argv)
      } catch (error) {
        expect(error).toBeInstanceOf(BenchUsageError)
        return (error as Error).message
      }
      throw new Error(`${argv.join(' ')} was accepted`)
    }
    expect(usageError(['optimistic', '--wokers', '1'])).toBe('Unknown option --wokers')
    expect(usageError(['optimistc'])).toMatch(/^unknown bench "optimistc": sequential, /)
    expect(usageError(['optimistic', '--suite', 'testnet'])).toBe('--suite: mainnet, generated, all or referral, not "testnet"')
    expect(usageError(['sharded', '--shards', '2,x'])).toBe('--shards: positive integers, not "2,x"')
  })

  it('behavior: the built command prints the usage for --help (exit 0) and one line for a bad option (exit 2)', async () => {
    const help = await run(process.execPath, [main, '--help'])
    expect(help.stdout).toContain('Usage: node packages/bench/dist/main.js [MODE] [options]')
    const failed = await run(process.execPath, [main, 'optimistic', '--wokers', '1']).catch((error: { code: number; stderr: string }) => error)
    expect((failed as { code: number }).code).toBe(2)
    expect((failed as { stderr: string }).stderr.trim()).toBe('bench: Unknown option --wokers (--help lists the modes and options)')
  })
})
