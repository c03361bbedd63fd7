"""Deflection: an attempt to answer a portal question with articles before a ticket is opened.
Each attempt has a token the portal keeps; it remembers what was suggested and clicked and
ends deflected (the reader was answered) or with the ticket that was opened after all."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.ai.guard import redact
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidTransition, NotFound
from ledgerdesk.kb.models import Article, DeflectionAttempt, DeflectionOutcome
from ledgerdesk.kb.services import MAX_LOGGED_IDS, MAX_QUERY, check_query


def access_deflection(session: Session, token: str) -> DeflectionAttempt:
    attempt = session.scalar(select(DeflectionAttempt).where(DeflectionAttempt.token == token))
    if attempt is None:
        raise NotFound("This suggestion session is unknown or has expired")
    return attempt


def do_start_deflection(
    session: Session, query: str, *, customer_id: int | None = None
) -> DeflectionAttempt:
    """Begin an attempt to answer a question with articles before a ticket is opened."""
    now = utcnow()
    attempt = DeflectionAttempt(
        token=secrets.token_urlsafe(24),
        customer_id=customer_id,
        query=redact(check_query(query))[:MAX_QUERY],
        suggested_article_ids=[],
        outcome=DeflectionOutcome.open,
        created_at=now,
        updated_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def do_record_suggestions(
    session: Session, token: str, article_ids: Sequence[int], query: str | None = None
) -> DeflectionAttempt:
    """Remember which articles were suggested (the latest set, as the question is refined)."""
    attempt = access_deflection(session, token)
    attempt.suggested_article_ids = [int(i) for i in article_ids[:MAX_LOGGED_IDS]]
    if query is not None:
        attempt.query = redact(check_query(query))[:MAX_QUERY]
    attempt.updated_at = utcnow()
    return attempt


def do_record_deflection_click(session: Session, token: str, article_id: int) -> DeflectionAttempt:
    attempt = access_deflection(session, token)
    if session.get(Article, article_id) is None:
        raise NotFound(f"Article {article_id} not found")
    attempt.clicked_article_id = article_id
    attempt.updated_at = utcnow()
    return attempt


def do_mark_deflected(session: Session, token: str) -> DeflectionAttempt:
    """The reader says an article answered the question and leaves without a ticket."""
    attempt = access_deflection(session, token)
    if attempt.outcome == DeflectionOutcome.ticket_created:
        raise InvalidTransition("A ticket was already opened for this question")
    attempt.outcome = DeflectionOutcome.deflected
    attempt.updated_at = utcnow()
    return attempt


def do_link_deflection_ticket(session: Session, token: str, ticket_id: int) -> DeflectionAttempt:
    """The suggestions did not help: a ticket was opened after all."""
    attempt = access_deflection(session, token)
    attempt.outcome = DeflectionOutcome.ticket_created
    attempt.ticket_id = ticket_id
    attempt.updated_at = utcnow()
    return attempt
