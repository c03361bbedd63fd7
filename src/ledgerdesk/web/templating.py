"""One Jinja2 environment over every pillar's ``templates/`` folder, with i18n."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from ledgerdesk.core import i18n

_ROOT = Path(__file__).resolve().parent.parent
_PILLARS = ("web", "accounts", "tickets", "portal", "kb", "trust", "routing")


def _timefmt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(fmt) + " UTC" if value else ""


def build_environment() -> Environment:
    loaders = [FileSystemLoader(str(_ROOT / p / "templates")) for p in _PILLARS]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["time"] = _timefmt
    env.globals["LOCALES"] = i18n.LOCALE_NAMES
    env.globals["current_locale"] = i18n.get_locale
    return env


templates = Jinja2Templates(env=build_environment())


def flash(request: Request, kind: str, text: str) -> None:
    """A one-time message shown on the next page (``kind`` is ``ok`` or ``error``)."""
    request.session.setdefault("flashes", []).append([kind, text[:300]])


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("settings", request.app.state.settings)
    context.setdefault(
        "flashes", request.session.pop("flashes", []) if "session" in request.scope else []
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)
