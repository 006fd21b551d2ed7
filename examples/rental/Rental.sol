// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// The paper's rental contract. The landlord deploys it with the Aryl node's
/// address and the rent per minute, both immutable. A tenant pays for N minutes
/// with a PIN encrypted to the node's key (ECIES, hex text); the node decrypts it
/// and sets it on every lock of the property. What the tenant pays beyond the rent
/// stays on the tenant's balance, from which the node deducts metered usage.
contract Rental {
    address public immutable landlord;
    address public immutable node;
    uint256 public immutable pricePerMinute;

    mapping(address => uint256) public balanceOf;
    /// Sum of all tenants' balances: ether the landlord may not withdraw.
    uint256 public credit;
    address public tenant;
    uint256 public paidUntil;

    event PaymentEvent(string encryptPin, uint32 mins);
    event UsageDeducted(address indexed tenant, uint256 amount, uint256 balance);
    event Withdrawn(address indexed to, uint256 amount);

    error NotNode(address caller);
    error NotLandlord(address caller);
    error RentTooLow(uint256 paid, uint256 due);
    error InsufficientBalance(uint256 balance, uint256 amount);
    error NoMinutes();
    error NotAvailable(uint256 available, uint256 amount);

    constructor(address node_, uint256 pricePerMinute_) {
        landlord = msg.sender;
        node = node_;
        pricePerMinute = pricePerMinute_;
    }

    /// Rent for `mins` minutes; the excess is credited to the sender's balance.
    function pay(string calldata encryptPin, uint32 mins) external payable {
        if (mins == 0) revert NoMinutes();
        uint256 due = uint256(mins) * pricePerMinute;
        if (msg.value < due) revert RentTooLow(msg.value, due);
        balanceOf[msg.sender] += msg.value - due;
        credit += msg.value - due;
        uint256 start = paidUntil > block.timestamp && tenant == msg.sender ? paidUntil : block.timestamp;
        tenant = msg.sender;
        paidUntil = start + uint256(mins) * 60;
        emit PaymentEvent(encryptPin, mins);
    }

    /// Metered usage (e.g. electricity), reported by a device through the node.
    function deductUsage(address tenant_, uint256 amount) external {
        if (msg.sender != node) revert NotNode(msg.sender);
        uint256 balance = balanceOf[tenant_];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[tenant_] = balance - amount;
        credit -= amount;
        emit UsageDeducted(tenant_, amount, balance - amount);
    }

    /// The landlord collects rent and deducted usage, never the tenants' balances.
    function withdraw(uint256 amount) external {
        if (msg.sender != landlord) revert NotLandlord(msg.sender);
        uint256 available = address(this).balance - credit;
        if (amount > available) revert NotAvailable(available, amount);
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        require(ok, "transfer failed");
    }

    function isRented() external view returns (bool) {
        return block.timestamp < paidUntil;
    }
}
