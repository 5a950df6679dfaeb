import type { Common } from '@ethereumjs/common'
import type { AddressHex, BlockInput, WriteSet } from '@parallel-evm/core'
import type { CampaignAnalytics } from '../analytics/types.js'
import type { ReferralKitSummary } from '../kit/kitAnalytics.js'

/**
 * Which contracts the campaign runs against: the kit's parallel-friendly `ReferralProgram`, the
 * naive contrast, or a protocol (the example `ReferralMint`) reporting to the kit's registry and
 * rewards vault.
 */
export type ProgramDesign = 'kit' | 'naive' | 'protocol'

export const PROGRAM_DESIGNS: readonly ProgramDesign[] = ['kit', 'naive', 'protocol']

export interface CampaignOptions {
  /** Same seed and options: byte-identical blocks, genesis and ground truth. */
  seed: number
  /** People who may sign up (default 1,200). */
  users?: number
  /** Code owners at launch, with power-law popularity (default 30). */
  referrers?: number
  /** Blocks after the deployment block (default 28). */
  blocks?: number
  /** Days between blocks (default 2): 28 blocks of 2 days is an 8-week campaign. */
  daysPerBlock?: number
  /** Fraud attempts per 100 honest transactions (default 4). */
  fraudPercent?: number
  design?: ProgramDesign
}

/** What a transaction of the campaign is for; the ground truth keeps one per transaction. */
export type ActionKind =
  | 'deploy'
  | 'register-code'
  | 'sign-up'
  | 'purchase'
  | 'claim'
  | FraudKind

/** The ways the generator tries to cheat; each is rejected by one custom error. */
export type FraudKind =
  | 'self-referral'
  | 'cycle'
  | 'forged-attestation'
  | 'replayed-attestation'
  | 'expired-attestation'
  | 'over-cap'
  | 'duplicate-sign-up'
  | 'foreign-claim'

export interface CampaignTransaction {
  block: number
  index: number
  kind: ActionKind
  /** The receipt status the generator's model of the contract predicts. */
  expectedStatus?: 0 | 1
  /** The custom error the model predicts for a rejected transaction. */
  expectedError?: string
}

export interface CampaignBlock {
  number: bigint
  timestamp: bigint
  input: BlockInput
}

export interface Campaign {
  name: string
  design: ProgramDesign
  /** A mainnet Common at Cancun (chain id 1, as the attestations' EIP-712 domain says). */
  common: Common
  genesis: WriteSet
  blocks: CampaignBlock[]
  /** The program's address (created by the first transaction of the first block). */
  program: AddressHex
  /** The program's epoch (its week), in seconds, as deployed. */
  epochLength: bigint
  admin: AddressHex
  verifier: AddressHex
  coinbase: AddressHex
  referrers: AddressHex[]
  transactions: CampaignTransaction[]
  /** What the analytics must find (kit design only): the generator's own model, not execution. */
  groundTruth: CampaignAnalytics | undefined
  /** The protocol design's contracts (`program` is its registry) and what their events must add up to. */
  protocol?: ProtocolCampaign
}

export interface ProtocolCampaign {
  registry: AddressHex
  rewards: AddressHex
  badges: AddressHex
  mint: AddressHex
  truth: {
    /** The tallies of the kit's events, from the generator's model of the contracts. */
    summary: ReferralKitSummary
    /** Refused attempts by kind (failed transactions leave no logs: these come from revert data). */
    fraudBlocked: Record<FraudKind, number>
  }
}
