import { bytesToHex } from '@ethereumjs/util'
import type { Hex } from '@parallel-evm/core'
import { encodeFunctionData, getAddress, hashTypedData, type Abi } from 'viem'
import { describe, expect, it } from 'vitest'
import { codeFor, deployReferralRegistryData, signRegistryAttestation, type RegistryTier } from '../src/index.js'
import { DAY, deployKit, eventNames, KIT_TIERS, referralBadgesAbi, referralRegistryAbi, WEEK } from './kitFixture.js'

const salt = (fill: number) => bytesToHex(new Uint8Array(32).fill(fill)) as Hex

describe('ReferralRegistry', () => {
  it('behavior: codes derive from their owner, are unique, and move in two steps', async () => {
    const fx = await deployKit()
    const [carol, dave] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0]]
    expect((await fx.registryCall(fx.alice, 'registerCode', [salt(7)])).error).toBe('CodeTaken')
    const copied = await fx.registryCall(carol, 'registerCode', [salt(7)])
    expect(copied.kitEvents[0]).toMatchObject({ eventName: 'CodeRegistered', args: { code: codeFor(getAddress(carol.address), salt(7)), owner: getAddress(carol.address) } })
    expect(await fx.read<Hex>(fx.registry, referralRegistryAbi, 'codeFor', [carol.address, salt(7)])).toBe(codeFor(carol.address, salt(7)))

    expect((await fx.registryCall(carol, 'proposeCodeTransfer', [fx.aliceCode, carol.address])).error).toBe('NotCodeOwner')
    expect((await fx.registryCall(fx.alice, 'proposeCodeTransfer', [fx.aliceCode, dave.address])).status).toBe(1)
    expect((await fx.registryCall(carol, 'acceptCodeTransfer', [fx.aliceCode])).error).toBe('NoPendingCodeTransfer')
    const moved = await fx.registryCall(dave, 'acceptCodeTransfer', [fx.aliceCode])
    expect(eventNames(moved)).toEqual(['CodeTransferred'])
    expect((await fx.signUp(carol, fx.aliceCode)).status).toBe(1)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'referrerOf', [carol.address])).toBe(getAddress(dave.address))
  })

  it('behavior: an attested sign-up binds once; self-referral, unknown codes and cycles are refused', async () => {
    const fx = await deployKit()
    const [carol, dave] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0]]
    const joined = await fx.signUp(carol, fx.aliceCode)
    expect(eventNames(joined)).toEqual(['AttestationUsed', 'SignedUp'])
    expect(joined.kitEvents[1]).toMatchObject({ args: { referee: getAddress(carol.address), referrer: getAddress(fx.alice.address), code: fx.aliceCode, epoch: 0n } })
    expect((await fx.signUp(carol, fx.bobCode)).error).toBe('AlreadySignedUp')
    expect((await fx.signUp(fx.alice, fx.aliceCode)).error).toBe('SelfReferral')
    expect((await fx.signUp(dave, salt(9))).error).toBe('UnknownCode')
    // alice <- carol; carol's code, then alice signing up under carol closes a loop.
    await fx.registryCall(carol, 'registerCode', [salt(3)])
    const cycle = await fx.signUp(fx.alice, codeFor(carol.address, salt(3)))
    expect(cycle.error).toBe('ReferralCycle')
    expect(cycle.errorArgs).toEqual([getAddress(fx.alice.address), getAddress(carol.address)])
  })

  it('behavior: forged, expired and replayed attestations are refused; plain sign-ups only when attestations are off', async () => {
    const fx = await deployKit()
    const [carol, dave] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0]]
    expect((await fx.registryCall(carol, 'signUp', [fx.aliceCode])).error).toBe('AttestationRequired')
    expect((await fx.signUp(carol, fx.aliceCode, { signer: fx.bob })).error).toBe('InvalidAttestation')
    expect((await fx.signUp(carol, fx.aliceCode, { deadline: fx.chain.timestamp })).error).toBe('AttestationExpired')
    expect((await fx.signUp(carol, fx.aliceCode, { nonce: 77n })).status).toBe(1)
    expect((await fx.signUp(dave, fx.aliceCode, { nonce: 77n })).error).toBe('AttestationReplayed')
    // The signature is bound to the referee: dave cannot use carol's.
    const attestation = { referee: carol.address, code: fx.aliceCode, deadline: fx.chain.timestamp + DAY, nonce: 78n }
    const signature = await signRegistryAttestation(bytesToHex(fx.verifier.privateKey) as Hex, attestation, { chainId: 1, registry: fx.registry })
    const stolen = await fx.registryCall(dave, 'signUpWithAttestation', [fx.aliceCode, attestation.deadline, attestation.nonce, signature.v, signature.r, signature.s])
    expect(stolen.error).toBe('InvalidAttestation')
    // The contract's digest is the EIP-712 hash viem signs (domain ReferralRegistry, version 1, chain 1).
    const digest = await fx.read<Hex>(fx.registry, referralRegistryAbi, 'signUpDigest', [carol.address, fx.aliceCode, attestation.deadline, 78n])
    expect(digest).toBe(
      hashTypedData({
        domain: { name: 'ReferralRegistry', version: '1', chainId: 1, verifyingContract: fx.registry },
        types: { SignUp: [{ name: 'referee', type: 'address' }, { name: 'code', type: 'bytes32' }, { name: 'deadline', type: 'uint256' }, { name: 'nonce', type: 'uint256' }] },
        primaryType: 'SignUp',
        message: attestation,
      }),
    )

    const open = await deployKit({ registry: { requireAttestation: false } })
    expect((await open.registryCall(open.users[0]!, 'signUp', [open.aliceCode])).status).toBe(1)
  })

  it('behavior: a referrer takes at most signUpCapPerEpoch sign-ups an epoch, and more the next', async () => {
    const fx = await deployKit({ registry: { signUpCapPerEpoch: 2 } })
    const [a, b, c] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0], (typeof fx.users)[0]]
    expect((await fx.signUp(a, fx.aliceCode)).status).toBe(1)
    expect((await fx.signUp(b, fx.aliceCode)).status).toBe(1)
    const capped = await fx.signUp(c, fx.aliceCode)
    expect(capped.error).toBe('ReferrerCapReached')
    expect(capped.errorArgs).toEqual([getAddress(fx.alice.address), 0n, 2n])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'signUpsInEpoch', [fx.alice.address, 0n])).toBe(2n)
    fx.chain.advance(WEEK)
    expect((await fx.signUp(c, fx.aliceCode)).status).toBe(1)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'currentEpoch')).toBe(1n)
  })

  it('behavior: only qualifiers record qualification; it counts once per referee and moves the referrer up the tiers', async () => {
    const fx = await deployKit()
    const [a, b, c, outsider] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0], (typeof fx.users)[0], (typeof fx.users)[0]]
    expect((await fx.registryCall(fx.alice, 'recordQualified', [a.address])).error).toBe('NotQualifier')
    await fx.registryCall(fx.owner, 'setQualifier', [fx.owner.address, true])
    expect((await fx.registryCall(fx.owner, 'recordQualified', [outsider.address])).error).toBe('NotSignedUp')
    for (const user of [a, b, c]) await fx.signUp(user, fx.aliceCode)
    const first = await fx.registryCall(fx.owner, 'recordQualified', [a.address])
    expect(first.kitEvents[0]).toMatchObject({ eventName: 'Qualified', args: { referee: getAddress(a.address), referrer: getAddress(fx.alice.address), qualified: 1n, tier: 0n } })
    expect(eventNames(await fx.registryCall(fx.owner, 'recordQualified', [a.address]))).toEqual([])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierOf', [fx.alice.address])).toBe(0n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [a.address])).toBe(0n)
    await fx.registryCall(fx.owner, 'recordQualified', [b.address])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierOf', [fx.alice.address])).toBe(1n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [c.address])).toBe(500n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [outsider.address])).toBe(0n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'rewardTermsOf', [c.address])).toEqual([getAddress(fx.alice.address), 1n, 2_000n])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'rewardTermsOf', [outsider.address])).toEqual(['0x0000000000000000000000000000000000000000', 0n, 0n])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'qualifiedOf', [fx.alice.address])).toBe(2)
    // Reaching tier 1 awarded its badge; the soulbound badge cannot move or be approved.
    expect(await fx.read(fx.badges, referralBadgesAbi, 'balanceOf', [fx.alice.address, 1n])).toBe(1n)
    const transfer = encodeFunctionData({ abi: referralBadgesAbi, functionName: 'safeTransferFrom', args: [fx.alice.address, fx.bob.address, 1n, 1n, '0x'] })
    expect((await fx.call(fx.alice, fx.badges, transfer)).error).toBe('Soulbound')
    const approve = encodeFunctionData({ abi: referralBadgesAbi, functionName: 'setApprovalForAll', args: [fx.bob.address, true] })
    expect((await fx.call(fx.alice, fx.badges, approve)).error).toBe('Soulbound')
  })

  it('behavior: badges are awarded by the registry only, and a skipped badge is claimed once its tier is reached', async () => {
    const fx = await deployKit()
    const [a, b] = fx.users as [(typeof fx.users)[0], (typeof fx.users)[0]]
    const award = encodeFunctionData({ abi: referralBadgesAbi, functionName: 'award', args: [fx.alice.address, 1n] })
    expect((await fx.call(fx.alice, fx.badges, award)).error).toBe('NotRegistry')
    const claim = (tier: bigint) => encodeFunctionData({ abi: referralBadgesAbi, functionName: 'claim', args: [tier] })
    expect((await fx.call(fx.alice, fx.badges, claim(1n))).error).toBe('TierNotReached')
    expect((await fx.call(fx.alice, fx.badges, claim(0n))).error).toBe('TierNotReached')
    // Badges off while alice reaches tier 1: no badge then, a claim later.
    await fx.registryCall(fx.owner, 'setBadges', ['0x0000000000000000000000000000000000000000'])
    await fx.registryCall(fx.owner, 'setQualifier', [fx.owner.address, true])
    for (const user of [a, b]) {
      await fx.signUp(user, fx.aliceCode)
      await fx.registryCall(fx.owner, 'recordQualified', [user.address])
    }
    expect(await fx.read(fx.badges, referralBadgesAbi, 'balanceOf', [fx.alice.address, 1n])).toBe(0n)
    const claimed = await fx.call(fx.alice, fx.badges, claim(1n))
    expect(claimed.outcome.logs.length).toBe(2) // TransferSingle and BadgeAwarded
    expect((await fx.call(fx.alice, fx.badges, claim(1n))).error).toBe('AlreadyAwarded')
    expect(await fx.read(fx.badges, referralBadgesAbi, 'uri', [1n])).toBe('https://badges.example/{id}.json')
  })

  it('behavior: the owner alone sets qualifiers, badges and tiers; tiers take effect the next epoch and are validated', async () => {
    const fx = await deployKit()
    expect((await fx.registryCall(fx.alice, 'setQualifier', [fx.alice.address, true])).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.registryCall(fx.alice, 'setBadges', [fx.alice.address])).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.registryCall(fx.alice, 'setTiers', [KIT_TIERS])).error).toBe('OwnableUnauthorizedAccount')
    const invalid: RegistryTier[][] = [
      [],
      [{ minQualified: 1, rewardBps: 100, discountBps: 0 }],
      [{ minQualified: 0, rewardBps: 5_001, discountBps: 0 }],
      [{ minQualified: 0, rewardBps: 100, discountBps: 10_001 }],
      [{ minQualified: 0, rewardBps: 100, discountBps: 0 }, { minQualified: 0, rewardBps: 200, discountBps: 0 }],
      Array.from({ length: 17 }, (_, i) => ({ minQualified: i, rewardBps: 100, discountBps: 0 })),
    ]
    for (const tiers of invalid) expect((await fx.registryCall(fx.owner, 'setTiers', [tiers])).error).toBe('InvalidTiers')

    const flat: RegistryTier[] = [{ minQualified: 0, rewardBps: 4_000, discountBps: 2_000 }]
    const set = await fx.registryCall(fx.owner, 'setTiers', [flat])
    expect(set.kitEvents[0]).toMatchObject({ eventName: 'TiersSet', args: { count: 1n, fromEpoch: 1n } })
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierCount')).toBe(3n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'scheduled')).toEqual([flat, 1n])
    const [referee] = fx.users as [(typeof fx.users)[0]]
    await fx.signUp(referee, fx.aliceCode)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [referee.address])).toBe(0n)
    fx.chain.advance(WEEK)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierCount')).toBe(1n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierAt', [0n])).toEqual(flat[0])
    // The new table drives what protocols read: the discount and the reward rate.
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [referee.address])).toBe(2_000n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'rewardTermsOf', [referee.address])).toEqual([getAddress(fx.alice.address), 0n, 4_000n])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'scheduled')).toEqual([[], 0n])
    // A second change moves the first into place and schedules itself.
    expect((await fx.registryCall(fx.owner, 'setTiers', [KIT_TIERS])).status).toBe(1)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierCount')).toBe(1n)
    fx.chain.advance(WEEK)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierCount')).toBe(3n)
  })

  it('behavior: ownership moves in two steps and cannot be renounced; invalid configurations do not deploy', async () => {
    const fx = await deployKit()
    expect((await fx.registryCall(fx.owner, 'renounceOwnership')).error).toBe('OwnershipCannotBeRenounced')
    expect((await fx.registryCall(fx.owner, 'transferOwnership', [fx.bob.address])).status).toBe(1)
    expect((await fx.registryCall(fx.alice, 'acceptOwnership')).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.registryCall(fx.bob, 'acceptOwnership')).status).toBe(1)
    expect(await fx.read(fx.registry, referralRegistryAbi as Abi, 'owner')).toBe(getAddress(fx.bob.address))

    const base = fx.registryConfig
    const invalid = [{ epochLength: 0n }, { maxCycleDepth: 0 }, { signUpCapPerEpoch: 0 }, { verifier: '0x0000000000000000000000000000000000000000' as Hex }]
    for (const change of invalid) {
      const deployed = await fx.chain.send(fx.owner, { data: deployReferralRegistryData({ ...base, ...change }, KIT_TIERS) })
      expect(deployed.error, JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? `${v}` : v))).toBe('InvalidConfig')
    }
    const badTiers = await fx.chain.send(fx.owner, { data: deployReferralRegistryData(base, []) })
    expect(badTiers.error).toBe('InvalidTiers')
  })
})
