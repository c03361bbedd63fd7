"""The two contracts on a real local EVM chain, through the desk's client (transactions signed
locally and sent raw): anchors written and read; a commitment resolved in time pays nothing; one
left past its deadline is paid out by a stranger exactly once; the desk cannot resolve late."""

from __future__ import annotations

import pytest
from eth_account import Account

from ledgerdesk.trust import anchoring
from ledgerdesk.trust.contracts_build import CONTRACTS, compile_contract, json_path, render
from ledgerdesk.trust.onchain import ChainClient, OnchainError
from tests.trust_chain.conftest import BOND, COMPENSATION, ETHER, Chain

ROOT_A = bytes.fromhex("aa" * 32)
ROOT_B = bytes.fromhex("bb" * 32)


@pytest.mark.parametrize("name", CONTRACTS)
def test_committed_artefact_is_a_fresh_compile(name: str) -> None:
    assert json_path(name).read_text(encoding="utf-8") == render(compile_contract(name))


def test_anchor_written_and_read(chain: Chain) -> None:
    c = chain.client
    receipt = c.wait(c.anchor(chain.anchor, 7, ROOT_A))
    assert receipt.ok
    found = c.get_anchor(chain.anchor, 7)
    assert found is not None
    assert (found.root, found.block_number) == (ROOT_A, receipt.block_number)
    assert found.block_time == chain.now()
    assert c.get_anchor(chain.anchor, 6) is None
    assert c.latest_anchored_size(chain.anchor) == 7

    later = c.wait(c.anchor(chain.anchor, 9, ROOT_B))
    assert c.latest_anchored_size(chain.anchor) == 9

    yes = anchoring.check(c, chain.anchor, 7, ROOT_A, receipt.block_number)
    assert yes.anchored and yes.block_number == receipt.block_number
    assert not anchoring.check(c, chain.anchor, 7, ROOT_A, receipt.block_number - 1).anchored
    assert not anchoring.check(c, chain.anchor, 7, ROOT_B, None).anchored  # another root
    assert not anchoring.check(c, chain.anchor, 8, ROOT_A, None).anchored  # never anchored
    assert anchoring.check(c, chain.anchor, 9, ROOT_B, later.block_number).anchored


def test_anchor_sizes_only_grow_and_only_the_owner_anchors(chain: Chain) -> None:
    c = chain.client
    c.wait(c.anchor(chain.anchor, 5, ROOT_A))
    with pytest.raises(OnchainError, match="tree size must grow"):
        c.anchor(chain.anchor, 5, ROOT_B)
    with pytest.raises(OnchainError, match="tree size must grow"):
        c.anchor(chain.anchor, 4, ROOT_B)
    with pytest.raises(OnchainError, match="only the owner"):
        chain.stranger().anchor(chain.anchor, 6, ROOT_B)
    # Sent anyway (no estimate), the chain itself refuses: the root of 5 stays.
    assert not c.wait(c.anchor(chain.anchor, 5, ROOT_B, gas=200_000)).ok
    found = c.get_anchor(chain.anchor, 5)
    assert found is not None and found.root == ROOT_A


def test_resolved_in_time_pays_nothing(chain: Chain) -> None:
    c, customer = chain.client, Account.create().address
    case = b"\x01" * 32
    c.wait(
        c.register(chain.commitment, case, b"\x02" * 32, chain.now() + 3600, customer, COMPENSATION)
    )
    state = c.commitment(chain.commitment, case)
    assert (state.state, state.payout, state.compensation) == ("registered", customer, COMPENSATION)
    assert _reserved(c, chain.commitment) == COMPENSATION

    assert c.wait(c.resolve(chain.commitment, case, b"\x03" * 32)).ok
    state = c.commitment(chain.commitment, case)
    assert (state.state, state.resolution_hash) == ("resolved", b"\x03" * 32)
    assert _reserved(c, chain.commitment) == 0

    chain.node.time_travel(7200)  # past the deadline, a resolved commitment cannot be breached
    with pytest.raises(OnchainError, match="not open"):
        chain.stranger().mark_breached(chain.commitment, case)
    assert c.balance(customer) == 0
    assert c.balance(chain.commitment) == BOND


def test_past_deadline_anyone_triggers_the_payout_once(chain: Chain) -> None:
    c, customer = chain.client, Account.create().address
    case = b"\x04" * 32
    deadline = chain.now() + 600
    c.wait(c.register(chain.commitment, case, b"\x05" * 32, deadline, customer, COMPENSATION))
    stranger = chain.stranger()
    with pytest.raises(OnchainError, match="deadline not passed"):
        stranger.mark_breached(chain.commitment, case)

    chain.node.time_travel(601)
    # The desk cannot resolve late: refused at the estimate, and mined as a failure when sent.
    with pytest.raises(OnchainError, match="deadline passed"):
        c.resolve(chain.commitment, case, b"\x06" * 32)
    assert not c.wait(c.resolve(chain.commitment, case, b"\x06" * 32, gas=200_000)).ok
    assert c.commitment(chain.commitment, case).state == "registered"

    receipt = stranger.wait(stranger.mark_breached(chain.commitment, case))
    assert receipt.ok
    assert c.balance(customer) == COMPENSATION
    assert c.balance(chain.commitment) == BOND - COMPENSATION
    state = c.commitment(chain.commitment, case)
    assert state.state == "breached" and state.closed_at > deadline
    assert c.breach_tx(chain.commitment, case) == (receipt.tx_hash, COMPENSATION)

    # Exactly once: a second call is refused, even sent with gas, and pays nothing.
    with pytest.raises(OnchainError, match="not open"):
        stranger.mark_breached(chain.commitment, case)
    assert not stranger.wait(stranger.mark_breached(chain.commitment, case, gas=200_000)).ok
    assert c.balance(customer) == COMPENSATION
    with pytest.raises(OnchainError, match="not open"):
        c.resolve(chain.commitment, case, b"\x06" * 32)


