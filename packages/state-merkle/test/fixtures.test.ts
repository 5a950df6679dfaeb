import { bytesToHex } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { createMerkleState } from '../src/index.js'
import { diffModels, fixtureModel, genesisOf, loadBlockchainTest } from './helpers.js'

/** ethereum/tests BlockchainTests whose genesis roots are known; the first ones have contract storage. */
const GENESIS_FILES = [
  'ValidBlocks/bcStateTests/refundReset.json',
  'ValidBlocks/bcStateTests/selfdestructBalance.json',
  'ValidBlocks/bcEIP1153-transientStorage/transStorageBlockchain.json',
  'ValidBlocks/bcStateTests/random.json',
  'ValidBlocks/bcExploitTest/ShanghaiLove.json',
  'GeneralStateTests/Pyspecs/shanghai/eip4895_withdrawals/many_withdrawals.json',
]

/** Files with a `postState`: the diff pre → post, applied as one commit, must reach the last block's root. */
const POST_FILES = [
  'ValidBlocks/bcStateTests/refundReset.json',
  'ValidBlocks/bcStateTests/selfdestructBalance.json',
  'ValidBlocks/bcEIP1153-transientStorage/transStorageBlockchain.json',
  'GeneralStateTests/Cancun/stEIP1153-transientStorage/transStorageOK.json',
  // Clears two pre-state slots.
  'GeneralStateTests/Cancun/stEIP1153-transientStorage/15_tstoreCannotBeDosd.json',
  'GeneralStateTests/Pyspecs/shanghai/eip4895_withdrawals/many_withdrawals.json',
]

describe('ethereum/tests state roots', () => {
  it('default: includes fixtures with contract storage', () => {
    const withStorage = GENESIS_FILES.filter((file) =>
      Object.values(loadBlockchainTest(file).pre).some((account) => Object.keys(account.storage).length > 0),
    )
    expect(withStorage.length).toBeGreaterThanOrEqual(3)
  })

  for (const file of GENESIS_FILES) {
    it(`default: genesis root of ${file}`, async () => {
      const test = loadBlockchainTest(file)
      const state = await createMerkleState({ genesis: genesisOf(fixtureModel(test.pre)) })
      expect(bytesToHex(state.stateRoot())).toBe(test.genesisBlockHeader.stateRoot)
    })
  }

  for (const file of POST_FILES) {
    it(`behavior: pre → postState as one staged commit reaches the last block's root (${file})`, async () => {
      const test = loadBlockchainTest(file)
      const pre = fixtureModel(test.pre)
      const post = fixtureModel(test.postState!)
      const state = await createMerkleState({ genesis: genesisOf(pre) })
      const lastRoot = test.blocks.at(-1)!.blockHeader!.stateRoot
      const staged = await state.stage(diffModels(pre, post))
      expect(bytesToHex(staged.stateRoot!)).toBe(lastRoot)
      expect(bytesToHex(state.stateRoot())).toBe(test.genesisBlockHeader.stateRoot)
      await staged.apply()
      expect(bytesToHex(state.stateRoot())).toBe(lastRoot)
      for (const [address, account] of post) {
        expect(state.getAccount(address)?.balance).toBe(account.balance)
        for (const [slot, value] of account.storage) expect(state.getStorage(address, slot)).toBe(value)
      }
    })
  }
})
