import type { AddressHex, Hex } from '@parallel-evm/core'
import type { AttestationSignature } from '../client.js'
import type { SignUpRequest } from './programModel.js'
import type { ActionKind } from './types.js'

/** A sign-up as planned: the model's request plus a signature already made (a replay reuses one). */
export interface PlannedSignUp extends SignUpRequest {
  signature?: AttestationSignature
}

/** One transaction the planner wants in a block, before nonces, encoding and signing. */
export type Intent =
  | { kind: 'deploy'; from: AddressHex }
  | { kind: 'register-code'; from: AddressHex; salt: Hex; code: Hex }
  | { kind: 'sign-up' | 'self-referral' | 'cycle' | 'forged-attestation' | 'replayed-attestation' | 'expired-attestation' | 'duplicate-sign-up'; from: AddressHex; signUp: PlannedSignUp }
  | { kind: 'purchase'; from: AddressHex; value: bigint }
  | { kind: 'claim' | 'foreign-claim'; from: AddressHex; referees: AddressHex[] }

export type SignUpIntent = Extract<Intent, { signUp: PlannedSignUp }>

export function isSignUpIntent(intent: Intent): intent is SignUpIntent {
  return 'signUp' in intent
}

/** Gas limits with room to spare over what each call measures, so no honest call runs out of gas. */
export function gasLimitFor(intent: Intent): bigint {
  switch (intent.kind) {
    case 'deploy':
      return 4_000_000n
    case 'register-code':
      return 120_000n
    case 'purchase':
      // The naive design's conversion re-sorts its on-chain leaderboard.
      return 300_000n
    case 'claim':
    case 'foreign-claim':
      return 120_000n + 40_000n * BigInt(intent.referees.length)
    default:
      return 200_000n
  }
}

export type { ActionKind }
