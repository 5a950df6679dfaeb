// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IRegistryCodes {
    function registerCode(bytes32 salt) external returns (bytes32);
}

interface IRewardsClaim {
    function claim(address[] calldata referees) external returns (uint256);
}

/// @title ContractReferrer
/// @notice A referrer that is a contract, in one of three moods toward the ETH a claim sends it:
/// accepts it, rejects it (no payable path), or re-enters `claim` from its receive hook.
contract ContractReferrer {
    enum Mood {
        Accepting,
        Rejecting,
        Reentering
    }

    IRegistryCodes public immutable registry;
    IRewardsClaim public immutable rewards;
    Mood public immutable mood;
    address[] private pending;
    bool public reentryFailed;

    constructor(IRegistryCodes registry_, IRewardsClaim rewards_, Mood mood_) {
        registry = registry_;
        rewards = rewards_;
        mood = mood_;
    }

    function registerCode(bytes32 salt) external returns (bytes32) {
        return registry.registerCode(salt);
    }

    function claim(address[] calldata referees) external returns (uint256) {
        pending = referees;
        return rewards.claim(referees);
    }

    receive() external payable {
        if (mood == Mood.Rejecting) revert();
        if (mood == Mood.Reentering) {
            try rewards.claim(pending) {} catch {
                reentryFailed = true;
            }
        }
    }
}