def test_register_rules_and_bond(chain: Chain) -> None:
    c = chain.client
    with pytest.raises(OnchainError, match="deadline must be in the future"):
        c.register(chain.commitment, b"\x07" * 32, b"\x08" * 32, chain.now(), None, 0)
    with pytest.raises(OnchainError, match="bond too small"):
        c.register(
            chain.commitment,
            b"\x07" * 32,
            b"\x08" * 32,
            chain.now() + 60,
            c.account.address,
            BOND + 1,
        )  # type: ignore[union-attr]
    with pytest.raises(OnchainError, match="only the owner"):
        chain.stranger().register(
            chain.commitment, b"\x07" * 32, b"\x08" * 32, chain.now() + 60, None, 0
        )
    # No payout address: nothing is reserved, and a breach pays nothing.
    c.wait(
        c.register(
            chain.commitment, b"\x07" * 32, b"\x08" * 32, chain.now() + 60, None, COMPENSATION
        )
    )
    assert c.commitment(chain.commitment, b"\x07" * 32).compensation == 0
    with pytest.raises(OnchainError, match="already registered"):
        c.register(chain.commitment, b"\x07" * 32, b"\x08" * 32, chain.now() + 60, None, 0)
    customer = Account.create().address
    c.wait(
        c.register(chain.commitment, b"\x09" * 32, b"\x08" * 32, chain.now() + 60, customer, ETHER)
    )
    # The owner takes back only the bond that no open commitment reserves.
    with pytest.raises(OnchainError, match="reserved"):
        c.transact("commitment", chain.commitment, "withdraw", BOND - ETHER + 1)
    assert c.wait(c.transact("commitment", chain.commitment, "withdraw", BOND - ETHER)).ok
    assert c.balance(chain.commitment) == ETHER


def test_refused_node_url() -> None:
    with pytest.raises(OnchainError, match="refused"):
        ChainClient("http://127.0.0.1:8545")  # private, not allowed
    with pytest.raises(OnchainError, match="refused"):
        ChainClient("ftp://example.com/")


def _reserved(client: ChainClient, address: str) -> int:
    return int(client.contract("commitment", address).functions.reserved().call())


# A payout address that is a contract taking no ether (it has no payable default function);
# it can only ask the commitment contract for what it is owed.
REFUSER = """# pragma version ~=0.4.3
interface Commitment:
    def claim(to: address): nonpayable

@external
def take(commitment: address, to: address):
    extcall Commitment(commitment).claim(to)
"""


def test_a_payout_address_that_refuses_ether_does_not_block_the_claim(chain: Chain) -> None:
    """The breach still goes through; the refused compensation stays reserved, owed to the
    payout address, which takes it later with ``claim`` (once)."""
    import vyper

    c = chain.client
    built = vyper.compile_code(REFUSER, output_formats=["abi", "bytecode"])
    deployed = c.wait(c.send({"data": built["bytecode"]}))
    refuser = str(c.w3.eth.get_transaction_receipt(deployed.tx_hash)["contractAddress"])  # type: ignore[arg-type]
    case = b"\x0a" * 32
    c.wait(
        c.register(chain.commitment, case, b"\x0b" * 32, chain.now() + 60, refuser, COMPENSATION)
    )
    chain.node.time_travel(61)

    stranger = chain.stranger()
    breach = stranger.wait(stranger.mark_breached(chain.commitment, case))
    assert breach.ok
    assert c.breach_tx(chain.commitment, case) == (breach.tx_hash, 0)  # nothing paid: owed
    contract = c.contract("commitment", chain.commitment).functions
    assert c.commitment(chain.commitment, case).state == "breached"
    assert c.balance(refuser) == 0
    assert contract.owed(refuser).call() == COMPENSATION
    assert contract.reserved().call() == COMPENSATION  # not free bond: it is owed
    assert contract.free_bond().call() == BOND - COMPENSATION

    receiver = Account.create().address
    take = c.w3.eth.contract(address=refuser, abi=built["abi"]).functions.take
    call = take(chain.commitment, receiver)._encode_transaction_data()
    assert c.wait(c.send({"to": refuser, "data": call})).ok
    assert c.balance(receiver) == COMPENSATION
    assert contract.owed(refuser).call() == 0 and contract.reserved().call() == 0
    assert not c.wait(c.send({"to": refuser, "data": call}, gas=200_000)).ok  # only once
    assert c.balance(receiver) == COMPENSATION
