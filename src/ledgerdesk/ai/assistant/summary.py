"""The sentences of a ticket summary (``assist.summarize``), each built from one recorded fact and
written with gettext in the reader's language. A fact the desk does not have is left out; no
sentence guesses."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.chain import presenters as chain_presenters
from ledgerdesk.chain.services import checks_for_ticket
from ledgerdesk.core.i18n import gettext
from ledgerdesk.kb.models import Article
from ledgerdesk.kb.queries import pick_translation
from ledgerdesk.kb.render import substitute, variables
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Ticket
from ledgerdesk.web.labels import handover_label, label

MAX_ARTICLES_NAMED = 3
MAX_CHECKS_NAMED = 3
FIRST_SENTENCE_CHARS = 200


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*|\n+")


def first_sentence(text: str, limit: int = FIRST_SENTENCE_CHARS) -> str:
    """The first sentence of ``text`` (or its first line), at most ``limit`` characters."""
    for part in _SENTENCE_END.split(text.strip()):
        part = " ".join(part.split())
        if part:
            return part if len(part) <= limit else part[: limit - 1].rstrip() + "…"
    return ""


def sentences(
    session: Session,
    ticket: Ticket,
    locale: str,
    count: int,
    replies: Sequence[AssistantReply],
) -> list[str]:
    """The summary's sentences in order; gettext must already speak ``locale``."""
    found = [
        _opening(session, ticket),
        _intent(ticket),
        _cited(session, replies, locale),
        _handover(replies),
        _checks(session, ticket, locale),
        _state(session, ticket, count),
    ]
    return [s for s in found if s]


def _opening(session: Session, ticket: Ticket) -> str:
    body = session.scalar(
        select(Message.body)
        .where(
            Message.ticket_id == ticket.id,
            Message.author_kind == ActorKind.customer,
            Message.kind == MessageKind.public,
        )
        .order_by(Message.created_at, Message.id)
        .limit(1)
    )
    opening = first_sentence(body or "")
    if not opening:
        return ""
    return gettext("The customer wrote: “%(opening)s”") % {"opening": opening}


def _intent(ticket: Ticket) -> str:
    if not ticket.intent:
        return ""
    return gettext("Triage classed the request as %(intent)s.") % {"intent": label(ticket.intent)}


def article_titles(session: Session, slugs: list[str], locale: str) -> list[str]:
    """The articles' titles in ``locale`` (or their slug when the article is gone)."""
    articles = {a.slug: a for a in session.scalars(select(Article).where(Article.slug.in_(slugs)))}
    values = variables()
    titles = []
    for slug in slugs:
        article = articles.get(slug)
        if article is None or not article.translations:
            titles.append(slug)
            continue
        titles.append(substitute(pick_translation(article, locale).title, values))
    return titles


def _listed(items: list[str], locale: str) -> str:
    return ("、" if locale == "zh-CN" else ", ").join(f"“{item}”" for item in items)


def _cited(session: Session, replies: Sequence[AssistantReply], locale: str) -> str:
    slugs = list(dict.fromkeys(s for r in replies for s in (r.citations or [])))
    if not slugs:
        return ""
    titles = article_titles(session, slugs[:MAX_ARTICLES_NAMED], locale)
    answers = [r for r in replies if r.action == "answer"]
    said_no = sum(1 for r in answers if r.feedback == "no")
    said_yes = sum(1 for r in answers if r.feedback == "yes")
    text = gettext("The assistant pointed to %(articles)s.") % {"articles": _listed(titles, locale)}
    if said_yes:
        text += " " + gettext("The customer said an answer solved it.")
    elif said_no:
        text += " " + gettext("The customer said the answers did not solve it.")
    return text


def _handover(replies: Sequence[AssistantReply]) -> str:
    handovers = [r for r in replies if r.action == "handover"]
    if not handovers:
        return ""
    return gettext("The assistant handed over: %(reason)s.") % {
        "reason": handover_label(handovers[-1].reason)
    }


def _checks(session: Session, ticket: Ticket, locale: str) -> str:
    checks = checks_for_ticket(session, ticket, limit=MAX_CHECKS_NAMED)
    if not checks:
        return ""
    titles = []
    for check in checks:
        title = chain_presenters.check_view(check, locale).title
        titles.append(f"{title} ({check.asset})" if check.asset else title)
    return gettext("Chain checks: %(checks)s.") % {"checks": _listed(titles, locale)}


def _state(session: Session, ticket: Ticket, count: int) -> str:
    last = session.scalar(
        select(Message.author_kind)
        .where(Message.ticket_id == ticket.id, Message.kind == MessageKind.public)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    values = {"status": label(ticket.status), "count": count}
    if last == ActorKind.customer:
        return (
            gettext("Now %(status)s, %(count)s messages; the customer wrote last and is waiting.")
            % values
        )
    return gettext("Now %(status)s, %(count)s messages.") % values
