import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from '@parallel-evm/core'
import { FORK_BLOCK_POSITION } from '@parallel-evm/fixtures'
import { decodeErrorResult, decodeEventLog, encodeDeployData, encodeFunctionData } from 'viem'
import { describe, expect, it } from 'vitest'
import { codeFor, decodeReferralLog, referralCalls, referralProgramAbi, signSignUpAttestation } from '../src/index.js'
import { reentrantClaimerAbi, reentrantClaimerBytecode } from './generated/reentrantClaimer.js'
import { rejectingReferrerAbi, rejectingReferrerBytecode } from './generated/rejectingReferrer.js'
import { DAY, deployProgram, FINNEY, NO_SEASON, TIERS, WEEK } from './programFixture.js'

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

describe('ReferralProgram on our executor: codes', () => {
  it('behavior: a code is derived from its owner, so a front-runner copying the salt gets a different code', async () => {
    const { alice, bob, aliceCode, call, users } = await deployProgram()
    const salt = bytesToHex(new Uint8Array(32).fill(7)) as Hex
    expect(aliceCode).not.toBe(codeFor(bob.address, salt))
    const again = await call(alice, referralCalls.registerCode(salt))
    expect(again.error).toBe('CodeTaken')
    expect(again.errorArgs).toEqual([aliceCode])
    const frontRunner = users[0]!
    const copied = await call(frontRunner, referralCalls.registerCode(salt))
    expect(copied.status).toBe(1)
    expect(copied.events[0]).toMatchObject({ eventName: 'CodeRegistered', args: { code: codeFor(frontRunner.address, salt), owner: expect.stringMatching(new RegExp(frontRunner.address.slice(2), 'i')) } })
  })

  it('behavior: a code moves in two steps, and sign-ups then bind to the new owner', async () => {
    const fx = await deployProgram()
    const [carol, dave] = fx.users as [typeof fx.alice, typeof fx.alice]
    expect((await fx.call(carol, referralCalls.proposeCodeTransfer(fx.aliceCode, carol.address))).error).toBe('NotCodeOwner')
    const proposed = await fx.call(fx.alice, referralCalls.proposeCodeTransfer(fx.aliceCode, carol.address))
    expect(proposed.events.map((e) => e.eventName)).toEqual(['CodeTransferProposed'])
    expect((await fx.call(dave, referralCalls.acceptCodeTransfer(fx.aliceCode))).error).toBe('NoPendingCodeTransfer')
    const accepted = await fx.call(carol, referralCalls.acceptCodeTransfer(fx.aliceCode))
    expect(accepted.events[0]).toMatchObject({ eventName: 'CodeTransferred' })
    expect((await fx.call(carol, referralCalls.acceptCodeTransfer(fx.aliceCode))).error).toBe('NoPendingCodeTransfer')
    const joined = await fx.signUp(dave, fx.aliceCode)
    expect(joined.events.find((e) => e.eventName === 'SignedUp')?.args).toMatchObject({ referrer: expect.stringMatching(new RegExp(carol.address.slice(2), 'i')) })
  })
})

