"""The chat queue in the agent console (/console/chat): open chat tickets the agent may see,
those still waiting for an agent first, with how long the customer has waited. The page
refreshes its rows when the desk's websocket says the queue changed (static/console-live.js)
and polls the rows fragment every 10 s while the socket is down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.chat.services import chat_queue
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.i18n import gettext, language_name
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/console/chat", include_in_schema=False)
QUEUE_LIMIT = 100


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue as the page shows it."""

    ticket_id: int
    subject: str
    customer: str
    language: str  # as stored ("zh", "en"…)
    language_name: str  # as a person reads it ("简体中文", "English")
    assignee: str | None
    status: str
    waiting_since: str | None  # ISO 8601 UTC with Z; the page's counter ticks from it
    waiting_text: str  # the same, as text when the page was rendered


def wait_text(seconds: int) -> str:
    """A waiting time as a person reads it: "42 s", "3 min 5 s", "2 h 10 min", "1 d 4 h".
    static/console-live.js formats the ticking counter with the same four sentences."""
    seconds = max(0, seconds)
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 60:
        return gettext("%(s)s s") % {"s": seconds}
    if seconds < 3600:
        return gettext("%(m)s min %(s)s s") % {"m": minutes, "s": seconds % 60}
    if seconds < 86400:
        return gettext("%(h)s h %(m)s min") % {"h": hours, "m": minutes % 60}
    return gettext("%(d)s d %(h)s h") % {"d": days, "h": hours % 24}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def queue_rows(session: Session, actor: Actor) -> list[QueueRow]:
    now = utcnow()
    rows = []
    for row in chat_queue(session, actor, limit=QUEUE_LIMIT):
        since = _parse_iso(row["waiting_since"])
        seconds = int((now - since).total_seconds()) if since is not None else 0
        rows.append(
            QueueRow(
                ticket_id=int(row["ticket_id"]),
                subject=str(row["subject"]),
                customer=str(row["customer"] or ""),
                language=str(row["language"] or ""),
                language_name=language_name(str(row["language"] or "")),
                assignee=row["assignee"] or None,
                status=str(row["status"]),
                waiting_since=_iso(since),
                waiting_text=wait_text(seconds) if since is not None else "",
            )
        )
    return rows


@router.get("")
def chat_queue_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    return render(
        request,
        "chat/console_queue.html",
        me=accounts.get_agent(db, agent_actor.id or 0),
        teams=accounts.list_teams(db),
        rows=queue_rows(db, agent_actor),
        now=_iso(utcnow()),
        view="chat",
    )


@router.get("/rows")
def chat_queue_fragment(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    """The queue's rows alone: fetched when the desk socket says the queue changed, and every
    10 s while it is down."""
    rows = queue_rows(db, agent_actor)
    return render(request, "chat/_queue_rows.html", rows=rows, now=_iso(utcnow()))
