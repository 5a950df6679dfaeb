// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ViewProbe
/// @notice Reads a view on the tests' chain, which answers transactions only: the probe makes the
/// static call inside a transaction and emits what it returned.
contract ViewProbe {
    event Returned(bool ok, bytes data);

    function probe(address target, bytes calldata data) external {
        (bool ok, bytes memory result) = target.staticcall(data);
        emit Returned(ok, result);
    }
}
