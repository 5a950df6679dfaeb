// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReferralRegistry} from "@parallel-evm/referral-kit/contracts/IReferralRegistry.sol";

/// @notice The part of the kit's rewards vault a protocol calls.
interface IReferralRewards {
    function recordAction(address user, uint256 value) external returns (uint256);
}

/// @title ReferralSwap
/// @notice A protocol integrating the referral kit from outside it: ETH in, points out at a fixed
/// rate, less a 0.3% fee. The trader's referral tier discounts the fee (read from the registry in
/// the swap's own hot path, GMX-style), and the fee charged is reported to the kit's rewards vault,
/// which pays the trader's referrer its tier's share of it.
contract ReferralSwap {
    error NothingSent();

    event Swapped(address indexed trader, uint256 paid, uint256 fee, uint256 discountBps, uint256 points);

    uint256 public constant FEE_BPS = 30;
    uint256 public constant POINTS_PER_ETH = 1_000;

    IReferralRegistry public immutable registry;
    IReferralRewards public immutable rewards;
    mapping(address trader => uint256) public pointsOf;

    constructor(IReferralRegistry registry_, IReferralRewards rewards_) {
        registry = registry_;
        rewards = rewards_;
    }

    function swap() external payable returns (uint256 points) {
        if (msg.value == 0) revert NothingSent();
        uint256 discountBps = registry.discountOf(msg.sender);
        uint256 fee = (msg.value * FEE_BPS * (10_000 - discountBps)) / 100_000_000;
        points = ((msg.value - fee) * POINTS_PER_ETH) / 1 ether;
        pointsOf[msg.sender] += points;
        emit Swapped(msg.sender, msg.value, fee, discountBps, points);
        rewards.recordAction(msg.sender, fee);
    }
}
