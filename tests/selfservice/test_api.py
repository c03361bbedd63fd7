"""POST /api/v1/self-service/deposit-check and /withdrawal-check, GET /api/v1/chain/networks,
on both databases, against the demo world's chains and exchange."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledgerdesk.accounts.models import Agent, Customer, Tier
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.chain.services import RECOVERY_TAG, SELF_SERVICE_TAG
from ledgerdesk.routing import services as routing
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Message, MessageKind, Status, Ticket
from tests.conftest import actor_of, bearer, make_customer, make_team
from tests.selfservice.conftest import DEMO_EMAIL, World
from tests.tickets.test_api import portal_login

DEPOSIT = "/api/v1/self-service/deposit-check"
WITHDRAWAL = "/api/v1/self-service/withdrawal-check"
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def demo_customer(app: Any) -> Customer:
    """The desk's record of the demo exchange's customer (found at the exchange by e-mail)."""
    with app.state.sessionmaker() as session:
        customer = make_customer(session, email=DEMO_EMAIL, name="Chen")
        session.commit()
        return customer


@pytest.fixture
def wallet_team(app: Any, seeded: dict[str, Any]) -> Iterator[int]:
    """A wallet-operations team and a routing rule sending missing deposits to it; the rule
    is deleted after the test (other tests route with the desk's rules)."""
    with app.state.sessionmaker() as session:
        admin = actor_of(session.get(Agent, seeded["admin"].id))
        team = make_team(session, Tier.specialist)
        rule = routing.do_create_rule(
            session,
            admin,
            routing.RuleIn(name="Missing deposits", intents=["deposit_missing"], team_id=team.id),
        )
        session.commit()
        team_id, rule_id = team.id, rule.id
    try:
        yield team_id
    finally:
        with app.state.sessionmaker() as session:
            admin = actor_of(session.get(Agent, seeded["admin"].id))
            routing.do_delete_rule(session, admin, routing.access_rule(session, rule_id))
            session.commit()


def _close_recovery_tickets(app: Any, customer_id: int, seeded: dict[str, Any]) -> None:
    """Earlier tests on this database may have left the customer's request open."""
    with app.state.sessionmaker() as session:
        admin = actor_of(session.get(Agent, seeded["admin"].id))
        for ticket in session.scalars(
            select(Ticket).where(Ticket.requester_id == customer_id, Ticket.status != Status.closed)
        ):
            tickets.do_set_status(session, admin, ticket, Status.solved, notify=False)
            tickets.do_set_status(session, admin, ticket, Status.closed)
        session.commit()


def test_anyone_can_check_a_deposit(client: TestClient, desk: World) -> None:
    stuck = desk.deposit("usdt_stuck")
    body = {"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash}
    answer = client.post(DEPOSIT, json=body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["verdict"] == "confirmed" and data["ticket_id"] is None
    assert data["language"] == "en" and data["title"] == "Confirmed on chain"
    assert "250 USDT" in data["explanation"] and data["next_step"]
    assert data["facts"]["amount"] == "250" and not data["needs_person"]
    chinese = client.post(DEPOSIT, json=body, headers=ZH).json()
    assert chinese["language"] == "zh-CN" and chinese["title"] == "链上已确认"
    assert "本地测试链" in chinese["explanation"]
    for planned in desk.demo.deposits:
        got = client.post(
            DEPOSIT,
            json={"network": planned.network, "asset": planned.asset, "tx_hash": planned.tx_hash},
        )
        assert got.status_code == 200 and got.json()["verdict"] == planned.expect_signed_out


def test_a_hash_no_chain_knows_is_not_kept_whole(client: TestClient, app: Any, desk: World) -> None:
    """A private key looks like a transaction hash; what no chain confirms is kept by its ends
    only, while a hash the chain knows is kept whole (agents need it)."""
    key_like = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    answer = client.post(DEPOSIT, json={"network": "devnet", "asset": "ETH", "tx_hash": key_like})
    assert answer.status_code == 200 and answer.json()["verdict"] == "not_found"
    check_id = answer.json()["check_id"]
    stuck = desk.deposit("usdt_stuck")
    seen = client.post(
        DEPOSIT, json={"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash}
    ).json()
    with app.state.sessionmaker() as session:
        unknown = session.get(ChainCheck, check_id)
        known = session.get(ChainCheck, seen["check_id"])
        assert unknown is not None and known is not None
        assert unknown.reference == "0x4c08…2318"
        assert key_like[2:] not in str(unknown.facts)
        assert known.reference == stuck.tx_hash


def test_a_stuck_deposit_opens_one_routed_request(
    client: TestClient, app: Any, desk: World, wallet_team: int, seeded: dict[str, Any]
) -> None:
    me = demo_customer(app)
    _close_recovery_tickets(app, me.id, seeded)
    portal_login(client, app, DEMO_EMAIL)
    stuck = desk.deposit("usdt_stuck")
    body = {"network": "devnet", "asset": "USDT", "tx_hash": stuck.tx_hash}
    first = client.post(DEPOSIT, json=body)
    assert first.status_code == 200, first.text
    data = first.json()
    assert data["verdict"] == "confirmed_not_credited" and data["needs_person"]
    ticket_id = data["ticket_id"]
    assert ticket_id and f"#{ticket_id}" in data["next_step"]
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.requester_id == me.id
        assert ticket.team_id == wallet_team and ticket.intent == "deposit_missing"
        assert {t.name for t in ticket.tags} >= {SELF_SERVICE_TAG, RECOVERY_TAG}
        assert "250 USDT" in ticket.subject
        opening = session.scalars(select(Message).where(Message.ticket_id == ticket_id)).all()
        assert len(opening) == 1 and stuck.tx_hash in opening[0].body
    # The same check again: the same request gets a note, not a second request.
    second = client.post(
        DEPOSIT, json={**body, "tx_hash": stuck.tx_hash.upper().replace("0X", "0x")}
    )
    assert second.status_code == 200 and second.json()["ticket_id"] == ticket_id
    with app.state.sessionmaker() as session:
        notes = session.scalars(
            select(Message).where(Message.ticket_id == ticket_id, Message.kind == MessageKind.note)
        ).all()
        assert len(notes) == 1 and "again" in notes[0].body
        opened = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.requester_id == me.id, Ticket.status != Status.closed)
        )
        assert opened == 1
        checks = session.scalars(
            select(ChainCheck).where(ChainCheck.customer_id == me.id).order_by(ChainCheck.id.desc())
        ).all()
        assert [c.ticket_id for c in checks[:2]] == [ticket_id, ticket_id]
        assert all(
            c.requested_by == "customer" and c.reference == stuck.tx_hash for c in checks[:2]
        )
        assert checks[0].verdict == "confirmed_not_credited" and checks[0].facts["amount"] == "250"
        # Once the wallet team solved it, a new check opens a new request.
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.do_set_status(
            session,
            actor_of(session.get(Agent, seeded["admin"].id)),
            ticket,
            Status.solved,
            notify=False,
        )
        session.commit()
    third = client.post(DEPOSIT, json=body).json()
    assert third["ticket_id"] and third["ticket_id"] != ticket_id
    # Checks that need nobody open nothing.
    credited = desk.deposit("eth_credited")
    fine = client.post(
        DEPOSIT, json={"network": "devnet", "asset": "ETH", "tx_hash": credited.tx_hash}
    ).json()
    assert fine["verdict"] == "credited" and fine["ticket_id"] is None


def test_a_missing_memo_opens_a_request_in_the_customers_language(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    me = demo_customer(app)
    _close_recovery_tickets(app, me.id, seeded)
    portal_login(client, app, DEMO_EMAIL)
    client.post("/lang", data={"lang": "zh-CN", "next": "/portal"})
    memo = desk.deposit("memo_missing")
    data = client.post(
        DEPOSIT, json={"network": "devnet-memo", "asset": "ETH", "tx_hash": memo.tx_hash}
    ).json()
    assert data["verdict"] == "missing_or_wrong_memo" and data["language"] == "zh-CN"
    assert (
        data["title"] == "备注（Memo/Tag）缺失或错误"
        and f"#{data['ticket_id']}" in data["next_step"]
    )
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, data["ticket_id"])
        assert ticket is not None and ticket.language == "zh-CN"
        assert ticket.subject == "充值未到账：本地备注链 (EVM) 上的 1.2 ETH"
        customer = session.get(Customer, me.id)
        assert customer is not None and customer.locale == "zh-CN"


def test_agents_check_on_behalf_of_a_customer_and_customers_cannot(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    me = demo_customer(app)
    pending = desk.deposit("eth_pending")
    body = {"network": "devnet", "asset": "ETH", "tx_hash": pending.tx_hash, "customer_id": me.id}
    answer = client.post(DEPOSIT, json=body, headers=bearer(seeded["agent_token"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "pending_confirmations"
    with app.state.sessionmaker() as session:
        check = session.get(ChainCheck, answer.json()["check_id"])
        assert check is not None and check.customer_id == me.id and check.requested_by == "agent"
    missing = client.post(
        DEPOSIT, json={**body, "customer_id": 987654321}, headers=bearer(seeded["agent_token"])
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    portal_login(client, app, seeded["alice"].email)
    refused = client.post(DEPOSIT, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_permitted"
    assert "agents" in refused.json()["error"]["message"]
    refused = client.post(DEPOSIT, json=body, headers=ZH)
    assert refused.status_code == 403
    client.cookies.clear()
    anonymous = client.post(DEPOSIT, json=body)
    assert anonymous.status_code == 403


def test_withdrawal_checks_need_the_customer(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    refused = client.post(WITHDRAWAL, json={"reference": "W7000000101"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"
    demo_customer(app)
    portal_login(client, app, DEMO_EMAIL)
    expected = {
        "processing": "processing",
        "on_hold": "on_hold",
        "sent": "sent",
        "failed": "failed",
        "cancelled": "failed",
    }
    for record in desk.exchange.withdrawals(desk.customer):
        answer = client.post(WITHDRAWAL, json={"reference": record.id})
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert data["verdict"] == expected[record.status] and data["kind"] == "withdrawal"
        assert data["facts"]["withdrawal_id"] == record.id and data["ticket_id"] is None
        assert data["title"] and "{" not in data["explanation"]
    sent = client.post(WITHDRAWAL, json={"reference": desk.demo.withdrawal_tx}, headers=ZH).json()
    assert sent["verdict"] == "sent" and sent["title"] == "提现已发出"
    assert sent["facts"]["confirmations"] >= 2
    unknown = client.post(WITHDRAWAL, json={"reference": "W0000000000"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "withdrawal_not_found"
    unknown = client.post(WITHDRAWAL, json={"reference": "W0000000000"}, headers=ZH)
    assert unknown.status_code == 404 and "提现" in unknown.json()["error"]["message"]
    # A customer the exchange does not know.
    portal_login(client, app, seeded["bob"].email)
    stranger = client.post(WITHDRAWAL, json={"reference": "W7000000101"})
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "unknown_customer"


@pytest.mark.parametrize(
    ("body", "code", "field", "chinese"),
    [
        ({"network": "dogechain", "asset": "ETH"}, "unknown_network", "network", "不支持"),
        ({"network": "devnet", "asset": "DOGE"}, "unknown_asset", "asset", "DOGE"),
        (
            {"network": "bitcoin", "asset": "BTC"},
            "invalid_hash.evm_hash_on_non_evm",
            "tx_hash",
            "0x",
        ),
        ({"tx_hash": "ab" * 32}, "invalid_hash.non_evm_hash_on_evm", "tx_hash", "0x"),
        (
            {"tx_hash": "0x9Cf58fa15E4F2D4588319496752b000018123cee"},
            "invalid_hash.address_not_hash",
            "tx_hash",
            "地址",
        ),
        ({"tx_hash": "   "}, "invalid_hash.empty", "tx_hash", "交易哈希"),
        ({"tx_hash": "where is my money"}, "invalid_hash.not_a_hash", "tx_hash", "64"),
    ],
)
def test_bad_input_is_refused_with_its_field(
    client: TestClient,
    desk: World,
    body: dict[str, str],
    code: str,
    field: str,
    chinese: str,
) -> None:
    full = {"network": "devnet", "asset": "ETH", "tx_hash": "0x" + "ab" * 32, **body}
    answer = client.post(DEPOSIT, json=full)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == (code, field) and error["message"]
    zh = client.post(DEPOSIT, json=full, headers=ZH).json()["error"]
    assert (zh["code"], zh["field"]) == (code, field)
    assert chinese in zh["message"] and zh["message"] != error["message"], zh


def test_malformed_requests_are_refused(client: TestClient, desk: World) -> None:
    for body in (
        {},
        {"network": "devnet", "asset": "ETH"},
        {"network": "devnet", "asset": "ETH", "tx_hash": "0x" + "a" * 300},
        {"network": "devnet", "asset": "ETH", "tx_hash": "0x" + "ab" * 32, "memo": "1"},
        {"network": ["devnet"], "asset": "ETH", "tx_hash": "0x" + "ab" * 32},
    ):
        answer = client.post(DEPOSIT, json=body)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_input"
    assert (
        client.post(DEPOSIT, content=b"{", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert client.post(WITHDRAWAL, json={"reference": ""}).status_code == 422


def test_checks_are_rate_limited(client: TestClient, app: Any, desk: World) -> None:
    before = app.state.settings
    app.state.settings = before.model_copy(update={"self_service_rate_limit": "2/minute"})
    try:
        _rate_limited(client, desk)
    finally:
        app.state.settings = before


def _rate_limited(client: TestClient, desk: World) -> None:
    body = {"network": "devnet", "asset": "ETH", "tx_hash": desk.deposit("eth_credited").tx_hash}
    assert [client.post(DEPOSIT, json=body).status_code for _ in range(2)] == [200, 200]
    refused = client.post(DEPOSIT, json=body)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert client.post(WITHDRAWAL, json={"reference": "W1"}).status_code == 429
    # Bad input counts too: nobody probes the nodes through the desk without limit.
    assert client.post(DEPOSIT, json={**body, "tx_hash": "x"}).status_code == 429


def test_the_networks_the_desk_knows(client: TestClient, desk: World) -> None:
    answer = client.get("/api/v1/chain/networks")
    assert answer.status_code == 200
    items = {n["id"]: n for n in answer.json()["items"]}
    assert {"bitcoin", "ethereum", "bsc", "tron", "polygon", "arbitrum", "devnet"} <= set(items)
    devnet = items["devnet"]
    assert devnet["checkable"] and not items["ethereum"]["checkable"]
    usdt = next(a for a in devnet["assets"] if a["symbol"] == "USDT")
    assert usdt["min_deposit"] == "1" and usdt["confirmations_to_credit"] == 3
    assert usdt["standard"] and usdt["contract"]
    assert items["devnet-memo"]["memo_required"]
    zh = {n["id"]: n for n in client.get("/api/v1/chain/networks", headers=ZH).json()["items"]}
    assert zh["devnet"]["name"] == "本地测试链 (EVM)" and devnet["name"] == "Local devnet (EVM)"
