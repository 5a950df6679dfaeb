import type { FraudKind } from './campaign/types.js'

/** The custom error that rejects each kind of fraud attempt. */
export const FRAUD_ERRORS: Readonly<Record<FraudKind, string>> = {
  'self-referral': 'SelfReferral',
  cycle: 'ReferralCycle',
  'forged-attestation': 'InvalidAttestation',
  'replayed-attestation': 'AttestationReplayed',
  'expired-attestation': 'AttestationExpired',
  'over-cap': 'ReferrerCapReached',
  'duplicate-sign-up': 'AlreadySignedUp',
  'foreign-claim': 'NotYourReferee',
}

export const FRAUD_KINDS = Object.keys(FRAUD_ERRORS) as FraudKind[]

const kindByError = new Map(Object.entries(FRAUD_ERRORS).map(([kind, error]) => [error, kind as FraudKind]))

/** The fraud kind a custom error stands for; undefined for an error that is not a fraud check. */
export function fraudKindOf(errorName: string): FraudKind | undefined {
  return kindByError.get(errorName)
}

export function emptyFraudCounts(): Record<FraudKind, number> {
  return Object.fromEntries(FRAUD_KINDS.map((kind) => [kind, 0])) as Record<FraudKind, number>
}
