import type { AddressHex, Hex } from '@parallel-evm/core'
import { encodeDeployData, encodeFunctionData } from 'viem'
import { signRegistryAttestation } from '../client.js'
import { referralMintAbi, referralMintBytecode } from '../generated/referralMint.js'
import { referralRegistryAbi } from '../generated/referralRegistry.js'
import { referralRewardsAbi } from '../generated/referralRewards.js'
import { deployReferralBadgesData, deployReferralRegistryData, deployReferralRewardsData } from '../kit/deployData.js'
import type { EncodedCall } from './encodeIntent.js'
import type { Intent } from './intents.js'
import type { MintOutcome, ProtocolSettings } from './protocolModel.js'

/** Where the protocol campaign's contracts land: the admin's first four creations. */
export interface ProtocolAddresses {
  registry: AddressHex
  rewards: AddressHex
  badges: AddressHex
  mint: AddressHex
}

export interface ProtocolEncodingContext {
  addresses: ProtocolAddresses
  settings: ProtocolSettings
  chainId: number
  verifierKey: Hex
  forgerKey: Hex
  badgesUri: string
}

/**
 * The intent as calls on the protocol design: the registry for codes and sign-ups, the example
 * mint for purchases (paying the price the model computed at the buyer's discount), the vault for
 * claims. The deployment is eight calls: four contracts, then the wiring and the funding.
 */
export async function encodeProtocolIntent(intent: Intent, minted: MintOutcome | undefined, context: ProtocolEncodingContext): Promise<EncodedCall[]> {
  const { addresses, settings } = context
  const on = (to: AddressHex, data: Hex, value = 0n): EncodedCall => ({ to, value, data })
  switch (intent.kind) {
    case 'deploy':
      return [
        { to: undefined, value: 0n, data: deployReferralRegistryData(settings.registry, settings.tiers) },
        { to: undefined, value: 0n, data: deployReferralRewardsData(addresses.registry, settings.rewards, { season: settings.season }) },
        { to: undefined, value: 0n, data: deployReferralBadgesData(addresses.registry, context.badgesUri) },
        { to: undefined, value: 0n, data: encodeDeployData({ abi: referralMintAbi, bytecode: referralMintBytecode, args: [addresses.registry, addresses.rewards, settings.unitPrice] }) },
        on(addresses.registry, encodeFunctionData({ abi: referralRegistryAbi, functionName: 'setQualifier', args: [addresses.rewards, true] })),
        on(addresses.registry, encodeFunctionData({ abi: referralRegistryAbi, functionName: 'setBadges', args: [addresses.badges] })),
        on(addresses.rewards, encodeFunctionData({ abi: referralRewardsAbi, functionName: 'setReporter', args: [addresses.mint, true] })),
        on(addresses.rewards, encodeFunctionData({ abi: referralRewardsAbi, functionName: 'fund', args: [settings.funding] }), settings.funding),
      ]
    case 'register-code':
      return [on(addresses.registry, encodeFunctionData({ abi: referralRegistryAbi, functionName: 'registerCode', args: [intent.salt] }))]
    case 'purchase':
      return [on(addresses.mint, encodeFunctionData({ abi: referralMintAbi, functionName: 'mint', args: [minted!.quantity] }), minted!.price)]
    case 'claim':
    case 'foreign-claim':
      return [on(addresses.rewards, encodeFunctionData({ abi: referralRewardsAbi, functionName: 'claim', args: [intent.referees] }))]
    default: {
      const { signUp } = intent
      signUp.signature ??= await signRegistryAttestation(
        signUp.signedByVerifier ? context.verifierKey : context.forgerKey,
        { referee: signUp.attestedReferee, code: signUp.code, deadline: signUp.deadline, nonce: signUp.nonce },
        { chainId: context.chainId, registry: addresses.registry },
      )
      const { v, r, s } = signUp.signature
      return [on(addresses.registry, encodeFunctionData({ abi: referralRegistryAbi, functionName: 'signUpWithAttestation', args: [signUp.code, signUp.deadline, signUp.nonce, v, r, s] }))]
    }
  }
}
