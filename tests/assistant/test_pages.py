"""The assistant's pages over HTTP on both databases: the console ticket panel (agents who see
the ticket; polite when the engine fails), the report (leads and admins only, both languages,
bad dates), the help center's ask page (guard first, no question stored, bad input, rate limit,
CSRF, yes/no feedback), and the portal's yes/no buttons."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.ask import MAX_QUESTION
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Message, Ticket
from tests.assistant.factory import (
    FakeEngine,
    answer_reply,
    customer_says,
    fake_engine,
    handover_reply,
    help_row,
    post_reply,
)
from tests.conftest import make_ticket
from tests.guard.factory import phrase
from tests.tickets.test_api import portal_login
from tests.tickets.test_views import console_login

T = TypeVar("T")


def committed(app: Any, make: Callable[[Any], T]) -> T:
    with app.state.sessionmaker() as session:
        made = make(session)
        session.commit()
        return made


@pytest.fixture(autouse=True)
def _assistant_enabled(app: Any) -> Iterator[None]:
    """The suite turns the assistant off (tests/conftest.py); these pages are its own."""
    before = app.state.settings
    app.state.settings = before.model_copy(update={"assistant_enabled": True})
    yield
    app.state.settings = before


def chinese(client: TestClient) -> None:
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})


@pytest.fixture
def engine_answers(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return fake_engine(monkeypatch)


def _ticket_id(app: Any, seeded: dict[str, Any], *more: str) -> int:
    def make(session: Any) -> int:
        ticket = make_ticket(session, seeded["alice"], body="My USDT deposit is missing.")
        for said in more:
            customer_says(session, ticket, said)
        return ticket.id

    return committed(app, make)


# --- the console panel ------------------------------------------------------------------------


def test_ticket_page_loads_the_panel_lazily(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    ticket_id = _ticket_id(app, seeded)
    console_login(client, seeded["agent"].email)
    page = client.get(f"/console/tickets/{ticket_id}").text
    assert f'hx-get="/console/tickets/{ticket_id}/assistant" hx-trigger="load"' in page


def test_panel_shows_the_suggestion_editable_with_its_sources(
    client: TestClient, app: Any, seeded: dict[str, Any], engine_answers: FakeEngine
) -> None:
    ticket_id = _ticket_id(app, seeded, "Sent on TRC20 at 10:00")
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant")
    assert panel.status_code == 200
    assert engine_answers.asked[0][0] == "Sent on TRC20 at 10:00"
    draft = re.search(r'<textarea id="assistant-draft"[^>]*>(.*?)</textarea>', panel.text, re.S)
    assert draft and "Deposits are credited after 1 confirmation on Tron." in draft.group(1)
    assert 'lang="en"' in draft.group(0)
    assert 'href="/help/articles/deposit-not-credited"' in panel.text
    assert "How deposits are credited" in panel.text and "82%" in panel.text
    assert 'class="use-assistant-reply"' in panel.text and "Use this reply" in panel.text
    assert "<form" not in panel.text  # nothing in the panel sends anything
    chinese(client)
    assert "使用此回复" in client.get(f"/console/tickets/{ticket_id}/assistant").text


def test_panel_for_a_handover_names_the_reason(
    client: TestClient,
    app: Any,
    seeded: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_engine(monkeypatch, handover_reply("staff_only"))
    ticket_id = _ticket_id(app, seeded)
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant").text
    said = "The assistant would not answer this itself: A request only staff can carry out."
    assert said in panel
    assert "assistant-draft" not in panel and "staff_only" not in panel


def test_panel_is_polite_when_the_engine_fails(
    client: TestClient, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_engine(monkeypatch, error=RuntimeError("model server down"))
    ticket_id = _ticket_id(app, seeded)
    console_login(client, seeded["agent"].email)
    chinese(client)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant")
    assert panel.status_code == 200
    assert "智能助手暂时无法给出建议回复，请照常撰写回复。" in panel.text


def test_panel_survives_a_database_error_inside_the_engine(
    client: TestClient, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, text_: str, context: Any, settings: Any = None) -> Any:
        session.execute(text("SELECT no_such_column FROM no_such_table"))

    monkeypatch.setattr(engine, "answer", broken)
    ticket_id = _ticket_id(app, seeded, "a", "b", "c", "d", "e")
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant")
    assert panel.status_code == 200 and 'id="assistant-problem"' in panel.text
    assert "The customer wrote: “My USDT deposit is missing.”" in panel.text  # still summarized


def test_panel_summarizes_long_tickets(
    client: TestClient, app: Any, seeded: dict[str, Any], engine_answers: FakeEngine
) -> None:
    ticket_id = _ticket_id(app, seeded, "a", "b", "c", "d", "e")
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant").text
    assert "The customer wrote: “My USDT deposit is missing.”" in panel
    assert "Now New, 6 messages; the customer wrote last and is waiting." in panel


def test_panel_needs_an_agent_who_sees_the_ticket(
    client: TestClient, app: Any, seeded: dict[str, Any], engine_answers: FakeEngine
) -> None:
    def make(session: Any) -> int:
        ticket = make_ticket(session, seeded["alice"])
        tickets.do_update_ticket(
            session,
            SYSTEM,
            ticket,
            tickets.TicketChanges(fields_set={"team_id"}, team_id=seeded["security"]),
        )
        return ticket.id

    ticket_id = committed(app, make)
    console_login(client, seeded["agent"].email)  # an L1 agent: not the security team's
    assert client.get(f"/console/tickets/{ticket_id}/assistant").status_code == 404
    client.cookies.clear()
    console_login(client, seeded["security_agent"].email)
    assert client.get(f"/console/tickets/{ticket_id}/assistant").status_code == 200
    client.cookies.clear()
    portal_login(client, app, seeded["alice"].email)
    customer = client.get(f"/console/tickets/{ticket_id}/assistant", follow_redirects=False)
    assert customer.status_code == 303 and "/console/login" in customer.headers["location"]
    assert len(engine_answers.asked) == 1


# --- the report -------------------------------------------------------------------------------


@pytest.fixture
def old_rows(app: Any) -> Iterator[None]:
    """Help-center rows on days no other test uses, removed afterwards."""
    at = datetime(2019, 5, 5, 10, 0)

    def make(session: Any) -> list[int]:
        return [
            help_row(session, handover_reply("staff_only"), at).id,
            help_row(session, answer_reply("deposit-not-credited"), at, feedback="yes").id,
        ]

    ids = committed(app, make)
    yield
    with app.state.sessionmaker() as session:
        session.execute(delete(AssistantReply).where(AssistantReply.id.in_(ids)))
        session.commit()


def test_report_is_for_leads_and_admins(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["agent"].email)
    assert client.get("/console/assistant").status_code == 403
    assert 'id="nav-assistant"' not in client.get("/console/inbox").text
    client.cookies.clear()
    console_login(client, seeded["lead"].email)
    assert 'href="/console/assistant" id="nav-assistant"' in client.get("/console/inbox").text
    assert client.get("/console/assistant").status_code == 200
    client.cookies.clear()
    console_login(client, seeded["admin"].email)
    assert client.get("/console/assistant").status_code == 200


@pytest.mark.usefixtures("old_rows")
def test_report_shows_numbers_with_labels_in_both_languages(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["lead"].email)
    page = client.get("/console/assistant?start=2019-05-05&end=2019-05-05").text
    assert re.search(r'id="n-conversations">2<', page)
    assert re.search(r'id="n-resolved">1<', page) and "50.0%" in page
    assert "<td>A request only staff can carry out</td><td>1</td>" in page
    assert ">staff_only<" not in page
    assert 'href="/help/articles/deposit-not-credited"' in page
    assert "How these numbers are counted" in page
    chinese(client)
    page = client.get("/console/assistant?start=2019-05-05&end=2019-05-05").text
    assert "智能助手报告" in page and "自动解决率" in page
    assert "<td>仅工作人员可以处理的请求</td>" in page


def test_report_refuses_bad_dates_clearly(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["lead"].email)
    bad = client.get("/console/assistant?start=2019-13-01")
    assert bad.status_code == 422 and "is not a date; use the form YYYY-MM-DD" in bad.text
    backwards = client.get("/console/assistant?start=2019-05-06&end=2019-05-05")
    assert backwards.status_code == 422 and "The start date is after the end date" in backwards.text
    assert client.get("/console/assistant?start=" + "9" * 11).status_code == 422
    chinese(client)
    assert (
        "开始日期晚于结束日期"
        in client.get("/console/assistant?start=2019-05-06&end=2019-05-05").text
    )


# --- the help center --------------------------------------------------------------------------


def _help_rows(app: Any, after: int) -> list[AssistantReply]:
    with app.state.sessionmaker() as session:
        query = select(AssistantReply).where(
            AssistantReply.id > after, AssistantReply.channel == "help"
        )
        return list(session.scalars(query))


def _last_id(app: Any) -> int:
    with app.state.sessionmaker() as session:
        rows = session.scalars(select(AssistantReply.id).order_by(AssistantReply.id.desc()))
        return rows.first() or 0


def test_ask_page_in_both_languages(client: TestClient) -> None:
    page = client.get("/help/ask")
    assert page.status_code == 200 and f'maxlength="{MAX_QUESTION}"' in page.text
    chinese(client)
    assert "向智能助手提问" in client.get("/help/ask").text


def test_ask_answers_with_sources_and_keeps_no_question(
    client: TestClient, app: Any, engine_answers: FakeEngine
) -> None:
    before = _last_id(app)
    question = "how many confirmations for a USDT deposit on Tron"
    page = client.post("/help/ask", data={"text": question})
    assert page.status_code == 200
    assert "Deposits are credited after 1 confirmation on Tron." in page.text
    assert 'href="/help/articles/deposit-not-credited"' in page.text
    (row,) = _help_rows(app, before)
    assert f'action="/help/ask/{row.id}/feedback"' in page.text
    assert (row.action, row.ticket_id, row.customer_id) == ("answer", None, None)
    assert row.citations == ["deposit-not-credited"] and row.asked_feedback
    stored = " ".join(str(getattr(row, c.key)) for c in AssistantReply.__table__.columns)
    assert question not in stored and "confirmations for" not in stored
    ((text, context),) = engine_answers.asked
    assert text == question and context.channel == "help" and context.customer_ref is None


def test_the_guard_runs_before_the_engine(
    client: TestClient, app: Any, engine_answers: FakeEngine
) -> None:
    words = " ".join(phrase(seed=11))
    page = client.post("/help/ask", data={"text": f"deposit missing, my seed phrase is {words}"})
    assert page.status_code == 200
    ((text, _),) = engine_answers.asked
    assert words not in text and "[removed: seed phrase]" in text
    assert "we removed a seed phrase from your message" in page.text


def test_signed_in_customer_gets_their_context(
    client: TestClient, app: Any, seeded: dict[str, Any], engine_answers: FakeEngine
) -> None:
    before = _last_id(app)
    portal_login(client, app, seeded["alice"].email)
    assert client.post("/help/ask", data={"text": "where is my withdrawal"}).status_code == 200
    ((_, context),) = engine_answers.asked
    assert context.customer_ref == seeded["alice"].external_id
    assert context.customer_id == seeded["alice"].id
    (row,) = _help_rows(app, before)
    assert row.customer_id == seeded["alice"].id


def test_a_handover_offers_a_person(
    client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_engine(monkeypatch, handover_reply("asked_for_person"))
    page = client.post("/help/ask", data={"text": "I want to talk to a person"}).text
    assert "A person from our support team will help you." in page
    assert 'href="/portal/login?next=/portal/tickets/new"' in page and 'href="/chat/frame"' in page
    assert 'id="ask-feedback"' not in page


def test_bad_questions_get_a_clear_4xx(
    client: TestClient, app: Any, engine_answers: FakeEngine
) -> None:
    before = _last_id(app)
    empty = client.post("/help/ask", data={"text": "   "})
    assert empty.status_code == 422 and "Type your question first" in empty.text
    long = "x" * (MAX_QUESTION + 1)
    refused = client.post("/help/ask", data={"text": long})
    assert refused.status_code == 422
    assert f"longer than {MAX_QUESTION} characters; shorten it" in refused.text
    assert long in refused.text  # what was typed is kept
    chinese(client)
    assert "请先输入您的问题" in client.post("/help/ask", data={"text": ""}).text
    huge = client.post("/help/ask", data={"text": "y" * (MAX_QUESTION * 10 + 1)})
    assert huge.status_code == 422
    assert engine_answers.asked == [] and _help_rows(app, before) == []


def test_engine_failure_is_polite_and_stores_nothing(
    client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_engine(monkeypatch, error=NotImplementedError("no engine"))
    before = _last_id(app)
    page = client.post("/help/ask", data={"text": "deposit missing"})
    assert page.status_code == 200  # a page that offers a person instead, not a server error
    assert "The assistant cannot answer just now" in page.text
    assert 'id="ask-contact"' in page.text and "deposit missing" in page.text
    assert _help_rows(app, before) == []


@pytest.fixture
def assistant_off(app: Any) -> Iterator[None]:
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"assistant_enabled": False})
    yield
    app.state.settings = settings


@pytest.mark.usefixtures("assistant_off")
def test_a_switched_off_assistant_says_so_and_offers_a_person(
    client: TestClient, app: Any, seeded: dict[str, Any], engine_answers: FakeEngine
) -> None:
    page = client.get("/help/ask").text
    assert "The assistant is switched off on this desk" in page and 'id="ask-form"' not in page
    assert page.count('id="ask-contact"') == 1
    assert 'id="ask-cta"' not in client.get("/help").text
    posted = client.post("/help/ask", data={"text": "fees"})
    assert posted.status_code == 200 and posted.text.count('id="ask-contact"') == 1
    ticket_id = _ticket_id(app, seeded)
    console_login(client, seeded["agent"].email)
    panel = client.get(f"/console/tickets/{ticket_id}/assistant").text
    assert "The assistant is switched off on this desk" in panel
    assert engine_answers.asked == []


def test_the_help_center_links_to_the_ask_page(client: TestClient) -> None:
    assert 'href="/help/ask" id="ask-link"' in client.get("/help").text


def test_asking_is_rate_limited(client: TestClient, app: Any, engine_answers: FakeEngine) -> None:
    limit = int(app.state.settings.self_service_rate_limit.split("/")[0])
    codes = [client.post("/help/ask", data={"text": "fees"}).status_code for _ in range(limit + 1)]
    assert codes[:limit] == [200] * limit and codes[-1] == 429
    assert len(engine_answers.asked) == limit


def test_cross_site_posts_are_refused(client: TestClient, engine_answers: FakeEngine) -> None:
    headers = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert client.post("/help/ask", data={"text": "fees"}, headers=headers).status_code == 403
    refused = client.post("/help/ask/1/feedback", data={"helpful": "yes"}, headers=headers)
    assert refused.status_code == 403 and engine_answers.asked == []


def test_feedback_is_kept_once_and_only_from_the_asker(
    client: TestClient, app: Any, engine_answers: FakeEngine
) -> None:
    before = _last_id(app)
    client.post("/help/ask", data={"text": "fees for BTC withdrawals"})
    (row,) = _help_rows(app, before)
    with TestClient(app, raise_server_exceptions=False) as stranger:
        other = stranger.post(f"/help/ask/{row.id}/feedback", data={"helpful": "no"})
        assert other.status_code == 404
    bad = client.post(f"/help/ask/{row.id}/feedback", data={"helpful": "maybe"})
    assert bad.status_code == 422 and "Choose yes or no" in bad.text
    done = client.post(f"/help/ask/{row.id}/feedback", data={"helpful": "no"})
    assert done.status_code == 200 and "A person can help you further" in done.text
    assert 'id="ask-contact"' in done.text  # after "no", a person is offered
    (row,) = _help_rows(app, before)
    assert row.feedback == "no" and row.feedback_at is not None
    again = client.post(f"/help/ask/{row.id}/feedback", data={"helpful": "yes"})
    assert again.status_code == 409
    assert client.post("/help/ask/0/feedback", data={"helpful": "yes"}).status_code == 422


# --- the portal's buttons ---------------------------------------------------------------------


def test_portal_buttons_send_the_answer_as_the_customers_reply(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    def make(session: Any) -> int:
        ticket = make_ticket(session, seeded["alice"])
        post_reply(session, ticket, answer_reply(language="zh-Hans"), channel="portal")
        return ticket.id

    ticket_id = committed(app, make)
    portal_login(client, app, seeded["alice"].email)
    page = client.get(f"/portal/tickets/{ticket_id}").text
    buttons = re.search(r'<div class="row assistant-feedback".*?</div>', page, re.S)
    assert buttons and 'lang="zh-Hans"' in buttons.group()
    assert buttons.group().count(f'action="/portal/tickets/{ticket_id}/reply"') == 2
    assert (
        'value="是的，已解决"' in buttons.group() and 'value="没有，还需要帮助"' in buttons.group()
    )
    # under the assistant's message, before the reply box
    assert page.index("Did this solve it?") < buttons.start() < page.index('id="reply-body"')
    sent = client.post(f"/portal/tickets/{ticket_id}/reply", data={"body": "没有，还需要帮助"})
    assert sent.status_code == 200
    with app.state.sessionmaker() as session:
        last = session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id.desc())
        ).first()
        assert last is not None and last.body == "没有，还需要帮助"
        assert session.get(Ticket, ticket_id) is not None
    assert "assistant-feedback" not in client.get(f"/portal/tickets/{ticket_id}").text
