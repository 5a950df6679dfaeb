import type { AddressHex, Hex } from '@parallel-evm/core'
import { getAddress } from 'viem'
import { emptyReferralKitSummary, type ReferralKitReferrer, type ReferralKitSummary } from '../kit/kitAnalytics.js'
import type { RegistryConfig, RegistryTier, RewardsConfig, RewardsSeason } from '../kit/types.js'
import type { CampaignModel, ModelOutcome, SignUpRequest } from './programModel.js'
import { SignUpBook } from './signUpBook.js'

const BPS = 10_000n
const BUCKETS = 32n

/** Everything the protocol campaign deploys, as the model needs it. */
export interface ProtocolSettings {
  registry: RegistryConfig
  tiers: readonly RegistryTier[]
  rewards: RewardsConfig
  season: RewardsSeason
  /** The example mint's price of one item, before the buyer's discount. */
  unitPrice: bigint
  funding: bigint
}

interface Accrual {
  vested: bigint
  locked: bigint
  unlockAt: bigint
}

/** What one mint did: what the buyer paid, and what its referrer accrued. */
export interface MintOutcome {
  referrer: AddressHex | undefined
  quantity: bigint
  price: bigint
  reward: bigint
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error })
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value })

/**
 * ReferralRegistry, ReferralRewards, ReferralBadges and the example ReferralMint restated in
 * TypeScript, in the contracts' order of checks: the protocol campaign's oracle. It also keeps,
 * independently of the analytics, the tallies their events must add up to (`truth()`).
 */
export class ProtocolModel implements CampaignModel {
  private readonly signUps: SignUpBook<{ referrer: AddressHex; qualified: boolean }>
  private readonly qualifiedOf = new Map<AddressHex, number>()
  private readonly accrualOf = new Map<AddressHex, Accrual>()
  private readonly paidInEpoch = new Map<string, bigint>()
  private readonly buckets = Array.from({ length: Number(BUCKETS) }, () => ({ funded: 0n, owed: 0n }))
  private readonly badges = new Set<string>()
  private readonly tally: ReferralKitSummary = emptyReferralKitSummary()
  private readonly referrerTally = new Map<AddressHex, ReferralKitReferrer>()

  constructor(
    readonly start: bigint,
    readonly settings: ProtocolSettings,
  ) {
    this.signUps = new SignUpBook(settings.registry, (now) => this.epochAt(now))
  }

  get referralOf(): ReadonlyMap<AddressHex, { referrer: AddressHex; qualified: boolean }> {
    return this.signUps.referralOf
  }

  get minPurchase(): bigint {
    return this.settings.unitPrice
  }

  epochAt(now: bigint): number {
    return Number((now - this.start) / this.settings.registry.epochLength)
  }

  /** `fund(amount)`: split evenly over the buckets, the remainder to the first. */
  fund(amount: bigint): void {
    const share = amount / BUCKETS
    this.buckets.forEach((bucket, i) => (bucket.funded += i === 0 ? share + (amount % BUCKETS) : share))
    this.tally.vault.funded += amount
  }

  registerCode(owner: AddressHex, code: Hex): ModelOutcome {
    const registered = this.signUps.registerCode(owner, code)
    if (registered.ok) this.tally.codes += 1
    return registered
  }

  signUp(sender: AddressHex, request: SignUpRequest, now: bigint): ModelOutcome<{ referrer: AddressHex; epoch: number }> {
    const bound = this.signUps.signUp(sender, request, now, (referrer) => ({ referrer, qualified: false }))
    if (!bound.ok) return bound
    this.tally.attestationsUsed += 1
    this.tally.signUps += 1
    this.referrerEntry(bound.value.referrer).signUps += 1
    return bound
  }

  /**
   * A mint of `listValue / unitPrice` items (at least one) at the buyer's discount, reported to the
   * vault: qualification, tier rate, season, the bucket's funds and vesting, as the contracts do.
   */
  purchase(buyer: AddressHex, listValue: bigint, now: bigint): ModelOutcome<MintOutcome> {
    const { unitPrice, rewards, season } = this.settings
    const quantity = listValue / unitPrice > 0n ? listValue / unitPrice : 1n
    const referral = this.referralOf.get(buyer)
    const tier = referral === undefined ? 0 : this.tierOf(referral.referrer)
    const discount = referral === undefined ? 0n : BigInt(this.settings.tiers[tier]!.discountBps)
    const price = (unitPrice * quantity * (BPS - discount)) / BPS
    const minted: MintOutcome = { referrer: referral?.referrer, quantity, price, reward: 0n }
    if (referral === undefined || now >= rewards.programEnd || price < rewards.minQualifyingValue) return ok(minted)

    const referrer = referral.referrer
    if (!referral.qualified) this.qualify(referral)
    let reward = (price * BigInt(this.settings.tiers[tier]!.rewardBps)) / BPS
    const seasonal = now >= season.start && now < season.end
    if (seasonal) reward = (reward * BigInt(season.bonusBps)) / BPS
    const bucket = this.buckets[Number(BigInt(referrer) % BUCKETS)]!
    const available = bucket.funded - bucket.owed
    if (reward > available) {
      this.tally.actions.unfunded += reward - available
      reward = available
    }
    if (reward === 0n) return ok(minted)
    bucket.owed += reward
    // Batches: an open batch takes the reward as it is; an unlocked one counts as vested and a new one opens.
    const accrual = this.accrualOf.get(buyer) ?? { vested: 0n, locked: 0n, unlockAt: 0n }
    if (accrual.unlockAt <= now) {
      accrual.vested += accrual.locked
      accrual.locked = reward
      accrual.unlockAt = now + rewards.vestingDelay
    } else {
      accrual.locked += reward
    }
    this.accrualOf.set(buyer, accrual)

    const entry = this.referrerEntry(referrer)
    entry.accrued += reward
    if (BigInt(tier) > entry.tier) entry.tier = BigInt(tier)
    this.tally.actions.rewarded += 1
    this.tally.actions.value += price
    this.tally.actions.accrued += reward
    if (seasonal) this.tally.actions.seasonal += 1
    return ok({ ...minted, reward })
  }

