// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IReferralProgram {
    function claim(address[] calldata referees) external returns (uint256);
    function registerCode(bytes32 salt) external returns (bytes32);
}

/// @title RejectingReferrer
/// @notice A referrer contract that cannot take ETH (no receive or fallback): its claims must fail whole.
contract RejectingReferrer {
    IReferralProgram public immutable program;

    constructor(IReferralProgram program_) {
        program = program_;
    }

    function registerCode(bytes32 salt) external returns (bytes32) {
        return program.registerCode(salt);
    }

    function claim(address[] calldata referees) external returns (uint256) {
        return program.claim(referees);
    }
}
