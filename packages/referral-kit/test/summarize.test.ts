import type { AddressHex } from '@parallel-evm/core'
import { describe, expect, it } from 'vitest'
import { addPurchaseWeek, emptyTallies, referrerTally, summarizeTallies } from '../src/analytics/summarize.js'

const a = '0x000000000000000000000000000000000000000a' as AddressHex
const b = '0x000000000000000000000000000000000000000b' as AddressHex
const c = '0x000000000000000000000000000000000000000c' as AddressHex
const [u1, u2, u3] = ['0x01', '0x02', '0x03'].map((x) => x.padEnd(42, '0') as AddressHex) as [AddressHex, AddressHex, AddressHex]

describe('summarizeTallies', () => {
  it('behavior: ranks by conversions, then rewards, then address; drops referrers without sign-ups', () => {
    const tallies = emptyTallies()
    Object.assign(referrerTally(tallies, b), { signUps: 3, conversions: 2, rewardsAccrued: 5n })
    Object.assign(referrerTally(tallies, a), { signUps: 1, conversions: 2, rewardsAccrued: 5n })
    Object.assign(referrerTally(tallies, c), { signUps: 4, conversions: 2, rewardsAccrued: 9n })
    referrerTally(tallies, '0x00000000000000000000000000000000000000ff' as AddressHex).rewardsClaimed = 1n
    const summary = summarizeTallies(tallies, 0)
    expect(summary.leaderboard.map((r) => r.referrer)).toEqual([c, a, b])
    expect(summary.referrers.map((r) => r.referrer)).toEqual([a, b, c])
    expect(summary).toMatchObject({ signUps: 8, conversions: 6, conversionRate: 0.75, rewardsAccrued: 19n, rewardsClaimed: 0n })
  })

  it('behavior: the median latency is the lower middle of an even count, and retention counts purchases per week after sign-up', () => {
    const tallies = emptyTallies()
    tallies.latencies.push(40n, 10n, 30n, 20n)
    tallies.cohortOf.set(u1, 0).set(u2, 0).set(u3, 1)
    addPurchaseWeek(tallies, u1, 0)
    addPurchaseWeek(tallies, u1, 2)
    addPurchaseWeek(tallies, u2, 2)
    addPurchaseWeek(tallies, u3, 2)
    tallies.signUpsByWeek[1] = 1
    const summary = summarizeTallies(tallies, 2)
    expect(summary.claimLatency).toEqual({ count: 4, medianSeconds: 20, meanSeconds: 25, maxSeconds: 40 })
    expect(summary.retention).toEqual([
      { week: 0, size: 2, retained: [1, 0, 2] },
      { week: 1, size: 1, retained: [0, 1] },
    ])
    expect(summary.signUpsByWeek).toEqual([0, 1, 0])
  })
})