describe('ReferralProgram on our executor: sign-ups and fraud checks', () => {
  it('behavior: a sign-up with the verifier attestation binds the referee once, with indexed events for the sign-up and the spent nonce', async () => {
    const fx = await deployProgram()
    const user = fx.users[0]!
    const joined = await fx.signUp(user, fx.aliceCode, { nonce: 77n })
    expect(joined.status).toBe(1)
    expect(joined.events.map((e) => e.eventName)).toEqual(['AttestationUsed', 'SignedUp'])
    expect(joined.events[0]!.args).toMatchObject({ nonce: 77n, referee: expect.stringMatching(new RegExp(user.address.slice(2), 'i')) })
    expect(joined.events[1]).toMatchObject({ eventName: 'SignedUp', args: { code: fx.aliceCode, epoch: 0n } })
    const again = await fx.signUp(user, fx.bobCode)
    expect(again.error).toBe('AlreadySignedUp')
  })

  it('behavior: attestations are optional per program: required, a plain sign-up is refused; not required, it binds under the same checks', async () => {
    const strict = await deployProgram()
    expect((await strict.call(strict.users[0]!, referralCalls.signUp(strict.aliceCode))).error).toBe('AttestationRequired')
    const open = await deployProgram({ requireAttestation: false })
    const joined = await open.call(open.users[0]!, referralCalls.signUp(open.aliceCode))
    expect(joined.events[0]).toMatchObject({ eventName: 'SignedUp', args: { code: open.aliceCode } })
    expect((await open.call(open.users[0]!, referralCalls.signUp(open.bobCode))).error).toBe('AlreadySignedUp')
    expect((await open.call(open.alice, referralCalls.signUp(open.aliceCode))).error).toBe('SelfReferral')
  })

  it('behavior: self-referral and an unknown code are rejected', async () => {
    const fx = await deployProgram()
    expect((await fx.signUp(fx.alice, fx.aliceCode)).error).toBe('SelfReferral')
    expect((await fx.signUp(fx.users[0]!, `0x${'ab'.repeat(32)}`)).error).toBe('UnknownCode')
  })

  it('behavior: referral cycles are rejected up to the configured depth and allowed beyond it', async () => {
    for (const [depth, expected] of [[4, 'ReferralCycle'], [1, undefined]] as const) {
      const fx = await deployProgram({ maxCycleDepth: depth })
      const [carol, dave] = fx.users as [typeof fx.alice, typeof fx.alice]
      const salt = bytesToHex(new Uint8Array(32).fill(9)) as Hex
      // alice <- carol (carol signs up with alice's code), carol <- dave; then alice tries dave's code.
      expect((await fx.signUp(carol, fx.aliceCode)).status).toBe(1)
      await fx.call(carol, referralCalls.registerCode(salt))
      expect((await fx.signUp(dave, codeFor(carol.address, salt))).status).toBe(1)
      await fx.call(dave, referralCalls.registerCode(salt))
      // depth 1: alice with carol's code closes alice -> carol -> alice.
      expect((await fx.signUp(fx.alice, codeFor(carol.address, salt))).error).toBe('ReferralCycle')
      // depth 2: alice with dave's code closes alice -> dave -> carol -> alice.
      const twoDeep = await fx.signUp(fx.alice, codeFor(dave.address, salt))
      expect(twoDeep.error, `maxCycleDepth ${depth}`).toBe(expected)
    }
  })

  it('behavior: forged, misdirected, malleable, expired and replayed attestations are rejected', async () => {
    const fx = await deployProgram()
    const [carol, dave, erin] = fx.users as [typeof fx.alice, typeof fx.alice, typeof fx.alice]
    const forged = await fx.signUp(carol, fx.aliceCode, { signer: fx.forger })
    expect(forged.error).toBe('InvalidAttestation')
    expect(forged.errorArgs).toEqual([expect.stringMatching(new RegExp(fx.forger.address.slice(2), 'i'))])
    expect((await fx.signUp(carol, fx.aliceCode, { attestedReferee: dave.address })).error).toBe('InvalidAttestation')
    expect((await fx.signUp(carol, fx.aliceCode, { deadline: fx.chain.timestamp - 1n })).error).toBe('AttestationExpired')

    // The same signature with s replaced by n - s recovers the same signer; the program refuses it.
    const attestation = { referee: carol.address, code: fx.aliceCode, deadline: fx.chain.timestamp + DAY, nonce: fx.nextNonce() }
    const key = bytesToHex(fx.verifier.privateKey) as Hex
    const good = await signSignUpAttestation(key, attestation, { chainId: 1, program: fx.program })
    const twin = { v: good.v === 27 ? 28 : 27, r: good.r, s: `0x${(SECP256K1_N - BigInt(good.s)).toString(16).padStart(64, '0')}` as Hex }
    expect((await fx.call(carol, referralCalls.signUpWithAttestation(attestation, twin))).error).toBe('InvalidAttestation')
    expect((await fx.call(carol, referralCalls.signUpWithAttestation(attestation, good))).status).toBe(1)
    // erin replays carol's attestation: the nonce is spent.
    const replay = await fx.call(erin, referralCalls.signUpWithAttestation(attestation, good))
    expect(replay.error).toBe('AttestationReplayed')
    expect(replay.errorArgs).toEqual([attestation.nonce])
  })

  it('behavior: a referrer takes at most signUpCapPerEpoch sign-ups a week, and more the next week', async () => {
    const fx = await deployProgram({ signUpCapPerEpoch: 2 })
    const [a, b, c] = fx.users as [typeof fx.alice, typeof fx.alice, typeof fx.alice]
    expect((await fx.signUp(a, fx.aliceCode)).status).toBe(1)
    expect((await fx.signUp(b, fx.aliceCode)).status).toBe(1)
    const capped = await fx.signUp(c, fx.aliceCode)
    expect(capped.error).toBe('ReferrerCapReached')
    expect(capped.errorArgs).toEqual([expect.any(String), 0n, 2n])
    expect((await fx.signUp(c, fx.bobCode)).status).toBe(1)
    fx.chain.advance(WEEK)
    const nextWeek = await fx.signUp(fx.users[3]!, fx.aliceCode)
    expect(nextWeek.events[1]).toMatchObject({ eventName: 'SignedUp', args: { epoch: 1n } })
  })

  it('behavior: sign-ups and conversions close at programEnd; repeat purchases go on', async () => {
    const fx = await deployProgram()
    const [early, late] = fx.users as [typeof fx.alice, typeof fx.alice]
    for (const user of [early, late]) await fx.signUp(user, fx.aliceCode)
    await fx.call(early, referralCalls.purchase(), 10n * FINNEY)
    fx.chain.advance(fx.config.programEnd - fx.chain.timestamp)
    expect((await fx.signUp(fx.users[2]!, fx.aliceCode, { deadline: fx.config.programEnd + DAY })).error).toBe('ProgramEnded')
    expect((await fx.call(late, referralCalls.purchase(), 10n * FINNEY)).error).toBe('ProgramEnded')
    expect((await fx.call(early, referralCalls.purchase(), FINNEY)).events[0]).toMatchObject({ eventName: 'Purchased', args: { conversion: false } })
  })
})

