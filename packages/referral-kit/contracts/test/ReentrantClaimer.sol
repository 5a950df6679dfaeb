// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IReferralClaim {
    function claim(address[] calldata referees) external returns (uint256);
    function registerCode(bytes32 salt) external returns (bytes32);
}

/// @title ReentrantClaimer
/// @notice A malicious referrer for tests: when paid, it calls `claim` again with the same
/// referees and records how the program answered, emits what happened, and keeps the payment.
contract ReentrantClaimer {
    IReferralClaim public immutable program;
    address[] private referees;
    uint256 public reentryAttempts;

    event Reentered(bool succeeded, bytes reason);

    constructor(IReferralClaim program_) {
        program = program_;
    }

    function registerCode(bytes32 salt) external returns (bytes32) {
        return program.registerCode(salt);
    }

    function attack(address[] calldata targets) external returns (uint256) {
        referees = targets;
        return program.claim(targets);
    }

    receive() external payable {
        if (reentryAttempts > 0) return;
        reentryAttempts += 1;
        try program.claim(referees) returns (uint256) {
            emit Reentered(true, "");
        } catch (bytes memory reason) {
            emit Reentered(false, reason);
        }
    }
}
