"""Deflection: articles suggested while a customer writes a request, and what happened next;
and the articles suggested beside a ticket in the console."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Role
from ledgerdesk.jobs import outbox
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.models import ArticleStatus, DeflectionAttempt, DeflectionOutcome
from ledgerdesk.tickets.models import Ticket
from tests.conftest import actor_of, make_agent, make_customer, make_ticket, unique
from tests.search.test_pipeline import _new_article
from tests.tickets.test_api import portal_login
from tests.tickets.test_views import console_login


@pytest.fixture
def article(app: Any) -> dict[str, Any]:
    """A published article about a made-up coin, indexed, so only it can match."""
    coin = "quoxel" + unique("")[-6:].replace("-", "")
    factory = app.state.sessionmaker
    with factory() as session:
        made = _new_article(
            session,
            f"{coin} deposit not credited",
            f"If your {coin} deposit has not arrived, check the network and the memo.",
        )
        customer = make_customer(session)
        session.commit()
        info = {"id": made.id, "slug": made.slug, "coin": coin, "email": customer.email}
    outbox.run_pending(factory)
    return info


def _attempt(app: Any, token: str) -> DeflectionAttempt:
    with app.state.sessionmaker() as session:
        return session.scalars(
            select(DeflectionAttempt).where(DeflectionAttempt.token == token)
        ).one()


def _suggest(client: TestClient, subject: str, token: str = "", body: str = "") -> tuple[str, str]:
    response = client.post(
        "/portal/suggest", data={"subject": subject, "body": body, "deflection": token}
    )
    assert response.status_code == 200, response.text
    marker = 'id="deflection" value="'
    start = response.text.index(marker) + len(marker)
    return response.text, response.text[start : response.text.index('"', start)]


def test_suggestion_that_answers_counts_as_deflection(
    client: TestClient, app: Any, article: dict[str, Any]
) -> None:
    portal_login(client, app, article["email"])
    html, token = _suggest(client, f"my {article['coin']} deposit is missing")
    assert f"/portal/suggested/{token}/{article['id']}" in html and token
    _, same = _suggest(client, f"my {article['coin']} deposit is still missing", token)
    assert same == token  # one attempt per form, however often the customer types
    page = client.get(f"/portal/suggested/{token}/{article['id']}")
    assert page.status_code == 200 and article["coin"] in page.text
    assert _attempt(app, token).clicked_article_id == article["id"]
    done = client.post(f"/portal/deflection/{token}/solved", follow_redirects=False)
    assert done.status_code == 303
    assert _attempt(app, token).outcome == DeflectionOutcome.deflected


def test_ticket_opened_after_suggestions_is_linked(
    client: TestClient, app: Any, article: dict[str, Any]
) -> None:
    portal_login(client, app, article["email"])
    _, token = _suggest(client, f"{article['coin']} deposit not credited")
    response = client.post(
        "/portal/tickets",
        data={
            "subject": f"{article['coin']} deposit",
            "body": "Still missing",
            "deflection": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    ticket_id = int(response.headers["location"].rsplit("/", 1)[1])
    attempt = _attempt(app, token)
    assert attempt.outcome == DeflectionOutcome.ticket_created and attempt.ticket_id == ticket_id


def test_someone_elses_or_unknown_token_is_refused(
    client: TestClient, app: Any, article: dict[str, Any]
) -> None:
    portal_login(client, app, article["email"])
    _, token = _suggest(client, f"{article['coin']} deposit")
    with app.state.sessionmaker() as session:
        other = make_customer(session)
        session.commit()
        other_email = other.email
    client.cookies.clear()
    portal_login(client, app, other_email)
    assert client.get(f"/portal/suggested/{token}/{article['id']}").status_code == 404
    assert client.post(f"/portal/deflection/{token}/solved").status_code == 404
    assert client.get(f"/portal/suggested/nope/{article['id']}").status_code == 404
    # Hostile input is answered, not crashed on.
    for subject in ("", "\x00\x01", "提" * 300, "<script>alert(1)</script>"):
        response = client.post("/portal/suggest", data={"subject": subject})
        assert response.status_code == 200 and "<script>alert" not in response.text
    assert client.post("/portal/suggest", data={"subject": "x" * 400}).status_code == 422
    assert _attempt(app, token).outcome == DeflectionOutcome.open


SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def test_draft_travels_by_post_and_is_stored_guarded(
    client: TestClient, app: Any, article: dict[str, Any]
) -> None:
    """Issue 11: the draft went in a GET query string, and the second suggestion overwrote
    the redacted query with the raw text."""
    portal_login(client, app, article["email"])
    subject = f"my {article['coin']} deposit is missing"
    assert client.get("/portal/suggest", params={"subject": subject}).status_code == 405
    _, token = _suggest(client, subject, body=f"my seed phrase: {SEED}")
    _, same = _suggest(client, subject + " still", token, body=f"words: {SEED} password: Zx9!kq")
    assert same == token
    stored = _attempt(app, token).query
    assert "abandon ability" not in stored and "Zx9!kq" not in stored
    assert article["coin"] in stored
    page = client.get("/portal/tickets/new")
    assert 'hx-post="/portal/suggest"' in page.text and "hx-get" not in page.text


def test_console_suggests_articles_for_the_ticket(
    client: TestClient, app: Any, article: dict[str, Any]
) -> None:
    with app.state.sessionmaker() as session:
        lead = make_agent(session, Role.lead)
        ticket = make_ticket(
            session, subject=f"{article['coin']} deposit", body="It has not arrived after 2 hours"
        )
        session.commit()
        email, ticket_id = lead.email, ticket.id
    console_login(client, email)
    response = client.get(f"/console/tickets/{ticket_id}/suggestions")
    assert response.status_code == 200
    assert f"/help/articles/{article['slug']}" in response.text
    assert "insert-link" in response.text
    assert client.get("/console/tickets/999999/suggestions").status_code == 404
    with app.state.sessionmaker() as session:
        assert session.get(Ticket, ticket_id) is not None


def test_console_offers_no_customer_link_to_an_internal_article(
    client: TestClient, app: Any
) -> None:
    coin = "vexlor" + unique("")[-6:].replace("-", "")
    factory = app.state.sessionmaker
    with factory() as session:
        article = _new_article(session, f"{coin} manual credit macro", f"Credit {coin} by hand.")
        lead = make_agent(session, Role.lead)
        kb.do_set_status(session, actor_of(lead), article, ArticleStatus.internal)
        ticket = make_ticket(session, subject=f"{coin} manual credit", body="please credit")
        session.commit()
        slug, article_id, ticket_id, email = article.slug, article.id, ticket.id, lead.email
    outbox.run_pending(factory)
    console_login(client, email)
    html = client.get(f"/console/tickets/{ticket_id}/suggestions").text
    assert f"/console/kb/articles/{article_id}" in html  # agents still see it
    assert client.get(f"/console/kb/articles/{article_id}").status_code == 200
    assert f"/help/articles/{slug}" not in html  # but get no link a customer cannot open
