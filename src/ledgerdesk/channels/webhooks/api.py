"""JSON routes for webhooks under /api/v1 (admins). Thin: parse, check, call one service,
answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ledgerdesk.channels.models import WebhookDelivery
from ledgerdesk.channels.webhooks import services as svc
from ledgerdesk.channels.webhooks.schemas import (
    DeliveryDetail,
    DeliveryList,
    DeliveryPublic,
    WebhookCreate,
    WebhookList,
    WebhookPublic,
    WebhookUpdate,
    WebhookWithSecret,
)
from ledgerdesk.core.types import PathId, QueryId
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


def _with_secret(made: svc.WithSecret) -> WebhookWithSecret:
    public = WebhookPublic.model_validate(made.endpoint)
    return WebhookWithSecret(**public.model_dump(), secret=made.secret)


@router.get("")
def list_webhooks(db: Db, actor: CurrentAgent) -> WebhookList:
    """Every endpoint (admins). Secrets are never listed."""
    items = [WebhookPublic.model_validate(e) for e in svc.list_endpoints(db, actor)]
    return WebhookList(items=items)


@router.post("", status_code=201)
def create_webhook(
    data: WebhookCreate, request: Request, db: Db, actor: CurrentAgent
) -> WebhookWithSecret:
    """Register an endpoint; the answer carries its signing secret, shown only this once."""
    made = svc.do_create_endpoint(db, actor, request.app.state.settings, **data.model_dump())
    db.commit()
    return _with_secret(made)


@router.get("/{webhook_id}")
def get_webhook(webhook_id: PathId, db: Db, actor: CurrentAgent) -> WebhookPublic:
    return WebhookPublic.model_validate(svc.access_endpoint(db, actor, webhook_id))


@router.patch("/{webhook_id}")
def update_webhook(
    webhook_id: PathId, data: WebhookUpdate, request: Request, db: Db, actor: CurrentAgent
) -> WebhookPublic:
    """Change the URL, description, event types or turn it on or off."""
    endpoint = svc.access_endpoint(db, actor, webhook_id)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    svc.do_update_endpoint(db, actor, request.app.state.settings, endpoint, **changes)
    db.commit()
    return WebhookPublic.model_validate(endpoint)


@router.delete("/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    """Delete the endpoint and its delivery log."""
    svc.do_delete_endpoint(db, actor, svc.access_endpoint(db, actor, webhook_id))
    db.commit()
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret")
def rotate_secret(webhook_id: PathId, db: Db, actor: CurrentAgent) -> WebhookWithSecret:
    """A new signing secret, effective at once; the answer is the only place it is shown."""
    made = svc.do_rotate_secret(db, actor, svc.access_endpoint(db, actor, webhook_id))
    db.commit()
    return _with_secret(made)


@router.post("/{webhook_id}/test", status_code=202)
def send_test(webhook_id: PathId, db: Db, actor: CurrentAgent) -> DeliveryPublic:
    """Queue a ``webhook.test`` delivery; follow it in the delivery log."""
    delivery = svc.do_send_test(db, actor, svc.access_endpoint(db, actor, webhook_id))
    db.commit()
    return DeliveryPublic.model_validate(delivery)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(
    webhook_id: PathId,
    db: Db,
    actor: CurrentAgent,
    before: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryList:
    """The endpoint's deliveries, newest first."""
    endpoint = svc.access_endpoint(db, actor, webhook_id)
    rows = svc.list_deliveries(db, actor, endpoint, before_id=before, limit=limit + 1)
    more = rows[limit - 1].id if len(rows) > limit else None
    return DeliveryList(
        items=[DeliveryPublic.model_validate(d) for d in rows[:limit]], next_before=more
    )


def _delivery(db: Db, actor: CurrentAgent, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    endpoint = svc.access_endpoint(db, actor, webhook_id)
    return svc.access_delivery(db, actor, endpoint, delivery_id)


@router.get("/{webhook_id}/deliveries/{delivery_id}")
def get_delivery(
    webhook_id: PathId, delivery_id: PathId, db: Db, actor: CurrentAgent
) -> DeliveryDetail:
    """One delivery with the payload it sends."""
    return DeliveryDetail.model_validate(_delivery(db, actor, webhook_id, delivery_id))


@router.post("/{webhook_id}/deliveries/{delivery_id}/replay", status_code=202)
def replay_delivery(
    webhook_id: PathId, delivery_id: PathId, db: Db, actor: CurrentAgent
) -> DeliveryPublic:
    """Send the same payload again as a new delivery (new id, timestamp and signature)."""
    copy = svc.do_replay(db, actor, _delivery(db, actor, webhook_id, delivery_id))
    db.commit()
    return DeliveryPublic.model_validate(copy)
