"""The demo exchange's seed data and the API the demo world uses to change its state."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import base58
import pytest
from eth_tester import EthereumTester, PyEVMBackend
from eth_utils import is_checksum_address

from ledgerdesk.core.clock import utcnow
from ledgerdesk.exchange.demo import RunningService, start_demo_exchange
from ledgerdesk.exchange.demo_state import DemoExchange, DemoStateError, default_seed_path
from ledgerdesk.exchange.records import WITHDRAWAL_STATUSES
from tests.exchange.conftest import CHEN, KEY_ID, PORTAL_EMAIL, SECRET


def test_seed_has_believable_customers(demo_state: DemoExchange) -> None:
    ids = demo_state.customer_ids()
    assert 4 <= len(ids) <= 6
    assert all(re.fullmatch(r"UID\d{8}", uid) for uid in ids)
    profiles = [demo_state.customer(uid) for uid in ids]
    assert sum(p is not None and p.frozen for p in profiles) == 1
    names = [p.name or "" for p in profiles if p is not None]
    assert any(re.search(r"[\u4e00-\u9fff]", n) for n in names)
    assert any(re.fullmatch(r"[A-Za-z .'-]+", n) for n in names)
    assert len({p.vip_level for p in profiles if p is not None}) >= 3
    assert len({p.kyc_level for p in profiles if p is not None}) >= 2
    found = demo_state.find_by_email(PORTAL_EMAIL)
    assert found is not None and found.id == CHEN


def test_every_withdrawal_status_is_seeded(demo_state: DemoExchange) -> None:
    records = [w for uid in demo_state.customer_ids() for w in demo_state.withdrawals(uid)]
    assert {w.status for w in records} == set(WITHDRAWAL_STATUSES)
    held = next(w for w in records if w.hold_reason == "2fa_reset")
    assert held.status == "on_hold" and held.release_at is not None
    assert abs(held.release_at - (utcnow() + timedelta(hours=48))) < timedelta(minutes=1)
    assert any(w.status == "failed" and w.failure_reason == "invalid_address" for w in records)
    # The devnet "sent" withdrawal waits for the demo world to give it a real hash.
    assert any(w.status == "sent" and w.network == "devnet" and w.tx_hash is None for w in records)
    assert any(w.status == "sent" and w.tx_hash for w in records)


def test_relative_times_count_from_the_load(tmp_path: Path) -> None:
    moment = utcnow().replace(microsecond=0) - timedelta(days=3)
    state = DemoExchange.load(now=moment)
    held = state.withdrawal(CHEN, "W7000000101")
    assert held is not None and held.release_at == moment + timedelta(hours=48)


def test_devnet_addresses_are_the_customers_own_and_not_funded_test_accounts(
    demo_state: DemoExchange,
) -> None:
    funded = {a.lower() for a in EthereumTester(PyEVMBackend()).get_accounts()}
    evm, memos, shared = set(), set(), set()
    for uid in demo_state.customer_ids():
        (own,) = {a.address for a in demo_state.deposit_addresses(uid, network="devnet")}
        evm.add(own)
        assert is_checksum_address(own) and own.lower() not in funded
        memo_addresses = demo_state.deposit_addresses(uid, network="devnet-memo")
        shared |= {a.address for a in memo_addresses}
        memos |= {a.memo for a in memo_addresses}
        assert all(a.memo and a.memo.isdigit() for a in memo_addresses)
        for address in demo_state.deposit_addresses(uid, network="ethereum"):
            assert is_checksum_address(address.address)
        for address in demo_state.deposit_addresses(uid, network="tron"):
            raw = base58.b58decode_check(address.address)
            assert raw[0] == 0x41 and len(raw) == 21
        for address in demo_state.deposit_addresses(uid, network="bitcoin"):
            assert re.fullmatch(r"bc1q[02-9ac-hj-np-z]{38}", address.address)
    count = len(demo_state.customer_ids())
    assert len(evm) == count and len(memos) == count and len(shared) == 1
    assert next(iter(shared)).lower() not in funded


def test_seed_file_says_it_is_demo_data() -> None:
    data = json.loads(default_seed_path().read_text(encoding="utf-8"))
    assert "demo data" in data["_comment"]


def test_the_demo_world_records_deposits_and_withdrawals(demo_state: DemoExchange) -> None:
    address = demo_state.deposit_addresses(CHEN, asset="ETH", network="devnet")[0].address
    pending = demo_state.add_deposit(
        CHEN, "ETH", "devnet", "0x" + "12" * 32, address, None, Decimal("0.5"), "pending", 1
    )
    assert pending.credited_at is None and pending.id.startswith("D")
    credited = demo_state.set_deposit_status(pending.id, "credited", confirmations=12)
    assert credited.status == "credited" and credited.credited_at is not None
    assert demo_state.deposits(CHEN, tx_hash="12" * 32) == [credited]
    sent = demo_state.add_withdrawal(
        CHEN, "ETH", "devnet", address, None, Decimal("0.1"), Decimal("0.001"), "processing"
    )
    assert demo_state.withdrawals(CHEN)[0] == sent  # newest first
    done = demo_state.update_withdrawal(sent.id, status="sent", tx_hash="0x" + "34" * 32)
    assert demo_state.withdrawal(CHEN, sent.id) == done
    seeded = demo_state.update_withdrawal("W7000000102", tx_hash="0x" + "56" * 32)
    assert seeded.status == "sent" and seeded.tx_hash == "0x" + "56" * 32


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.add_deposit(
            "UID19999999", "ETH", "devnet", None, "0x", None, Decimal(1), "pending"
        ),
        lambda s: s.add_deposit(CHEN, "ETH", "devnet", None, "0x", None, Decimal(1), "lost"),
        lambda s: s.add_deposit(CHEN, "ETH", "devnet", None, "0x", None, Decimal(-1), "pending"),
        lambda s: s.add_deposit(CHEN, "ETH", "devnet", None, "0x", None, 1.5, "pending"),
        lambda s: s.set_deposit_status("D0", "credited"),
        lambda s: s.add_withdrawal(
            CHEN, "ETH", "devnet", "0x", None, Decimal(1), Decimal(0), "on_hold"
        ),
        lambda s: s.add_withdrawal(
            CHEN,
            "ETH",
            "devnet",
            "0x",
            None,
            Decimal(1),
            Decimal(0),
            "failed",
            failure_reason="gremlins",
        ),
        lambda s: s.update_withdrawal("W7000000101", colour="red"),
        lambda s: s.update_withdrawal("W7000000101", status="teleported"),
        lambda s: s.update_withdrawal("W0", status="sent"),
        lambda s: s.lock("UID19999999"),
    ],
    ids=[
        "unknown customer",
        "unknown status",
        "negative amount",
        "float amount",
        "unknown deposit",
        "hold without reason",
        "unknown failure reason",
        "unknown field",
        "unknown withdrawal status",
        "unknown withdrawal",
        "lock unknown customer",
    ],
)
def test_nonsense_from_the_demo_world_is_refused(demo_state: DemoExchange, call: object) -> None:
    with pytest.raises(DemoStateError):
        call(demo_state)  # type: ignore[operator]


def test_bad_seed_files_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "exchange.json"
    broken.write_text("{not json")
    with pytest.raises(DemoStateError, match=r"exchange\.json"):
        DemoExchange.load(broken)
    data = json.loads(default_seed_path().read_text(encoding="utf-8"))
    data["customers"][0]["withdrawals"][0]["hold_reason"] = "bored"
    broken.write_text(json.dumps(data))
    with pytest.raises(DemoStateError, match="hold reason 'bored'"):
        DemoExchange.load(broken)


def test_state_is_safe_across_threads(demo_state: DemoExchange) -> None:
    def add(n: int) -> None:
        for i in range(50):
            demo_state.add_deposit(
                CHEN, "ETH", "devnet", f"0x{n:02x}{i:062x}", "0x", None, Decimal(i), "pending"
            )

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = demo_state.deposits(CHEN, limit=1000)
    assert len(records) == 2 + 200 and len({d.id for d in records}) == 202


def test_service_binds_a_free_port_and_stops(demo_state: DemoExchange) -> None:
    service: RunningService = start_demo_exchange(demo_state, key_id=KEY_ID, secret=SECRET)
    import httpx

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", service.url)
    assert httpx.get(service.url + "/v1/customers/UID10000001").status_code == 401
    service.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(service.url + "/v1/customers/UID10000001", timeout=2)
