"""Webhooks in the console (/console/admin/webhooks), for admins only: the list with a form
to add one, and each endpoint's page (edit, turn on or off, rotate the secret, send a test
event, delete) with its delivery log (payload, replay). Forms post, then redirect (PRG);
a secret is rendered once in the answer to create or rotate, never put in a cookie."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.channels.models import WebhookEndpoint
from ledgerdesk.channels.webhooks import services as svc
from ledgerdesk.channels.webhooks.events import EVENT_TYPES
from ledgerdesk.channels.webhooks.presenters import delivery_rows, endpoint_rows
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.text import clean
from ledgerdesk.core.types import MAX_ID, PathId
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/admin/webhooks", include_in_schema=False)
PER_PAGE = 50


async def _console_admin(actor: ConsoleAgent) -> Actor:
    accounts.require_role(actor, Role.admin)
    return actor


ConsoleAdmin = Annotated[Actor, Depends(_console_admin)]


def _posted(
    url: Annotated[str, Form(max_length=5000)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    events: Annotated[list[str] | None, Form()] = None,
    active: Annotated[str, Form(max_length=20)] = "",
) -> dict[str, Any]:
    """The endpoint form as typed (an unticked checkbox is absent)."""
    return {
        "url": url,
        "description": description,
        "events": [e[:64] for e in (events or [])[:100]],
        "active": bool(active),
    }


Posted = Annotated[dict[str, Any], Depends(_posted)]


def _kept(form: dict[str, Any]) -> dict[str, Any]:
    """What the admin typed, to show again (capped)."""
    return {k: clean(v[:2000]) if isinstance(v, str) else v for k, v in form.items()}


def _blank() -> dict[str, Any]:
    return {"url": "", "description": "", "events": [], "active": True}


def _form_of(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events or []),
        "active": endpoint.active,
    }


def _common(db: Any, actor: Actor) -> dict[str, Any]:
    return {"me": accounts.get_agent(db, actor.id or 0), "event_types": EVENT_TYPES}


def _list_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    endpoints = svc.list_endpoints(db, actor)
    counts = svc.delivery_counts(db, [e.id for e in endpoints])
    return render(
        request,
        "webhooks/list.html",
        status_code=status_code,
        **_common(db, actor),
        rows=endpoint_rows(endpoints, counts),
        form=extra.pop("form", _blank()),
        **extra,
    )


def _endpoint_page(
    request: Request,
    db: Any,
    actor: Actor,
    endpoint: WebhookEndpoint,
    before: int | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    rows = svc.list_deliveries(db, actor, endpoint, before_id=before, limit=PER_PAGE + 1)
    return render(
        request,
        "webhooks/endpoint.html",
        status_code=status_code,
        **_common(db, actor),
        endpoint=endpoint,
        disabled_reason=gettext(endpoint.disabled_reason) if endpoint.disabled_reason else "",
        deliveries=delivery_rows(rows[:PER_PAGE]),
        older=rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None,
        form=extra.pop("form", _form_of(endpoint)),
        **extra,
    )


@router.get("")
def webhooks_page(request: Request, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _list_page(request, db, agent_actor)


@router.post("")
def create_webhook(request: Request, db: Db, agent_actor: ConsoleAdmin, form: Posted) -> Response:
    settings = request.app.state.settings
    try:
        made = svc.do_create_endpoint(db, agent_actor, settings, **form)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _list_page(
            request, db, agent_actor, exc.status_code, error=exc.message, form=_kept(form)
        )
    # Rendered, not redirected: the secret is shown once and never put in a cookie.
    return _endpoint_page(request, db, agent_actor, made.endpoint, secret=made.secret)


@router.get("/{webhook_id}")
def webhook_page(
    request: Request,
    webhook_id: PathId,
    db: Db,
    agent_actor: ConsoleAdmin,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
    return _endpoint_page(request, db, agent_actor, endpoint, before)


@router.post("/{webhook_id}")
def update_webhook(
    request: Request, webhook_id: PathId, db: Db, agent_actor: ConsoleAdmin, form: Posted
) -> Response:
    endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
    try:
        svc.do_update_endpoint(db, agent_actor, request.app.state.settings, endpoint, **form)
        db.commit()
    except DomainError as exc:
        db.rollback()
        endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
        return _endpoint_page(
            request,
            db,
            agent_actor,
            endpoint,
            status_code=exc.status_code,
            error=exc.message,
            form=_kept(form),
        )
    flash(request, "ok", gettext("Webhook saved"))
    return RedirectResponse(f"/console/admin/webhooks/{webhook_id}", status_code=303)


@router.post("/{webhook_id}/rotate")
def rotate_secret(
    request: Request, webhook_id: PathId, db: Db, agent_actor: ConsoleAdmin
) -> Response:
    endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
    made = svc.do_rotate_secret(db, agent_actor, endpoint)
    db.commit()
    return _endpoint_page(request, db, agent_actor, made.endpoint, secret=made.secret)


@router.post("/{webhook_id}/test")
def send_test(request: Request, webhook_id: PathId, db: Db, agent_actor: ConsoleAdmin) -> Response:
    svc.do_send_test(db, agent_actor, svc.access_endpoint(db, agent_actor, webhook_id))
    db.commit()
    flash(request, "ok", gettext("Test event queued; its delivery is listed below"))
    return RedirectResponse(f"/console/admin/webhooks/{webhook_id}", status_code=303)


@router.post("/{webhook_id}/delete")
def delete_webhook(
    request: Request, webhook_id: PathId, db: Db, agent_actor: ConsoleAdmin
) -> Response:
    endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
    url = endpoint.url
    svc.do_delete_endpoint(db, agent_actor, endpoint)
    db.commit()
    flash(request, "ok", gettext("Webhook deleted: %(url)s") % {"url": url[:200]})
    return RedirectResponse("/console/admin/webhooks", status_code=303)


@router.post("/{webhook_id}/deliveries/{delivery_id}/replay")
def replay(
    request: Request, webhook_id: PathId, delivery_id: PathId, db: Db, agent_actor: ConsoleAdmin
) -> Response:
    endpoint = svc.access_endpoint(db, agent_actor, webhook_id)
    delivery = svc.access_delivery(db, agent_actor, endpoint, delivery_id)
    copy = svc.do_replay(db, agent_actor, delivery)
    db.commit()
    flash(
        request,
        "ok",
        gettext("Delivery %(old)s queued again as %(new)s") % {"old": delivery.id, "new": copy.id},
    )
    return RedirectResponse(f"/console/admin/webhooks/{webhook_id}", status_code=303)
