import { type TxOutcome } from '@parallel-evm/core'
import { stateKeyId, writtenKeys } from '@parallel-evm/core/internal'
import { describe, expect, it } from 'vitest'
import { referralCalls } from '../src/index.js'
import { deployKit } from './kitFixture.js'
import { deployProgram, FINNEY, WEEK } from './programFixture.js'

/** Keys `later` read that `earlier` wrote (balance deltas excluded: credits commute). */
function dependencies(earlier: TxOutcome, later: TxOutcome): string[] {
  const written = new Set(writtenKeys(earlier.writeSet).map(stateKeyId))
  return [...later.readSet.keys()].filter((key) => written.has(key))
}

describe('ReferralProgram is built for parallel execution', () => {
  it('behavior: sign-ups, purchases and claims of unrelated referrers touch no common key', async () => {
    const fx = await deployProgram()
    const [a, b] = fx.users as [typeof fx.alice, typeof fx.alice]
    const steps: TxOutcome[] = []
    steps.push((await fx.signUp(a, fx.aliceCode)).outcome)
    steps.push((await fx.signUp(b, fx.bobCode)).outcome)
    steps.push((await fx.call(a, referralCalls.purchase(), 10n * FINNEY)).outcome)
    steps.push((await fx.call(b, referralCalls.purchase(), 10n * FINNEY)).outcome)
    fx.chain.advance(WEEK)
    steps.push((await fx.call(fx.alice, referralCalls.claim([a.address]))).outcome)
    steps.push((await fx.call(fx.bob, referralCalls.claim([b.address]))).outcome)
    for (const step of steps) expect(step.status).toBe(1)
    // Alice's side (steps 0, 2, 4) and Bob's side (1, 3, 5) never read what the other side wrote,
    // except the claims' reads of the program's balance, which every payment into it changes.
    const programBalance = stateKeyId({ kind: 'balance', address: fx.program })
    for (const [mine, theirs] of [[[0, 2, 4], [1, 3, 5]], [[1, 3, 5], [0, 2, 4]]] as const) {
      for (const i of theirs) {
        for (const j of mine) {
          if (j <= i) continue
          expect(dependencies(steps[i]!, steps[j]!).filter((key) => key !== programBalance), `step ${j} after step ${i}`).toEqual([])
        }
      }
    }
    // The zero-value calls (sign-ups call the ecrecover precompile) do not read the program's balance.
    for (const j of [0, 1]) expect(steps[j]!.readSet.has(programBalance)).toBe(false)
    // Purchases pay the program as a credit, not a read-modify-write.
    for (const j of [2, 3]) expect(steps[j]!.writeSet.accounts.get(fx.program)?.balanceDelta).toBe(10n * FINNEY)
  })

  it('behavior: on the registry and rewards vault, sign-ups, protocol actions and claims of referrers in different buckets touch no common key', async () => {
    const fx = await deployKit()
    expect(BigInt(fx.alice.address) % 32n).not.toBe(BigInt(fx.bob.address) % 32n)
    const [a, b] = fx.users as [typeof fx.alice, typeof fx.alice]
    const steps: TxOutcome[] = []
    steps.push((await fx.signUp(a, fx.aliceCode)).outcome)
    steps.push((await fx.signUp(b, fx.bobCode)).outcome)
    steps.push((await fx.buy(a)).outcome)
    steps.push((await fx.buy(b)).outcome)
    fx.chain.advance(WEEK)
    steps.push((await fx.rewardsCall(fx.alice, 'claim', [[a.address]])).outcome)
    steps.push((await fx.rewardsCall(fx.bob, 'claim', [[b.address]])).outcome)
    for (const step of steps) expect(step.status).toBe(1)
    // The claims read the vault's balance, which each payment out of it changes.
    const vaultBalance = stateKeyId({ kind: 'balance', address: fx.rewards })
    for (const [mine, theirs] of [[[0, 2, 4], [1, 3, 5]], [[1, 3, 5], [0, 2, 4]]] as const) {
      for (const i of theirs) {
        for (const j of mine) if (j > i) expect(dependencies(steps[i]!, steps[j]!).filter((key) => key !== vaultBalance), `step ${j} after ${i}`).toEqual([])
      }
    }
  })
})