  /** Pays vested rewards in list order up to what the epoch's cap leaves; a cut reward stays vested. */
  claim(referrer: AddressHex, referees: readonly AddressHex[], now: bigint): ModelOutcome<{ paid: { referee: AddressHex; amount: bigint; accruedAt: bigint }[] }> {
    const { rewards } = this.settings
    if (now >= rewards.programEnd + rewards.claimWindow) return fail('ClaimWindowClosed')
    if (referees.some((referee) => this.referralOf.get(referee)?.referrer !== referrer)) return fail('NotYourReferee')
    const key = `${referrer}:${this.payoutEpochAt(now)}`
    const before = this.paidInEpoch.get(key) ?? 0n
    const room = rewards.payoutCapPerEpoch - before
    // Work on copies: a reverted claim changes nothing.
    const accruals = new Map(referees.map((referee) => [referee, { ...(this.accrualOf.get(referee) ?? { vested: 0n, locked: 0n, unlockAt: 0n }) }]))
    const paid: { referee: AddressHex; amount: bigint; accruedAt: bigint }[] = []
    let total = 0n
    let vestedTotal = 0n
    for (const referee of referees) {
      const accrual = accruals.get(referee)!
      if (accrual.unlockAt <= now && accrual.locked !== 0n) {
        accrual.vested += accrual.locked
        accrual.locked = 0n
      }
      const amount = accrual.vested < room - total ? accrual.vested : room - total
      vestedTotal += accrual.vested
      if (amount === 0n) continue
      accrual.vested -= amount
      total += amount
      paid.push({ referee, amount, accruedAt: now })
    }
    if (total === 0n) return fail(vestedTotal === 0n ? 'NothingToClaim' : 'PayoutCapExceeded')
    this.paidInEpoch.set(key, before + total)
    for (const [referee, accrual] of accruals) if (this.accrualOf.has(referee)) this.accrualOf.set(referee, accrual)
    const bucket = this.buckets[Number(BigInt(referrer) % BUCKETS)]!
    bucket.owed -= total
    bucket.funded -= total
    this.tally.claims.count += 1
    this.tally.claims.paid += total
    this.referrerEntry(referrer).claimed += total
    return ok({ paid })
  }

  claimableAt(referee: AddressHex, now: bigint): bigint {
    const accrual = this.accrualOf.get(referee)
    if (accrual === undefined) return 0n
    return accrual.vested + (accrual.unlockAt <= now ? accrual.locked : 0n)
  }

  owedTo(referee: AddressHex): bigint {
    const accrual = this.accrualOf.get(referee)
    return accrual === undefined ? 0n : accrual.vested + accrual.locked
  }

  payoutRemaining(referrer: AddressHex, now: bigint): bigint {
    return this.settings.rewards.payoutCapPerEpoch - (this.paidInEpoch.get(`${referrer}:${this.payoutEpochAt(now)}`) ?? 0n)
  }

  /** The vault's epoch (its own length; it is deployed in the registry's block, so from the same start). */
  private payoutEpochAt(now: bigint): number {
    return Number((now - this.start) / this.settings.rewards.epochLength)
  }

  /** What the kit's events must add up to, in `summarizeReferralKit`'s shape. */
  truth(): ReferralKitSummary {
    const referrers = [...this.referrerTally.values()].map((entry) => ({ ...entry, badges: [...entry.badges] }))
    referrers.sort((a, b) => (a.accrued === b.accrued ? a.referrer.localeCompare(b.referrer) : a.accrued > b.accrued ? -1 : 1))
    return structuredClone({ ...this.tally, referrers })
  }

  private qualify(referral: { referrer: AddressHex; qualified: boolean }): void {
    referral.qualified = true
    const qualified = (this.qualifiedOf.get(referral.referrer) ?? 0) + 1
    this.qualifiedOf.set(referral.referrer, qualified)
    this.tally.qualified += 1
    const entry = this.referrerEntry(referral.referrer)
    entry.qualified += 1
    const tier = this.tierOf(referral.referrer)
    const badge = `${referral.referrer}:${tier}`
    if (tier > 0 && this.settings.tiers[tier]!.minQualified === qualified && !this.badges.has(badge)) {
      this.badges.add(badge)
      this.tally.badges += 1
      entry.badges.push(BigInt(tier))
    }
  }

  private tierOf(referrer: AddressHex): number {
    const qualified = this.qualifiedOf.get(referrer) ?? 0
    for (let i = this.settings.tiers.length - 1; i > 0; i--) if (qualified >= this.settings.tiers[i]!.minQualified) return i
    return 0
  }

  private referrerEntry(referrer: AddressHex): ReferralKitReferrer {
    let entry = this.referrerTally.get(referrer)
    if (entry === undefined) {
      entry = { referrer: getAddress(referrer), signUps: 0, qualified: 0, tier: 0n, accrued: 0n, claimed: 0n, badges: [] }
      this.referrerTally.set(referrer, entry)
    }
    return entry
  }
}
