// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title ReferralSignUps
/// @notice Who referred whom: referral codes and one-time sign-ups with their fraud checks
/// (self-referral, cycles, the verifier's EIP-712 attestation, a per-referrer cap per epoch). The
/// base of both `ReferralProgram` and `ReferralRegistry`, so the checks exist once.
/// @dev A sign-up writes only state keyed by the referee, its referrer and the attestation's
/// nonce: sign-ups of unrelated referrers share no storage slot.
abstract contract ReferralSignUps is EIP712 {
    /// @notice The sign-up rules fixed at deployment.
    struct SignUpRules {
        address verifier;
        uint64 epochLength;
        uint8 maxCycleDepth;
        uint32 signUpCapPerEpoch;
        bool requireAttestation;
    }

    /// @notice What is known of one referee: one storage slot. `qualifiedAt` is set by the
    /// referee's first qualifying action (a program's conversion, a protocol's reported action).
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

    event CodeRegistered(bytes32 indexed code, address indexed owner);
    event CodeTransferProposed(bytes32 indexed code, address indexed from, address indexed to);
    event CodeTransferred(bytes32 indexed code, address indexed from, address indexed to);
    event SignedUp(address indexed referee, address indexed referrer, bytes32 indexed code, uint256 epoch);
    /// @notice The verifier's attestation `nonce` was spent on `referee`'s sign-up.
    event AttestationUsed(uint256 indexed nonce, address indexed referee);

    bytes32 public constant SIGN_UP_TYPEHASH =
        keccak256("SignUp(address referee,bytes32 code,uint256 deadline,uint256 nonce)");

    uint256 public immutable start;
    address public immutable verifier;
    uint64 public immutable epochLength;
    uint8 public immutable maxCycleDepth;
    uint32 public immutable signUpCapPerEpoch;
    bool public immutable requireAttestation;

    mapping(bytes32 code => address) public codeOwner;
    mapping(bytes32 code => address) public pendingCodeOwner;
    mapping(address referee => Referral) public referralOf;
    mapping(address referrer => mapping(uint256 epoch => uint256)) public signUpsInEpoch;
    mapping(uint256 nonce => bool) public attestationUsed;

    /// @param name The EIP-712 domain's name (version "1"): attestations for one contract never verify at another.
    constructor(string memory name, SignUpRules memory rules) EIP712(name, "1") {
        start = block.timestamp;
        verifier = rules.verifier;
        epochLength = rules.epochLength;
        maxCycleDepth = rules.maxCycleDepth;
        signUpCapPerEpoch = rules.signUpCapPerEpoch;
        requireAttestation = rules.requireAttestation;
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

    /// @notice Binds the caller to the owner of `code`, once and for good: only where attestations
    /// are not required.
    function signUp(bytes32 code) external {
        _beforeSignUp();
        if (requireAttestation) revert AttestationRequired();
        _bind(code);
    }

    /// @notice `signUp` on the verifier's EIP-712 attestation that the caller passed the off-chain
    /// identity check: the fraud check that ties a sign-up to a person. Each nonce works once.
    function signUpWithAttestation(bytes32 code, uint256 deadline, uint256 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _beforeSignUp();
        if (block.timestamp > deadline) revert AttestationExpired(deadline, block.timestamp);
        if (attestationUsed[nonce]) revert AttestationReplayed(nonce);
        // tryRecover refuses a high s (the malleable twin of a valid signature) and a v other than 27 or 28.
        (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(signUpDigest(msg.sender, code, deadline, nonce), v, r, s);
        if (failure != ECDSA.RecoverError.NoError || signer != verifier) revert InvalidAttestation(signer);
        attestationUsed[nonce] = true;
        emit AttestationUsed(nonce, msg.sender);
        _bind(code);
    }

    function currentEpoch() public view returns (uint256) {
        return (block.timestamp - start) / epochLength;
    }

    /// @notice The EIP-712 digest the verifier signs for a sign-up.
    function signUpDigest(address referee, bytes32 code, uint256 deadline, uint256 nonce) public view returns (bytes32) {
        // EIP712 rebuilds the domain when the chain id differs from deployment's: attestations never cross a fork.
        return _hashTypedDataV4(keccak256(abi.encode(SIGN_UP_TYPEHASH, referee, code, deadline, nonce)));
    }

    /// @dev Runs before any check of a sign-up (a program refuses sign-ups once it has ended).
    function _beforeSignUp() internal view virtual {}

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
}
