// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IReferralBadges
/// @notice The badge a referrer earns on reaching a tier.
interface IReferralBadges {
    /// @notice Gives `referrer` the badge of `tier` if it has none yet; only the registry may call it.
    function award(address referrer, uint256 tier) external;
}
