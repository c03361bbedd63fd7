"""The diagnosis against the demo world: the registry's local chains (py-evm over HTTP) and
the demo exchange (HTTP, signed requests). Deposits go through every verdict by sending
transactions and mining blocks; withdrawals through every status of the demo customer."""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from ledgerdesk.chain.adapters import adapter_for, evm
from ledgerdesk.chain.diagnosis import (
    DEPOSIT_VERDICTS,
    WITHDRAWAL_VERDICTS,
    Diagnoser,
    Diagnosis,
    DiagnosisInputError,
)
from ledgerdesk.chain.explain import LANGUAGES, explain, placeholders, verdict_texts
from ledgerdesk.chain.registry import NodeConfig, Registry
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.world import DEMO_KEY_ID, world_plan
from ledgerdesk.exchange.client import ExchangeClient, WithdrawalRecord
from tests.chain.nodes import ScriptedNode, serve
from tests.selfservice.conftest import DEMO_EMAIL, World

PLAN = world_plan()
CUSTOMER = PLAN["customer"]
CUSTOMER_REFS = (CUSTOMER, f"email:{DEMO_EMAIL}")


def diagnoser(world: World, registry: Registry | None = None) -> Diagnoser:
    return Diagnoser(registry or world.registry, world.exchange, adapter_for)


def with_node(registry: Registry, network_id: str, url: str, timeout: float = 1.0) -> Registry:
    """``registry`` with ``network_id``'s node at ``url``."""
    networks = []
    for network in registry.networks:
        if network.id == network_id:
            node = NodeConfig("evm", url, allow_private=True, timeout=timeout)
            network = dataclasses.replace(network, node=node)
        networks.append(network)
    return dataclasses.replace(registry, networks=tuple(networks))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def random_hash() -> str:
    return "0x" + secrets.token_hex(32)


# --- the planned deposits ------------------------------------------------------------------


@pytest.mark.parametrize("planned", PLAN["deposits"], ids=[d["name"] for d in PLAN["deposits"]])
def test_every_planned_deposit_gives_its_verdict(world: World, planned: dict[str, str]) -> None:
    deposit = world.deposit(planned["name"])
    ask = diagnoser(world).deposit
    for ref in CUSTOMER_REFS:
        answer = ask(
            network_id=deposit.network,
            asset=deposit.asset,
            tx_hash=deposit.tx_hash,
            customer_ref=ref,
        )
        assert answer.verdict == planned["expect"], (ref, answer.facts)
        assert answer.customer_id == CUSTOMER
        assert (answer.network, answer.asset, answer.tx_hash) == (
            deposit.network,
            deposit.asset,
            deposit.tx_hash,
        )
        _check_facts(world, answer, planned)
    anonymous = ask(
        network_id=deposit.network, asset=deposit.asset, tx_hash=deposit.tx_hash, customer_ref=None
    )
    assert anonymous.verdict == planned["expect_signed_out"], anonymous.facts
    assert anonymous.customer_id is None and not anonymous.needs_person
    # Customers type networks, assets and hashes in any case and with spaces around them.
    typed = ask(
        network_id=f" {deposit.network.upper()} ",
        asset=deposit.asset.lower(),
        tx_hash=f"  {deposit.tx_hash.upper().replace('0X', '0x')}\n",
        customer_ref=None,
    )
    assert typed.verdict == anonymous.verdict and typed.tx_hash == deposit.tx_hash


def _check_facts(world: World, answer: Diagnosis, planned: dict[str, str]) -> None:
    facts = answer.facts
    network = world.registry.network(answer.network or "")
    assert network is not None
    asset = network.asset(answer.asset or "")
    assert asset is not None
    if answer.verdict == "credited":
        assert facts["amount"] == planned["amount"] and facts["deposit_id"]
        assert facts["credited_at"]
        return
    assert facts["block_number"] >= 1
    if answer.verdict == "failed_on_chain":
        return
    assert facts["to_address"]
    assert facts["amount"] == planned["amount"]
    if answer.verdict == "missing_or_wrong_memo":
        assert facts["memo"] is None
        assert answer.needs_person
    if answer.verdict == "below_minimum":
        assert Decimal(facts["min_deposit"]) == asset.min_deposit > Decimal(facts["amount"])
    elif answer.verdict == "pending_confirmations":
        assert facts["required"] == asset.confirmations.credit == 3
        assert 0 < facts["confirmations"] < facts["required"]
        remaining = facts["required"] - facts["confirmations"]
        assert facts["expected_seconds"] == remaining * network.block_time_seconds
    elif answer.verdict == "confirmed_not_credited":
        assert facts["confirmations"] >= facts["required"] == asset.confirmations.credit
        assert answer.needs_person
    elif answer.verdict == "wrong_recipient":
        assert facts["to_address"] == planned["to"]