describe('ReferralProgram on our executor: conversions, tiers and seasons', () => {
  it('behavior: the first purchase of at least minPurchase converts and accrues the tier reward; later ones do not', async () => {
    const fx = await deployProgram()
    const [a, b, c] = fx.users as [typeof fx.alice, typeof fx.alice, typeof fx.alice]
    expect((await fx.call(a, referralCalls.purchase(), 10n * FINNEY)).error).toBe('NotSignedUp')
    for (const user of [a, b, c]) await fx.signUp(user, fx.aliceCode)
    expect((await fx.call(a, referralCalls.purchase(), FINNEY)).error).toBe('PurchaseTooSmall')
    const rewards = []
    for (const user of [a, b, c]) {
      const converted = await fx.call(user, referralCalls.purchase(), 10n * FINNEY)
      expect(converted.events.map((e) => e.eventName)).toEqual(['Purchased', 'RewardAccrued'])
      rewards.push(converted.events[1]!.args)
    }
    // Tier 0 for the first qualified referral, tier 1 (minQualified 2) from the second.
    expect(rewards.map((r) => 'amount' in r && r.amount)).toEqual([TIERS[0]!.rewardWei, TIERS[1]!.rewardWei, TIERS[1]!.rewardWei])
    expect(rewards.map((r) => 'tier' in r && r.tier)).toEqual([0n, 1n, 1n])
    const repeat = await fx.call(a, referralCalls.purchase(), 1n)
    expect(repeat.events).toHaveLength(1)
    expect(repeat.events[0]).toMatchObject({ eventName: 'Purchased', args: { conversion: false } })
  })

  it('behavior: conversions inside the seasonal window earn the bonus multiplier', async () => {
    const seasonStart = FORK_BLOCK_POSITION.cancun.timestamp + WEEK
    const fx = await deployProgram({}, { start: seasonStart, end: seasonStart + WEEK, bonusBps: 15_000 })
    const [a, b, c] = fx.users as [typeof fx.alice, typeof fx.alice, typeof fx.alice]
    for (const user of [a, b, c]) await fx.signUp(user, fx.bobCode)
    const before = await fx.call(a, referralCalls.purchase(), 10n * FINNEY)
    fx.chain.advance(seasonStart - fx.chain.timestamp)
    const during = await fx.call(b, referralCalls.purchase(), 10n * FINNEY)
    fx.chain.advance(WEEK)
    const after = await fx.call(c, referralCalls.purchase(), 10n * FINNEY)
    const accrued = [before, during, after].map((r) => r.events[1]!.args as { amount: bigint; seasonal: boolean })
    expect(accrued.map((a) => a.seasonal)).toEqual([false, true, false])
    expect(accrued.map((a) => a.amount)).toEqual([TIERS[0]!.rewardWei, (TIERS[1]!.rewardWei * 3n) / 2n, TIERS[1]!.rewardWei])
  })

  it('behavior: only the owner governs tiers and seasons, tables are validated, and ownership moves in two steps and cannot be renounced', async () => {
    const fx = await deployProgram()
    const stranger = fx.users[0]!
    expect((await fx.call(stranger, referralCalls.setTiers(TIERS))).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 3, rewardWei: 1n }, { minQualified: 3, rewardWei: 2n }]))).error).toBe('InvalidTiers')
    expect((await fx.call(fx.owner, referralCalls.setTiers([]))).error).toBe('InvalidTiers')
    expect((await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 0, rewardWei: 5n }]))).events[0]).toMatchObject({ eventName: 'TiersSet', args: { by: expect.stringMatching(new RegExp(fx.owner.address.slice(2), 'i')), count: 1n } })
    expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 10n, end: 50n, bonusBps: 12_000 }))).events[0]).toMatchObject({ eventName: 'SeasonSet', args: { start: 10n, end: 50n, bonusBps: 12_000 } })
    expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 10n, end: 5n, bonusBps: 15_000 }))).error).toBe('InvalidSeason')
    expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 10n, end: 50n, bonusBps: 9_000 }))).error).toBe('InvalidSeason')
    expect((await fx.call(fx.owner, referralCalls.transferOwnership(stranger.address))).status).toBe(1)
    expect((await fx.call(fx.alice, referralCalls.acceptOwnership())).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.call(stranger, referralCalls.acceptOwnership())).events[0]).toMatchObject({ eventName: 'OwnershipTransferred' })
    expect((await fx.call(fx.owner, referralCalls.setTiers(TIERS))).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.call(stranger, referralCalls.setTiers(TIERS))).status).toBe(1)
    // OpenZeppelin's Ownable2Step, with renouncing disabled: it would strand the funds withdraw releases.
    const renounce = encodeFunctionData({ abi: referralProgramAbi, functionName: 'renounceOwnership' })
    expect((await fx.call(fx.owner, renounce)).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.call(stranger, renounce)).error).toBe('OwnershipCannotBeRenounced')
  })
})

