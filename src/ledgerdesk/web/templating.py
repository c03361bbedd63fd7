"""One Jinja2 environment over every pillar's ``templates/`` folder, with i18n."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from ledgerdesk.core import i18n
from ledgerdesk.core.text import neutralise_bidi
from ledgerdesk.web.labels import handover_label, label
from ledgerdesk.web.messages import translate_message

_ROOT = Path(__file__).resolve().parent.parent
_PILLARS = (
    "web",
    "account_security",
    "accounts",
    "tickets",
    "portal",
    "kb",
    "trust",
    "routing",
    "chain",
    "chat",
    "ai/assistant",
    "channels",
    "channels/webhooks",
    "reports",
    "incidents",
    "sla",
    "macros",
    "cases",
    "jobs",
)


def _timefmt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.strftime(fmt) + " UTC" if value else ""


def _shown(value: Any) -> Any:
    """Every ``{{ value }}`` passes here: bidi controls in customer text cannot reorder what
    a person reads (markup stays markup: the marker has no HTML-special characters)."""
    if isinstance(value, Markup):
        return Markup(neutralise_bidi(str(value)))  # noqa: S704 - markup in, markup out
    if isinstance(value, str):
        return neutralise_bidi(value)
    return value


def _chain_links(text: Any, hint: Any = "") -> Markup:
    """A message body with its transaction hashes and addresses linked to their explorer
    (``{{ m.body|chain_links(hint) }}``); the registry was validated when the app started."""
    from ledgerdesk.chain.links import link_chain_refs
    from ledgerdesk.chain.registry import get_registry

    return link_chain_refs(str(text or ""), get_registry(), str(hint or ""))


# The assistant's citations: a help-center article link, relative or on this desk's address.
_CITATION = re.compile(
    r"(?<![\w/\"'=])((?:https?://[\w.:-]+)?/help/articles/[a-z0-9][a-z0-9-]{0,119})\b"
)


def _help_links(body: Markup, public_url: Any = "") -> Markup:
    """An already escaped message body (``chain_links``' output) with the help-center article
    links the assistant cites made clickable. Only ``/help/articles/<slug>``, relative or on
    ``public_url``: a link anywhere else stays text."""
    base = str(public_url or "").rstrip("/")
    anchor = Markup('<a href="{0}" target="_blank" rel="noopener">{0}</a>')
    parts: list[Markup] = []
    position = 0
    for match in _CITATION.finditer(str(body)):
        url = match.group(1)
        if not url.startswith("/") and not (base and url.startswith(base + "/help/")):
            continue
        parts += [body[position : match.start(1)], anchor.format(url)]
        position = match.end(1)
    parts.append(body[position:])
    return Markup("").join(parts)


_SECTIONS = ("/console", "/portal", "/help")


def back_href(request: Request) -> str:
    """Where "Go back" leads: the page the visitor came from when it is on this site (its
    path only), else the home of the section they are in. A plain link: no script, so the
    content security policy never blocks it."""
    referer = urlsplit(request.headers.get("referer", "")[:2000])
    same_site = referer.netloc == request.url.netloc and referer.scheme in ("http", "https")
    path = referer.path
    local = path.startswith("/") and not path.startswith("//") and "\\" not in path
    if same_site and local and path != request.url.path:
        return path + (f"?{referer.query}" if referer.query else "")
    here = request.url.path
    return next((s for s in _SECTIONS if here == s or here.startswith(s + "/")), "/")


def _ago(value: datetime | None) -> Markup:
    """``{{ when|ago }}``: "5 min ago" in the page's language, the exact time in a tooltip."""
    from ledgerdesk.tickets.reltime import time_tag

    return time_tag(value)


def _csat_of(ticket: Any) -> Any:
    """The ticket's satisfaction survey for a page (``channels.csat_report.survey_view``)."""
    from ledgerdesk.channels.csat_report import survey_view

    return survey_view(ticket)


def _sla_due_badges(tickets: Any) -> Any:
    """Each ticket's nearest SLA due time, one query per page (``sla.services.DueBadge``)."""
    from ledgerdesk.sla.services import badges_for_page

    return badges_for_page(tickets)


def _sla_clocks_of(ticket: Any) -> Any:
    from ledgerdesk.sla.services import clock_views

    return clock_views(ticket)


def build_environment() -> Environment:
    loaders = [FileSystemLoader(str(_ROOT / p / "templates")) for p in _PILLARS]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["time"] = _timefmt
    env.filters["ago"] = _ago
    env.filters["label"] = label
    env.filters["handover_label"] = handover_label
    env.filters["language_name"] = i18n.language_name
    env.filters["chain_links"] = _chain_links
    env.filters["help_links"] = _help_links
    env.globals["back_href"] = back_href
    env.globals["csat_of"] = _csat_of
    env.globals["sla_due_badges"] = _sla_due_badges
    env.globals["sla_clocks_of"] = _sla_clocks_of
    env.globals["LOCALES"] = i18n.LOCALE_NAMES
    env.globals["current_locale"] = i18n.get_locale
    return env


templates = Jinja2Templates(env=build_environment())


def flash(request: Request, kind: str, text: str) -> None:
    """A one-time message shown on the next page (``kind`` is ``ok`` or ``error``), in the
    request's language."""
    request.session.setdefault("flashes", []).append([kind, translate_message(text)[:300]])


_MESSAGES = ("error", "message", "field_error")


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``name``; an error message from a service is shown in the request's language."""
    for key in _MESSAGES:
        if isinstance(context.get(key), str):
            context[key] = translate_message(context[key])
    context.setdefault("settings", request.app.state.settings)
    context.setdefault(
        "flashes", request.session.pop("flashes", []) if "session" in request.scope else []
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)
