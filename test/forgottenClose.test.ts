import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'

/**
 * A library user who never calls `close()`: the script ends after its last block, with idle
 * worker pools still open. The process must exit by itself (the idle workers do not hold the event
 * loop), having printed every scheduler's root. The child runs the built packages, as a user would,
 * with the heap-size flags a user tunes Node with, which Node refuses in a worker's execArgv.
 */
const script = `
import { createExecutor, createSequentialScheduler } from '@parallel-evm/core'
import { generateBlock } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createShardedScheduler } from '@parallel-evm/scheduler-sharded'
import { createStaticScheduler } from '@parallel-evm/scheduler-static'
import { createMerkleState } from '@parallel-evm/state-merkle'
const block = generateBlock({ workload: 'random', seed: 3, txCount: 30 })
const schedulers = [createSequentialScheduler(), createOptimisticScheduler({ workers: 2 }), createStaticScheduler({ workers: 2 }), createShardedScheduler({ workers: 2 })]
for (const scheduler of schedulers) {
  const executor = createExecutor({ scheduler, state: await createMerkleState({ genesis: block.preState }), common: block.common })
  const result = await executor.executeBlock(block.block)
  console.log(scheduler.name, Buffer.from(result.stateRoot).toString('hex'))
}
`

function runToExit(timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=32', '--max-old-space-size=4096', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, timedOut })
    })
  })
}

describe('a scheduler nobody closes', () => {
  it('behavior: the process (run with heap-size flags) exits by itself after its last block, with every scheduler\'s root printed and equal', async () => {
    // Generous: the point is exiting at all (before, such a process never exited), not how fast.
    const { code, stdout, stderr, timedOut } = await runToExit(240_000)
    expect(timedOut, `still running after 240 s; stderr: ${stderr}`).toBe(false)
    expect(code, stderr).toBe(0)
    const lines = stdout.trim().split('\n').map((line) => line.split(' '))
    expect(lines.map(([name]) => name)).toEqual(['sequential', 'optimistic', 'static', 'sharded'])
    expect(new Set(lines.map(([, root]) => root)).size).toBe(1)
    expect(lines[0]![1]).toMatch(/^[0-9a-f]{64}$/)
  })
})
