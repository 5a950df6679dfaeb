// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IReferralBadges} from "./IReferralBadges.sol";
import {IReferralRegistry} from "./IReferralRegistry.sol";

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
contract ReferralRegistry is IReferralRegistry, Ownable2Step, EIP712 {
    /// @notice The settings fixed at deployment.
    struct Config {
        address verifier;
        uint64 epochLength;
        uint8 maxCycleDepth;
        uint32 signUpCapPerEpoch;
        bool requireAttestation;
    }

    /// @notice What the registry knows of one referee: one storage slot.
    struct Referral {
        address referrer;
        uint48 signedUpAt;
        uint48 qualifiedAt;
    }

    error CodeTaken(bytes32 code);
    error UnknownCode(bytes32 code);
    error NotCodeOwner(bytes32 code, address caller);
    error NoPendingCodeTransfer(bytes32 code, address caller);
    error SelfReferral(address referee);
    error ReferralCycle(address referee, address referrer);
    error AlreadySignedUp(address referee, address referrer);
    error AttestationRequired();
    error AttestationExpired(uint256 deadline, uint256 nowTimestamp);
    error AttestationReplayed(uint256 nonce);
    error InvalidAttestation(address signer);
    error ReferrerCapReached(address referrer, uint256 epoch, uint256 cap);
    error NotQualifier(address caller);
    error NotSignedUp(address account);
    error InvalidConfig();
    error InvalidTiers();
    /// @notice Renouncing would freeze the tier table and the qualifier list for good.
    error OwnershipCannotBeRenounced();

    event CodeRegistered(bytes32 indexed code, address indexed owner);
    event CodeTransferProposed(bytes32 indexed code, address indexed from, address indexed to);
    event CodeTransferred(bytes32 indexed code, address indexed from, address indexed to);
    event SignedUp(address indexed referee, address indexed referrer, bytes32 indexed code, uint256 epoch);
    event AttestationUsed(uint256 indexed nonce, address indexed referee);
    event Qualified(address indexed referee, address indexed referrer, uint256 qualified, uint256 tier);
    event QualifierSet(address indexed qualifier, bool allowed);
    event BadgesSet(address indexed badges);
    /// @notice New tiers, in force from epoch `fromEpoch` (the next epoch; 0 at deployment).
    event TiersSet(address indexed by, uint256 count, uint256 fromEpoch);

    bytes32 public constant SIGN_UP_TYPEHASH =
        keccak256("SignUp(address referee,bytes32 code,uint256 deadline,uint256 nonce)");
    /// @notice The most tiers a table may hold (it is scanned on the hot path).
    uint256 public constant MAX_TIERS = 16;
    /// @notice The largest reward rate a tier may set: half of the reported value.
    uint16 public constant MAX_REWARD_BPS = 5_000;
    uint16 private constant BPS = 10_000;

    uint256 public immutable start;
    address public immutable verifier;
    uint64 public immutable epochLength;
    uint8 public immutable maxCycleDepth;
    uint32 public immutable signUpCapPerEpoch;
    bool public immutable requireAttestation;

    /// @dev The table in force and the one scheduled to replace it from epoch `scheduledTiersFrom`
    /// (0: nothing scheduled; a change is never scheduled for epoch 0).
    Tier[] private tiers;
    Tier[] private scheduledTiers;
    uint256 private scheduledTiersFrom;

    /// @notice Where badges are awarded on reaching a tier (zero: no badges).
    IReferralBadges public badges;

    mapping(bytes32 code => address) public codeOwner;
    mapping(bytes32 code => address) public pendingCodeOwner;
    mapping(address referee => Referral) public referralOf;
    mapping(address referrer => uint32) public qualifiedOf;
    mapping(address referrer => mapping(uint256 epoch => uint256)) public signUpsInEpoch;
    mapping(uint256 nonce => bool) public attestationUsed;
    mapping(address qualifier => bool) public isQualifier;

    constructor(Config memory config, Tier[] memory initialTiers) Ownable(msg.sender) EIP712("ReferralRegistry", "1") {
        if (config.epochLength == 0 || config.maxCycleDepth == 0 || config.signUpCapPerEpoch == 0) revert InvalidConfig();
        if (config.requireAttestation && config.verifier == address(0)) revert InvalidConfig();
        start = block.timestamp;
        verifier = config.verifier;
        epochLength = config.epochLength;
        maxCycleDepth = config.maxCycleDepth;
        signUpCapPerEpoch = config.signUpCapPerEpoch;
        requireAttestation = config.requireAttestation;
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

    /// @notice Where badges are awarded from now on (zero turns badges off).
    function setBadges(IReferralBadges newBadges) external onlyOwner {
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

    // ---------------------------------------------------------------- codes

    /// @notice Registers the code derived from the caller and `salt`. A code a front-runner copies
    /// from the mempool derives to a different code under the front-runner's address.
    function registerCode(bytes32 salt) external returns (bytes32 code) {
        code = codeFor(msg.sender, salt);
        if (codeOwner[code] != address(0)) revert CodeTaken(code);
        codeOwner[code] = msg.sender;
        emit CodeRegistered(code, msg.sender);
    }

    /// @notice First step of a code transfer; the recipient must accept.
    function proposeCodeTransfer(bytes32 code, address to) external {
        if (codeOwner[code] != msg.sender) revert NotCodeOwner(code, msg.sender);
        pendingCodeOwner[code] = to;
        emit CodeTransferProposed(code, msg.sender, to);
    }

    function acceptCodeTransfer(bytes32 code) external {
        if (pendingCodeOwner[code] != msg.sender) revert NoPendingCodeTransfer(code, msg.sender);
        address from = codeOwner[code];
        codeOwner[code] = msg.sender;
        delete pendingCodeOwner[code];
        emit CodeTransferred(code, from, msg.sender);
    }

    function codeFor(address owner_, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(owner_, salt));
    }

    // ---------------------------------------------------------------- sign-ups

    /// @notice Binds the caller to the owner of `code`, once and for good: for registries deployed
    /// without `requireAttestation`.
    function signUp(bytes32 code) external {
        if (requireAttestation) revert AttestationRequired();
        _bind(code);
    }

    /// @notice `signUp` on the verifier's EIP-712 attestation that the caller passed the off-chain
    /// identity check. Each nonce works once.
    function signUpWithAttestation(bytes32 code, uint256 deadline, uint256 nonce, uint8 v, bytes32 r, bytes32 s) external {
        if (block.timestamp > deadline) revert AttestationExpired(deadline, block.timestamp);
        if (attestationUsed[nonce]) revert AttestationReplayed(nonce);
        // tryRecover refuses a high s (the malleable twin of a valid signature) and a v other than 27 or 28.
        (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(signUpDigest(msg.sender, code, deadline, nonce), v, r, s);
        if (failure != ECDSA.RecoverError.NoError || signer != verifier || signer == address(0)) revert InvalidAttestation(signer);
        attestationUsed[nonce] = true;
        emit AttestationUsed(nonce, msg.sender);
        _bind(code);
    }

    function _bind(bytes32 code) private {
        address referrer = codeOwner[code];
        if (referrer == address(0)) revert UnknownCode(code);
        if (referrer == msg.sender) revert SelfReferral(msg.sender);
        Referral storage referral = referralOf[msg.sender];
        if (referral.referrer != address(0)) revert AlreadySignedUp(msg.sender, referral.referrer);
        _rejectCycle(msg.sender, referrer);

        uint256 epoch = currentEpoch();
        uint256 signUps = signUpsInEpoch[referrer][epoch] + 1;
        if (signUps > signUpCapPerEpoch) revert ReferrerCapReached(referrer, epoch, signUpCapPerEpoch);
        signUpsInEpoch[referrer][epoch] = signUps;

        referral.referrer = referrer;
        referral.signedUpAt = uint48(block.timestamp);
        emit SignedUp(msg.sender, referrer, code, epoch);
    }

    /// @dev Walks up to `maxCycleDepth` referrers above `referrer`; meeting `referee` means the new
    /// link would close a loop (A refers B refers A) that farms rewards in a circle.
    function _rejectCycle(address referee, address referrer) private view {
        address ancestor = referralOf[referrer].referrer;
        for (uint256 depth = 0; depth < maxCycleDepth && ancestor != address(0); ++depth) {
            if (ancestor == referee) revert ReferralCycle(referee, referrer);
            ancestor = referralOf[ancestor].referrer;
        }
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

    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - start) / epochLength;
    }

    /// @notice The EIP-712 digest the verifier signs for a sign-up.
    function signUpDigest(address referee, bytes32 code, uint256 deadline, uint256 nonce) public view returns (bytes32) {
        // EIP712 rebuilds the domain when the chain id differs from deployment's: attestations never cross a fork.
        return _hashTypedDataV4(keccak256(abi.encode(SIGN_UP_TYPEHASH, referee, code, deadline, nonce)));
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