def test_a_transaction_on_another_configured_network_is_wrong_network(world: World) -> None:
    memo_tx = world.deposit("memo_missing")
    for ref in (CUSTOMER, None):
        answer = diagnoser(world).deposit(
            network_id="devnet", asset="ETH", tx_hash=memo_tx.tx_hash, customer_ref=ref
        )
        assert answer.verdict == "wrong_network"
        assert answer.facts["found_on"] == "devnet-memo" and answer.network == "devnet"


def test_an_unknown_hash_is_not_found_on_any_network(world: World) -> None:
    tx = random_hash()
    for ref in (CUSTOMER, None):
        answer = diagnoser(world).deposit(
            network_id="devnet", asset="USDT", tx_hash=tx, customer_ref=ref
        )
        assert answer.verdict == "not_found" and answer.tx_hash == tx
        assert answer.facts["explorer_url"] is None and not answer.needs_person


def test_a_credited_deposit_is_credited_even_where_no_node_is_configured(world: World) -> None:
    credited = next(
        d for d in world.exchange.deposits(CUSTOMER) if d.network == "tron" and d.tx_hash
    )
    answer = diagnoser(world).deposit(
        network_id="tron", asset="usdt", tx_hash=credited.tx_hash or "", customer_ref=CUSTOMER
    )
    assert answer.verdict == "credited" and answer.facts["deposit_id"] == credited.id
    # Signed out, the desk has to ask the chain, and there is no Tron node here.
    anonymous = diagnoser(world).deposit(
        network_id="tron", asset="USDT", tx_hash=credited.tx_hash or "", customer_ref=None
    )
    assert anonymous.verdict == "unavailable"
    assert anonymous.facts["source"] == "chain"
    assert anonymous.facts["error"] == "not_configured"
    # Trying again later would not help: the answer says to open a request instead.
    text = explain(anonymous, world.registry, "en")
    assert "does not look up Tron" in text.explanation and "Open a request" in text.next_step
    assert "few minutes" not in text.next_step
    zh = explain(anonymous, world.registry, "zh-CN")
    assert "无法自动查询" in zh.explanation
    # Nor does its title say "right now": the desk never checks this network itself.
    assert text.title == "We do not check this network automatically"
    assert zh.title == "本服务台不自动查询该网络"
    down = dataclasses.replace(anonymous, facts={**anonymous.facts, "error": "timeout"})
    assert explain(down, world.registry, "en").title == "We cannot check right now"
    assert explain(down, world.registry, "zh-CN").title == "暂时无法查询"


# --- memos, and a deposit that waits for its confirmations --------------------------------


def _memo_address(world: World) -> tuple[str, str]:
    (address,) = world.exchange.deposit_addresses(CUSTOMER, asset="ETH", network="devnet-memo")
    assert address.memo
    return address.address, address.memo


def test_a_memo_that_is_not_the_customers_is_wrong_and_the_right_one_is_not(
    world: World,
) -> None:
    node = world.demo.nodes["devnet-memo"]
    address, memo = _memo_address(world)
    wrong = node.send_native(address, 10**18, memo="999999", sender=node.accounts[4])
    right = node.send_native(address, 10**18, memo=memo, sender=node.accounts[4])
    node.mine(2)
    evm.reset_caches()
    ask = diagnoser(world).deposit
    answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=wrong, customer_ref=CUSTOMER)
    assert answer.verdict == "missing_or_wrong_memo" and answer.facts["memo"] == "999999"
    assert answer.needs_person
    # Signed out, any memo may be someone's: the desk cannot tell it is wrong.
    assert ask(network_id="devnet-memo", asset="ETH", tx_hash=wrong, customer_ref=None).verdict == (
        "confirmed"
    )
    answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=right, customer_ref=CUSTOMER)
    assert answer.verdict == "confirmed_not_credited", answer.facts
    assert answer.facts["amount"] == "1"


