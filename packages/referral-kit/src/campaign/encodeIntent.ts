import type { AddressHex, Hex } from '@parallel-evm/core'
import {
  deployReferralProgramData,
  referralCalls,
  signSignUpAttestation,
  type ProgramConfig,
  type Season,
  type Tier,
} from '../client.js'
import { deployNaiveReferralProgramData, naiveReferralCalls } from '../contrast.js'
import type { Intent } from './intents.js'
import type { ProgramDesign } from './types.js'

/** A call ready to sign: `to` undefined creates a contract. */
export interface EncodedCall {
  to: AddressHex | undefined
  value: bigint
  data: Hex
}

export interface EncodingContext {
  design: ProgramDesign
  program: AddressHex
  chainId: number
  verifierKey: Hex
  forgerKey: Hex
  config: ProgramConfig
  tiers: readonly Tier[]
  season: Season
  funding: bigint
  /** The naive design pays one flat reward (the kit's middle tier). */
  naiveReward: bigint
}

/**
 * The intent as a call on the chosen design, or undefined when the naive design has no such entry
 * point (it has no attestations, so forged, replayed and expired ones cannot even be attempted).
 */
export async function encodeIntent(intent: Intent, context: EncodingContext): Promise<EncodedCall | undefined> {
  const call = (data: Hex, value = 0n): EncodedCall => ({ to: context.program, value, data })
  if (context.design === 'naive') {
    switch (intent.kind) {
      case 'deploy':
        return { to: undefined, value: context.funding, data: deployNaiveReferralProgramData(context.naiveReward, context.config.minPurchase) }
      case 'register-code':
        return call(naiveReferralCalls.registerCode(intent.code))
      case 'sign-up':
      case 'self-referral':
      case 'duplicate-sign-up':
        return call(naiveReferralCalls.signUp(intent.signUp.code))
      case 'purchase':
        return call(naiveReferralCalls.purchase(), intent.value)
      case 'claim':
        return call(naiveReferralCalls.claim())
      default:
        return undefined
    }
  }
  switch (intent.kind) {
    case 'deploy':
      return { to: undefined, value: context.funding, data: deployReferralProgramData(context.config, context.tiers, context.season) }
    case 'register-code':
      return call(referralCalls.registerCode(intent.salt))
    case 'purchase':
      return call(referralCalls.purchase(), intent.value)
    case 'claim':
    case 'foreign-claim':
      return call(referralCalls.claim(intent.referees))
    default: {
      const { signUp } = intent
      signUp.signature ??= await signSignUpAttestation(
        signUp.signedByVerifier ? context.verifierKey : context.forgerKey,
        { referee: signUp.attestedReferee, code: signUp.code, deadline: signUp.deadline, nonce: signUp.nonce },
        { chainId: context.chainId, program: context.program },
      )
      return call(referralCalls.signUpWithAttestation(signUp, signUp.signature))
    }
  }
}
