import { createBlock } from '@ethereumjs/block'
import { Common, Hardfork, Mainnet } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'
import { createMainnetCommon, UnsupportedBlockError } from '../src/index.js'
import { LaneFactory, prepareBlock } from '../src/internal.js'

const blockDir = (n: string) => listMainnetBlocks().find((dir) => dir.endsWith(`/${n}`))!

describe('prepareBlock', () => {
  it('default: decodes at the block fork with the given senders', async () => {
    const fixture = await loadMainnetBlock(blockDir('19934116'))
    const prepared = prepareBlock(fixture.block, { common: createMainnetCommon() })
    expect(prepared.common.hardfork()).toBe(Hardfork.Cancun)
    expect(prepared.senders).toEqual(fixture.block.senders)
    expect(prepared.transactions[0]!.getSenderAddress().toString()).toBe(fixture.block.senders![0])
    expect(prepared.omissions).toEqual([])
  })

  it('behavior: calldata gas counted in numbers equals ethereumjs per-byte sum, creations (after EIP-3860 in 19933597) included', async () => {
    for (const number of ['19934116', '19933597', '12522062', '4370000']) {
      const prepared = prepareBlock((await loadMainnetBlock(blockDir(number))).block, { common: createMainnetCommon() })
      for (const tx of prepared.transactions) {
        // A frozen copy from the same bytes: ethereumjs's own sum, untouched by our cache.
        const reference = createTxFromRLP(tx.serialize(), { common: tx.common })
        expect(tx.getDataGas(), `${number} ${bytesToHex(tx.hash())}`).toBe(reference.getDataGas())
      }
    }
  })

  it('behavior: an RPC block listing ommers without their headers is refused', async () => {
    const fixture = await loadMainnetBlock(blockDir('1796867'))
    const { ommers: _, ...withoutOmmers } = fixture.block
    expect(() => prepareBlock(withoutOmmers, { common: createMainnetCommon() })).toThrow(UnsupportedBlockError)
  })

  it("behavior: ommers 'unavailable' runs the block and lists the omission", async () => {
    const fixture = await loadMainnetBlock(blockDir('1796867'))
    expect(fixture.block.ommers).toBe('unavailable')
    const prepared = prepareBlock(fixture.block, { common: createMainnetCommon() })
    expect(prepared.omissions).toEqual(expect.arrayContaining([expect.stringContaining('1 ommer')]))
  })

  it('behavior: forks with rules the block path lacks are refused, not answered wrongly', () => {
    // Amsterdam's block-level access lists (EIP-7928) are not implemented; Prague's requests are.
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Osaka, eips: [7928] })
    const data = createBlock({ header: { number: 23_950_000n, timestamp: 1_765_000_000n } }, { common }).toJSON()
    expect(() => prepareBlock({ block: { format: 'data', data } }, { common })).toThrow(/EIP-7928/)
  })
})

describe('LaneFactory', () => {
  it('behavior: a discarded lane is rebuilt with a fresh VM', async () => {
    const lanes = new LaneFactory()
    const common = createMainnetCommon()
    const first = await lanes.laneFor(common, new Map())
    expect(await lanes.laneFor(common, new Map())).toBe(first)
    lanes.discard(common)
    expect((await lanes.laneFor(common, new Map())).vm).not.toBe(first.vm)
  })
})
