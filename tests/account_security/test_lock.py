""" "Lock my account now" reaches the demo exchange at once, opens one urgent security ticket,
and a second request changes nothing: same request, same ticket, no second lock call."""

from __future__ import annotations

import html
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from ledgerdesk.account_security import services
from ledgerdesk.account_security.models import SecurityRequest, SecurityRequestStep
from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.cases.register import team_for
from ledgerdesk.exchange.client import ExchangeClient, override_exchange
from ledgerdesk.tickets.models import Priority, Ticket
from tests.account_security.conftest import CHEN, PORTAL_EMAIL, Desk
from tests.exchange.conftest import closed_port
from tests.tickets.test_api import portal_login

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _lock_calls(desk: Desk) -> list[str]:
    return [t for m, t in desk.state.requests_seen() if m == "POST" and t.endswith("/lock")]


def _ticket(app: Any, ticket_id: int | None) -> Ticket:
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert isinstance(ticket, Ticket)
        session.expunge(ticket)
        return ticket


def test_a_signed_in_customer_locks_at_once_and_a_second_request_is_idempotent(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    portal_login(client, app, PORTAL_EMAIL)
    page = client.get("/portal/security/lock")
    assert page.status_code == 200 and 'id="lock-now"' in page.text
    done = client.post("/portal/security/lock")
    assert done.status_code == 200 and 'id="lock-done"' in done.text
    profile = desk.state.customer(CHEN)
    assert profile is not None and profile.locked and profile.locked_at is not None
    assert len(_lock_calls(desk)) == 1
    [request] = desk.requests()
    assert request.status.value == "locked" and request.locked_at == profile.locked_at
    ticket = _ticket(app, request.ticket_id)
    assert ticket.priority == Priority.urgent
    with app.state.sessionmaker() as session:
        assert ticket.team_id == team_for(session, "security") is not None
    # Again: "locked since", the same request and ticket, and the exchange is not called.
    again = client.post("/portal/security/lock")
    assert again.status_code == 200
    assert (
        "locked since" in again.text and profile.locked_at.strftime("%Y-%m-%d %H:%M") in again.text
    )
    assert len(_lock_calls(desk)) == 1
    assert [r.id for r in desk.requests()] == [request.id]
    steps = desk.steps(request.id)
    assert steps[:4] == ["lock_confirmed", "exchange_locked", "ticket_opened", "repeated"]
    page = client.get("/portal/security/lock")
    assert 'id="lock-current"' in page.text and 'id="lock-now"' not in page.text
    notice = desk.mail_with(PORTAL_EMAIL, f"at your request ({request.reference})")
    assert "nobody can sign in" in notice


def test_without_signing_in_a_code_from_the_email_on_file_confirms_the_lock(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    page = client.get("/portal/security/lock", headers=ZH)
    assert page.status_code == 200 and "立即锁定我的账户" in page.text
    sent = client.post("/portal/security/lock/code", data={"email": PORTAL_EMAIL})
    assert sent.status_code == 200 and 'id="lock-code-sent"' in sent.text
    assert not _lock_calls(desk)  # nothing happens before the code
    code = desk.code_in_last_mail(PORTAL_EMAIL)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        "/portal/security/lock/verify", data={"email": PORTAL_EMAIL, "code": wrong}
    )
    assert refused.status_code == 401 and "Wrong code" in refused.text
    assert not _lock_calls(desk)
    done = client.post("/portal/security/lock/verify", data={"email": PORTAL_EMAIL, "code": code})
    assert done.status_code == 200 and 'id="lock-done"' in done.text, done.text
    assert desk.state.customer(CHEN).locked  # type: ignore[union-attr]
    [request] = desk.requests()
    assert request.source == "email_code" and request.ticket_id is not None
    assert desk.steps(request.id)[:5] == [
        "requested",
        "code_sent",
        "code_wrong",
        "lock_confirmed",
        "exchange_locked",
    ]
    # The code is single-use.
    reused = client.post("/portal/security/lock/verify", data={"email": PORTAL_EMAIL, "code": code})
    assert reused.status_code == 401 and "expired" in reused.text
    # A second request by code: the first lock answers, no new lock call, no new ticket.
    client.post("/portal/security/lock/code", data={"email": PORTAL_EMAIL})
    code = desk.code_in_last_mail(PORTAL_EMAIL)
    again = client.post("/portal/security/lock/verify", data={"email": PORTAL_EMAIL, "code": code})
    assert again.status_code == 200 and "locked since" in html.unescape(again.text)
    assert len(_lock_calls(desk)) == 1
    first, second = desk.requests()
    assert second.ticket_id == first.ticket_id and "already_locked" in desk.steps(second.id)


def test_an_unknown_address_gets_the_same_page_and_no_code_works(
    client: TestClient, app: Any, desk: Desk
) -> None:
    sent = client.post("/portal/security/lock/code", data={"email": "nobody@example.com"})
    assert sent.status_code == 200 and 'id="lock-code-sent"' in sent.text
    refused = client.post(
        "/portal/security/lock/verify", data={"email": "nobody@example.com", "code": "123456"}
    )
    assert refused.status_code == 401
    bad = client.post("/portal/security/lock/code", data={"email": "not an address"})
    assert bad.status_code == 422 and "valid e-mail" in bad.text


def test_codes_are_rate_limited(client: TestClient, app: Any, desk: Desk) -> None:
    statuses = [
        client.post("/portal/security/lock/code", data={"email": PORTAL_EMAIL}).status_code
        for _ in range(7)
    ]
    assert statuses[0] == 200 and statuses[-1] == 429


def test_when_the_exchange_fails_the_security_team_gets_an_urgent_ticket(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    portal_login(client, app, PORTAL_EMAIL)
    down = ExchangeClient(f"http://127.0.0.1:{closed_port()}", "k", "s", allow_private=True)
    with override_exchange(down):
        page = client.post("/portal/security/lock")
        assert page.status_code == 200 and "could not lock your account" in page.text
        again = client.post("/portal/security/lock")
        assert again.status_code == 200
    assert not _lock_calls(desk)
    with app.state.sessionmaker() as session:
        requests = list(
            session.scalars(
                select(SecurityRequest)
                .where(SecurityRequest.customer_id == _customer_id(app))
                .order_by(SecurityRequest.id)
            )
        )
        assert [r.status.value for r in requests] == ["lock_failed", "lock_failed"]
        first, second = requests
        assert first.ticket_id is not None and second.ticket_id == first.ticket_id
        ticket = session.get(Ticket, first.ticket_id)
        assert ticket is not None and ticket.priority == Priority.urgent
        assert ticket.subject.startswith("Urgent: lock the customer's account")
        # Cleanup: these requests are under the desk's id of the customer, not the UID.
        ids = [r.id for r in requests]
        session.execute(delete(SecurityRequestStep).where(SecurityRequestStep.request_id.in_(ids)))
        session.execute(delete(SecurityRequest).where(SecurityRequest.id.in_(ids)))
        session.commit()


def _customer_id(app: Any) -> int:
    with app.state.sessionmaker() as session:
        found = session.scalar(select(Customer.id).where(Customer.email == PORTAL_EMAIL))
        assert isinstance(found, int)
        return found


def test_the_assistants_lock_is_logged_once_on_the_same_request(
    app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    with app.state.sessionmaker() as session:
        from tests.conftest import make_customer, make_ticket

        customer = make_customer(session, email=PORTAL_EMAIL)
        ticket = make_ticket(session, customer)
        profile = desk.client.customer(CHEN)
        locked_at = services.lock_at_exchange(desk.client, profile, "assistant test")
        first = services.do_record_assistant_lock(session, customer, ticket, CHEN, locked_at)
        # The account now says it is locked: the second lock does not call the exchange.
        desk.client.forget_customer(CHEN)
        again = services.lock_at_exchange(desk.client, desk.client.customer(CHEN), "again")
        second = services.do_record_assistant_lock(session, customer, ticket, CHEN, again)
        session.commit()
        assert again == locked_at and second.id == first.id
    assert len(_lock_calls(desk)) == 1
    assert desk.steps(first.id) == [
        "lock_confirmed",
        "exchange_locked",
        "ticket_opened",
        "repeated",
    ]
    assert SYSTEM.kind == "system"