describe('ReferralProgram on our executor: claims', () => {
  async function convertedReferees(count: number, overrides = {}) {
    const fx = await deployProgram(overrides)
    const referees = fx.users.slice(0, count)
    for (const user of referees) await fx.signUp(user, fx.aliceCode)
    for (const user of referees) await fx.call(user, referralCalls.purchase(), 10n * FINNEY)
    return { fx, referees: referees.map((r) => r.address) }
  }

  it('behavior: rewards vest before they can be claimed, are paid once, and only to the referrer', async () => {
    const { fx, referees } = await convertedReferees(2)
    expect((await fx.call(fx.alice, referralCalls.claim(referees))).error).toBe('RewardLocked')
    fx.chain.advance(WEEK)
    expect((await fx.call(fx.bob, referralCalls.claim(referees))).error).toBe('NotYourReferee')
    const before = fx.chain.balanceOf(fx.program)
    const claimed = await fx.call(fx.alice, referralCalls.claim(referees))
    expect(claimed.events.map((e) => e.eventName)).toEqual(['RewardClaimed', 'RewardClaimed', 'Claimed'])
    const total = TIERS[0]!.rewardWei + TIERS[1]!.rewardWei
    expect(claimed.events[2]!.args).toMatchObject({ total, referees: 2n })
    expect(before - fx.chain.balanceOf(fx.program)).toBe(total)
    expect((await fx.call(fx.alice, referralCalls.claim(referees))).error).toBe('RewardAlreadyClaimed')
    expect((await fx.call(fx.alice, referralCalls.claim([]))).error).toBe('NothingToClaim')
  })

  it('behavior: a referee who never converted has no reward to claim', async () => {
    const fx = await deployProgram()
    await fx.signUp(fx.users[0]!, fx.aliceCode)
    expect((await fx.call(fx.alice, referralCalls.claim([fx.users[0]!.address]))).error).toBe('NoReward')
  })

  it('behavior: payouts per referrer per epoch are capped, and the cap resets the next epoch', async () => {
    const { fx, referees } = await convertedReferees(3, { payoutCapPerEpoch: 3n * FINNEY })
    fx.chain.advance(WEEK)
    const over = await fx.call(fx.alice, referralCalls.claim(referees))
    expect(over.error).toBe('PayoutCapExceeded')
    expect(over.errorArgs.slice(2)).toEqual([5n * FINNEY, 3n * FINNEY])
    expect((await fx.call(fx.alice, referralCalls.claim(referees.slice(0, 2)))).status).toBe(1)
    expect((await fx.call(fx.alice, referralCalls.claim(referees.slice(2)))).error).toBe('PayoutCapExceeded')
    fx.chain.advance(WEEK)
    expect((await fx.call(fx.alice, referralCalls.claim(referees.slice(2)))).status).toBe(1)
  })

  it('behavior: a malicious receiver that re-enters claim is refused by the lock and paid exactly once', async () => {
    const fx = await deployProgram()
    const deployed = await fx.chain.send(fx.bob, { data: encodeDeployData({ abi: reentrantClaimerAbi, bytecode: reentrantClaimerBytecode, args: [fx.program] }) })
    const attacker = deployed.createdAddress!
    const salt = `0x${'11'.repeat(32)}` as Hex
    expect((await fx.chain.send(fx.bob, { to: attacker, data: encodeFunctionData({ abi: reentrantClaimerAbi, functionName: 'registerCode', args: [salt] }) })).status).toBe(1)
    const referees = fx.users.slice(0, 2)
    for (const user of referees) await fx.signUp(user, codeFor(attacker, salt))
    for (const user of referees) await fx.call(user, referralCalls.purchase(), 10n * FINNEY)
    fx.chain.advance(WEEK)
    const programBefore = fx.chain.balanceOf(fx.program)
    const attack = await fx.chain.send(fx.bob, {
      to: attacker,
      data: encodeFunctionData({ abi: reentrantClaimerAbi, functionName: 'attack', args: [referees.map((r) => r.address)] }),
    })
    expect(attack.status).toBe(1)
    const reentered = attack.outcome.logs
      .map(([, topics, data]) => {
        try {
          return decodeEventLog({ abi: reentrantClaimerAbi, topics: topics.map((t) => bytesToHex(t) as Hex) as [Hex], data: bytesToHex(data) as Hex })
        } catch {
          return undefined
        }
      })
      .find((event) => event?.eventName === 'Reentered')
    if (reentered?.eventName !== 'Reentered') throw new Error('the receiver never re-entered')
    const { succeeded, reason } = reentered.args as { succeeded: boolean; reason: Hex }
    expect(succeeded).toBe(false)
    expect(decodeErrorResult({ abi: referralProgramAbi, data: reason }).errorName).toBe('ReentrancyGuardReentrantCall')
    const paid = TIERS[0]!.rewardWei + TIERS[1]!.rewardWei
    expect(programBefore - fx.chain.balanceOf(fx.program)).toBe(paid)
    expect(fx.chain.balanceOf(attacker)).toBe(paid)
  })

  it('behavior: a referrer that cannot take the payment gets TransferFailed and keeps its rewards', async () => {
    const fx = await deployProgram()
    const deployed = await fx.chain.send(fx.bob, { data: encodeDeployData({ abi: rejectingReferrerAbi, bytecode: rejectingReferrerBytecode, args: [fx.program] }) })
    const referrer = deployed.createdAddress!
    const salt = `0x${'22'.repeat(32)}` as Hex
    await fx.chain.send(fx.bob, { to: referrer, data: encodeFunctionData({ abi: rejectingReferrerAbi, functionName: 'registerCode', args: [salt] }) })
    const referee = fx.users[0]!
    expect((await fx.signUp(referee, codeFor(referrer, salt))).status).toBe(1)
    await fx.call(referee, referralCalls.purchase(), 10n * FINNEY)
    fx.chain.advance(WEEK)
    const claim = () => fx.chain.send(fx.bob, { to: referrer, data: encodeFunctionData({ abi: rejectingReferrerAbi, functionName: 'claim', args: [[referee.address]] }) })
    const failed = await claim()
    expect(failed.error).toBe('TransferFailed')
    expect(failed.errorArgs).toEqual([expect.stringMatching(new RegExp(referrer.slice(2), 'i')), TIERS[0]!.rewardWei])
    // Nothing was marked claimed: the same claim fails the same way rather than with RewardAlreadyClaimed.
    expect((await claim()).error).toBe('TransferFailed')
  })

  it('behavior: a deployment with an unusable configuration reverts with InvalidConfig', async () => {
    const fx = await deployProgram()
    const { deployReferralProgramData } = await import('../src/index.js')
    const lastUsable = await fx.chain.send(fx.owner, { data: deployReferralProgramData({ ...fx.config, vestingDelay: fx.config.claimWindow - fx.config.epochLength }, TIERS, NO_SEASON) })
    expect(lastUsable.status).toBe(1)
    const unusable = [
      { epochLength: 0n },
      { maxCycleDepth: 0 },
      { signUpCapPerEpoch: 0 },
      { payoutCapPerEpoch: 0n },
      { programEnd: fx.chain.timestamp },
      { vestingDelay: fx.config.claimWindow + 1n },
      // Rewards vesting as the window closes could never be claimed: at least one epoch must remain.
      { vestingDelay: fx.config.claimWindow },
      { vestingDelay: fx.config.claimWindow - fx.config.epochLength + 1n },
      { claimWindow: 3651n * DAY, vestingDelay: DAY },
    ]
    for (const override of unusable) {
      const bad = await fx.chain.send(fx.owner, { data: deployReferralProgramData({ ...fx.config, ...override }, TIERS, { start: 0n, end: 0n, bonusBps: 10_000 }) })
      expect(bad.error, JSON.stringify(override, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toBe('InvalidConfig')
      // ethereumjs still names the would-be address; nothing was deployed there.
      expect(fx.chain.executor.state.getAccount(bad.createdAddress!)).toBeUndefined()
    }
  })

  it('behavior: the owner cannot withdraw until the program and its claim window are over', async () => {
    const fx = await deployProgram()
    const amount = 10n * FINNEY
    const early = await fx.call(fx.owner, referralCalls.withdraw(fx.owner.address, amount))
    expect(early.error).toBe('WithdrawalLocked')
    expect(early.errorArgs).toEqual([fx.config.programEnd + fx.config.claimWindow])
    fx.chain.advance(fx.config.programEnd + fx.config.claimWindow - fx.chain.timestamp)
    expect((await fx.call(fx.alice, referralCalls.withdraw(fx.alice.address, amount))).error).toBe('OwnableUnauthorizedAccount')
    const before = fx.chain.balanceOf(fx.program)
    expect((await fx.call(fx.owner, referralCalls.withdraw(fx.owner.address, amount))).events[0]).toMatchObject({ eventName: 'Withdrawn', args: { amount } })
    expect(before - fx.chain.balanceOf(fx.program)).toBe(amount)
  })
})

describe('ReferralProgram on our executor: money rules', () => {
  it('behavior: a reward larger than one epoch payout cap is refused when tiers, seasons or the deployment set it, so every reward can be claimed', async () => {
    const fx = await deployProgram({ payoutCapPerEpoch: 3n * FINNEY })
    expect((await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 0, rewardWei: 4n * FINNEY }]))).error).toBe('RewardAboveBound')
    // 2 finney x 2 is over the 3 finney cap; x 1.5 is exactly the cap.
    const doubled = await fx.call(fx.owner, referralCalls.setSeason({ start: 0n, end: 1n, bonusBps: 20_000 }))
    expect(doubled.error).toBe('RewardAboveBound')
    expect(doubled.errorArgs).toEqual([4n * FINNEY, 3n * FINNEY])
    expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 0n, end: 1n, bonusBps: 15_000 }))).status).toBe(1)
    const { deployReferralProgramData } = await import('../src/index.js')
    const overCap = await fx.chain.send(fx.owner, { data: deployReferralProgramData(fx.config, [{ minQualified: 0, rewardWei: 4n * FINNEY }], NO_SEASON) })
    expect(overCap.error).toBe('RewardAboveBound')
  })

  it('behavior: the seasonal bonus is bounded, and no conversion can owe more than the purchase paid in', async () => {
    const fx = await deployProgram()
    for (const bonusBps of [2 ** 32 - 1, 50_001]) {
      expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 0n, end: 1n, bonusBps }))).error, String(bonusBps)).toBe('InvalidSeason')
    }
    // minPurchase is 10 finney: a 6 finney reward at a 2x bonus would owe 12 for 10 paid in.
    expect((await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 0, rewardWei: 6n * FINNEY }]))).status).toBe(1)
    expect((await fx.call(fx.owner, referralCalls.setSeason({ start: 0n, end: 1n, bonusBps: 20_000 }))).error).toBe('RewardAboveBound')
    expect((await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 0, rewardWei: 11n * FINNEY }]))).error).toBe('RewardAboveBound')
  })

  it('behavior: an unfunded program at the largest allowed reward pays every claim from what conversions paid in', async () => {
    // The largest reward the rules allow: minPurchase at the largest bonus in force.
    const season = { start: 0n, end: 2n ** 40n, bonusBps: 50_000 }
    const fx = await deployProgram({}, season, { tiers: [{ minQualified: 0, rewardWei: 2n * FINNEY }], funding: 0n })
    const referees = fx.users.slice(0, 5)
    for (const user of referees) expect((await fx.signUp(user, fx.aliceCode)).status).toBe(1)
    for (const user of referees) {
      const bought = await fx.call(user, referralCalls.purchase(), 10n * FINNEY)
      expect(bought.events[1]!.args).toMatchObject({ amount: 10n * FINNEY, seasonal: true })
    }
    fx.chain.advance(WEEK)
    const claimed = await fx.call(fx.alice, referralCalls.claim(referees.slice(0, 5).map((user) => user.address)))
    expect(claimed.status, claimed.error).toBe(1)
    expect(fx.chain.balanceOf(fx.program)).toBe(0n)
  })

  it('behavior: claims close when the claim window ends, with the window in the error', async () => {
    const fx = await deployProgram()
    const user = fx.users[0]!
    await fx.signUp(user, fx.aliceCode)
    await fx.call(user, referralCalls.purchase(), 10n * FINNEY)
    const closesAt = fx.config.programEnd + fx.config.claimWindow
    fx.chain.advance(closesAt - fx.chain.timestamp)
    const late = await fx.call(fx.alice, referralCalls.claim([user.address]))
    expect(late.error).toBe('ClaimWindowClosed')
    expect(late.errorArgs).toEqual([closesAt])
  })

  it('behavior: tier and season changes take effect at the next epoch, so the owner cannot front-run a conversion', async () => {
    const fx = await deployProgram()
    const [early, late] = fx.users as [typeof fx.alice, typeof fx.alice]
    for (const user of [early, late]) await fx.signUp(user, fx.aliceCode)
    const set = await fx.call(fx.owner, referralCalls.setTiers([{ minQualified: 0, rewardWei: 5n * FINNEY }]))
    expect(set.events[0]).toMatchObject({ eventName: 'TiersSet', args: { fromEpoch: 1n } })
    const season = await fx.call(fx.owner, referralCalls.setSeason({ start: 0n, end: 2n ** 40n, bonusBps: 12_000 }))
    expect(season.events[0]).toMatchObject({ eventName: 'SeasonSet', args: { fromEpoch: 1n } })
    const sameEpoch = await fx.call(early, referralCalls.purchase(), 10n * FINNEY)
    expect(sameEpoch.events[1]!.args).toMatchObject({ amount: TIERS[0]!.rewardWei, seasonal: false })
    fx.chain.advance(WEEK)
    const nextEpoch = await fx.call(late, referralCalls.purchase(), 10n * FINNEY)
    expect(nextEpoch.events[1]!.args).toMatchObject({ amount: 6n * FINNEY, seasonal: true })
  })

  it('behavior: a tier table is bounded (MAX_TIERS entries), as every conversion scans it', async () => {
    const fx = await deployProgram()
    const table = (count: number) => Array.from({ length: count }, (_, i) => ({ minQualified: i, rewardWei: FINNEY }))
    expect((await fx.call(fx.owner, referralCalls.setTiers(table(16)))).status).toBe(1)
    expect((await fx.call(fx.owner, referralCalls.setTiers(table(17)))).error).toBe('InvalidTiers')
  })
})

