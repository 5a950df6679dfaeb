// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IReferralRegistry} from "../IReferralRegistry.sol";

interface IReferralRewards {
    function recordAction(address user, uint256 value) external returns (uint256);
}

/// @title ReferralMint
/// @notice An example integration: a paid mint (of plain counted items) that reads the buyer's fee
/// discount from the registry, in its own hot path, and reports what the buyer paid to the rewards
/// vault. The kit's protocol campaign runs it; a real protocol (a swap, an exchange) does the same
/// two calls around its own logic.
/// @dev Writes only the buyer's own count: two buyers' mints share no slot here, and the registry and
/// vault keep their writes per referee, per referrer and per bucket.
contract ReferralMint {
    error WrongPayment(uint256 sent, uint256 price);

    event Minted(address indexed buyer, uint256 quantity, uint256 paid, uint256 discountBps);

    IReferralRegistry public immutable registry;
    IReferralRewards public immutable rewards;
    uint256 public immutable unitPrice;
    mapping(address buyer => uint256) public mintedOf;

    constructor(IReferralRegistry registry_, IReferralRewards rewards_, uint256 unitPrice_) {
        registry = registry_;
        rewards = rewards_;
        unitPrice = unitPrice_;
    }

    function priceFor(address buyer, uint256 quantity) external view returns (uint256) {
        return _price(quantity, registry.discountOf(buyer));
    }

    function mint(uint256 quantity) external payable {
        uint256 discountBps = registry.discountOf(msg.sender);
        uint256 price = _price(quantity, discountBps);
        if (msg.value != price) revert WrongPayment(msg.value, price);
        mintedOf[msg.sender] += quantity;
        emit Minted(msg.sender, quantity, price, discountBps);
        rewards.recordAction(msg.sender, price);
    }

    function _price(uint256 quantity, uint256 discountBps) private view returns (uint256) {
        return (unitPrice * quantity * (10_000 - discountBps)) / 10_000;
    }
}
