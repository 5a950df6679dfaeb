import type { AddressHex, Hex } from '@parallel-evm/core'
import type { SeededRandom } from '@parallel-evm/fixtures'
import { keccak256, toHex } from 'viem'
import { codeFor } from '../client.js'
import type { CampaignActors } from './campaignActors.js'
import { powerLawCumulative } from './campaignActors.js'
import type { Intent, PlannedSignUp } from './intents.js'
import type { CampaignModel, ModelOutcome } from './programModel.js'
import type { FraudKind } from './types.js'

const DAY = 86_400n
/** Sign-up waves: launch, the seasonal window, a late push (share of users, centre day, spread in days). */
const WAVES = [
  { share: 0.4, day: 3, spread: 3 },
  { share: 0.35, day: 17, spread: 4 },
  { share: 0.25, day: 38, spread: 6 },
] as const
const SIGN_UP_SHARE = 0.85
const CONVERSION_SHARE = 0.45
const SUB_REFERRER_SHARE = 0.08
const CLAIM_CHANCE = 0.5
const MAX_CLAIM_REFEREES = 40
/** How long the verifier's attestation stays usable: a week. */
const ATTESTATION_VALIDITY = 7n * DAY

export interface PlannerSettings {
  blocks: number
  daysPerBlock: number
  fraudPercent: number
  start: bigint
}

/**
 * Decides, block by block, what every participant tries to do, from the model's state at the
 * start of the block: sign-up waves, conversions a few blocks after sign-up, repeat purchases that
 * fade week by week, claims of vested rewards within the payout cap, and fraud attempts.
 */
export class CampaignPlanner {
  private readonly signUpBlockOf = new Map<AddressHex, number>()
  private readonly conversionBlockOf = new Map<AddressHex, number>()
  private readonly convertedAt = new Map<AddressHex, bigint>()
  private readonly retries: AddressHex[] = []
  private readonly codeOf = new Map<AddressHex, Hex>()
  private readonly initialCumulative: number[]
  private readonly subReferrers: AddressHex[] = []
  private readonly signedUpBefore: AddressHex[] = []
  private readonly usedSignUps: PlannedSignUp[] = []
  private readonly pendingRewards = new Map<AddressHex, AddressHex[]>()
  private nextNonce = 1n

  constructor(
    private readonly actors: CampaignActors,
    private readonly model: CampaignModel,
    private readonly random: SeededRandom,
    private readonly settings: PlannerSettings,
  ) {
    this.initialCumulative = powerLawCumulative(actors.referrers.length)
    const totalDays = settings.blocks * settings.daysPerBlock
    for (const user of actors.users) {
      if (!random.chance(SIGN_UP_SHARE)) continue
      const day = Math.min(totalDays - 0.5, Math.max(0.5, this.waveDay()))
      this.signUpBlockOf.set(user.address, Math.min(settings.blocks, Math.max(1, Math.ceil(day / settings.daysPerBlock))))
    }
  }

  timestampOf(block: number): bigint {
    return this.settings.start + BigInt(block * this.settings.daysPerBlock) * DAY
  }

  /** Block 0: the program is deployed, then every launch referrer registers a code. */
  launch(): Intent[] {
    const intents: Intent[] = [{ kind: 'deploy', from: this.actors.admin.address }]
    for (const [i, referrer] of this.actors.referrers.entries()) intents.push(this.registration(referrer.address, i))
    return intents
  }

  /** Everything tried in block `block` (1-based), in block order. */
  plan(block: number): Intent[] {
    const now = this.timestampOf(block)
    const honest: Intent[] = [...this.signUps(block, now), ...this.registrations(), ...this.purchases(block, now), ...this.claims(now)]
    const frauds = Math.floor((honest.length * this.settings.fraudPercent) / 100 + this.random.float())
    const attempts: Intent[] = []
    for (let i = 0; i < frauds; i++) {
      const attempt = this.fraud(now)
      if (attempt !== undefined) attempts.push(attempt)
    }
    return this.random.shuffle([...honest, ...attempts])
  }

