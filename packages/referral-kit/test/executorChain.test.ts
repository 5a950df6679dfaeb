import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { deployReferralKitOnExecutor, ReferralKitTransactionError } from '../src/index.js'
import { FINNEY, KIT_TIERS, WEEK } from './kitFixture.js'
import { TestChain } from './testChain.js'

describe('ExecutorChain and deployReferralKitOnExecutor', () => {
  it('behavior: the kit deploys on our executor from an app\'s point of view (a private key and options), and a failed step is a typed error naming it', async () => {
    const test = await TestChain.start(3)
    const [owner, verifier] = test.accounts as [(typeof test.accounts)[0], (typeof test.accounts)[0]]
    const ownerKey = bytesToHex(owner.privateKey) as Hex
    const steps: string[] = []
    const options = {
      registry: { config: { verifier: verifier.address, epochLength: WEEK, maxCycleDepth: 4, signUpCapPerEpoch: 10, requireAttestation: true }, tiers: KIT_TIERS },
      rewards: { config: { epochLength: WEEK, vestingDelay: WEEK, programEnd: test.timestamp + 10n * WEEK, claimWindow: 4n * WEEK, payoutCapPerEpoch: FINNEY, minQualifyingValue: 0n } },
      badgesUri: 'https://badges.example/{id}.json',
      funding: 5n * FINNEY,
    }
    const addresses = await deployReferralKitOnExecutor(test.chain, ownerKey, { ...options, onStep: (step) => steps.push(step) })
    expect(steps).toEqual(['deploy ReferralRegistry', 'deploy ReferralRewards', 'allow the vault to qualify referees', 'deploy ReferralBadges', 'connect the badges', 'fund the vault'])
    expect(test.chain.balanceOf(addresses.rewards)).toBe(5n * FINNEY)
    // A call on the chain decodes the kit's custom errors.
    const refused = await test.chain.send(ownerKey, { to: addresses.registry, data: '0x715018a6' }) // renounceOwnership()
    expect(refused.status).toBe(0)
    expect(refused.error?.errorName).toBe('OwnershipCannotBeRenounced')

    const failed = deployReferralKitOnExecutor(test.chain, ownerKey, { ...options, registry: { ...options.registry, tiers: [] } })
    await expect(failed).rejects.toBeInstanceOf(ReferralKitTransactionError)
    await expect(failed).rejects.toMatchObject({ step: 'deploy ReferralRegistry' })
  })
})
