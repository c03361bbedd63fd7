"""The agent's notifications in the console: the bell's unread count (an htmx fragment every
console page loads), the list at /console/notifications, marking read.

Every route works on the signed-in agent's own notifications only; another agent's id answers
404. Marking read is a POST (the cross-origin check guards it like every console form);
following a notification's ticket link marks it read on the way to the ticket."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from babel.dates import format_timedelta
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.channels import notifications as svc
from ledgerdesk.channels.notifications_mail import describe_all
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.web.deps import ConsoleAgent, Db, OptionalActor
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/notifications", include_in_schema=False)


def ago(value: datetime, now: datetime | None = None) -> str:
    """``value`` as "3 minutes ago" / "3分钟前" in the request's language."""
    now = now or utcnow()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    locale = i18n.get_locale().replace("-", "_")
    return format_timedelta(value - now, add_direction=True, locale=locale, threshold=1.0)


@router.get("")
def notifications_page(request: Request, db: Db, agent_actor: ConsoleAgent) -> Response:
    agent_id = agent_actor.id or 0
    rows = svc.list_for(db, agent_id)
    texts = describe_all(db, rows)
    items = [
        {"row": r, "text": t, "ago": ago(r.created_at)} for r, t in zip(rows, texts, strict=True)
    ]
    return render(
        request,
        "console/notifications.html",
        me=accounts.get_agent(db, agent_id),
        items=items,
        unread=svc.unread_count(db, agent_id),
        email_kinds=svc.EMAIL_KINDS,
        email_off=svc.email_off(db, agent_id),
    )


@router.get("/bell")
def bell(request: Request, db: Db, actor: OptionalActor) -> Response:
    """The bell, polled by every console page. Signed out meanwhile: the bell without a count
    (a redirect would swap the whole sign-in page into the header)."""
    count = svc.unread_count(db, actor.id or 0) if actor and actor.is_agent else 0
    return render(request, "console/_bell.html", unread=count)


@router.get("/{notification_id}/open")
def open_notification(notification_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    row = svc.access_notification(db, agent_actor.id or 0, notification_id)
    svc.do_mark_read(db, row)
    db.commit()
    target = f"/console/tickets/{row.ticket_id}" if row.ticket_id else "/console/notifications"
    return RedirectResponse(target, status_code=303)


@router.post("/{notification_id}/read")
def mark_read(notification_id: PathId, db: Db, agent_actor: ConsoleAgent) -> Response:
    row = svc.access_notification(db, agent_actor.id or 0, notification_id)
    svc.do_mark_read(db, row)
    db.commit()
    return RedirectResponse("/console/notifications", status_code=303)


@router.post("/read-all")
def mark_all_read(db: Db, agent_actor: ConsoleAgent) -> Response:
    svc.do_mark_all_read(db, agent_actor.id or 0)
    db.commit()
    return RedirectResponse("/console/notifications", status_code=303)


@router.post("/settings")
def save_settings(
    request: Request,
    db: Db,
    agent_actor: ConsoleAgent,
    email: Annotated[list[str] | None, Form(max_length=32)] = None,
) -> Response:
    """The kinds ticked under "E-mail me when" (none ticked: no notification e-mails)."""
    svc.do_set_email_kinds(db, agent_actor.id or 0, email or [])
    db.commit()
    flash(request, "ok", gettext("Your e-mail settings were saved."))
    return RedirectResponse("/console/notifications", status_code=303)
