import {
  getAddress,
  getContract,
  parseAbi,
  publicActions,
  type Abi,
  type Account,
  type Chain,
  type Client,
  type GetContractReturnType,
  type Hex,
  type Transport,
  type WalletClient,
} from 'viem'
import { referralBadgesAbi, referralBadgesBytecode } from '../generated/referralBadges.js'
import { referralRegistryAbi, referralRegistryBytecode } from '../generated/referralRegistry.js'
import { referralRewardsAbi, referralRewardsBytecode } from '../generated/referralRewards.js'
import { NO_REWARDS_SEASON } from './deployData.js'
import { ETH_REWARDS, type ReferralKitAddresses, type RegistryConfig, type RegistryTier, type RewardsConfig, type RewardsSeason } from './types.js'

/** A wallet client with its account and chain set: what deploying and writing need. */
export type ReferralKitWallet = WalletClient<Transport, Chain, Account>

export interface DeployReferralKitOptions {
  registry: { config: RegistryConfig; tiers: readonly RegistryTier[] }
  rewards: { config: RewardsConfig; /** An ERC-20's address; ETH when absent. */ asset?: Hex; season?: RewardsSeason }
  /** The badges' ERC-1155 metadata URI (with `{id}`); no badges when absent. */
  badgesUri?: string
  /** Contracts (the integrating protocol) or accounts allowed to report actions. */
  reporters?: readonly Hex[]
  /** Funds the vault at once: ETH, or the token (approved by the deployer first). */
  funding?: bigint
  /** Called after each step, for progress output. */
  onStep?: (step: string, hash: Hex) => void
}

/** A kit transaction that was mined but reverted, or a deployment without a contract address. */
export class ReferralKitTransactionError extends Error {
  override readonly name = 'ReferralKitTransactionError'
  constructor(
    readonly step: string,
    readonly hash: Hex,
  ) {
    super(`referral kit: ${step} failed in transaction ${hash}`)
  }
}

/**
 * Deploys a registry, a rewards vault (ETH or an ERC-20) and, with `badgesUri`, badges, and wires
 * them: the vault may qualify referees, the registry awards badges, the reporters may report, the
 * vault is funded. Each call is simulated first, so a revert surfaces as viem's decoded custom
 * error before anything is sent. Works against any EIP-1193 provider (viem's `custom` transport),
 * an RPC URL, or a dev chain. `deployReferralKitOnExecutor` does the same on our executor.
 */
export async function deployReferralKit(wallet: ReferralKitWallet, options: DeployReferralKitOptions): Promise<ReferralKitAddresses> {
  const client = wallet.extend(publicActions)
  const confirm = async (step: string, hash: Hex) => {
    const receipt = await client.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new ReferralKitTransactionError(step, hash)
    options.onStep?.(step, hash)
    return receipt
  }
  return runKitDeployment(options, {
    deploy: async (step, abi, bytecode, args) => {
      const receipt = await confirm(step, await client.deployContract({ abi, bytecode, args }))
      if (receipt.contractAddress == null) throw new ReferralKitTransactionError(step, receipt.transactionHash)
      return getAddress(receipt.contractAddress)
    },
    write: async (step, address, abi, functionName, args, value) => {
      const { request } = await client.simulateContract({ address, abi, functionName, args, account: wallet.account, ...(value === undefined ? {} : { value }) })
      await confirm(step, await client.writeContract(request))
    },
  })
}

/** How a deployment reaches a chain: a contract creation, and a call. Both throw when the transaction fails. */
export interface KitDeploymentDriver {
  deploy(step: string, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Hex>
  write(step: string, address: Hex, abi: Abi, functionName: string, args: readonly unknown[], value?: bigint): Promise<void>
}

/** The kit's deployment, step by step, in one order on every chain (so the addresses match across chains for the same deployer). */
export async function runKitDeployment(options: Omit<DeployReferralKitOptions, 'onStep'>, driver: KitDeploymentDriver): Promise<ReferralKitAddresses> {
  const { deploy, write } = driver
  const registry = await deploy('deploy ReferralRegistry', referralRegistryAbi, referralRegistryBytecode, [options.registry.config, options.registry.tiers])
  const asset = options.rewards.asset ?? ETH_REWARDS
  const rewards = await deploy('deploy ReferralRewards', referralRewardsAbi, referralRewardsBytecode, [
    registry,
    asset,
    options.rewards.config,
    options.rewards.season ?? NO_REWARDS_SEASON,
  ])
  await write('allow the vault to qualify referees', registry, referralRegistryAbi, 'setQualifier', [rewards, true])
  let badges: Hex | undefined
  if (options.badgesUri !== undefined) {
    badges = await deploy('deploy ReferralBadges', referralBadgesAbi, referralBadgesBytecode, [registry, options.badgesUri])
    await write('connect the badges', registry, referralRegistryAbi, 'setBadges', [badges])
  }
  for (const reporter of options.reporters ?? []) await write(`authorize reporter ${reporter}`, rewards, referralRewardsAbi, 'setReporter', [reporter, true])
  if (options.funding !== undefined && options.funding > 0n) {
    if (asset === ETH_REWARDS) await write('fund the vault', rewards, referralRewardsAbi, 'fund', [options.funding], options.funding)
    else {
      await write('approve the vault', asset, ERC20_ABI, 'approve', [rewards, options.funding])
      await write('fund the vault', rewards, [...referralRewardsAbi, ...ERC20_ABI], 'fund', [options.funding])
    }
  }
  return { registry, rewards, ...(badges === undefined ? {} : { badges }) }
}

/**
 * `approve`, and the standard ERC-20 errors (ERC-6093, as OpenZeppelin's tokens revert), so a
 * funding that the token refuses reads as `ERC20InsufficientBalance` and not a bare selector.
 */
const ERC20_ABI = parseAbi([
  'function approve(address spender, uint256 amount) returns (bool)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InvalidSender(address sender)',
  'error ERC20InvalidReceiver(address receiver)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InvalidApprover(address approver)',
  'error ERC20InvalidSpender(address spender)',
])

/** The kit's contracts bound to a client: every function as a typed `read`, `write`, `simulate` and `estimateGas` action, every event as `getEvents` and `watchEvent`. */
export interface ReferralKitContracts<C extends Client> {
  registry: GetContractReturnType<typeof referralRegistryAbi, C>
  rewards: GetContractReturnType<typeof referralRewardsAbi, C>
  badges: GetContractReturnType<typeof referralBadgesAbi, C> | undefined
}

/**
 * The kit's contracts at `addresses`, bound to `client` (a public client for reads, a wallet client
 * for writes too, or `{ public, wallet }`): viem contract instances typed from the solc ABIs.
 */
export function referralKitContracts<C extends Client>(client: C, addresses: ReferralKitAddresses): ReferralKitContracts<C> {
  return {
    registry: getContract({ address: addresses.registry, abi: referralRegistryAbi, client }),
    rewards: getContract({ address: addresses.rewards, abi: referralRewardsAbi, client }),
    badges: addresses.badges === undefined ? undefined : getContract({ address: addresses.badges, abi: referralBadgesAbi, client }),
  }
}
