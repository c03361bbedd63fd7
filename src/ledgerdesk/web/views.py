"""Site-wide pages: the front door, language switch and health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ledgerdesk.core import i18n

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None, default: str) -> str:
    """Only same-site paths are followed after a form, never another host."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


# What a browser keeps across signing in and out: the chosen language, and the ids of the
# deposit checks it made signed out (so the portal can fill a request in from one of them).
KEPT_ACROSS_SIGN_IN = ("lang", "anonymous_checks")


def reset_session_cookie(request: Request) -> None:
    """Empty the signed cookie (sign-in state, pending 2FA, flashes) but keep the chosen
    language and the browser's own signed-out checks."""
    kept = {k: request.session[k] for k in KEPT_ACROSS_SIGN_IN if request.session.get(k)}
    request.session.clear()
    request.session.update(kept)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/portal", status_code=303)


@router.post("/lang")
def switch_language(
    request: Request, lang: Annotated[str, Form(max_length=16)], next: Annotated[str, Form()] = "/"
) -> RedirectResponse:
    chosen = i18n.normalise_locale(lang) or "en"
    request.session["lang"] = chosen
    return RedirectResponse(safe_next(next, "/"), status_code=303)


@router.get("/healthz")
def health() -> dict[str, str]:
    """Liveness: the process answers. Whether it can serve (database, Redis) is /readyz's
    question (web/observability.py): a database outage must not get every process restarted."""
    return {"status": "ok"}
