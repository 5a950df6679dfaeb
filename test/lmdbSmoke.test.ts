import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { createExecutor, createSequentialScheduler, type Hex } from '@parallel-evm/core'
import { loadMainnetBlock, mainnetBlocksDir } from '@parallel-evm/fixtures'
import { createOptimisticScheduler } from '@parallel-evm/scheduler-optimistic'
import { createMerkleState } from '@parallel-evm/state-merkle'
import { openLmdbState } from '@parallel-evm/state-lmdb'
import { expect, it } from 'vitest'
import { expectSameResult } from './blockResults.js'

it('smoke', async () => {
  const fixture = await loadMainnetBlock(join(mainnetBlocksDir(), '19933122'))
  const merkle = await createMerkleState({ genesis: fixture.preState })
  const expected = await createExecutor({ scheduler: createSequentialScheduler(), state: merkle }).executeBlock(fixture.block)
  const dir = mkdtempSync(join(tmpdir(), 'lmdb-'))
  const state = openLmdbState({ path: dir })
  const json = (fixture.block.block as { json: { parentHash: Hex } }).json
  const head = await state.importState([fixture.preState], { number: fixture.number - 1n, blockHash: json.parentHash })
  const pre = await createMerkleState({ genesis: fixture.preState })
  expect(bytesToHex(head.stateRoot)).toBe(bytesToHex(pre.stateRoot()))
  let t = performance.now()
  const seq = await createExecutor({ scheduler: createSequentialScheduler(), state }).executeBlock(fixture.block)
  console.log('seq lmdb', performance.now() - t)
  expectSameResult(seq, expected, 'lmdb seq')
  await state.unwind(1)
  expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(pre.stateRoot()))
  const opt = createOptimisticScheduler({ workers: 2, fallback: false })
  t = performance.now()
  const par = await createExecutor({ scheduler: opt, state }).executeBlock(fixture.block)
  console.log('opt lmdb', performance.now() - t)
  expectSameResult(par, expected, 'lmdb opt')
  await opt.close()
  console.log(state.info())
  await state.close()
  rmSync(dir, { recursive: true })
}, 120000)
