// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IReferralBadges} from "./IReferralBadges.sol";
import {IReferralRegistry} from "./IReferralRegistry.sol";

/// @title ReferralBadges
/// @notice Soulbound ERC-1155 badges, one id per tier: a referrer holds the badge of each tier above
/// the first that it reached. The registry awards them as referrers qualify; a referrer whose badge
/// was skipped (a tier table changed under it) claims it with `claim`.
/// @dev Soulbound: no transfers and no approvals, only mints. Mints skip the ERC-1155 receiver
/// check, since a badge that can never move needs no acceptance and a contract referrer must
/// not make a protocol's action revert.
contract ReferralBadges is ERC1155, IReferralBadges {
    error Soulbound();
    error NotRegistry(address caller);
    error TierNotReached(address referrer, uint256 tier, uint256 current);
    error AlreadyAwarded(address referrer, uint256 tier);

    event BadgeAwarded(address indexed referrer, uint256 indexed tier);

    IReferralRegistry public immutable registry;

    constructor(IReferralRegistry registry_, string memory uri_) ERC1155(uri_) {
        registry = registry_;
    }

    /// @inheritdoc IReferralBadges
    function award(address referrer, uint256 tier) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        if (balanceOf(referrer, tier) == 0) _award(referrer, tier);
    }

    /// @notice Mints the caller's badge of `tier`, a tier it is in or has passed.
    function claim(uint256 tier) external {
        uint256 current = registry.tierOf(msg.sender);
        if (tier == 0 || tier > current) revert TierNotReached(msg.sender, tier, current);
        if (balanceOf(msg.sender, tier) != 0) revert AlreadyAwarded(msg.sender, tier);
        _award(msg.sender, tier);
    }

    function setApprovalForAll(address, bool) public pure override {
        revert Soulbound();
    }

    function _award(address referrer, uint256 tier) private {
        uint256[] memory ids = new uint256[](1);
        uint256[] memory values = new uint256[](1);
        ids[0] = tier;
        values[0] = 1;
        _update(address(0), referrer, ids, values);
        emit BadgeAwarded(referrer, tier);
    }

    /// @dev Only mints pass: `_award` is the one caller with `from` zero.
    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        if (from != address(0)) revert Soulbound();
        super._update(from, to, ids, values);
    }
}
