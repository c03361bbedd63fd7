"""The public verification page under /verify: no sign-in, in the reader's language. A
customer pastes a link, address, handle or number and learns whether it is really us, and
how to reach us safely. Every finished check is logged (source ``web``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.trust import presenters
from ledgerdesk.trust import services as svc
from ledgerdesk.trust.models import CheckSource
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import Db, OptionalActor
from ledgerdesk.web.templating import render

router = APIRouter(prefix="/verify", include_in_schema=False)


@router.get("")
def verify_page(request: Request, db: Db, actor: OptionalActor, q: str | None = None) -> Response:
    """The form; with ``q``, the answer above the list of official channels."""
    settings = request.app.state.settings
    context: dict[str, Any] = {"actor": actor, "q": (q or "")[:600], "result": None}
    status = 200
    if q is not None:
        try:
            request.app.state.limiter.hit(
                settings.verify_rate_limit, "trust-verify", client_address(request)
            )
            result = svc.verify(db, q, CheckSource.web, settings)
            db.commit()
            context.update(_answer(result, settings.platform_name))
        except DomainError as exc:
            db.rollback()
            status, context["error"] = exc.status_code, gettext(exc.message)
    context["channels"] = presenters.public_channels(db, settings)
    context["kind_names"] = presenters.kind_names()
    return render(request, "trust/verify.html", status_code=status, **context)


def _answer(result: svc.VerificationResult, platform: str) -> dict[str, Any]:
    return {
        "result": result,
        "matched": presenters.matched_view(result),
        "reasons": presenters.reasons(result),
        "message": presenters.message(result, platform),
        "kind_name": presenters.kind_name(result.kind.value),
    }