  /** Learns what the model made of an intent, for the blocks planned after this one. */
  observe(intent: Intent, outcome: ModelOutcome<unknown>, block: number, now: bigint): void {
    if (intent.kind === 'register-code' && outcome.ok) this.codeOf.set(intent.from, intent.code)
    if (intent.kind === 'sign-up') {
      if (!outcome.ok) {
        this.retries.push(intent.from)
        return
      }
      this.signedUpBefore.push(intent.from)
      this.usedSignUps.push(intent.signUp)
      if (this.random.chance(CONVERSION_SHARE)) this.conversionBlockOf.set(intent.from, block + this.random.int(1, 4))
    }
    if (intent.kind === 'purchase' && outcome.ok) {
      if (!this.convertedAt.has(intent.from)) this.convertedAt.set(intent.from, now)
      // A program pays once per referee; a protocol's vault on every action, so a referee can owe again.
      const referrer = this.model.referralOf.get(intent.from)!.referrer
      const pending = this.pendingRewards.get(referrer) ?? []
      if (this.model.owedTo(intent.from) > 0n && !pending.includes(intent.from)) this.pendingRewards.set(referrer, [...pending, intent.from])
    }
    if (intent.kind === 'claim' && outcome.ok) {
      this.pendingRewards.set(intent.from, (this.pendingRewards.get(intent.from) ?? []).filter((referee) => this.model.owedTo(referee) > 0n))
    }
  }

  private signUps(block: number, now: bigint): Intent[] {
    const joining = [...this.retries.splice(0), ...[...this.signUpBlockOf].filter(([, b]) => b === block).map(([user]) => user)]
    return joining.map((user) => ({ kind: 'sign-up' as const, from: user, signUp: this.attestation(user, this.pickCode(), now + ATTESTATION_VALIDITY, true) }))
  }

  private registrations(): Intent[] {
    const intents: Intent[] = []
    for (const user of this.signedUpBefore) {
      if (this.codeOf.has(user) || this.subReferrers.includes(user) || !this.random.chance(SUB_REFERRER_SHARE / 4)) continue
      this.subReferrers.push(user)
      intents.push(this.registration(user, 0))
    }
    return intents
  }

  private purchases(block: number, now: bigint): Intent[] {
    const intents: Intent[] = []
    const minPurchase = this.model.minPurchase
    for (const user of this.signedUpBefore) {
      const converted = this.convertedAt.get(user)
      if (converted === undefined) {
        if (this.conversionBlockOf.get(user) === block) intents.push({ kind: 'purchase', from: user, value: minPurchase * BigInt(this.random.int(1, 5)) })
        continue
      }
      const weeks = Number((now - converted) / (7n * DAY))
      if (this.random.chance(0.3 * 0.85 ** weeks)) intents.push({ kind: 'purchase', from: user, value: minPurchase / BigInt(this.random.int(1, 10)) })
    }
    return intents
  }

  private claims(now: bigint): Intent[] {
    const intents: Intent[] = []
    for (const [referrer, referees] of this.pendingRewards) {
      if (referees.length === 0 || !this.random.chance(CLAIM_CHANCE)) continue
      let room = this.model.payoutRemaining(referrer, now)
      const claimable: AddressHex[] = []
      for (const referee of referees) {
        const amount = this.model.claimableAt(referee, now)
        if (amount === 0n || amount > room || claimable.length === MAX_CLAIM_REFEREES) continue
        room -= amount
        claimable.push(referee)
      }
      if (claimable.length > 0) intents.push({ kind: 'claim', from: referrer, referees: claimable })
    }
    return intents
  }

