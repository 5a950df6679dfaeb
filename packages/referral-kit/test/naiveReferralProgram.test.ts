import { bytesToHex } from '@ethereumjs/util'
import { toSlotHex, type AddressHex, type Hex } from '@parallel-evm/core'
import { decodeEventLog } from 'viem'
import { describe, expect, it } from 'vitest'
import * as contrast from '../src/contrast.js'
import * as kit from '../src/index.js'
import { FINNEY } from './programFixture.js'
import { TestChain, type CallResult } from './testChain.js'

const { deployNaiveReferralProgramData, naiveReferralCalls, naiveReferralProgramAbi } = contrast
const REWARD = 2n * FINNEY
const MIN_PURCHASE = 10n * FINNEY

/** The naive program's events from a call (the test chain decodes the kit program's ABI only). */
function naiveEvents(result: CallResult) {
  return result.outcome.logs.map(([, topics, data]) =>
    decodeEventLog({ abi: naiveReferralProgramAbi, topics: topics.map((t) => bytesToHex(t) as Hex) as [Hex, ...Hex[]], data: bytesToHex(data) as Hex }),
  )
}

/** A global counter, read by its slot in solc's storage layout. */
function counter(chain: TestChain, program: AddressHex, label: 'totalSignUps' | 'totalConversions' | 'totalRewardsAccrued' | 'totalClaimed'): bigint {
  const { slot } = contrast.naiveReferralProgramStorageLayout.storage.find((entry) => entry.label === label)!
  return chain.executor.state.getStorage(program, toSlotHex(BigInt(slot)))
}

describe('NaiveReferralProgram (the contrast design the demo measures against)', () => {
  it('behavior: it is not among the kit entry point exports, only under /contrast', () => {
    expect(Object.keys(kit).filter((name) => /naive/i.test(name))).toEqual([])
    expect(Object.keys(contrast)).toEqual(expect.arrayContaining(['deployNaiveReferralProgramData', 'naiveReferralCalls', 'naiveReferralProgramAbi']))
    // No way out for the funds: the design locks every wei it is paid.
    expect(naiveReferralProgramAbi.some((item) => item.type === 'function' && /withdraw/i.test(item.name))).toBe(false)
  })

  it('behavior: sign-up, conversion and claim pay the flat reward and write the global counters the demo reports as hot', async () => {
    const chain = await TestChain.start(5)
    const [owner, referrer, copier, first, second] = chain.accounts as [typeof chain.accounts[0], typeof chain.accounts[0], typeof chain.accounts[0], typeof chain.accounts[0], typeof chain.accounts[0]]
    const deployed = await chain.send(owner, { data: deployNaiveReferralProgramData(REWARD, MIN_PURCHASE), value: 10n ** 17n })
    const program = deployed.createdAddress!
    const call = (from: typeof owner, data: Hex, value = 0n) => chain.send(from, { to: program, data, value })
    const code = bytesToHex(new Uint8Array(32).fill(9)) as Hex
    expect(naiveEvents(await call(referrer, naiveReferralCalls.registerCode(code)))[0]).toMatchObject({ eventName: 'CodeRegistered' })
    // First come, first served: the same code from the mempool is taken (the front-running the kit's design avoids).
    expect((await call(copier, naiveReferralCalls.registerCode(code))).status).toBe(0)
    for (const user of [first, second]) expect(naiveEvents(await call(user, naiveReferralCalls.signUp(code)))[0]).toMatchObject({ eventName: 'SignedUp' })
    expect((await call(first, naiveReferralCalls.purchase(), MIN_PURCHASE - 1n)).status).toBe(0)
    for (const user of [first, second]) {
      expect(naiveEvents(await call(user, naiveReferralCalls.purchase(), MIN_PURCHASE))[0]).toMatchObject({ eventName: 'Purchased', args: { conversion: true } })
    }
    expect(naiveEvents(await call(first, naiveReferralCalls.purchase(), 1n))[0]).toMatchObject({ args: { conversion: false } })
    expect([counter(chain, program, 'totalSignUps'), counter(chain, program, 'totalConversions'), counter(chain, program, 'totalRewardsAccrued')]).toEqual([2n, 2n, 2n * REWARD])
    const before = chain.balanceOf(program)
    const claimed = await call(referrer, naiveReferralCalls.claim())
    expect(naiveEvents(claimed)[0]).toMatchObject({ eventName: 'Claimed', args: { total: 2n * REWARD } })
    expect(before - chain.balanceOf(program)).toBe(2n * REWARD)
    expect(counter(chain, program, 'totalClaimed')).toBe(2n * REWARD)
    expect((await call(referrer, naiveReferralCalls.claim())).status).toBe(0)
  })
})
