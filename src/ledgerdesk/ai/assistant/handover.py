"""The assistant hands a conversation to a person: the ticket goes to the team routing picks
for the customer's words, its priority rises to the reply's (never falls), it is tagged
``assistant-handover``, the agent gets an internal note with the summary in the ticket's
language, the event log says why (``assistant.handover``), and the customer is told which
team will answer and the expected wait (docs/assistant.md, "Handover").

Everything here runs inside the assistant's job (``services.do_assistant_turn``); the caller
owns the transaction.
"""

from __future__ import annotations

import contextvars
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer, Team
from ledgerdesk.accounts.services import ASSISTANT
from ledgerdesk.ai.assistant.types import Reply
from ledgerdesk.ai.triage import get_triager
from ledgerdesk.ai.triage.priority import LEVELS
from ledgerdesk.chain.presenters import fact_rows
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.chat.models import ChatConversation
from ledgerdesk.chat.queue import queue_status
from ledgerdesk.core import i18n
from ledgerdesk.core.i18n import gettext as _
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.routing.services import MAX_TEXT, first_l1_team, list_rules, route
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import (
    ActorKind,
    Channel,
    Message,
    MessageKind,
    Priority,
    Ticket,
)
from ledgerdesk.tickets.tags import check_tag, flag_tag
from ledgerdesk.web.labels import handover_label, label

T = TypeVar("T")
HANDOVER_TAG = "assistant-handover"
WAIT_HISTORY = 50  # answered tickets a team's expected wait is taken from


@dataclass
class Handover:
    """What the handover did: the team now on the ticket (None: no team), the priority, the
    expected wait told to the customer (seconds, None when unknown), the messages it wrote."""

    team_id: int | None
    priority: str
    wait_seconds: float | None
    note: Message
    told: Message | None
    changes: dict[str, Any] = field(default_factory=dict)


def in_locale(locale: str, fn: Callable[[], T]) -> T:
    """``fn()`` with ``locale`` as the gettext language, leaving the caller's untouched."""

    def run() -> T:
        i18n.set_locale(locale)
        return fn()

    return contextvars.copy_context().run(run)


def locale_of(language: str | None) -> str:
    """The catalogue for a stored language (``zh``, ``zh-Hans``, ``zh-Hant``, ``en`` …)."""
    return i18n.normalise_locale(language) or "en"


def in_script(text: str, language: str) -> str:
    """The zh-CN catalogue's simplified text in traditional characters for ``zh-Hant``."""
    if language != "zh-Hant":
        return text
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


# --- routing ------------------------------------------------------------------------------


def conversation_text(session: Session, ticket: Ticket) -> str:
    """The customer's words in this conversation, oldest first, the last ``MAX_TEXT``
    characters: "I want a person" or "No, I still need help" alone says nothing about where
    the ticket belongs; the question before them does."""
    bodies = session.scalars(
        select(Message.body)
        .where(
            Message.ticket_id == ticket.id,
            Message.author_kind == ActorKind.customer,
            Message.kind == MessageKind.public,
        )
        .order_by(Message.seq)
    )
    return "\n".join(bodies)[-MAX_TEXT:]


def _higher(*levels: str | None) -> str:
    known = [x for x in levels if x in LEVELS]
    return max(known, key=LEVELS.index) if known else Priority.normal.value


def _route(
    session: Session, ticket: Ticket, settings: Settings
) -> tuple[int | None, str, list[str]]:
    """The team routing picks for the conversation, its priority and tags."""
    customer = session.get(Customer, ticket.requester_id)
    vip = bool(customer and customer.vip)
    (result,) = get_triager(settings).classify([conversation_text(session, ticket)], [vip])
    decision = route(list_rules(session), result, vip=vip, l1_team=first_l1_team(session))
    return decision.team_id, _higher(result.priority, decision.priority), decision.tags