  private fraud(now: bigint): Intent | undefined {
    const kinds: FraudKind[] = ['self-referral', 'cycle', 'forged-attestation', 'replayed-attestation', 'expired-attestation', 'duplicate-sign-up', 'foreign-claim']
    const kind = this.random.pick(kinds)
    const attacker = this.random.pick(this.actors.attackers).address
    const launchReferrer = this.random.pick(this.actors.referrers).address
    switch (kind) {
      case 'self-referral':
        return { kind, from: launchReferrer, signUp: this.attestation(launchReferrer, this.codeOf.get(launchReferrer)!, now + ATTESTATION_VALIDITY, true) }
      case 'cycle': {
        const loop = this.cycleCandidate()
        return loop && { kind, from: loop.from, signUp: this.attestation(loop.from, loop.code, now + ATTESTATION_VALIDITY, true) }
      }
      case 'forged-attestation':
        return { kind, from: attacker, signUp: this.attestation(attacker, this.codeOf.get(launchReferrer)!, now + ATTESTATION_VALIDITY, false) }
      case 'replayed-attestation': {
        // Copied from a recent sign-up, still within its deadline: only the used nonce stops it.
        const fresh = this.usedSignUps.filter((signUp) => signUp.deadline >= now)
        return fresh.length === 0 ? undefined : { kind, from: attacker, signUp: this.random.pick(fresh) }
      }
      case 'expired-attestation':
        return { kind, from: attacker, signUp: this.attestation(attacker, this.codeOf.get(launchReferrer)!, now - DAY, true) }
      case 'duplicate-sign-up': {
        if (this.signedUpBefore.length === 0) return undefined
        const user = this.random.pick(this.signedUpBefore)
        return { kind, from: user, signUp: this.attestation(user, this.codeOf.get(launchReferrer)!, now + ATTESTATION_VALIDITY, true) }
      }
      case 'foreign-claim': {
        const victims = this.signedUpBefore.filter((user) => this.model.referralOf.get(user)!.referrer !== launchReferrer)
        return victims.length === 0 ? undefined : { kind, from: launchReferrer, referees: [this.random.pick(victims)] }
      }
      default:
        return undefined
    }
  }

  /** A launch referrer X whose referee (or referee's referee) Y owns a code: X signing up with it closes a loop. */
  private cycleCandidate(): { from: AddressHex; code: Hex } | undefined {
    const launch = new Set(this.actors.referrers.map((r) => r.address))
    const candidates: { from: AddressHex; code: Hex }[] = []
    for (const sub of this.subReferrers) {
      const code = this.codeOf.get(sub)
      if (code === undefined) continue
      let ancestor = this.model.referralOf.get(sub)?.referrer
      for (let depth = 0; depth < 2 && ancestor !== undefined; depth++) {
        if (launch.has(ancestor)) candidates.push({ from: ancestor, code })
        ancestor = this.model.referralOf.get(ancestor)?.referrer
      }
    }
    return candidates.length === 0 ? undefined : this.random.pick(candidates)
  }

  private registration(owner: AddressHex, index: number): Intent {
    const salt = keccak256(toHex(`referral-code:${owner}:${index}`))
    return { kind: 'register-code', from: owner, salt, code: codeFor(owner, salt) }
  }

  private attestation(referee: AddressHex, code: Hex, deadline: bigint, signedByVerifier: boolean): PlannedSignUp {
    return { attestedReferee: referee, code, deadline, nonce: this.nextNonce++, signedByVerifier }
  }

  /** A code by popularity: launch referrers by power law, sub-referrers now and then. */
  private pickCode(): Hex {
    const subCodes = this.subReferrers.map((sub) => this.codeOf.get(sub)).filter((code): code is Hex => code !== undefined)
    if (subCodes.length > 0 && this.random.chance(0.05)) return this.random.pick(subCodes)
    const total = this.initialCumulative[this.initialCumulative.length - 1]!
    const draw = this.random.float() * total
    const rank = this.initialCumulative.findIndex((cumulative) => draw < cumulative)
    return this.codeOf.get(this.actors.referrers[rank === -1 ? 0 : rank]!.address)!
  }

  /** A day drawn from the sign-up waves (a sum of uniforms, roughly normal). */
  private waveDay(): number {
    let draw = this.random.float()
    const wave = WAVES.find((w) => (draw -= w.share) < 0) ?? WAVES[WAVES.length - 1]!
    const noise = (this.random.float() + this.random.float() + this.random.float() - 1.5) * 2
    return wave.day + noise * wave.spread
  }
}