describe('decodeReferralLog', () => {
  it('behavior: an executor log ([address, topics, data] in bytes) and its JSON-RPC form decode alike; with `program`, a log from any other address is undefined', async () => {
    const fx = await deployProgram()
    const joined = await fx.signUp(fx.users[0]!, fx.aliceCode)
    const raw = joined.outcome.logs.at(-1)!
    const rpc = { address: bytesToHex(raw[0]) as Hex, topics: raw[1].map((topic) => bytesToHex(topic) as Hex), data: bytesToHex(raw[2]) as Hex }
    const fromBytes = decodeReferralLog(raw)
    expect(fromBytes?.eventName).toBe('SignedUp')
    expect(decodeReferralLog(rpc)).toEqual(fromBytes)
    expect(decodeReferralLog(raw, { program: fx.program })).toEqual(fromBytes)
    expect(decodeReferralLog(rpc, { program: fx.program.toUpperCase().replace('0X', '0x') as Hex })).toEqual(fromBytes)
    expect(decodeReferralLog({ ...rpc, address: fx.alice.address }, { program: fx.program })).toBeUndefined()
    expect(decodeReferralLog({ topics: rpc.topics, data: rpc.data }, { program: fx.program })).toBeUndefined()
    expect(decodeReferralLog({ topics: [], data: '0x' })).toBeUndefined()
    expect(decodeReferralLog({ topics: [`0x${'12'.repeat(32)}`], data: '0x' })).toBeUndefined()
  })
})
