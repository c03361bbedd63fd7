# pragma version ~=0.4.3
"""
@title ledgerdesk complaint-deadline commitments
@notice For each formal complaint the desk commits, before its legal deadline, to resolve it.
        Block time is the clock: the desk cannot resolve once the deadline has passed, and after
        it anyone may mark the commitment breached, which pays the reserved compensation from
        the exchange's bond to the address the customer registered, exactly once.
"""

# States of a commitment (0 = none).
REGISTERED: constant(uint8) = 1
RESOLVED: constant(uint8) = 2
BREACHED: constant(uint8) = 3

event Deposited:
    sender: indexed(address)
    amount: uint256

event Withdrawn:
    receiver: indexed(address)
    amount: uint256

event Registered:
    case_hash: indexed(bytes32)
    ack_hash: bytes32
    deadline: uint256
    payout: address
    compensation: uint256

event Resolved:
    case_hash: indexed(bytes32)
    resolution_hash: bytes32
    resolved_at: uint256

event Breached:
    case_hash: indexed(bytes32)
    caller: indexed(address)
    payout: address
    paid: uint256

event Owed:
    payout: indexed(address)
    amount: uint256

event Claimed:
    payout: indexed(address)
    amount: uint256

struct Commitment:
    ack_hash: bytes32
    deadline: uint256
    payout: address
    compensation: uint256
    state: uint8
    resolution_hash: bytes32
    closed_at: uint256

owner: public(address)
reserved: public(uint256)
commitments: HashMap[bytes32, Commitment]
# Compensation a payout address refused when it was sent (a contract that takes no ether):
# kept for it, still reserved, until it calls ``claim``.
owed: public(HashMap[address, uint256])


@deploy
@payable
def __init__():
    self.owner = msg.sender
    if msg.value > 0:
        log Deposited(sender=msg.sender, amount=msg.value)


@external
@payable
def deposit():
    """@notice Add to the bond; anyone may."""
    assert msg.value > 0, "nothing sent"
    log Deposited(sender=msg.sender, amount=msg.value)


@view
@external
def free_bond() -> uint256:
    """@notice The part of the bond not reserved for open commitments."""
    return self.balance - self.reserved


@external
def withdraw(amount: uint256):
    """@notice The owner takes back bond that no open commitment needs."""
    assert msg.sender == self.owner, "only the owner withdraws"
    assert amount <= self.balance - self.reserved, "amount is reserved for open commitments"
    send(self.owner, amount)
    log Withdrawn(receiver=self.owner, amount=amount)


@external
def register(case_hash: bytes32, ack_hash: bytes32, deadline: uint256, payout: address, compensation: uint256):
    """
    @notice Commit to resolve the complaint ``case_hash`` by ``deadline`` (unix time, compared
            with block time). ``compensation`` is reserved from the bond now; with an empty
            ``payout`` nothing is reserved or paid.
    """
    assert msg.sender == self.owner, "only the owner registers"
    assert case_hash != empty(bytes32), "empty case hash"
    assert self.commitments[case_hash].state == 0, "already registered"
    assert deadline > block.timestamp, "deadline must be in the future"
    amount: uint256 = compensation
    if payout == empty(address):
        amount = 0
    assert self.balance - self.reserved >= amount, "bond too small"
    self.reserved += amount
    self.commitments[case_hash] = Commitment(
        ack_hash=ack_hash, deadline=deadline, payout=payout, compensation=amount,
        state=REGISTERED, resolution_hash=empty(bytes32), closed_at=0
    )
    log Registered(case_hash=case_hash, ack_hash=ack_hash, deadline=deadline, payout=payout, compensation=amount)


@external
def resolve(case_hash: bytes32, resolution_hash: bytes32):
    """@notice Record the resolution; refused once the deadline has passed."""
    assert msg.sender == self.owner, "only the owner resolves"
    c: Commitment = self.commitments[case_hash]
    assert c.state == REGISTERED, "not open"
    assert block.timestamp <= c.deadline, "deadline passed"
    self.reserved -= c.compensation
    self.commitments[case_hash].state = RESOLVED
    self.commitments[case_hash].resolution_hash = resolution_hash
    self.commitments[case_hash].closed_at = block.timestamp
    log Resolved(case_hash=case_hash, resolution_hash=resolution_hash, resolved_at=block.timestamp)


@external
def markBreached(case_hash: bytes32):
    """
    @notice After the deadline, anyone marks an unresolved commitment breached; the reserved
            compensation goes to the payout address. Works once per commitment.
    """
    c: Commitment = self.commitments[case_hash]
    assert c.state == REGISTERED, "not open"
    assert block.timestamp > c.deadline, "deadline not passed"
    self.reserved -= c.compensation
    self.commitments[case_hash].state = BREACHED
    self.commitments[case_hash].closed_at = block.timestamp
    paid: uint256 = c.compensation
    if c.compensation > 0:
        # A payout address that refuses ether must not block the claim: what it refused is
        # owed to it (and stays reserved) until it calls ``claim``.
        sent: bool = raw_call(c.payout, b"", value=c.compensation, revert_on_failure=False)
        if not sent:
            paid = 0
            self.reserved += c.compensation
            self.owed[c.payout] += c.compensation
            log Owed(payout=c.payout, amount=c.compensation)
    log Breached(case_hash=case_hash, caller=msg.sender, payout=c.payout, paid=paid)


@external
def claim(to: address):
    """@notice A payout address that refused its compensation takes it, to ``to``."""
    amount: uint256 = self.owed[msg.sender]
    assert amount > 0, "nothing owed"
    assert to != empty(address), "empty receiver"
    self.owed[msg.sender] = 0
    self.reserved -= amount
    send(to, amount)
    log Claimed(payout=msg.sender, amount=amount)


@view
@external
def get_commitment(case_hash: bytes32) -> (uint8, bytes32, uint256, address, uint256, bytes32, uint256):
    """
    @notice (state, ack_hash, deadline, payout, compensation, resolution_hash, closed_at);
            state 0 none, 1 registered, 2 resolved, 3 breached.
    """
    c: Commitment = self.commitments[case_hash]
    return c.state, c.ack_hash, c.deadline, c.payout, c.compensation, c.resolution_hash, c.closed_at
