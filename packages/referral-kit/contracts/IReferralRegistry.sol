// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IReferralRegistry
/// @notice What an integrating protocol reads in its own hot path (who referred a user, the
/// referrer's tier, the trader's discount), and what a rewards contract reports back.
interface IReferralRegistry {
    /// @notice A tier: referrers with at least `minQualified` qualified referees earn `rewardBps` of
    /// each reported action's value, and their referees get `discountBps` off the protocol's fee.
    struct Tier {
        uint32 minQualified;
        uint16 rewardBps;
        uint16 discountBps;
    }

    /// @notice The referrer `user` is bound to, or zero.
    function referrerOf(address user) external view returns (address);

    /// @notice The index of the tier `referrer` is in now.
    function tierOf(address referrer) external view returns (uint256);

    /// @notice A tier of the table in force now.
    function tierAt(uint256 index) external view returns (Tier memory);

    /// @notice The fee discount, in basis points, `trader` gets from its referrer's tier (0 without one).
    function discountOf(address trader) external view returns (uint256);

    /// @notice The referrer of `user` and the reward rate of its tier (zero address and 0 without one).
    function rewardTermsOf(address user) external view returns (address referrer, uint256 tier, uint256 rewardBps);

    /// @notice Marks `referee`'s first qualifying action; only authorized qualifiers may call it.
    /// Returns whether this call was the first one.
    function recordQualified(address referee) external returns (bool first);
}
