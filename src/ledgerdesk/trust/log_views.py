"""The public page /transparency: the transparency log's latest signed tree head, the keys
that sign heads, and how anyone checks the records with them. No sign-in, in the reader's
language, on the help center's layout like /verify."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ledgerdesk.trust import log
from ledgerdesk.trust.anchoring import latest_confirmed
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/transparency", include_in_schema=False)


@router.get("")
def transparency_page(request: Request, db: Db, actor: OptionalActor) -> Response:
    """The latest head (if any), every signing key, and the verification steps."""
    head = log.latest_head(db)
    signed_at = None
    if head is not None:
        moment = datetime.fromtimestamp(head.timestamp / 1000, tz=UTC)
        signed_at = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return render(
        request,
        "trust/transparency.html",
        actor=actor,
        head=head,
        signed_at=signed_at,
        keys=sorted(log.public_keys(db).items()),
        anchor=latest_confirmed(db),
    )
