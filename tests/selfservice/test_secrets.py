"""Secrets pasted into the check forms never reach storage, with the exchange and the chains
in place (the generic sweep in tests/guard runs without them, so its checks stop early)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledgerdesk.chain.models import ChainCheck
from tests.guard import sweep
from tests.selfservice.conftest import DEMO_EMAIL, World
from tests.selfservice.test_api import DEPOSIT, WITHDRAWAL, demo_customer
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login


def test_secrets_in_every_check_field_are_refused_and_never_stored(
    client: TestClient, app: Any, desk: World, seeded: dict[str, Any]
) -> None:
    engine = app.state.engine
    existing = sweep.all_values(engine)
    found = sweep.make_secrets(lambda chunk: chunk in existing)
    valid = {"network": "devnet", "asset": "USDT", "tx_hash": desk.deposit("usdt_stuck").tx_hash}
    demo_customer(app)
    ticket_id = open_ticket(client, seeded["agent_token"], DEMO_EMAIL)["id"]
    with app.state.sessionmaker() as session:
        before = session.scalar(select(func.count()).select_from(ChainCheck))
    portal_login(client, app, DEMO_EMAIL)
    statuses: set[int] = set()
    for secret in found.texts:
        for name in valid:
            form = {**valid, name: secret}
            statuses.add(client.post(DEPOSIT, json=form).status_code)
            statuses.add(client.post("/help/deposit-check", data=form).status_code)
            statuses.add(client.post("/portal/checks/deposit", data=form).status_code)
        statuses.add(client.post(WITHDRAWAL, json={"reference": secret}).status_code)
        statuses.add(
            client.post("/portal/checks/withdrawal", data={"reference": secret}).status_code
        )
        app.state.limiter.reset()
    client.cookies.clear()
    console_login(client, seeded["agent"].email)
    for secret in found.texts:
        for name in valid:
            response = client.post(
                f"/console/tickets/{ticket_id}/chain-check",
                data={**valid, name: secret},
                headers={"HX-Request": "true"},
            )
            statuses.add(response.status_code)
    assert statuses <= {422}, statuses
    with app.state.sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(ChainCheck)) == before
    assert sweep.database_leaks(engine, found.needles()) == []
