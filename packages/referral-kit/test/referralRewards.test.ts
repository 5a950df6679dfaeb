import { bytesToHex } from '@ethereumjs/util'
import type { AddressHex, Hex } from '@parallel-evm/core'
import { encodeDeployData, encodeFunctionData, getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { codeFor, deployReferralRewardsData, type RewardsSeason } from '../src/index.js'
import { contractReferrerAbi, contractReferrerBytecode } from './generated/contractReferrer.js'
import { DAY, deployKit, ETHER, eventNames, FINNEY, referralBadgesAbi, referralRegistryAbi, referralRewardsAbi, testTokenAbi, UNIT_PRICE, WEEK, type KitFixture } from './kitFixture.js'

type Account = KitFixture['users'][number]
const users = (fx: KitFixture, count: number): Account[] => fx.users.slice(0, count)
const totals = (fx: KitFixture) => fx.read<readonly [bigint, bigint, bigint]>(fx.rewards, referralRewardsAbi, 'totals')
const claim = (fx: KitFixture, referrer: Account, referees: readonly Account[]) => fx.rewardsCall(referrer, 'claim', [referees.map((user) => user.address)])

describe('ReferralRewards', () => {
  it('behavior: a reported action accrues its referrer the tier rate, qualifies the referee once, and the trader pays the tier discount', async () => {
    const fx = await deployKit()
    const [a, b, c, d] = users(fx, 4) as [Account, Account, Account, Account]
    for (const user of [a, b, c, d]) await fx.signUp(user, fx.aliceCode)
    const first = await fx.buy(a)
    expect(eventNames(first)).toEqual(['Qualified', 'RewardAccrued'])
    expect(first.kitEvents[1]).toMatchObject({
      args: { referrer: getAddress(fx.alice.address), referee: getAddress(a.address), reporter: getAddress(fx.mint), value: UNIT_PRICE, reward: UNIT_PRICE / 10n, tier: 0n, seasonal: false },
    })
    // A second action accrues again without qualifying again.
    expect(eventNames(await fx.buy(a))).toEqual(['RewardAccrued'])
    await fx.buy(b) // alice: 2 qualified, tier 1 (20%, 5% off), and its badge
    expect(await fx.read(fx.badges, referralBadgesAbi, 'balanceOf', [fx.alice.address, 1n])).toBe(1n)
    const discounted = await fx.buy(c)
    const priced = UNIT_PRICE - UNIT_PRICE / 20n
    expect(discounted.kitEvents.find((event) => event.eventName === 'RewardAccrued')).toMatchObject({ args: { value: priced, reward: priced / 5n, tier: 1n } })
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierOf', [fx.alice.address])).toBe(2n)
    expect(await fx.read(fx.badges, referralBadgesAbi, 'balanceOf', [fx.alice.address, 2n])).toBe(1n)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'discountOf', [d.address])).toBe(1_000n)
  })

  it('behavior: actions below the minimum, of users without a referrer, or after the program ends accrue nothing; only reporters report', async () => {
    const fx = await deployKit()
    const [a, stranger] = users(fx, 2) as [Account, Account]
    await fx.signUp(a, fx.aliceCode)
    expect((await fx.rewardsCall(fx.alice, 'recordAction', [a.address, ETHER])).error).toBe('NotReporter')
    expect(eventNames(await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 10n * FINNEY - 1n]))).toEqual([])
    expect(eventNames(await fx.rewardsCall(fx.reporter, 'recordAction', [stranger.address, ETHER]))).toEqual([])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'qualifiedOf', [fx.alice.address])).toBe(0)
    expect((await fx.buy(stranger)).status).toBe(1) // the protocol works for users without a referrer
    await fx.rewardsCall(fx.owner, 'setReporter', [fx.reporter.address, false])
    expect((await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, ETHER])).error).toBe('NotReporter')
    fx.chain.timestamp = fx.rewardsConfig.programEnd
    expect(eventNames(await fx.buy(a))).toEqual([])
  })

  it('behavior: rewards vest before they are claimed, are paid once and only to the referrer; a reward after the batch unlocked opens a new batch', async () => {
    const fx = await deployKit()
    const [a, b] = users(fx, 2) as [Account, Account]
    await fx.signUp(a, fx.aliceCode)
    await fx.signUp(b, fx.bobCode)
    await fx.buy(a)
    expect((await claim(fx, fx.alice, [a])).error).toBe('NothingToClaim')
    expect((await claim(fx, fx.alice, [b])).error).toBe('NotYourReferee')
    fx.chain.advance(WEEK)
    await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 50n * FINNEY]) // locks 5 finney, moves the first 10 to vested
    const relockedAt = fx.chain.timestamp
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'claimableOf', [a.address])).toEqual([10n * FINNEY, 5n * FINNEY, relockedAt + WEEK])
    const before = fx.chain.balanceOf(fx.rewards)
    const paid = await claim(fx, fx.alice, [a])
    expect(eventNames(paid)).toEqual(['RewardClaimed', 'Claimed'])
    expect(before - fx.chain.balanceOf(fx.rewards)).toBe(10n * FINNEY)
    expect((await claim(fx, fx.alice, [a])).error).toBe('NothingToClaim')
    fx.chain.advance(WEEK)
    expect((await claim(fx, fx.alice, [a])).kitEvents[0]).toMatchObject({ eventName: 'RewardClaimed', args: { amount: 5n * FINNEY } })
  })

  it('behavior: rewards that vest together join one batch: steady trading never postpones the unlock', async () => {
    const fx = await deployKit()
    const [a] = users(fx, 1) as [Account]
    await fx.signUp(a, fx.aliceCode)
    await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 100n * FINNEY])
    const unlockAt = fx.chain.timestamp + WEEK
    for (const _ of [1, 2, 3]) {
      fx.chain.advance(2n * DAY)
      await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 100n * FINNEY])
    }
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'claimableOf', [a.address])).toEqual([0n, 40n * FINNEY, unlockAt])
    fx.chain.timestamp = unlockAt
    expect((await claim(fx, fx.alice, [a])).kitEvents[0]).toMatchObject({ eventName: 'RewardClaimed', args: { amount: 40n * FINNEY } })
  })

  it('behavior: payouts per referrer per epoch are capped: a claim pays up to the cap, the rest stays vested for the next epoch', async () => {
    const fx = await deployKit({ rewards: { payoutCapPerEpoch: 15n * FINNEY } })
    const [a, b] = users(fx, 2) as [Account, Account]
    for (const user of [a, b]) {
      await fx.signUp(user, fx.aliceCode)
      await fx.rewardsCall(fx.reporter, 'recordAction', [user.address, 100n * FINNEY])
    }
    fx.chain.advance(WEEK)
    const partly = await claim(fx, fx.alice, [a, b])
    expect(partly.kitEvents.filter((event) => event.eventName === 'RewardClaimed').map((event) => (event.args as { amount: bigint }).amount)).toEqual([10n * FINNEY, 5n * FINNEY])
    const capped = await claim(fx, fx.alice, [b])
    expect(capped.error).toBe('PayoutCapExceeded')
    expect(capped.errorArgs).toEqual([getAddress(fx.alice.address), 1n, 5n * FINNEY, 0n])
    fx.chain.advance(WEEK)
    expect((await claim(fx, fx.alice, [b])).kitEvents[0]).toMatchObject({ eventName: 'RewardClaimed', args: { amount: 5n * FINNEY } })
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'paidInEpoch', [fx.alice.address, 1n])).toBe(15n * FINNEY)
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'paidInEpoch', [fx.alice.address, 2n])).toBe(5n * FINNEY)
    // A reward larger than a whole epoch's cap is paid over several epochs, never stuck.
    await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 200n * FINNEY]) // tier 1 now: 40 finney
    fx.chain.advance(WEEK)
    for (const expected of [15n, 15n, 10n]) {
      expect((await claim(fx, fx.alice, [a])).kitEvents[0]).toMatchObject({ args: { amount: expected * FINNEY } })
      fx.chain.advance(WEEK)
    }
    expect((await claim(fx, fx.alice, [a])).error).toBe('NothingToClaim')
  })

  it('behavior: claims close at programEnd + claimWindow, and then the owner may take back what was never claimed', async () => {
    const fx = await deployKit({ funding: 32n * FINNEY })
    const [a] = users(fx, 1) as [Account]
    await fx.signUp(a, fx.aliceCode)
    await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 10n * FINNEY])
    expect((await fx.rewardsCall(fx.owner, 'withdraw', [fx.owner.address, 32n * FINNEY])).error).toBe('SurplusTooSmall')
    fx.chain.timestamp = fx.rewardsConfig.programEnd + fx.rewardsConfig.claimWindow
    const closed = await claim(fx, fx.alice, [a])
    expect(closed.error).toBe('ClaimWindowClosed')
    expect(eventNames(await fx.rewardsCall(fx.owner, 'withdraw', [fx.owner.address, 32n * FINNEY]))).toEqual(['Withdrawn'])
    expect(await totals(fx)).toEqual([0n, 0n, 0n])
  })

  it('behavior: a registry that stops accepting the vault, or a referrer that cannot hold a badge, never reverts the protocol\'s action', async () => {
    const fx = await deployKit()
    const [a, b, c] = users(fx, 3) as [Account, Account, Account]
    for (const user of [a, b, c]) await fx.signUp(user, fx.aliceCode)
    await fx.registryCall(fx.owner, 'setQualifier', [fx.rewards, false])
    const unqualified = await fx.buy(a)
    expect(unqualified.status).toBe(1)
    expect(eventNames(unqualified)).toEqual(['RewardAccrued'])
    expect(await fx.read(fx.registry, referralRegistryAbi, 'qualifiedOf', [fx.alice.address])).toBe(0)
    await fx.registryCall(fx.owner, 'setQualifier', [fx.rewards, true])
    // Badges must be a contract: a call to an address without code would revert before try.
    const noCode = await fx.registryCall(fx.owner, 'setBadges', [fx.bob.address])
    expect(noCode.error).toBe('NotAContract')
    for (const user of [b, c]) expect((await fx.buy(user)).status).toBe(1)
    expect(await fx.read(fx.registry, referralRegistryAbi, 'tierOf', [fx.alice.address])).toBe(1n)
  })

  it('behavior: what is owed never exceeds what is funded, per bucket; a short bucket pays what it holds and says so', async () => {
    // 32 finney split over 32 buckets: 1 finney each.
    const fx = await deployKit({ funding: 32n * FINNEY })
    const [a, b] = users(fx, 2) as [Account, Account]
    await fx.signUp(a, fx.aliceCode)
    await fx.signUp(b, fx.aliceCode)
    const bucket = await fx.read<bigint>(fx.rewards, referralRewardsAbi, 'bucketOf', [fx.alice.address])
    expect(bucket).toBe(BigInt(fx.alice.address) % 32n)
    const short = await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 15n * FINNEY]) // 1.5 finney due
    expect(eventNames(short)).toEqual(['Qualified', 'RewardShortfall', 'RewardAccrued'])
    expect(short.kitEvents[1]).toMatchObject({ args: { unfunded: FINNEY / 2n } })
    expect(short.kitEvents[2]).toMatchObject({ args: { reward: FINNEY } })
    // b's qualification lifts alice to tier 1 (its badge), and the empty bucket accrues nothing.
    expect(eventNames(await fx.rewardsCall(fx.reporter, 'recordAction', [b.address, 15n * FINNEY]))).toEqual(['Qualified', 'TransferSingle', 'BadgeAwarded', 'RewardShortfall'])
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'bucketAt', [bucket])).toEqual({ funded: FINNEY, owed: FINNEY })
    expect(await totals(fx)).toEqual([32n * FINNEY, FINNEY, 31n * FINNEY])

    // The owner tops the bucket up from another one's surplus, and withdraws only what nobody is owed.
    const other = (bucket + 1n) % 32n
    expect((await fx.rewardsCall(fx.owner, 'rebalance', [other, bucket, 2n * FINNEY])).error).toBe('SurplusTooSmall')
    const moved = await fx.rewardsCall(fx.owner, 'rebalance', [other, bucket, FINNEY])
    expect(moved.kitEvents[0]).toMatchObject({ eventName: 'Rebalanced', args: { fromBucket: other, toBucket: bucket, amount: FINNEY } })
    // At tier 1 (20%), 10 finney earns 2: the topped-up bucket holds 1 of them.
    const topped = await fx.rewardsCall(fx.reporter, 'recordAction', [b.address, 10n * FINNEY])
    expect(eventNames(topped)).toEqual(['RewardShortfall', 'RewardAccrued'])
    expect(topped.kitEvents[1]).toMatchObject({ args: { reward: FINNEY, tier: 1n } })
    expect((await fx.rewardsCall(fx.owner, 'withdraw', [fx.owner.address, 31n * FINNEY])).error).toBe('SurplusTooSmall')
    const before = fx.chain.balanceOf(fx.rewards)
    expect(eventNames(await fx.rewardsCall(fx.owner, 'withdraw', [fx.owner.address, 30n * FINNEY]))).toEqual(['Withdrawn'])
    expect(before - fx.chain.balanceOf(fx.rewards)).toBe(30n * FINNEY)
    expect(await totals(fx)).toEqual([2n * FINNEY, 2n * FINNEY, 0n])
    fx.chain.advance(WEEK)
    expect((await claim(fx, fx.alice, [a, b])).status).toBe(1)
    expect(await totals(fx)).toEqual([0n, 0n, 0n])
    expect(fx.chain.balanceOf(fx.rewards)).toBe(0n)
  })

  it('behavior: funding takes exact ETH, or an ERC-20 through approve, and rewards are paid in that token', async () => {
    const eth = await deployKit()
    expect((await eth.rewardsCall(eth.alice, 'fund', [ETHER], ETHER - 1n)).error).toBe('WrongFunding')
    const funded = await eth.rewardsCall(eth.alice, 'fund', [ETHER], ETHER)
    expect(funded.kitEvents[0]).toMatchObject({ eventName: 'Funded', args: { from: getAddress(eth.alice.address), amount: ETHER } })
    expect((await totals(eth))[0]).toBe(11n * ETHER)

    const fx = await deployKit({ token: true })
    const token = fx.token!
    expect((await fx.rewardsCall(fx.owner, 'fund', [ETHER], 1n)).error).toBe('WrongFunding')
    expect((await fx.rewardsCall(fx.owner, 'fund', [ETHER])).status).toBe(0) // no allowance left
    const [a] = users(fx, 1) as [Account]
    await fx.signUp(a, fx.aliceCode)
    await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, ETHER])
    fx.chain.advance(WEEK)
    const ethBefore = fx.chain.balanceOf(fx.rewards)
    expect((await claim(fx, fx.alice, [a])).status).toBe(1)
    expect(await fx.read(token, testTokenAbi, 'balanceOf', [fx.alice.address])).toBe(ETHER / 10n)
    expect(await fx.read(token, testTokenAbi, 'balanceOf', [fx.rewards])).toBe(10n * ETHER - ETHER / 10n)
    expect(fx.chain.balanceOf(fx.rewards)).toBe(ethBefore)
    await fx.rewardsCall(fx.owner, 'withdraw', [fx.owner.address, ETHER])
    expect(await fx.read(token, testTokenAbi, 'balanceOf', [fx.rewards])).toBe(9n * ETHER - ETHER / 10n)
  })

  it('behavior: actions inside the season earn its bonus; a new season takes effect the next epoch and is validated', async () => {
    const fx = await deployKit()
    const [a, b] = users(fx, 2) as [Account, Account]
    for (const user of [a, b]) await fx.signUp(user, fx.aliceCode)
    const season: RewardsSeason = { start: fx.chain.timestamp, end: fx.chain.timestamp + 4n * WEEK, bonusBps: 15_000 }
    for (const invalid of [{ ...season, bonusBps: 9_999 }, { ...season, bonusBps: 20_001 }, { ...season, end: season.start - 1n }]) {
      expect((await fx.rewardsCall(fx.owner, 'setSeason', [invalid])).error).toBe('InvalidSeason')
    }
    expect((await fx.rewardsCall(fx.alice, 'setSeason', [season])).error).toBe('OwnableUnauthorizedAccount')
    expect((await fx.rewardsCall(fx.owner, 'setSeason', [season])).kitEvents[0]).toMatchObject({ eventName: 'SeasonSet', args: { fromEpoch: 1n } })
    const sameEpoch = await fx.rewardsCall(fx.reporter, 'recordAction', [a.address, 100n * FINNEY])
    expect(sameEpoch.kitEvents.at(-1)).toMatchObject({ args: { reward: 10n * FINNEY, seasonal: false } })
    fx.chain.advance(WEEK)
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'activeSeason')).toEqual(season)
    const inSeason = await fx.rewardsCall(fx.reporter, 'recordAction', [b.address, 100n * FINNEY])
    expect(inSeason.kitEvents.at(-1)).toMatchObject({ args: { reward: 15n * FINNEY, seasonal: true } })
  })

  it('behavior: the owner alone governs; ownership cannot be renounced; invalid configurations do not deploy', async () => {
    const fx = await deployKit()
    for (const [name, args] of [['setReporter', [fx.alice.address, true]], ['withdraw', [fx.alice.address, 1n]], ['rebalance', [0n, 1n, 1n]]] as const) {
      expect((await fx.rewardsCall(fx.alice, name, args)).error).toBe('OwnableUnauthorizedAccount')
    }
    expect((await fx.rewardsCall(fx.owner, 'renounceOwnership')).error).toBe('OwnershipCannotBeRenounced')
    const base = fx.rewardsConfig
    for (const change of [{ epochLength: 0n }, { payoutCapPerEpoch: 0n }, { programEnd: fx.chain.timestamp }, { claimWindow: 2n * WEEK - 1n }]) {
      const deployed = await fx.chain.send(fx.owner, { data: deployReferralRewardsData(fx.registry, { ...base, ...change }) })
      expect(deployed.error).toBe('InvalidConfig')
    }
    const noRegistry = await fx.chain.send(fx.owner, { data: deployReferralRewardsData('0x0000000000000000000000000000000000000000', base) })
    expect(noRegistry.error).toBe('InvalidConfig')
    const badSeason = await fx.chain.send(fx.owner, { data: deployReferralRewardsData(fx.registry, base, { season: { start: 0n, end: 0n, bonusBps: 1 } }) })
    expect(badSeason.error).toBe('InvalidSeason')
  })

  it('behavior: a contract referrer that rejects ETH fails its claim whole; one that re-enters claim is refused by the lock and paid once', async () => {
    const fx = await deployKit()
    const referrerIn = async (mood: number): Promise<AddressHex> => {
      const deployed = await fx.chain.send(fx.bob, { data: encodeDeployData({ abi: contractReferrerAbi, bytecode: contractReferrerBytecode, args: [fx.registry, fx.rewards, mood] }) })
      const address = deployed.createdAddress!
      const salt = bytesToHex(new Uint8Array(32).fill(mood + 1)) as Hex
      await fx.call(fx.bob, address, encodeFunctionData({ abi: contractReferrerAbi, functionName: 'registerCode', args: [salt] }))
      return address
    }
    const rejecting = await referrerIn(1)
    const reentering = await referrerIn(2)
    const [a, b] = users(fx, 2) as [Account, Account]
    await fx.signUp(a, codeFor(rejecting, bytesToHex(new Uint8Array(32).fill(2)) as Hex))
    await fx.signUp(b, codeFor(reentering, bytesToHex(new Uint8Array(32).fill(3)) as Hex))
    for (const user of [a, b]) await fx.rewardsCall(fx.reporter, 'recordAction', [user.address, 100n * FINNEY])
    fx.chain.advance(WEEK)
    const claimThrough = (referrer: AddressHex, referee: Account) =>
      fx.call(fx.bob, referrer, encodeFunctionData({ abi: contractReferrerAbi, functionName: 'claim', args: [[referee.address]] }))
    const rejected = await claimThrough(rejecting, a)
    expect(rejected.error).toBe('TransferFailed')
    expect(await fx.read(fx.rewards, referralRewardsAbi, 'claimableOf', [a.address])).toEqual([10n * FINNEY, 0n, expect.any(BigInt)])
    const before = fx.chain.balanceOf(fx.rewards)
    expect((await claimThrough(reentering, b)).status).toBe(1)
    expect(await fx.read(reentering, contractReferrerAbi, 'reentryFailed')).toBe(true)
    expect(before - fx.chain.balanceOf(fx.rewards)).toBe(10n * FINNEY)
    expect(fx.chain.balanceOf(reentering)).toBe(10n * FINNEY)
  })

  it('behavior: a contract referrer without an ERC-1155 receiver still gets its badge, and its referees\' trades go through', async () => {
    const fx = await deployKit()
    const deployed = await fx.chain.send(fx.bob, { data: encodeDeployData({ abi: contractReferrerAbi, bytecode: contractReferrerBytecode, args: [fx.registry, fx.rewards, 0] }) })
    const referrer = deployed.createdAddress!
    const salt = bytesToHex(new Uint8Array(32).fill(9)) as Hex
    await fx.call(fx.bob, referrer, encodeFunctionData({ abi: contractReferrerAbi, functionName: 'registerCode', args: [salt] }))
    for (const user of users(fx, 2)) {
      await fx.signUp(user, codeFor(referrer, salt))
      expect((await fx.buy(user)).status).toBe(1)
    }
    expect(await fx.read(fx.badges, referralBadgesAbi, 'balanceOf', [referrer, 1n])).toBe(1n)
  })
})
