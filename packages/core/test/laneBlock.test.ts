import { bytesToHex } from '@ethereumjs/util'
import { listMainnetBlocks, loadMainnetBlock } from '@parallel-evm/fixtures'
import { describe, expect, it } from 'vitest'
import { prepareLaneBlock } from '../src/laneBlock.js'
import { createMainnetCommon } from '../src/index.js'
import { prepareBlock } from '../src/internal.js'

const blockDir = (n: string) => listMainnetBlocks().find((dir) => dir.endsWith(`/${n}`))!

describe('prepareLaneBlock (a block as a lane worker decodes it)', () => {
  it('behavior: the fork, header and every transaction (bytes, hash, sender, gas) equal prepareBlock\'s, across forks', async () => {
    for (const number of ['46147', '4370000', '12244000', '17666333', '19934116']) {
      const fixture = await loadMainnetBlock(blockDir(number))
      const whole = prepareBlock(fixture.block, { common: createMainnetCommon() })
      const lane = prepareLaneBlock(whole.block.serialize(), whole.senders, whole.ancestorHashes, { common: createMainnetCommon() })
      expect(lane.common.hardfork(), number).toBe(whole.common.hardfork())
      expect(bytesToHex(lane.header.hash()), number).toBe(bytesToHex(whole.header.hash()))
      expect(lane.transactions.length, number).toBe(whole.transactions.length)
      // Read from the end first: a transaction decodes on its own, whatever was asked before.
      for (const index of [...whole.transactions.keys()].reverse()) {
        const [ours, theirs] = [lane.transactions[index]!, whole.transactions[index]!]
        expect(bytesToHex(ours.serialize()), `${number} ${index}`).toBe(bytesToHex(theirs.serialize()))
        expect(bytesToHex(ours.hash())).toBe(bytesToHex(theirs.hash()))
        expect(ours.getSenderAddress().toString()).toBe(whole.senders[index])
        expect(ours.getDataGas()).toBe(theirs.getDataGas())
        expect(ours.common.hardfork()).toBe(theirs.common.hardfork())
      }
    }
  })

  it('behavior: a transaction is decoded once, when first asked for, and kept', async () => {
    const fixture = await loadMainnetBlock(blockDir('4370000'))
    const whole = prepareBlock(fixture.block, { common: createMainnetCommon() })
    const lane = prepareLaneBlock(whole.block.serialize(), whole.senders, whole.ancestorHashes, { common: createMainnetCommon() })
    expect(lane.transactions[5]).toBe(lane.transactions[5])
    expect(lane.block.transactions).toHaveLength(0)
  })
})
