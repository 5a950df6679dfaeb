import { createEVM } from '@ethereumjs/evm'
import { bytesToHex } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { analyseCode } from '../src/codeAnalysisCache.js'
import { interpreterPrototype } from '../src/interpreterPrototype.js'

type Analysis = { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: unknown[] }

describe('code analysis', () => {
  it('behavior: equals ethereumjs analysis on random code, push-heavy code and pushes cut off by the end', async () => {
    const evm = await createEVM()
    const opcodeMap = (evm as unknown as { _opcodeMap: unknown[] })._opcodeMap
    const prototype = await interpreterPrototype()
    expect(prototype).toBeDefined()
    // ethereumjs's own analysis, called on a stand-in interpreter. Another test file in the same
    // process may have installed the cache's patch on the prototype: an EVM without the cache's
    // mark (the stand-in's) goes straight to ethereumjs's analysis through it.
    const original = prototype!._getValidJumpDestinations
    const standIn = { lookupOpInfo: (op: number) => opcodeMap[op], common: evm.common, _evm: {} }
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff
    const codes: Uint8Array[] = [new Uint8Array(), Uint8Array.of(0x7f), Uint8Array.of(0x60), Uint8Array.of(0x65, 1, 2, 3, 4, 5, 6, 0x5b), Uint8Array.of(0x66, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)]
    for (let n = 0; n < 200; n++) {
      const pushHeavy = n % 2 === 0
      codes.push(Uint8Array.from({ length: 1 + (n * 37) % 400 }, () => (pushHeavy && random() < 128 ? 0x5b + (random() % 37) : random())))
    }
    for (const code of codes) {
      const ours = analyseCode(code, opcodeMap)
      const theirs = original.call(standIn as never, code) as Analysis
      expect(bytesToHex(ours.jumps)).toBe(bytesToHex(theirs.jumps))
      expect(ours.pushes).toEqual(theirs.pushes)
      expect(ours.opcodesCached.length).toBe(theirs.opcodesCached.length)
      for (let i = 0; i < code.length; i++) expect(ours.opcodesCached[i], `position ${i}`).toBe(theirs.opcodesCached[i])
    }
  })
})
