"""The download routes through the real app: the signed-in customer's own ticket only, agents
by the console ticket page's rule, bad ids 404, and 409 while nothing is logged yet."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.tickets import services as tickets
from ledgerdesk.trust import log
from ledgerdesk.trust.transcript_verify import verify_bundle
from tests.conftest import PASSWORD, make_ticket
from tests.portal.test_security import sign_in
from tests.trust_transcript.helpers import NOTE_TEXT, public_key


def _ticket(app: Any, email: str, team_id: int | None = None) -> int:
    """A committed ticket of the customer with this e-mail, with an internal note."""
    with app.state.sessionmaker() as session:
        customer = accounts.find_customer_by_email(session, email)
        assert customer is not None
        ticket = make_ticket(session, customer, actor=SYSTEM, team_id=team_id)
        tickets.do_add_note(session, SYSTEM, ticket, NOTE_TEXT)
        session.commit()
        return ticket.id


def _log(app: Any) -> None:
    """One pass of the appender job."""
    with app.state.sessionmaker() as session:
        while log.append_pending(session) >= log.BATCH:
            session.flush()
        log.sign_head(session)
        session.commit()


def test_portal_download(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    email = sign_in(client, app)
    mine = _ticket(app, email)
    _log(app)
    answer = client.get(f"/portal/tickets/{mine}/transcript")
    assert answer.status_code == 200, answer.text
    disposition = answer.headers["content-disposition"]
    assert disposition == f'attachment; filename="transcript-{mine}.html"'
    assert verify_bundle(answer.content, public_key()).ok
    assert NOTE_TEXT.encode() not in answer.content
    page = client.get(f"/portal/tickets/{mine}")
    assert f'href="/portal/tickets/{mine}/transcript"' in page.text

    theirs = _ticket(app, seeded["bob"].email)
    _log(app)
    assert client.get(f"/portal/tickets/{theirs}/transcript").status_code == 404
    for bad in ("abc", "0", "99999999999999999999", "-1"):
        assert client.get(f"/portal/tickets/{bad}/transcript").status_code == 404, bad


def test_a_fresh_ticket_answers_409(client: TestClient, app: Any) -> None:
    email = sign_in(client, app)
    _log(app)
    fresh = _ticket(app, email)
    answer = client.get(f"/portal/tickets/{fresh}/transcript")
    assert answer.status_code == 409
    assert "try again in a few seconds" in answer.text
    another = _ticket(app, email)  # fresh too: the app's own job may have logged the first
    chinese = client.get(
        f"/portal/tickets/{another}/transcript", headers={"Accept-Language": "zh-CN"}
    )
    assert chinese.status_code == 409 and "请几秒后再试" in chinese.text


def test_console_download(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    email = sign_in(client, app)
    in_security = _ticket(app, email, team_id=seeded["security"])
    _log(app)
    data = {"email": seeded["agent"].email, "password": PASSWORD}  # an l1 agent
    assert client.post("/console/login", data=data).status_code == 200
    assert client.get(f"/console/tickets/{in_security}/transcript").status_code == 404
    data = {"email": seeded["security_agent"].email, "password": PASSWORD}
    assert client.post("/console/login", data=data).status_code == 200
    answer = client.get(f"/console/tickets/{in_security}/transcript")
    assert answer.status_code == 200
    assert NOTE_TEXT.encode() in answer.content
    assert verify_bundle(answer.content, public_key()).ok
    page = client.get(f"/console/tickets/{in_security}")
    assert f'href="/console/tickets/{in_security}/transcript"' in page.text
    assert client.get("/console/tickets/x1/transcript").status_code == 404
