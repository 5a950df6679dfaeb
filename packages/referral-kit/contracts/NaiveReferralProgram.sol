// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title NaiveReferralProgram
/// @notice The contrast design, not a product: the same program written the way many are, with
/// global counters, an on-chain top-10 leaderboard and a storage re-entrancy lock. Every sign-up,
/// purchase and claim writes the same few slots, so no two of them can run in parallel; the demo
/// measures the kit's `ReferralProgram` against it.
/// @dev Do not deploy it. It has no withdrawal, so every wei paid in stays locked forever; codes
/// are first come, first served, so a code seen in the mempool can be front-run; and rewards are
/// never checked against the funds. The kit's main entry point does not export it: it lives under
/// the package's `contrast` entry point, for the campaign generator and benchmarks.
contract NaiveReferralProgram {
    error CodeTaken(bytes32 code);
    error UnknownCode(bytes32 code);
    error SelfReferral(address referee);
    error AlreadySignedUp(address referee);
    error NotSignedUp(address account);
    error PurchaseTooSmall(uint256 value, uint256 minimum);
    error NothingToClaim(address referrer);
    error TransferFailed(address to, uint256 amount);
    error ReentrantCall();

    event CodeRegistered(bytes32 indexed code, address indexed owner);
    event SignedUp(address indexed referee, address indexed referrer, bytes32 indexed code);
    event Purchased(address indexed buyer, address indexed referrer, uint256 amount, bool conversion);
    event Claimed(address indexed referrer, uint256 total);

    uint256 public constant LEADERBOARD_SIZE = 10;

    uint256 public immutable rewardWei;
    uint256 public immutable minPurchase;

    uint256 public totalSignUps;
    uint256 public totalConversions;
    uint256 public totalRewardsAccrued;
    uint256 public totalClaimed;
    address[LEADERBOARD_SIZE] public leaderboard;
    uint256 private locked = 1;

    mapping(bytes32 code => address) public codeOwner;
    mapping(address referee => address) public referrerOf;
    mapping(address referee => bool) public converted;
    mapping(address referrer => uint256) public conversionsOf;
    mapping(address referrer => uint256) public rewardsOf;

    constructor(uint256 rewardWei_, uint256 minPurchase_) payable {
        rewardWei = rewardWei_;
        minPurchase = minPurchase_;
    }

    modifier nonReentrant() {
        if (locked != 1) revert ReentrantCall();
        locked = 2;
        _;
        locked = 1;
    }

    /// @notice First come, first served: a code seen in the mempool can be front-run.
    function registerCode(bytes32 code) external {
        if (codeOwner[code] != address(0)) revert CodeTaken(code);
        codeOwner[code] = msg.sender;
        emit CodeRegistered(code, msg.sender);
    }

    function signUp(bytes32 code) external {
        address referrer = codeOwner[code];
        if (referrer == address(0)) revert UnknownCode(code);
        if (referrer == msg.sender) revert SelfReferral(msg.sender);
        if (referrerOf[msg.sender] != address(0)) revert AlreadySignedUp(msg.sender);
        referrerOf[msg.sender] = referrer;
        totalSignUps += 1;
        emit SignedUp(msg.sender, referrer, code);
    }

    function purchase() external payable {
        address referrer = referrerOf[msg.sender];
        if (referrer == address(0)) revert NotSignedUp(msg.sender);
        bool conversion = !converted[msg.sender];
        if (conversion && msg.value < minPurchase) revert PurchaseTooSmall(msg.value, minPurchase);
        emit Purchased(msg.sender, referrer, msg.value, conversion);
        if (!conversion) return;
        converted[msg.sender] = true;
        totalConversions += 1;
        conversionsOf[referrer] += 1;
        rewardsOf[referrer] += rewardWei;
        totalRewardsAccrued += rewardWei;
        _updateLeaderboard(referrer);
    }

    function claim() external nonReentrant returns (uint256 amount) {
        amount = rewardsOf[msg.sender];
        if (amount == 0) revert NothingToClaim(msg.sender);
        rewardsOf[msg.sender] = 0;
        totalClaimed += amount;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    /// @dev Keeps the top referrers by conversions sorted on-chain: reads and may rewrite every entry.
    function _updateLeaderboard(address referrer) private {
        uint256 score = conversionsOf[referrer];
        uint256 position = LEADERBOARD_SIZE;
        for (uint256 i = 0; i < LEADERBOARD_SIZE; ++i) {
            address entry = leaderboard[i];
            if (entry == referrer || entry == address(0)) {
                position = i;
                break;
            }
        }
        if (position == LEADERBOARD_SIZE) {
            if (conversionsOf[leaderboard[LEADERBOARD_SIZE - 1]] >= score) return;
            position = LEADERBOARD_SIZE - 1;
        }
        leaderboard[position] = referrer;
        while (position > 0) {
            address above = leaderboard[position - 1];
            if (conversionsOf[above] >= score) break;
            leaderboard[position] = above;
            leaderboard[position - 1] = referrer;
            --position;
        }
    }
}