def test_a_pending_deposit_is_confirmed_after_blocks_are_mined(world: World) -> None:
    node = world.demo.nodes["devnet-memo"]
    address, memo = _memo_address(world)
    ask = diagnoser(world).deposit
    with node.pending_mode():
        tx = node.send_native(address, 3 * 10**17, memo=memo, sender=node.accounts[5])
        for ref in (CUSTOMER, None):
            answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=tx, customer_ref=ref)
            assert answer.verdict == "pending_confirmations", answer.facts
            assert answer.facts["confirmations"] == 0 and answer.facts["required"] == 2
            assert answer.facts["expected_seconds"] == 2 * 2  # two blocks of 2 s
    # Leaving pending mode mined the transaction's block: one confirmation of two.
    evm.reset_caches()
    answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=tx, customer_ref=CUSTOMER)
    assert answer.verdict == "pending_confirmations"
    assert answer.facts["confirmations"] == 1 and answer.facts["expected_seconds"] == 2
    node.mine(1)
    evm.reset_caches()
    answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=tx, customer_ref=CUSTOMER)
    assert answer.verdict == "confirmed_not_credited" and answer.facts["confirmations"] == 2
    answer = ask(network_id="devnet-memo", asset="ETH", tx_hash=tx, customer_ref=None)
    assert answer.verdict == "confirmed"


# --- assets --------------------------------------------------------------------------------


def test_an_asset_the_network_lacks_is_unsupported(world: World) -> None:
    answer = diagnoser(world).deposit(
        network_id="devnet",
        asset="BTC",
        tx_hash=world.deposit("eth_credited").tx_hash,
        customer_ref=CUSTOMER,
    )
    assert answer.verdict == "unsupported_asset" and answer.asset == "BTC"
    assert "bitcoin" in answer.facts["supported_networks"]
    assert "devnet" not in answer.facts["supported_networks"]


def test_the_asset_the_transaction_really_moved_is_judged(world: World) -> None:
    ask = diagnoser(world).deposit
    # USDT chosen, but ETH moved: judged as the ETH it is.
    elsewhere = world.deposit("eth_elsewhere").tx_hash
    answer = ask(network_id="devnet", asset="USDT", tx_hash=elsewhere, customer_ref=CUSTOMER)
    assert (answer.verdict, answer.asset) == ("wrong_recipient", "ETH")
    assert answer.facts["asset_chosen"] == "USDT"
    answer = ask(network_id="devnet", asset="USDT", tx_hash=elsewhere, customer_ref=None)
    assert (answer.verdict, answer.asset, answer.facts["amount"]) == ("confirmed", "ETH", "0.3")
    # ETH chosen, but USDT moved to the customer and was never credited.
    stuck = world.deposit("usdt_stuck").tx_hash
    answer = ask(network_id="devnet", asset="ETH", tx_hash=stuck, customer_ref=CUSTOMER)
    assert (answer.verdict, answer.asset) == ("confirmed_not_credited", "USDT")
    assert answer.facts["amount"] == "250" and answer.facts["asset_chosen"] == "ETH"
    # A credited deposit checked with the wrong asset is still the credited deposit.
    credited = world.deposit("eth_credited").tx_hash
    answer = ask(network_id="devnet", asset="USDT", tx_hash=credited, customer_ref=CUSTOMER)
    assert (answer.verdict, answer.asset) == ("credited", "ETH")


# --- questions that cannot be asked --------------------------------------------------------

EVM_HASH = "0x" + "ab" * 32
BARE_HASH = "ab" * 32


