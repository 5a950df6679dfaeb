// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IReferralBadges} from "./IReferralBadges.sol";
import {IReferralRegistry} from "./IReferralRegistry.sol";
import {ReferralSignUps} from "./ReferralSignUps.sol";

/// @title ReferralRegistry
/// @notice Who referred whom, for any protocol: referral codes, one-time sign-ups with fraud checks
/// (self-referral, cycles, attested identity, per-epoch caps), and the referrer tiers that protocols
/// read in their own hot path (`referrerOf`, `tierOf`, `discountOf`), GMX `ReferralStorage` style.
/// Money lives elsewhere: a `ReferralRewards` contract (an authorized qualifier) reports each
/// referee's first qualifying action, which moves its referrer up the tiers.
/// @dev Built for parallel execution: a sign-up writes only state keyed by the referee and its
/// referrer, a qualification only the referee's record and its referrer's count. The tier table is
/// read on the hot path and written by the owner alone, and changes take effect at the next epoch
/// (no owner front-running a sign-up or an action).
contract ReferralRegistry is IReferralRegistry, Ownable2Step, ReferralSignUps {
    error NotQualifier(address caller);
    error NotSignedUp(address account);
    error InvalidConfig();
    error InvalidTiers();
    error NotAContract(address account);
    /// @notice Renouncing would freeze the tier table and the qualifier list for good.
    error OwnershipCannotBeRenounced();

    event Qualified(address indexed referee, address indexed referrer, uint256 qualified, uint256 tier);
    event QualifierSet(address indexed qualifier, bool allowed);
    event BadgesSet(address indexed badges);
    /// @notice New tiers, in force from epoch `fromEpoch` (the next epoch; 0 at deployment).
    event TiersSet(address indexed by, uint256 count, uint256 fromEpoch);

    /// @notice The most tiers a table may hold (it is scanned on the hot path).
    uint256 public constant MAX_TIERS = 16;
    /// @notice The largest reward rate a tier may set: half of the reported value.
    uint16 public constant MAX_REWARD_BPS = 5_000;
    uint16 private constant BPS = 10_000;

    /// @dev The table in force and the one scheduled to replace it from epoch `scheduledTiersFrom`
    /// (0: nothing scheduled; a change is never scheduled for epoch 0).
    Tier[] private tiers;
    Tier[] private scheduledTiers;
    uint256 private scheduledTiersFrom;

    /// @notice Where badges are awarded on reaching a tier (zero: no badges).
    IReferralBadges public badges;

    mapping(address referrer => uint32) public qualifiedOf;
    mapping(address qualifier => bool) public isQualifier;

    constructor(SignUpRules memory config, Tier[] memory initialTiers) Ownable(msg.sender) ReferralSignUps("ReferralRegistry", config) {
        if (config.epochLength == 0 || config.maxCycleDepth == 0 || config.signUpCapPerEpoch == 0) revert InvalidConfig();
        if (config.requireAttestation && config.verifier == address(0)) revert InvalidConfig();
        _checkTiers(initialTiers);
        for (uint256 i = 0; i < initialTiers.length; ++i) tiers.push(initialTiers[i]);
        emit TiersSet(msg.sender, initialTiers.length, 0);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Allows or stops `qualifier` (a rewards contract) reporting qualifying actions.
    function setQualifier(address qualifier, bool allowed) external onlyOwner {
        isQualifier[qualifier] = allowed;
        emit QualifierSet(qualifier, allowed);
    }

    /// @notice Where badges are awarded from now on (zero turns badges off). It must be a contract:
    /// a call to an address without code reverts before `try` can catch it.
    function setBadges(IReferralBadges newBadges) external onlyOwner {
        if (address(newBadges) != address(0) && address(newBadges).code.length == 0) revert NotAContract(address(newBadges));
        badges = newBadges;
        emit BadgesSet(address(newBadges));
    }

    /// @notice Schedules `newTiers` for the next epoch, replacing any change scheduled before.
    function setTiers(Tier[] calldata newTiers) external onlyOwner {
        _checkTiers(newTiers);
        uint256 epoch = currentEpoch();
        if (scheduledTiersFrom != 0 && epoch >= scheduledTiersFrom) {
            delete tiers;
            for (uint256 i = 0; i < scheduledTiers.length; ++i) tiers.push(scheduledTiers[i]);
        }
        delete scheduledTiers;
        for (uint256 i = 0; i < newTiers.length; ++i) scheduledTiers.push(newTiers[i]);
        scheduledTiersFrom = epoch + 1;
        emit TiersSet(msg.sender, newTiers.length, scheduledTiersFrom);
    }

    /// @notice Always reverts: see `OwnershipCannotBeRenounced`.
    function renounceOwnership() public view override onlyOwner {
        revert OwnershipCannotBeRenounced();
    }

    // ---------------------------------------------------------------- qualification

    /// @inheritdoc IReferralRegistry
    function recordQualified(address referee) external returns (bool first) {
        if (!isQualifier[msg.sender]) revert NotQualifier(msg.sender);
        Referral storage referral = referralOf[referee];
        address referrer = referral.referrer;
        if (referrer == address(0)) revert NotSignedUp(referee);
        if (referral.qualifiedAt != 0) return false;
        referral.qualifiedAt = uint48(block.timestamp);
        uint32 qualified = qualifiedOf[referrer] + 1;
        qualifiedOf[referrer] = qualified;
        Tier[] storage table = _tiersAt(currentEpoch());
        uint256 tier = _tierIndex(table, qualified);
        emit Qualified(referee, referrer, qualified, tier);
        // A badge marks the step onto a tier above the first. Badges are a courtesy: a referrer that
        // cannot hold one must not make the integrating protocol's action revert.
        if (tier > 0 && table[tier].minQualified == qualified && address(badges) != address(0)) {
            try badges.award(referrer, tier) {} catch {}
        }
        return true;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IReferralRegistry
    function referrerOf(address user) external view returns (address) {
        return referralOf[user].referrer;
    }

    /// @inheritdoc IReferralRegistry
    function tierOf(address referrer) public view returns (uint256) {
        return _tierIndex(_tiersAt(currentEpoch()), qualifiedOf[referrer]);
    }

    /// @inheritdoc IReferralRegistry
    function tierAt(uint256 index) external view returns (Tier memory) {
        return _tiersAt(currentEpoch())[index];
    }

    /// @notice The number of tiers in force now.
    function tierCount() external view returns (uint256) {
        return _tiersAt(currentEpoch()).length;
    }

    /// @inheritdoc IReferralRegistry
    function discountOf(address trader) external view returns (uint256) {
        address referrer = referralOf[trader].referrer;
        if (referrer == address(0)) return 0;
        Tier[] storage table = _tiersAt(currentEpoch());
        return table[_tierIndex(table, qualifiedOf[referrer])].discountBps;
    }

    /// @inheritdoc IReferralRegistry
    function rewardTermsOf(address user) external view returns (address referrer, uint256 tier, uint256 rewardBps) {
        referrer = referralOf[user].referrer;
        if (referrer == address(0)) return (address(0), 0, 0);
        Tier[] storage table = _tiersAt(currentEpoch());
        tier = _tierIndex(table, qualifiedOf[referrer]);
        rewardBps = table[tier].rewardBps;
    }

    /// @notice The tier table scheduled for a later epoch (`fromEpoch` 0: none).
    function scheduled() external view returns (Tier[] memory nextTiers, uint256 fromEpoch) {
        if (scheduledTiersFrom > currentEpoch()) (nextTiers, fromEpoch) = (scheduledTiers, scheduledTiersFrom);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Reads only: a scheduled table is copied into place by the owner's next change, never on
    /// the hot path, so sign-ups and actions write no shared slot.
    function _tiersAt(uint256 epoch) private view returns (Tier[] storage) {
        return scheduledTiersFrom != 0 && epoch >= scheduledTiersFrom ? scheduledTiers : tiers;
    }

    function _tierIndex(Tier[] storage table, uint32 qualified) private view returns (uint256) {
        for (uint256 i = table.length; i > 1; --i) {
            if (qualified >= table[i - 1].minQualified) return i - 1;
        }
        return 0;
    }

    /// @dev The first tier starts at 0 qualified referees, so every referrer is in a tier; thresholds
    /// rise strictly, rates stay within `MAX_REWARD_BPS` and discounts within 100%.
    function _checkTiers(Tier[] memory newTiers) private pure {
        if (newTiers.length == 0 || newTiers.length > MAX_TIERS || newTiers[0].minQualified != 0) revert InvalidTiers();
        for (uint256 i = 0; i < newTiers.length; ++i) {
            if (newTiers[i].rewardBps > MAX_REWARD_BPS || newTiers[i].discountBps > BPS) revert InvalidTiers();
            if (i > 0 && newTiers[i].minQualified <= newTiers[i - 1].minQualified) revert InvalidTiers();
        }
    }
}
