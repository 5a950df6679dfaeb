import { encodeDeployData, type Hex } from 'viem'
import { referralBadgesAbi, referralBadgesBytecode } from '../generated/referralBadges.js'
import { referralRegistryAbi, referralRegistryBytecode } from '../generated/referralRegistry.js'
import { referralRewardsAbi, referralRewardsBytecode } from '../generated/referralRewards.js'
import { ETH_REWARDS, type RegistryConfig, type RegistryTier, type RewardsConfig, type RewardsSeason } from './types.js'

/** No seasonal bonus. */
export const NO_REWARDS_SEASON: RewardsSeason = { start: 0n, end: 0n, bonusBps: 10_000 }

/** Creation code and constructor arguments of a `ReferralRegistry`, for a raw deployment transaction. */
export function deployReferralRegistryData(config: RegistryConfig, tiers: readonly RegistryTier[]): Hex {
  return encodeDeployData({ abi: referralRegistryAbi, bytecode: referralRegistryBytecode, args: [config, tiers] })
}

/** Creation code and constructor arguments of a `ReferralRewards` paying `asset` (`ETH_REWARDS` for ETH). */
export function deployReferralRewardsData(registry: Hex, config: RewardsConfig, options: { asset?: Hex; season?: RewardsSeason } = {}): Hex {
  return encodeDeployData({
    abi: referralRewardsAbi,
    bytecode: referralRewardsBytecode,
    args: [registry, options.asset ?? ETH_REWARDS, config, options.season ?? NO_REWARDS_SEASON],
  })
}

/** Creation code and constructor arguments of the soulbound `ReferralBadges` of `registry`. */
export function deployReferralBadgesData(registry: Hex, uri: string): Hex {
  return encodeDeployData({ abi: referralBadgesAbi, bytecode: referralBadgesBytecode, args: [registry, uri] })
}
