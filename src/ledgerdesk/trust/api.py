"""JSON routes for official-channel verification under /api/v1. Both are public; checks are
rate-limited per client address and logged (without the address)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.trust import presenters
from ledgerdesk.trust import services as svc
from ledgerdesk.trust.models import CheckSource
from ledgerdesk.trust.schemas import ChannelList, ChannelPublic, VerificationPublic
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db
from ledgerdesk.web.openapi import RATE_LIMITED

router = APIRouter(prefix="/api/v1", tags=["official channels"])


def _public(view: presenters.ChannelView | None) -> ChannelPublic | None:
    if view is None:
        return None
    return ChannelPublic(
        id=view.id, kind=view.kind, value=view.value, label=view.label, url=view.url
    )


@router.get("/verify", responses=RATE_LIMITED)
def verify(
    request: Request, db: Db, q: Annotated[str, Query(max_length=4096)] = ""
) -> VerificationPublic:
    """Is this link, domain, e-mail address, @handle or phone number one of ours? A chain
    address, domain or link reported in confirmed scam reports is answered ``reported``."""
    settings = request.app.state.settings
    request.app.state.limiter.hit(
        settings.verify_rate_limit, "trust-verify", client_address(request)
    )
    try:
        result = svc.verify(db, q, CheckSource.api, settings)
    except InvalidInput as exc:
        raise InvalidInput(gettext(exc.message), field=exc.field) from None
    db.commit()
    return VerificationPublic(
        query=result.query,
        kind=result.kind,
        official=result.official,
        result=result.result,
        channel=_public(presenters.matched_view(result)),
        lookalike_of=result.lookalike_of,
        reasons=list(result.reasons),
        message=presenters.message(result, settings.platform_name),
        reported=bool(result.reported),
        reported_values=[entry.value for entry in result.reported],
    )


@router.get("/official-channels")
def official_channels(request: Request, db: Db) -> ChannelList:
    """Every active official channel: websites, e-mail addresses, accounts, phone numbers."""
    views = presenters.public_channels(db, request.app.state.settings)
    return ChannelList(items=[c for c in map(_public, views) if c is not None])