@pytest.mark.parametrize(
    ("network", "asset", "tx_hash", "code", "field"),
    [
        ("dogechain", "ETH", EVM_HASH, "unknown_network", "network"),
        ("", "ETH", EVM_HASH, "unknown_network", "network"),
        ("devnet", "DOGE", EVM_HASH, "unknown_asset", "asset"),
        ("devnet", " ", EVM_HASH, "unknown_asset", "asset"),
        ("bitcoin", "BTC", EVM_HASH, "invalid_hash.evm_hash_on_non_evm", "tx_hash"),
        ("tron", "USDT", EVM_HASH, "invalid_hash.evm_hash_on_non_evm", "tx_hash"),
        ("devnet", "ETH", BARE_HASH, "invalid_hash.non_evm_hash_on_evm", "tx_hash"),
        (
            "devnet",
            "ETH",
            "0x9Cf58fa15E4F2D4588319496752b000018123cee",
            "invalid_hash.address_not_hash",
            "tx_hash",
        ),
        (
            "bitcoin",
            "BTC",
            "bc1q6usgq206qezz8khxt9nu634uw9ulcd5yytdp73",
            "invalid_hash.address_not_hash",
            "tx_hash",
        ),
        ("devnet", "ETH", "", "invalid_hash.empty", "tx_hash"),
        ("devnet", "ETH", "   ", "invalid_hash.empty", "tx_hash"),
        ("devnet", "ETH", "my deposit is missing!!", "invalid_hash.not_a_hash", "tx_hash"),
        ("devnet", "ETH", EVM_HASH[:-1], "invalid_hash.not_a_hash", "tx_hash"),
        ("devnet", "ETH", EVM_HASH + "g", "invalid_hash.not_a_hash", "tx_hash"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused(
    world: World, network: str, asset: str, tx_hash: str, code: str, field: str
) -> None:
    for ref in (CUSTOMER, None):
        with pytest.raises(DiagnosisInputError) as caught:
            diagnoser(world).deposit(
                network_id=network, asset=asset, tx_hash=tx_hash, customer_ref=ref
            )
        assert caught.value.code == code and caught.value.field == field
        assert caught.value.status_code == 422 and caught.value.message


# --- nodes and an exchange that fail -------------------------------------------------------


@contextmanager
def garbage_node() -> Iterator[str]:
    node = ScriptedNode(lambda request: (200, b"<html>this is not JSON-RPC</html>"))
    with serve(node) as url:
        yield url


def test_a_dead_wrong_or_garbled_node_is_unavailable(world: World) -> None:
    tx = world.deposit("usdt_stuck").tx_hash
    memo_url = world.demo.nodes["devnet-memo"].url
    with garbage_node() as garbage:
        for url, error in (
            (closed_port_url(), "unreachable"),
            (memo_url, "wrong_chain"),
            (garbage, "bad_response"),
        ):
            registry = with_node(world.registry, "devnet", url)
            for ref in (CUSTOMER, None):
                answer = diagnoser(world, registry).deposit(
                    network_id="devnet", asset="USDT", tx_hash=tx, customer_ref=ref
                )
                assert answer.verdict == "unavailable", (url, answer.facts)
                assert answer.facts["source"] == "chain"
                assert answer.facts["error"] == error, (url, answer.facts)


def test_a_node_that_does_not_answer_in_time_is_unavailable(world: World) -> None:
    import time

    def slow(request: object) -> tuple[int, bytes]:
        time.sleep(1.0)
        return 200, b"{}"

    with serve(ScriptedNode(slow)) as url:
        registry = with_node(world.registry, "devnet", url, timeout=0.2)
        started = time.monotonic()
        answer = diagnoser(world, registry).deposit(
            network_id="devnet", asset="ETH", tx_hash=random_hash(), customer_ref=None
        )
        assert time.monotonic() - started < 5
    assert answer.verdict == "unavailable" and answer.facts["source"] == "chain"
    assert answer.facts["error"] == "timeout"


def test_another_network_being_down_does_not_change_the_answer(world: World) -> None:
    registry = with_node(world.registry, "devnet-memo", closed_port_url())
    answer = diagnoser(world, registry).deposit(
        network_id="devnet", asset="ETH", tx_hash=random_hash(), customer_ref=None
    )
    assert answer.verdict == "not_found"


def test_an_exchange_that_is_down_makes_a_signed_in_check_unavailable(world: World) -> None:
    down = ExchangeClient(closed_port_url(), DEMO_KEY_ID, world.demo.secret, allow_private=True)
    wrong_key = ExchangeClient(world.demo.exchange_url, DEMO_KEY_ID, "x", allow_private=True)
    tx = world.deposit("usdt_stuck").tx_hash
    for client, error in ((down, "unavailable"), (wrong_key, "unauthorized")):
        ask = Diagnoser(world.registry, client, adapter_for)
        answer = ask.deposit(network_id="devnet", asset="USDT", tx_hash=tx, customer_ref=CUSTOMER)
        assert answer.verdict == "unavailable"
        assert (answer.facts["source"], answer.facts["error"]) == ("exchange", error)
        # Signed out the exchange is not asked.
        anonymous = ask.deposit(network_id="devnet", asset="USDT", tx_hash=tx, customer_ref=None)
        assert anonymous.verdict == "confirmed"
        withdrawal = ask.withdrawal(customer_ref=CUSTOMER, reference="W7000000101")
        assert withdrawal.verdict == "unavailable"
        assert (withdrawal.facts["source"], withdrawal.facts["error"]) == ("exchange", error)


def test_without_an_exchange_deposits_are_answered_from_the_chain(world: World) -> None:
    ask = Diagnoser(world.registry, None, adapter_for)
    tx = world.deposit("usdt_stuck").tx_hash
    answer = ask.deposit(network_id="devnet", asset="USDT", tx_hash=tx, customer_ref=CUSTOMER)
    assert answer.verdict == "confirmed" and not answer.needs_person
    with pytest.raises(DiagnosisInputError) as caught:
        ask.withdrawal(customer_ref=CUSTOMER, reference="W7000000101")
    assert caught.value.code == "exchange_not_configured" and caught.value.status_code == 409


# --- withdrawals ---------------------------------------------------------------------------


def test_every_withdrawal_status_of_the_demo_customer(world: World) -> None:
    records = {w.status: w for w in world.exchange.withdrawals(CUSTOMER)}
    assert set(records) == {"processing", "on_hold", "sent", "failed", "cancelled"}
    expected = {
        "processing": "processing",
        "on_hold": "on_hold",
        "sent": "sent",
        "failed": "failed",
        "cancelled": "failed",
    }
    ask = diagnoser(world).withdrawal
    for status, record in records.items():
        for ref in CUSTOMER_REFS:
            answer = ask(customer_ref=ref, reference=record.id)
            assert answer.verdict == expected[status], (status, answer.facts)
            assert answer.facts["withdrawal_id"] == record.id
            assert answer.facts["status"] == status and answer.customer_id == CUSTOMER
            assert (answer.network, answer.asset) == (record.network, record.asset)
    held = ask(customer_ref=CUSTOMER, reference=records["on_hold"].id)
    assert held.facts["hold_reason"] == records["on_hold"].hold_reason
    assert held.facts["release_at"] and held.facts["release_at"].startswith(
        records["on_hold"].release_at.strftime("%Y-%m-%dT%H:%M")  # type: ignore[union-attr]
    )
    failed = ask(customer_ref=CUSTOMER, reference=records["failed"].id)
    assert failed.facts["failure_reason"] == records["failed"].failure_reason
    cancelled = ask(customer_ref=CUSTOMER, reference=records["cancelled"].id)
    assert cancelled.facts["failure_reason"] == "cancelled"
    sent = ask(customer_ref=CUSTOMER, reference=records["sent"].id)
    node = world.demo.nodes["devnet"]
    receipt = node.call("eth_getTransactionReceipt", [world.demo.withdrawal_tx])
    block = int(receipt["blockNumber"], 16)
    assert sent.facts["tx_hash"] == world.demo.withdrawal_tx
    assert sent.facts["block_number"] == block
    assert sent.facts["confirmations"] == node.head - block + 1
    # The sent one is found by its transaction hash too, in any case, with or without 0x.
    tx = world.demo.withdrawal_tx or ""
    for reference in (tx, tx.upper().replace("0X", "0x"), tx[2:], f" {tx} "):
        by_hash = ask(customer_ref=CUSTOMER, reference=reference)
        assert by_hash.verdict == "sent" and by_hash.facts["withdrawal_id"] == records["sent"].id


def test_a_sent_withdrawal_whose_node_is_down_keeps_the_exchanges_answer(world: World) -> None:
    registry = with_node(world.registry, "devnet", closed_port_url())
    sent = diagnoser(world, registry).withdrawal(
        customer_ref=CUSTOMER, reference=world.demo.withdrawal_tx or ""
    )
    assert sent.verdict == "sent" and sent.facts["confirmations"] is None


@pytest.mark.parametrize(
    ("reference", "code", "status"),
    [
        ("W0000000000", "withdrawal_not_found", 404),
        ("0x" + "5e" * 32, "withdrawal_not_found", 404),  # fixed: xdist workers must agree
        ("", "invalid_reference", 422),
        ("  ", "invalid_reference", 422),
        ("W" * 129, "invalid_reference", 422),
        ("my withdrawal W7000000101", "invalid_reference", 422),
        ("W7000000101/../W7000000102", "invalid_reference", 422),
        ("abandon ability able about above absent absorb abstract", "invalid_reference", 422),
    ],
)
def test_an_unknown_withdrawal_is_refused(
    world: World, reference: str, code: str, status: int
) -> None:
    with pytest.raises(DiagnosisInputError) as caught:
        diagnoser(world).withdrawal(customer_ref=CUSTOMER, reference=reference)
    assert (caught.value.code, caught.value.status_code) == (code, status)


class RecordingExchange(ExchangeClient):
    """The demo exchange's client, noting every withdrawal asked for by id."""

    asked: list[str]

    def withdrawal(self, customer_id: str, withdrawal_id: str) -> WithdrawalRecord:
        self.asked.append(withdrawal_id)
        return super().withdrawal(customer_id, withdrawal_id)


def test_a_hash_is_never_sent_to_the_exchange_as_a_withdrawal_id(world: World) -> None:
    client = RecordingExchange(
        world.demo.exchange_url, DEMO_KEY_ID, world.demo.secret, allow_private=True
    )
    client.asked = []
    ask = Diagnoser(world.registry, client, adapter_for).withdrawal
    key_like = secrets.token_hex(32)  # a pasted private key looks exactly like a hash
    for reference in (key_like, "0x" + key_like, key_like.upper()):
        with pytest.raises(DiagnosisInputError) as caught:
            ask(customer_ref=CUSTOMER, reference=reference)
        assert caught.value.code == "withdrawal_not_found" and caught.value.field == "reference"
    assert client.asked == []
    assert ask(customer_ref=CUSTOMER, reference="W7000000103").verdict == "processing"
    assert client.asked == ["W7000000103"]


def test_another_customers_withdrawal_is_not_found(world: World) -> None:
    seed = json.loads((shipped_data_dir() / "demo" / "exchange.json").read_text("utf-8"))
    others = [
        w["id"] for c in seed["customers"] if c["id"] != CUSTOMER for w in c.get("withdrawals", [])
    ]
    assert others
    for withdrawal_id in others:
        with pytest.raises(DiagnosisInputError) as caught:
            diagnoser(world).withdrawal(customer_ref=CUSTOMER, reference=withdrawal_id)
        assert caught.value.code == "withdrawal_not_found"


def test_an_account_the_exchange_does_not_know(world: World) -> None:
    with pytest.raises(DiagnosisInputError) as caught:
        diagnoser(world).withdrawal(customer_ref="email:nobody@example.com", reference="W1")
    assert (caught.value.code, caught.value.status_code) == ("unknown_customer", 404)
    # A deposit check of an unknown account is answered as a signed-out one.
    answer = diagnoser(world).deposit(
        network_id="devnet",
        asset="USDT",
        tx_hash=world.deposit("usdt_stuck").tx_hash,
        customer_ref="email:nobody@example.com",
    )
    assert answer.verdict == "confirmed" and answer.customer_id is None


# --- what a person reads -------------------------------------------------------------------

# Facts each verdict's text must show (a "—" in their place would be a fact we lost).
NEEDED: dict[str, tuple[str, ...]] = {
    "credited": ("amount",),
    "pending_confirmations": ("confirmations", "required"),
    "confirmed_not_credited": ("amount", "confirmations", "required"),
    "confirmed": ("amount", "confirmations"),
    "failed_on_chain": ("block_number",),
    "wrong_recipient": ("to_address",),
    "below_minimum": ("amount", "min_deposit"),
    "wrong_network": (),
    "missing_or_wrong_memo": (),
    "unsupported_asset": (),
    "not_found": (),
    "unavailable": (),
    "processing": ("amount",),
    "on_hold": ("amount",),
    "sent": ("amount",),
    "failed": ("amount",),
}


def _every_verdict(world: World) -> list[Diagnosis]:
    """One real diagnosis of each verdict, from the world."""
    ask = diagnoser(world)
    found: dict[str, Diagnosis] = {}
    for deposit in world.demo.deposits:
        for ref in (CUSTOMER, None):
            answer = ask.deposit(
                network_id=deposit.network,
                asset=deposit.asset,
                tx_hash=deposit.tx_hash,
                customer_ref=ref,
            )
            found.setdefault(answer.verdict, answer)
    extra = [
        ask.deposit(
            network_id="devnet",
            asset="ETH",
            tx_hash=world.deposit("memo_missing").tx_hash,
            customer_ref=None,
        ),
        ask.deposit(network_id="devnet", asset="ETH", tx_hash=random_hash(), customer_ref=None),
        ask.deposit(
            network_id="devnet",
            asset="BTC",
            tx_hash=world.deposit("eth_credited").tx_hash,
            customer_ref=None,
        ),
        diagnoser(world, with_node(world.registry, "devnet", closed_port_url())).deposit(
            network_id="devnet", asset="ETH", tx_hash=random_hash(), customer_ref=None
        ),
    ]
    for answer in extra:
        found.setdefault(answer.verdict, answer)
    for record in world.exchange.withdrawals(CUSTOMER):
        answer = ask.withdrawal(customer_ref=CUSTOMER, reference=record.id)
        found.setdefault("w:" + answer.verdict, answer)
    down = ExchangeClient(closed_port_url(), DEMO_KEY_ID, "x", allow_private=True)
    unavailable = Diagnoser(world.registry, down, adapter_for).withdrawal(
        customer_ref=CUSTOMER, reference="W7000000101"
    )
    found["w:" + unavailable.verdict] = unavailable
    return list(found.values())


def test_every_verdict_reads_in_both_languages_with_its_facts(world: World) -> None:
    answers = _every_verdict(world)
    assert {a.verdict for a in answers if a.kind == "deposit"} == set(DEPOSIT_VERDICTS)
    assert {a.verdict for a in answers if a.kind == "withdrawal"} == set(WITHDRAWAL_VERDICTS)
    for answer in answers:
        for locale in ("en", "zh-CN", "zh", "zh-TW", "fr"):
            for ticket in (None, 42):
                text = explain(answer, world.registry, locale, ticket=ticket)
                whole = " ".join((text.title, text.explanation, text.next_step))
                assert "{" not in whole and "}" not in whole, (answer.verdict, whole)
                assert "None" not in whole, (answer.verdict, whole)
                if locale.startswith("zh"):
                    assert re.search(r"[\u4e00-\u9fff]", text.title), text.title
                for key in NEEDED[answer.verdict]:
                    assert str(answer.facts[key]) in whole, (answer.verdict, key, whole)
                if answer.verdict == "confirmed_not_credited" and ticket:
                    assert "#42" in text.next_step
                _no_lost_facts(answer, whole, ticket)


def _no_lost_facts(answer: Diagnosis, whole: str, ticket: int | None) -> None:
    """A "—" stands only where a fact is missing for a reason (no ticket, no release time)."""
    if "—" not in whole:
        return
    allowed = answer.verdict == "on_hold" and not answer.facts.get("release_at")
    assert allowed, (answer.verdict, ticket, whole)


def test_explanations_name_the_networks_in_the_readers_language(world: World) -> None:
    memo_tx = world.deposit("memo_missing").tx_hash
    answer = diagnoser(world).deposit(
        network_id="devnet", asset="ETH", tx_hash=memo_tx, customer_ref=None
    )
    en = explain(answer, world.registry, "en")
    zh = explain(answer, world.registry, "zh-CN")
    assert "Local memo chain (EVM)" in en.explanation and "Local devnet (EVM)" in en.explanation
    assert "本地备注链" in zh.explanation and "本地测试链" in zh.explanation


def test_verdict_texts_cover_every_verdict_in_both_languages() -> None:
    texts = verdict_texts()
    for kind, verdicts in (("deposit", DEPOSIT_VERDICTS), ("withdrawal", WITHDRAWAL_VERDICTS)):
        assert set(texts[kind]) == set(verdicts), kind
        for verdict in verdicts:
            entry = texts[kind][verdict]
            assert set(entry) == set(LANGUAGES), (kind, verdict)
            keys = set(entry["en"])
            assert keys >= {"title", "explanation", "next_step"}
            for lang in LANGUAGES:
                assert set(entry[lang]) == keys, (kind, verdict, lang)
                for key in keys:
                    assert entry[lang][key].strip(), (kind, verdict, lang, key)
            for key in keys:
                assert placeholders(entry["en"][key]) == placeholders(entry["zh-CN"][key]), (
                    kind,
                    verdict,
                    key,
                )
    for section in ("phrases", "hold_reasons", "failure_reasons", "ticket", "request"):
        for name, entry in texts[section].items():
            assert set(entry) == set(LANGUAGES), (section, name)
            assert placeholders(entry["en"]) == placeholders(entry["zh-CN"]), (section, name)
