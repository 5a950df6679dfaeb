import type { AddressHex, Hex } from '@parallel-evm/core'
import type { ModelOutcome, SignUpRequest } from './programModel.js'

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error })

/**
 * Codes and attested sign-ups as both ReferralProgram and ReferralRegistry restate them: the same
 * checks in the same order (expiry, replay, signature, code, self-referral, duplicate, cycle, cap).
 * `R` is what each model keeps per referee.
 */
export class SignUpBook<R extends { referrer: AddressHex }> {
  readonly codeOwner = new Map<Hex, AddressHex>()
  readonly referralOf = new Map<AddressHex, R>()
  private readonly signUpsInEpoch = new Map<string, number>()
  private readonly attestationUsed = new Set<bigint>()

  constructor(
    private readonly rules: { readonly maxCycleDepth: number; readonly signUpCapPerEpoch: number },
    private readonly epochAt: (now: bigint) => number,
  ) {}

  registerCode(owner: AddressHex, code: Hex): ModelOutcome {
    if (this.codeOwner.has(code)) return fail('CodeTaken')
    this.codeOwner.set(code, owner)
    return { ok: true, value: undefined }
  }

  /** Binds `sender` to the code's owner, keeping `record(referrer)` for it, or the custom error the contract reverts with. */
  signUp(sender: AddressHex, request: SignUpRequest, now: bigint, record: (referrer: AddressHex) => R): ModelOutcome<{ referrer: AddressHex; epoch: number }> {
    if (now > request.deadline) return fail('AttestationExpired')
    if (this.attestationUsed.has(request.nonce)) return fail('AttestationReplayed')
    if (!request.signedByVerifier || request.attestedReferee !== sender) return fail('InvalidAttestation')
    const referrer = this.codeOwner.get(request.code)
    if (referrer === undefined) return fail('UnknownCode')
    if (referrer === sender) return fail('SelfReferral')
    if (this.referralOf.has(sender)) return fail('AlreadySignedUp')
    let ancestor = this.referralOf.get(referrer)?.referrer
    for (let depth = 0; depth < this.rules.maxCycleDepth && ancestor !== undefined; depth++) {
      if (ancestor === sender) return fail('ReferralCycle')
      ancestor = this.referralOf.get(ancestor)?.referrer
    }
    const epoch = this.epochAt(now)
    const capKey = `${referrer}:${epoch}`
    const signUps = (this.signUpsInEpoch.get(capKey) ?? 0) + 1
    if (signUps > this.rules.signUpCapPerEpoch) return fail('ReferrerCapReached')
    this.signUpsInEpoch.set(capKey, signUps)
    this.attestationUsed.add(request.nonce)
    this.referralOf.set(sender, record(referrer))
    return { ok: true, value: { referrer, epoch } }
  }
}
