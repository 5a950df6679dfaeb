// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IReferralRegistry} from "./IReferralRegistry.sol";

/// @title ReferralRewards
/// @notice A reward vault in ETH or one ERC-20, fed by the integrating protocol: its authorized
/// reporters call `recordAction(user, value)` on each qualifying action (a trade's fee, a mint's
/// price), and the user's referrer accrues its tier's share of `value`, with a seasonal bonus in
/// season. Rewards vest, then the referrer pulls them, within a per-epoch payout cap.
/// @dev Solvency without a global counter. What is owed never exceeds what is funded, checked per
/// bucket: the funds are split over `BUCKETS` buckets and each referrer draws on the one its address
/// falls in. A global liability counter would be written by every action and serialise them all;
/// buckets let two unrelated referrers' actions touch a common slot with probability 1/BUCKETS.
/// An action whose bucket cannot cover the reward accrues what is left and emits `RewardShortfall`,
/// and never reverts: a reporter calls this in its own users' transactions.
///
/// Every other hot-path write is keyed by the referee (its accrual) or the referrer (its payouts).
contract ReferralRewards is Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The settings fixed at deployment. Times in seconds.
    struct Config {
        uint64 epochLength;
        uint64 vestingDelay;
        uint64 programEnd;
        /// @notice Claims stay open until `programEnd + claimWindow` (at least `vestingDelay + epochLength`);
        /// then the owner may take back what was never claimed.
        uint64 claimWindow;
        uint128 payoutCapPerEpoch;
        /// @notice Smaller actions earn nothing and do not qualify a referee (no dust farming).
        uint128 minQualifyingValue;
    }

    /// @notice A seasonal window in which rewards are multiplied by `bonusBps / 10_000`.
    struct Season {
        uint64 start;
        uint64 end;
        uint32 bonusBps;
    }

    /// @notice One referee's rewards for its referrer: one storage slot. Rewards vest in batches:
    /// a batch opens with a reward, unlocks `vestingDelay` later (`unlockAt`), and takes every reward
    /// accrued until then; so each reward vests within `vestingDelay` of its accrual, and steady
    /// trading never postpones a batch. An unlocked batch counts as vested.
    struct Accrual {
        uint112 vested;
        uint112 locked;
        uint32 unlockAt;
    }

    /// @notice One bucket of the funds: what it holds and what it owes (owed <= funded, always).
    struct Bucket {
        uint128 funded;
        uint128 owed;
    }

    error NotReporter(address caller);
    error NotYourReferee(address referee, address caller);
    error NothingToClaim(address referrer);
    error PayoutCapExceeded(address referrer, uint256 epoch, uint256 requested, uint256 remaining);
    error TransferFailed(address to, uint256 amount);
    error WrongFunding(uint256 sent, uint256 expected);
    error SurplusTooSmall(uint256 requested, uint256 available);
    error ClaimWindowClosed(uint256 closedAt);
    error InvalidConfig();
    error InvalidSeason(uint64 start, uint64 end, uint32 bonusBps);
    /// @notice Renouncing would strand the surplus only the owner can withdraw.
    error OwnershipCannotBeRenounced();

    event ReporterSet(address indexed reporter, bool allowed);
    event Funded(address indexed from, uint256 amount);
    event RewardAccrued(
        address indexed referrer,
        address indexed referee,
        address indexed reporter,
        uint256 value,
        uint256 reward,
        uint256 tier,
        uint256 unlockAt,
        bool seasonal
    );
    /// @notice The referrer's bucket could not cover `unfunded` of a reward.
    event RewardShortfall(address indexed referrer, address indexed referee, uint256 unfunded);
    event RewardClaimed(address indexed referrer, address indexed referee, uint256 amount);
    event Claimed(address indexed referrer, uint256 indexed epoch, uint256 total, uint256 referees);
    event Withdrawn(address indexed to, uint256 amount);
    event Rebalanced(uint256 indexed fromBucket, uint256 indexed toBucket, uint256 amount);
    /// @notice A new season, in force from epoch `fromEpoch` (the next epoch; 0 at deployment).
    event SeasonSet(address indexed by, uint64 start, uint64 end, uint32 bonusBps, uint256 fromEpoch);

    uint256 public constant BUCKETS = 32;
    /// @notice The largest seasonal multiplier, 2x: with the registry's largest rate (50%), a
    /// reward never exceeds the value reported.
    uint32 public constant MAX_BONUS_BPS = 20_000;
    uint256 private constant BPS = 10_000;

    IReferralRegistry public immutable registry;
    /// @notice The reward token; zero for ETH.
    IERC20 public immutable asset;
    uint256 public immutable start;
    uint64 public immutable epochLength;
    uint64 public immutable vestingDelay;
    uint64 public immutable programEnd;
    uint64 public immutable claimWindow;
    uint128 public immutable payoutCapPerEpoch;
    uint128 public immutable minQualifyingValue;

    Season private season;
    Season private scheduledSeason;
    uint256 private scheduledSeasonFrom;
    Bucket[BUCKETS] private buckets;

    mapping(address reporter => bool) public isReporter;
    mapping(address referee => Accrual) public accrualOf;
    mapping(address referrer => mapping(uint256 epoch => uint256)) public paidInEpoch;

    constructor(IReferralRegistry registry_, IERC20 asset_, Config memory config, Season memory initialSeason) Ownable(msg.sender) {
        if (
            address(registry_) == address(0) || config.epochLength == 0 || config.payoutCapPerEpoch == 0
                || config.programEnd <= block.timestamp || uint256(config.vestingDelay) + config.epochLength > config.claimWindow
        ) revert InvalidConfig();
        _checkSeason(initialSeason);
        registry = registry_;
        asset = asset_;
        start = block.timestamp;
        epochLength = config.epochLength;
        vestingDelay = config.vestingDelay;
        programEnd = config.programEnd;
        claimWindow = config.claimWindow;
        payoutCapPerEpoch = config.payoutCapPerEpoch;
        minQualifyingValue = config.minQualifyingValue;
        season = initialSeason;
        emit SeasonSet(msg.sender, initialSeason.start, initialSeason.end, initialSeason.bonusBps, 0);
    }

    // ---------------------------------------------------------------- governance

    function setReporter(address reporter, bool allowed) external onlyOwner {
        isReporter[reporter] = allowed;
        emit ReporterSet(reporter, allowed);
    }

    /// @notice Schedules `newSeason` for the next epoch, replacing any change scheduled before.
    function setSeason(Season calldata newSeason) external onlyOwner {
        _checkSeason(newSeason);
        uint256 epoch = currentEpoch();
        if (scheduledSeasonFrom != 0 && epoch >= scheduledSeasonFrom) season = scheduledSeason;
        scheduledSeason = newSeason;
        scheduledSeasonFrom = epoch + 1;
        emit SeasonSet(msg.sender, newSeason.start, newSeason.end, newSeason.bonusBps, scheduledSeasonFrom);
    }

    /// @notice Sends `amount` of the unowed funds to `to`, taken from the buckets in order. What is
    /// owed stays while claims are open, so a withdrawal never races a referrer's claim; once the
    /// claim window has closed, what was never claimed may go too.
    function withdraw(address to, uint256 amount) external onlyOwner nonReentrant {
        bool claimsClosed = block.timestamp >= uint256(programEnd) + claimWindow;
        uint256 left = amount;
        for (uint256 i = 0; i < BUCKETS && left > 0; ++i) {
            Bucket storage bucket = buckets[i];
            uint256 take = _min(claimsClosed ? bucket.funded : bucket.funded - bucket.owed, left);
            bucket.funded -= uint128(take);
            if (bucket.owed > bucket.funded) bucket.owed = bucket.funded;
            left -= take;
        }
        if (left > 0) revert SurplusTooSmall(amount, amount - left);
        emit Withdrawn(to, amount);
        _pay(to, amount);
    }

    /// @notice Moves unowed funds between buckets, for a bucket whose referrers earn more than its share.
    function rebalance(uint256 fromBucket, uint256 toBucket, uint256 amount) external onlyOwner {
        Bucket storage from = buckets[fromBucket];
        uint256 surplus = from.funded - from.owed;
        if (amount > surplus) revert SurplusTooSmall(amount, surplus);
        from.funded -= uint128(amount);
        buckets[toBucket].funded += uint128(amount);
        emit Rebalanced(fromBucket, toBucket, amount);
    }

    /// @notice Always reverts: see `OwnershipCannotBeRenounced`.
    function renounceOwnership() public view override onlyOwner {
        revert OwnershipCannotBeRenounced();
    }

    // ---------------------------------------------------------------- funding

    /// @notice Adds `amount` to the rewards, split evenly over the buckets: ETH sent with the call, or
    /// the token pulled from the caller (after `approve`). A token that takes a fee on transfer is
    /// credited with what arrived.
    function fund(uint256 amount) external payable nonReentrant {
        uint256 received = amount;
        if (address(asset) == address(0)) {
            if (msg.value != amount) revert WrongFunding(msg.value, amount);
        } else {
            if (msg.value != 0) revert WrongFunding(msg.value, 0);
            uint256 before = asset.balanceOf(address(this));
            asset.safeTransferFrom(msg.sender, address(this), amount);
            received = asset.balanceOf(address(this)) - before;
        }
        uint256 share = received / BUCKETS;
        for (uint256 i = 0; i < BUCKETS; ++i) {
            buckets[i].funded += SafeCast.toUint128(i == 0 ? share + received % BUCKETS : share);
        }
        emit Funded(msg.sender, received);
    }

    // ---------------------------------------------------------------- actions and rewards

    /// @notice Reports that `user` did something worth `value` (in the reward asset's units). If
    /// `user` has a referrer and the action is at least `minQualifyingValue`, the referee qualifies
    /// (first time only) and the referrer accrues its tier's rate, with the seasonal bonus in season.
    /// Returns the reward accrued (0 when none). Reverts only for a caller that is not a reporter (and
    /// for a reward above 2^112, which no token's supply reaches).
    function recordAction(address user, uint256 value) external returns (uint256 reward) {
        if (!isReporter[msg.sender]) revert NotReporter(msg.sender);
        if (block.timestamp >= programEnd || value < minQualifyingValue) return 0;
        (address referrer, uint256 tier, uint256 rewardBps) = registry.rewardTermsOf(user);
        if (referrer == address(0)) return 0;
        // A registry that stopped accepting this vault (`setQualifier`) must not break the reporter's action.
        try registry.recordQualified(user) returns (bool) {} catch {}

        reward = (value * rewardBps) / BPS;
        Season storage inForce = _seasonAt(currentEpoch());
        bool seasonal = block.timestamp >= inForce.start && block.timestamp < inForce.end;
        if (seasonal) reward = (reward * inForce.bonusBps) / BPS;

        Bucket storage bucket = buckets[bucketOf(referrer)];
        uint256 available = bucket.funded - bucket.owed;
        if (reward > available) {
            emit RewardShortfall(referrer, user, reward - available);
            reward = available;
        }
        if (reward == 0) return 0;
        bucket.owed += uint128(reward);

        Accrual storage accrual = accrualOf[user];
        if (accrual.unlockAt <= block.timestamp) {
            accrual.vested += accrual.locked;
            accrual.locked = SafeCast.toUint112(reward);
            accrual.unlockAt = SafeCast.toUint32(block.timestamp + vestingDelay);
        } else {
            accrual.locked += SafeCast.toUint112(reward);
        }
        emit RewardAccrued(referrer, user, msg.sender, value, reward, tier, accrual.unlockAt, seasonal);
    }

    /// @notice Pays the caller the vested rewards of the listed referees (pull payment), in list
    /// order, up to what its payout cap leaves in this epoch: a reward the cap cuts stays vested for
    /// the next epoch. Each amount is deducted before the transfer, under a re-entrancy lock.
    function claim(address[] calldata referees) external nonReentrant returns (uint256 total) {
        uint256 closesAt = uint256(programEnd) + claimWindow;
        if (block.timestamp >= closesAt) revert ClaimWindowClosed(closesAt);
        uint256 epoch = currentEpoch();
        uint256 paid = paidInEpoch[msg.sender][epoch];
        uint256 room = payoutCapPerEpoch - paid;
        uint256 vestedTotal;
        for (uint256 i = 0; i < referees.length; ++i) {
            address referee = referees[i];
            if (registry.referrerOf(referee) != msg.sender) revert NotYourReferee(referee, msg.sender);
            Accrual storage accrual = accrualOf[referee];
            if (accrual.unlockAt <= block.timestamp && accrual.locked != 0) {
                accrual.vested += accrual.locked;
                accrual.locked = 0;
            }
            uint256 amount = _min(accrual.vested, room - total);
            vestedTotal += accrual.vested;
            if (amount == 0) continue;
            accrual.vested -= uint112(amount);
            total += amount;
            emit RewardClaimed(msg.sender, referee, amount);
        }
        if (total == 0) {
            if (vestedTotal == 0) revert NothingToClaim(msg.sender);
            revert PayoutCapExceeded(msg.sender, epoch, vestedTotal, room);
        }
        paidInEpoch[msg.sender][epoch] = paid + total;
        // A referee's referrer never changes, so every reward claimed here was owed by this bucket.
        Bucket storage bucket = buckets[bucketOf(msg.sender)];
        bucket.owed -= uint128(total);
        bucket.funded -= uint128(total);
        emit Claimed(msg.sender, epoch, total, referees.length);
        _pay(msg.sender, total);
    }

    // ---------------------------------------------------------------- views

    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - start) / epochLength;
    }

    /// @notice The bucket `referrer` draws on.
    function bucketOf(address referrer) public pure returns (uint256) {
        return uint160(referrer) % BUCKETS;
    }

    /// @notice What bucket `index` holds and owes.
    function bucketAt(uint256 index) external view returns (Bucket memory) {
        return buckets[index];
    }

    /// @notice All funds, all that is owed, and the unowed rest the owner may withdraw.
    function totals() external view returns (uint256 funded, uint256 owed, uint256 surplus) {
        for (uint256 i = 0; i < BUCKETS; ++i) {
            funded += buckets[i].funded;
            owed += buckets[i].owed;
        }
        surplus = funded - owed;
    }

    /// @notice What a claim for `referee` would pay now, and what is still locked until when.
    function claimableOf(address referee) external view returns (uint256 claimable, uint256 locked, uint256 unlockAt) {
        Accrual memory accrual = accrualOf[referee];
        bool unlocked = accrual.unlockAt <= block.timestamp;
        claimable = uint256(accrual.vested) + (unlocked ? accrual.locked : 0);
        locked = unlocked ? 0 : accrual.locked;
        unlockAt = accrual.unlockAt;
    }

    /// @notice The season in force now.
    function activeSeason() external view returns (Season memory) {
        return _seasonAt(currentEpoch());
    }

    // ---------------------------------------------------------------- internals

    /// @dev Reads only: a scheduled season is copied into place by the owner's next change.
    function _seasonAt(uint256 epoch) private view returns (Season storage) {
        return scheduledSeasonFrom != 0 && epoch >= scheduledSeasonFrom ? scheduledSeason : season;
    }

    function _checkSeason(Season memory newSeason) private pure {
        if (newSeason.end < newSeason.start || newSeason.bonusBps < BPS || newSeason.bonusBps > MAX_BONUS_BPS) {
            revert InvalidSeason(newSeason.start, newSeason.end, newSeason.bonusBps);
        }
    }

    function _pay(address to, uint256 amount) private {
        if (address(asset) != address(0)) {
            asset.safeTransfer(to, amount);
        } else {
            (bool ok,) = payable(to).call{value: amount}("");
            if (!ok) revert TransferFailed(to, amount);
        }
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
