import type { AddressHex, Hex } from '@parallel-evm/core'
import type { ProgramConfig, Season, Tier } from '../client.js'
import { SignUpBook } from './signUpBook.js'

const BPS = 10_000n

export interface ModelReferral {
  referrer: AddressHex
  signedUpAt: bigint
  convertedAt: bigint
}

export interface ModelReward {
  amount: bigint
  unlockAt: bigint
  claimed: boolean
  accruedAt: bigint
}

/** A sign-up as submitted: whose attestation it carries and who signed it. */
export interface SignUpRequest {
  /** The referee the attestation names (differs from the sender when it is replayed). */
  attestedReferee: AddressHex
  code: Hex
  deadline: bigint
  nonce: bigint
  signedByVerifier: boolean
}

/** The outcome of one call: success with what it did, or the custom error it reverts with. */
export type ModelOutcome<T = undefined> = { ok: true; value: T } | { ok: false; error: string }

/** What the campaign planner asks of a contract model, whichever contracts it restates. */
export interface CampaignModel {
  readonly referralOf: ReadonlyMap<AddressHex, { readonly referrer: AddressHex }>
  /** The smallest purchase that converts a referee. */
  readonly minPurchase: bigint
  epochAt(now: bigint): number
  registerCode(owner: AddressHex, code: Hex): ModelOutcome
  signUp(sender: AddressHex, request: SignUpRequest, now: bigint): ModelOutcome<{ referrer: AddressHex; epoch: number }>
  purchase(buyer: AddressHex, value: bigint, now: bigint): ModelOutcome<unknown>
  claim(referrer: AddressHex, referees: readonly AddressHex[], now: bigint): ModelOutcome<{ paid: { referee: AddressHex; amount: bigint; accruedAt: bigint }[] }>
  /** What a claim for `referee` would pay at `now` (0 when nothing has vested). */
  claimableAt(referee: AddressHex, now: bigint): bigint
  /** All that is owed for `referee`, vested or not. */
  owedTo(referee: AddressHex): bigint
  /** What `referrer` may still be paid in the epoch of `now`. */
  payoutRemaining(referrer: AddressHex, now: bigint): bigint
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error })
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

/**
 * ReferralProgram.sol restated in TypeScript: the generator runs every transaction through it to
 * know, before any EVM runs, what the contract must do. Checks run in the contract's order, so a
 * rejected call predicts the exact custom error. Kept apart from the analytics on purpose: the
 * ground truth it yields is an independent oracle for them.
 */
export class ProgramModel implements CampaignModel {
  readonly rewardOf = new Map<AddressHex, ModelReward>()
  readonly qualifiedOf = new Map<AddressHex, number>()
  private readonly paidInEpoch = new Map<string, bigint>()
  private readonly signUps: SignUpBook<ModelReferral>

  constructor(
    readonly start: bigint,
    readonly config: ProgramConfig,
    readonly tiers: readonly Tier[],
    readonly season: Season,
  ) {
    this.signUps = new SignUpBook(config, (now) => this.epochAt(now))
  }

  get referralOf(): ReadonlyMap<AddressHex, ModelReferral> {
    return this.signUps.referralOf
  }

  get minPurchase(): bigint {
    return this.config.minPurchase
  }

  epochAt(now: bigint): number {
    return Number((now - this.start) / this.config.epochLength)
  }

  registerCode(owner: AddressHex, code: Hex): ModelOutcome {
    return this.signUps.registerCode(owner, code)
  }

  signUp(sender: AddressHex, request: SignUpRequest, now: bigint): ModelOutcome<{ referrer: AddressHex; epoch: number }> {
    if (now >= this.config.programEnd) return fail('ProgramEnded')
    return this.signUps.signUp(sender, request, now, (referrer) => ({ referrer, signedUpAt: now, convertedAt: 0n }))
  }

  purchase(
    buyer: AddressHex,
    value: bigint,
    now: bigint,
  ): ModelOutcome<{ referrer: AddressHex; conversion?: { amount: bigint; seasonal: boolean } }> {
    const referral = this.referralOf.get(buyer)
    if (referral === undefined) return fail('NotSignedUp')
    if (referral.convertedAt !== 0n) return ok({ referrer: referral.referrer })
    if (now >= this.config.programEnd) return fail('ProgramEnded')
    if (value < this.config.minPurchase) return fail('PurchaseTooSmall')
    referral.convertedAt = now
    const qualified = (this.qualifiedOf.get(referral.referrer) ?? 0) + 1
    this.qualifiedOf.set(referral.referrer, qualified)
    let amount = this.tierReward(qualified)
    const seasonal = now >= this.season.start && now < this.season.end
    if (seasonal) amount = (amount * BigInt(this.season.bonusBps)) / BPS
    this.rewardOf.set(buyer, { amount, unlockAt: now + this.config.vestingDelay, claimed: false, accruedAt: now })
    return ok({ referrer: referral.referrer, conversion: { amount, seasonal } })
  }

  claim(referrer: AddressHex, referees: readonly AddressHex[], now: bigint): ModelOutcome<{ paid: { referee: AddressHex; amount: bigint; accruedAt: bigint }[] }> {
    const paid: { referee: AddressHex; amount: bigint; accruedAt: bigint }[] = []
    const claimedHere = new Set<AddressHex>()
    if (now >= this.config.programEnd + this.config.claimWindow) return fail('ClaimWindowClosed')
    for (const referee of referees) {
      if (this.referralOf.get(referee)?.referrer !== referrer) return fail('NotYourReferee')
      const reward = this.rewardOf.get(referee)
      if (reward?.claimed === true || claimedHere.has(referee)) return fail('RewardAlreadyClaimed')
      if (reward === undefined || reward.amount === 0n) return fail('NoReward')
      if (now < reward.unlockAt) return fail('RewardLocked')
      claimedHere.add(referee)
      paid.push({ referee, amount: reward.amount, accruedAt: reward.accruedAt })
    }
    const total = paid.reduce((sum, item) => sum + item.amount, 0n)
    if (total === 0n) return fail('NothingToClaim')
    const key = `${referrer}:${this.epochAt(now)}`
    const before = this.paidInEpoch.get(key) ?? 0n
    if (before + total > this.config.payoutCapPerEpoch) return fail('PayoutCapExceeded')
    this.paidInEpoch.set(key, before + total)
    for (const item of paid) {
      const reward = this.rewardOf.get(item.referee)!
      reward.amount = 0n
      reward.claimed = true
    }
    return ok({ paid })
  }

  claimableAt(referee: AddressHex, now: bigint): bigint {
    const reward = this.rewardOf.get(referee)
    return reward === undefined || reward.claimed || reward.unlockAt > now ? 0n : reward.amount
  }

  owedTo(referee: AddressHex): bigint {
    const reward = this.rewardOf.get(referee)
    return reward === undefined || reward.claimed ? 0n : reward.amount
  }

  payoutRemaining(referrer: AddressHex, now: bigint): bigint {
    return this.config.payoutCapPerEpoch - (this.paidInEpoch.get(`${referrer}:${this.epochAt(now)}`) ?? 0n)
  }

  private tierReward(qualified: number): bigint {
    for (let i = this.tiers.length - 1; i >= 0; i--) if (qualified >= this.tiers[i]!.minQualified) return this.tiers[i]!.rewardWei
    return 0n
  }
}
