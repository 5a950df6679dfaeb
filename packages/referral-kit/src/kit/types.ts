import type { Hex } from 'viem'

/** The registry's sign-up settings fixed at deployment (the Solidity `ReferralSignUps.SignUpRules`). */
export interface RegistryConfig {
  /** Signs sign-up attestations; zero when `requireAttestation` is false and no attestations are used. */
  verifier: Hex
  epochLength: bigint
  maxCycleDepth: number
  signUpCapPerEpoch: number
  requireAttestation: boolean
}

/** A registry tier: from `minQualified` qualified referees, `rewardBps` of each reported value, `discountBps` off the referees' fees. */
export interface RegistryTier {
  minQualified: number
  rewardBps: number
  discountBps: number
}

/** The rewards vault's settings fixed at deployment (the Solidity `ReferralRewards.Config`). */
export interface RewardsConfig {
  epochLength: bigint
  vestingDelay: bigint
  programEnd: bigint
  /** Claims stay open until `programEnd + claimWindow` (at least `vestingDelay + epochLength`); then the owner may take back what was never claimed. */
  claimWindow: bigint
  payoutCapPerEpoch: bigint
  /** Smaller reported actions earn nothing and do not qualify a referee. */
  minQualifyingValue: bigint
}

/** A seasonal window in which rewards are multiplied by `bonusBps / 10_000` (10,000: no bonus; at most 20,000). */
export interface RewardsSeason {
  start: bigint
  end: bigint
  bonusBps: number
}

/** Where a deployed kit lives. */
export interface ReferralKitAddresses {
  registry: Hex
  rewards: Hex
  /** Absent when the kit was deployed without badges. */
  badges?: Hex
}

/** The zero address, as the rewards vault's `asset` for ETH rewards. */
export const ETH_REWARDS: Hex = '0x0000000000000000000000000000000000000000'
