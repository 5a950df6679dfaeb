// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ReferralSignUps} from "./ReferralSignUps.sol";

/// @title ReferralProgram
/// @notice On-chain referral program: codes, one-time sign-ups with fraud checks, tiered rewards
/// for conversions, seasonal bonuses, vesting, and pull-payment claims.
/// @dev Built for parallel execution: every hot-path write lands in state keyed by the referee or
/// the referrer (never a global counter), and the re-entrancy lock lives in transient storage, so
/// two transactions of unrelated referrers share no storage slot. Ownership (two-step), the EIP-712
/// domain, signature recovery and the lock are OpenZeppelin Contracts 5; the domain separator is
/// cached in immutables, so attestations read no storage for it.
///
/// Money rules, each checked where the rule could break:
/// - Solvent by construction: every reward a conversion can accrue (the largest tier times the
///   largest seasonal bonus in force or scheduled) is at most `minPurchase`, which the conversion
///   itself pays in. So the balance always covers what is owed without a global liability counter,
///   which every conversion would write and which would serialise them all.
/// - Claimable: that same largest reward is at most `payoutCapPerEpoch`, so one epoch's cap can pay
///   any single reward.
/// - A real claim window: rewards can be claimed for at least one epoch after the last one vests
///   (`claimWindow >= vestingDelay + epochLength`); claims close, and the owner may withdraw, when
///   the window ends.
/// - No front-running by the owner: tier and season changes take effect at the next epoch, and the
///   tier table holds at most `MAX_TIERS` entries (it is scanned on every conversion).
contract ReferralProgram is Ownable2Step, ReferralSignUps, ReentrancyGuardTransient {
    // ---------------------------------------------------------------- types

    /// @notice A reward tier: referrers with at least `minQualified` converted referees earn `rewardWei` per conversion.
    struct Tier {
        uint32 minQualified;
        uint96 rewardWei;
    }

    /// @notice A seasonal window in which rewards are multiplied by `bonusBps / 10_000`.
    struct Season {
        uint64 start;
        uint64 end;
        uint32 bonusBps;
    }

    /// @notice The reward one referee's conversion earned its referrer: one storage slot.
    struct Reward {
        uint128 amount;
        uint64 unlockAt;
        bool claimed;
    }

    /// @notice The settings fixed at deployment.
    struct Config {
        address verifier;
        uint64 epochLength;
        uint64 vestingDelay;
        uint8 maxCycleDepth;
        uint32 signUpCapPerEpoch;
        uint128 payoutCapPerEpoch;
        uint128 minPurchase;
        uint64 programEnd;
        uint64 claimWindow;
        bool requireAttestation;
    }

    // ---------------------------------------------------------------- errors

    error ProgramEnded(uint256 programEnd);
    error NotSignedUp(address account);
    error PurchaseTooSmall(uint256 value, uint256 minimum);
    error NotYourReferee(address referee, address referrer);
    error RewardLocked(address referee, uint256 unlockAt);
    error RewardAlreadyClaimed(address referee);
    error NoReward(address referee);
    error NothingToClaim(address referrer);
    error PayoutCapExceeded(address referrer, uint256 epoch, uint256 requested, uint256 remaining);
    error TransferFailed(address to, uint256 amount);
    /// @notice Renouncing would strand the funds `withdraw` releases after the claim window.
    error OwnershipCannotBeRenounced();
    error InvalidTiers();
    error InvalidSeason(uint64 start, uint64 end, uint32 bonusBps);
    error InvalidConfig();
    error WithdrawalLocked(uint256 availableAt);
    error ClaimWindowClosed(uint256 closedAt);
    error RewardAboveBound(uint256 reward, uint256 bound);

    // ---------------------------------------------------------------- events

    event Purchased(address indexed buyer, address indexed referrer, uint256 amount, bool conversion);
    event RewardAccrued(
        address indexed referrer,
        address indexed referee,
        uint256 amount,
        uint256 tier,
        uint256 unlockAt,
        bool seasonal
    );
    event RewardClaimed(address indexed referrer, address indexed referee, uint256 amount);
    event Claimed(address indexed referrer, uint256 indexed epoch, uint256 total, uint256 referees);
    /// @notice New tiers, in force from epoch `fromEpoch` (the next epoch; 0 at deployment).
    event TiersSet(address indexed by, uint256 count, uint256 fromEpoch);
    /// @notice A new season, in force from epoch `fromEpoch` (the next epoch; 0 at deployment).
    event SeasonSet(address indexed by, uint64 start, uint64 end, uint32 bonusBps, uint256 fromEpoch);
    event Withdrawn(address indexed to, uint256 amount);

    // ---------------------------------------------------------------- constants

    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_CLAIM_WINDOW = 3650 days;
    /// @notice The largest seasonal multiplier: 5x.
    uint32 public constant MAX_BONUS_BPS = 50_000;
    /// @notice The most tiers a table may hold.
    uint256 public constant MAX_TIERS = 16;

    // ---------------------------------------------------------------- state

    uint64 public immutable vestingDelay;
    uint128 public immutable payoutCapPerEpoch;
    uint128 public immutable minPurchase;
    uint64 public immutable programEnd;
    uint64 public immutable claimWindow;

    /// @dev The tiers and season in force, and the ones scheduled to replace them from epoch
    /// `*From` (0: nothing scheduled; a change is never scheduled for epoch 0).
    Tier[] private tiers;
    Tier[] private scheduledTiers;
    uint256 private scheduledTiersFrom;
    Season private season;
    Season private scheduledSeason;
    uint256 private scheduledSeasonFrom;

    mapping(address referee => Reward) public rewardOf;
    mapping(address referrer => uint32) public qualifiedOf;
    mapping(address referrer => mapping(uint256 epoch => uint256)) public paidInEpoch;

    // ---------------------------------------------------------------- set-up

    constructor(Config memory config, Tier[] memory initialTiers, Season memory initialSeason)
        payable
        Ownable(msg.sender)
        ReferralSignUps(
            "ReferralProgram",
            SignUpRules({
                verifier: config.verifier,
                epochLength: config.epochLength,
                maxCycleDepth: config.maxCycleDepth,
                signUpCapPerEpoch: config.signUpCapPerEpoch,
                requireAttestation: config.requireAttestation
            })
        )
    {
        // Every reward vests within the claim window that follows the program's end (see withdraw).
        if (
            config.epochLength == 0 || config.maxCycleDepth == 0 || config.verifier == address(0)
                || config.signUpCapPerEpoch == 0 || config.payoutCapPerEpoch == 0 || config.programEnd <= block.timestamp
                || uint256(config.vestingDelay) + config.epochLength > config.claimWindow || config.claimWindow > MAX_CLAIM_WINDOW
        ) {
            revert InvalidConfig();
        }
        vestingDelay = config.vestingDelay;
        payoutCapPerEpoch = config.payoutCapPerEpoch;
        minPurchase = config.minPurchase;
        programEnd = config.programEnd;
        claimWindow = config.claimWindow;
        _checkTiers(initialTiers);
        _checkSeason(initialSeason);
        _checkBound(_largestReward(initialTiers), initialSeason.bonusBps);
        for (uint256 i = 0; i < initialTiers.length; ++i) tiers.push(initialTiers[i]);
        season = initialSeason;
        emit TiersSet(msg.sender, initialTiers.length, 0);
        emit SeasonSet(msg.sender, initialSeason.start, initialSeason.end, initialSeason.bonusBps, 0);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Schedules `newTiers` for the next epoch, replacing any change scheduled before. A
    /// conversion never sees a table the owner set in the same epoch.
    function setTiers(Tier[] calldata newTiers) external onlyOwner {
        _checkTiers(newTiers);
        _applyScheduled();
        uint256 bonus = _largestBonus();
        _checkBound(_largestReward(newTiers), bonus);
        delete scheduledTiers;
        for (uint256 i = 0; i < newTiers.length; ++i) scheduledTiers.push(newTiers[i]);
        scheduledTiersFrom = currentEpoch() + 1;
        emit TiersSet(msg.sender, newTiers.length, scheduledTiersFrom);
    }

    /// @notice Schedules `newSeason` for the next epoch, replacing any change scheduled before.
    function setSeason(Season calldata newSeason) external onlyOwner {
        _checkSeason(newSeason);
        _applyScheduled();
        uint256 reward = _largestReward(tiers);
        if (scheduledTiersFrom != 0) reward = _max(reward, _largestReward(scheduledTiers));
        _checkBound(reward, newSeason.bonusBps);
        scheduledSeason = newSeason;
        scheduledSeasonFrom = currentEpoch() + 1;
        emit SeasonSet(msg.sender, newSeason.start, newSeason.end, newSeason.bonusBps, scheduledSeasonFrom);
    }

    /// @notice Always reverts: see `OwnershipCannotBeRenounced`. Ownership moves in two steps
    /// (`transferOwnership`, then `acceptOwnership` by the new owner).
    function renounceOwnership() public view override onlyOwner {
        revert OwnershipCannotBeRenounced();
    }

    /// @notice The owner can take funds out only once the program and the claim window after it are
    /// over, when claims close. Conversions stop at `programEnd` and `claimWindow >= vestingDelay +
    /// epochLength`, so every reward vested at least an epoch before: no withdrawal races an open reward.
    function withdraw(address payable to, uint256 amount) external onlyOwner {
        uint256 availableAt = uint256(programEnd) + claimWindow;
        if (block.timestamp < availableAt) revert WithdrawalLocked(availableAt);
        _send(to, amount);
        emit Withdrawn(to, amount);
    }

    // ---------------------------------------------------------------- sign-ups

    /// @dev Sign-ups close with the program.
    function _beforeSignUp() internal view override {
        if (block.timestamp >= programEnd) revert ProgramEnded(programEnd);
    }

    // ---------------------------------------------------------------- purchases and rewards

    /// @notice A purchase by a signed-up referee. The first one of at least `minPurchase` is the
    /// conversion: it accrues the referrer's reward for its tier, with the seasonal bonus in season.
    function purchase() external payable {
        Referral storage referral = referralOf[msg.sender];
        address referrer = referral.referrer;
        if (referrer == address(0)) revert NotSignedUp(msg.sender);
        bool conversion = referral.qualifiedAt == 0;
        if (conversion && block.timestamp >= programEnd) revert ProgramEnded(programEnd);
        if (conversion && msg.value < minPurchase) revert PurchaseTooSmall(msg.value, minPurchase);
        emit Purchased(msg.sender, referrer, msg.value, conversion);
        if (!conversion) return;

        referral.qualifiedAt = uint48(block.timestamp);
        uint32 qualified = qualifiedOf[referrer] + 1;
        qualifiedOf[referrer] = qualified;
        uint256 epoch = currentEpoch();
        (uint256 tier, uint256 amount) = _tierReward(_tiersAt(epoch), qualified);
        Season storage inForce = _seasonAt(epoch);
        bool seasonal = block.timestamp >= inForce.start && block.timestamp < inForce.end;
        if (seasonal) amount = (amount * inForce.bonusBps) / BPS;
        uint64 unlockAt = uint64(block.timestamp) + vestingDelay;
        rewardOf[msg.sender] = Reward({amount: uint128(amount), unlockAt: unlockAt, claimed: false});
        emit RewardAccrued(referrer, msg.sender, amount, tier, unlockAt, seasonal);
    }

    /// @notice Pays the caller the vested rewards of the listed referees (pull payment). Each
    /// reward is zeroed before the transfer, and the transfer happens under a re-entrancy lock.
    function claim(address[] calldata referees) external nonReentrant returns (uint256 total) {
        uint256 closesAt = uint256(programEnd) + claimWindow;
        if (block.timestamp >= closesAt) revert ClaimWindowClosed(closesAt);
        for (uint256 i = 0; i < referees.length; ++i) {
            address referee = referees[i];
            if (referralOf[referee].referrer != msg.sender) revert NotYourReferee(referee, msg.sender);
            Reward storage reward = rewardOf[referee];
            if (reward.claimed) revert RewardAlreadyClaimed(referee);
            if (reward.amount == 0) revert NoReward(referee);
            if (block.timestamp < reward.unlockAt) revert RewardLocked(referee, reward.unlockAt);
            uint256 amount = reward.amount;
            reward.amount = 0;
            reward.claimed = true;
            total += amount;
            emit RewardClaimed(msg.sender, referee, amount);
        }
        if (total == 0) revert NothingToClaim(msg.sender);
        uint256 epoch = currentEpoch();
        uint256 paid = paidInEpoch[msg.sender][epoch];
        if (paid + total > payoutCapPerEpoch) {
            revert PayoutCapExceeded(msg.sender, epoch, total, payoutCapPerEpoch - paid);
        }
        paidInEpoch[msg.sender][epoch] = paid + total;
        emit Claimed(msg.sender, epoch, total, referees.length);
        _send(payable(msg.sender), total);
    }

    // ---------------------------------------------------------------- views

    /// @notice The number of tiers in force now.
    function tierCount() external view returns (uint256) {
        return _tiersAt(currentEpoch()).length;
    }

    /// @notice A tier in force now.
    function tierAt(uint256 index) external view returns (Tier memory) {
        return _tiersAt(currentEpoch())[index];
    }

    /// @notice The season in force now.
    function activeSeason() external view returns (Season memory) {
        return _seasonAt(currentEpoch());
    }

    /// @notice The tiers and season scheduled for a later epoch (`fromEpoch` 0: none).
    function scheduled() external view returns (Tier[] memory nextTiers, uint256 tiersFrom, Season memory nextSeason, uint256 seasonFrom) {
        uint256 epoch = currentEpoch();
        if (scheduledTiersFrom > epoch) (nextTiers, tiersFrom) = (scheduledTiers, scheduledTiersFrom);
        if (scheduledSeasonFrom > epoch) (nextSeason, seasonFrom) = (scheduledSeason, scheduledSeasonFrom);
    }

    // ---------------------------------------------------------------- internals

    function _tierReward(Tier[] storage table, uint32 qualified) private view returns (uint256 tier, uint256 amount) {
        for (uint256 i = table.length; i > 0; --i) {
            Tier storage candidate = table[i - 1];
            if (qualified >= candidate.minQualified) return (i - 1, candidate.rewardWei);
        }
        return (0, 0);
    }

    /// @dev Reads only: a scheduled change is copied into place by the owner's next change, never
    /// by a conversion, so conversions write no shared slot.
    function _tiersAt(uint256 epoch) private view returns (Tier[] storage) {
        return scheduledTiersFrom != 0 && epoch >= scheduledTiersFrom ? scheduledTiers : tiers;
    }

    function _seasonAt(uint256 epoch) private view returns (Season storage) {
        return scheduledSeasonFrom != 0 && epoch >= scheduledSeasonFrom ? scheduledSeason : season;
    }

    /// @dev Moves a scheduled change that is now in force into place, so the next schedule can reuse the slot.
    function _applyScheduled() private {
        uint256 epoch = currentEpoch();
        if (scheduledTiersFrom != 0 && epoch >= scheduledTiersFrom) {
            delete tiers;
            for (uint256 i = 0; i < scheduledTiers.length; ++i) tiers.push(scheduledTiers[i]);
            delete scheduledTiers;
            scheduledTiersFrom = 0;
        }
        if (scheduledSeasonFrom != 0 && epoch >= scheduledSeasonFrom) {
            season = scheduledSeason;
            delete scheduledSeason;
            scheduledSeasonFrom = 0;
        }
    }

    /// @dev The largest bonus any conversion may see from now on: the season in force, or the scheduled one.
    function _largestBonus() private view returns (uint256) {
        uint256 bonus = season.bonusBps;
        if (scheduledSeasonFrom != 0) bonus = _max(bonus, scheduledSeason.bonusBps);
        return bonus;
    }

    function _largestReward(Tier[] memory table) private pure returns (uint256 largest) {
        for (uint256 i = 0; i < table.length; ++i) largest = _max(largest, table[i].rewardWei);
    }

    /// @dev The solvency and claimability rule (see the contract's notes).
    function _checkBound(uint256 reward, uint256 bonusBps) private view {
        uint256 largest = (reward * bonusBps) / BPS;
        uint256 bound = minPurchase < payoutCapPerEpoch ? minPurchase : payoutCapPerEpoch;
        if (largest > bound) revert RewardAboveBound(largest, bound);
    }

    function _checkTiers(Tier[] memory newTiers) private pure {
        if (newTiers.length == 0 || newTiers.length > MAX_TIERS) revert InvalidTiers();
        for (uint256 i = 1; i < newTiers.length; ++i) {
            if (newTiers[i].minQualified <= newTiers[i - 1].minQualified) revert InvalidTiers();
        }
    }

    function _checkSeason(Season memory newSeason) private pure {
        if (newSeason.end < newSeason.start || newSeason.bonusBps < BPS || newSeason.bonusBps > MAX_BONUS_BPS) {
            revert InvalidSeason(newSeason.start, newSeason.end, newSeason.bonusBps);
        }
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }

    function _send(address payable to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