def _move(session: Session, ticket: Ticket, team_id: int | None, priority: str) -> dict[str, Any]:
    """Team and priority, each change an event by the assistant. An assigned ticket keeps its
    team (a person already has it); the priority only rises."""
    changes: dict[str, Any] = {}
    if (
        team_id is not None
        and team_id != ticket.team_id
        and ticket.assignee_id is None
        and session.get(Team, team_id) is not None
    ):
        changes["team_id"] = team_id
        tickets.record_event(
            session,
            ASSISTANT,
            "ticket.team_changed",
            {"team_id": team_id, "reason": "assistant_handover"},
            before={"team_id": ticket.team_id},
            ticket=ticket,
        )
        ticket.team_id = team_id
        session.expire(ticket, ["team"])
    if LEVELS.index(priority) > LEVELS.index(ticket.priority.value):
        changes["priority"] = priority
        tickets.record_event(
            session,
            ASSISTANT,
            "ticket.priority_changed",
            {"priority": priority},
            before={"priority": ticket.priority.value},
            ticket=ticket,
        )
        ticket.priority = Priority(priority)
    return changes


def _tag(session: Session, ticket: Ticket, names: list[str]) -> list[str]:
    have = {t.name for t in ticket.tags}
    added = sorted({check_tag(n) for n in names} - have)
    for name in added:
        flag_tag(session, ticket, name)
    if added:
        tickets.record_event(session, ASSISTANT, "ticket.tagged", {"tags": added}, ticket=ticket)
    return added


# --- the summary note ---------------------------------------------------------------------


def _tool_line(tool: dict[str, Any]) -> str:
    """ "Deposit check: Confirmed, not credited (Network: …, Asset: USDT, …)" in the current
    language: labels for names and verdicts, the facts as the check panel shows them."""
    found = tool.get("facts") or {}
    locale = i18n.get_locale()
    rows: list[tuple[str, str]] = []
    if found.get("network"):
        network = get_registry().network(str(found["network"]))
        rows.append((_("Network"), network.name(locale) if network else str(found["network"])))
    if found.get("asset"):
        rows.append((_("Asset"), str(found["asset"])))
    if found.get("tx_hash"):
        rows += fact_rows({"tx_hash": found["tx_hash"]}, locale)
    inner = found.get("facts")
    if isinstance(inner, dict):
        rows += fact_rows(inner, locale)
    shown = ", ".join(f"{name}: {value}" for name, value in rows)
    text = f"{label(str(tool.get('name') or '—'))}: {label(str(tool.get('verdict') or '—'))}"
    return f"{text} ({shown})" if shown else text


def summary_note(summary: dict[str, Any], reply: Reply) -> str:
    """The note for the agent, in the current gettext language. ``summary`` is
    ``Reply.summary`` (docs/assistant.md); missing keys fall back to the reply's fields."""
    reason = str(summary.get("reason") or reply.reason or "")
    intent = summary.get("intent") or reply.intent
    language = str(summary.get("language") or reply.language)
    priority = str(summary.get("priority") or reply.priority or Priority.normal.value)
    tried = [str(s) for s in summary.get("tried") or []]
    lines = [
        _("The assistant handed this conversation over: %(reason)s")
        % {"reason": handover_label(reason) or "—"},
        _("What the customer wants: %(wants)s") % {"wants": summary.get("wants") or "—"},
        " · ".join(
            [
                f"{_('Intent')}: {label(str(intent)) if intent else '—'}",
                f"{_('Language')}: {i18n.language_name(language)}",
                f"{_('Priority')}: {label(priority)}",
            ]
        ),
        _("Already tried: %(articles)s")
        % {"articles": ", ".join(tried) if tried else _("no article yet")},
    ]
    lines += [
        _("Check: %(result)s") % {"result": _tool_line(t)} for t in summary.get("tools") or []
    ]
    unsolved = int(summary.get("unsolved") or 0)
    if unsolved:
        lines.append(_("Answered “did this solve it?” with no: %(count)s") % {"count": unsolved})
    return "\n".join(lines)


# --- the expected wait --------------------------------------------------------------------


def team_wait_seconds(session: Session, team_id: int | None) -> float | None:
    """The median time to the first agent reply over the team's last answered tickets (all
    teams' when ``team_id`` is None); None without history."""
    query = select(Ticket.created_at, Ticket.first_reply_at).where(
        Ticket.first_reply_at.is_not(None), Ticket.channel != Channel.chat
    )
    if team_id is not None:
        query = query.where(Ticket.team_id == team_id)
    rows = session.execute(query.order_by(Ticket.first_reply_at.desc()).limit(WAIT_HISTORY))
    waits = [max(0.0, (b - a).total_seconds()) for a, b in rows if b is not None]
    return statistics.median(waits) if waits else None


def _wait_sentence(seconds: float | None) -> str:
    if seconds is None:
        return _("An agent will be with you shortly.")
    if seconds < 60:
        return _("Expected wait: less than a minute.")
    if seconds < 90 * 60:
        return _("Expected wait: about %(minutes)s min.") % {"minutes": round(seconds / 60)}
    return _("Expected wait: about %(hours)s h.") % {"hours": round(seconds / 3600)}


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def expected_wait(session: Session, ticket: Ticket) -> tuple[float | None, datetime | None]:
    """(seconds, None) while the desk is open; (None, the next opening) for a chat outside
    business hours. A live chat's wait is its place in the chat queue; other tickets wait as
    long as their team's recent tickets did."""
    conversation = session.get(ChatConversation, ticket.id)
    if ticket.channel == Channel.chat and conversation is not None and not conversation.offline:
        status = queue_status(session, ticket.id)
        if not status["open"] and status["next_open"]:
            return None, datetime.fromisoformat(status["next_open"].rstrip("Z"))
        return status["expected_wait_seconds"], None
    return team_wait_seconds(session, ticket.team_id), None


def told_text(
    session: Session, ticket: Ticket, seconds: float | None, back: datetime | None
) -> str:
    """Who will answer and when, in the current gettext language."""
    team = session.get(Team, ticket.team_id) if ticket.team_id is not None else None
    who = (
        _("%(team)s will answer you here.") % {"team": team.name}
        if team is not None
        else _("A member of our support team will answer you here.")
    )
    space = "" if i18n.get_locale() == "zh-CN" else " "  # Chinese sentences run on
    if back is not None:
        return (
            who + space + _("We are offline now. We will be back %(when)s.") % {"when": _when(back)}
        )
    return who + space + _wait_sentence(seconds)


# --- the handover -------------------------------------------------------------------------


def do_handover(
    session: Session,
    ticket: Ticket,
    reply: Reply,
    *,
    tell_customer: bool = True,
    settings: Settings | None = None,
) -> Handover:
    """Hand ``ticket`` to a person after the assistant posted ``reply`` (a handover).
    ``tell_customer`` False: they were told who will answer at an earlier handover (the
    account lock offered, then confirmed) and are not told twice."""
    settings = settings or get_settings()
    team_id, routed_priority, tags = _route(session, ticket, settings)
    priority = _higher(reply.priority, routed_priority)
    changes = _move(session, ticket, team_id, priority)
    added = _tag(session, ticket, [HANDOVER_TAG, *tags])
    body = in_locale(locale_of(ticket.language), lambda: summary_note(reply.summary, reply))
    note = tickets.do_add_message(session, ASSISTANT, ticket, body, kind=MessageKind.note)
    seconds, back = expected_wait(session, ticket)
    told = None
    if tell_customer:
        text = in_locale(
            locale_of(reply.language), lambda: told_text(session, ticket, seconds, back)
        )
        told = tickets.do_add_message(session, ASSISTANT, ticket, in_script(text, reply.language))
    tickets.record_event(
        session,
        ASSISTANT,
        "assistant.handover",
        {
            "reason": reply.reason,
            "team_id": ticket.team_id,
            "priority": ticket.priority.value,
            "tags": added,
            "message_id": note.id,
        },
        ticket=ticket,
    )
    return Handover(ticket.team_id, ticket.priority.value, seconds, note, told, changes)
