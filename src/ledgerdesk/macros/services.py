"""Macros: canned replies (English and Chinese) with placeholders and actions.

Who sees what: every agent sees the shared macros and their own personal ones. A personal
macro is changed only by its owner; shared ones by leads and admins.

Placeholders are ``{{customer.name}}``, ``{{customer.external_id}}``, ``{{ticket.id}}``,
``{{ticket.subject}}``, ``{{agent.name}}`` and ``{{kb:<article-slug>}}`` (the title and public
link of a published help-center article, in the ticket's language). They are replaced by a
plain lookup (``render_body``), never by a template engine: a macro's text is data.

Applying a macro (``do_apply_macro``) sets its team and adds its tags at once (through the
tickets' own ``do_*`` functions, so each records its usual event), records ``macro.applied``
and returns the body in the ticket's language (zh for zh*, else en) with its placeholders
filled, for the reply box, together with the macro's status, which is set when the reply is
sent (the reply form's "and set status" is preselected): the agent reads, edits and sends."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role, Team
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted
from ledgerdesk.core.settings import get_settings
from ledgerdesk.core.text import has_control
from ledgerdesk.kb.models import Article, ArticleStatus
from ledgerdesk.macros.models import Macro
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.checks import check_not_closed, require_agent
from ledgerdesk.tickets.events import record
from ledgerdesk.tickets.models import Status, Ticket
from ledgerdesk.tickets.tags import check_tag, do_tag

MAX_NAME = 120
MAX_BODY = 10_000
MAX_TAGS = 10
MAX_MACROS_PER_OWNER = 500
STATUSES = (Status.open, Status.pending, Status.on_hold, Status.solved)
FIELDS = ("customer.name", "customer.external_id", "ticket.id", "ticket.subject", "agent.name")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]{1,100}?)\s*\}\}")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass
class MacroIn:
    name: str
    body_en: str = ""
    body_zh: str = ""
    shared: bool = False
    status: str | None = None
    tags: list[str] = field(default_factory=list)
    team_id: int | None = None


# --- reading --------------------------------------------------------------------------------


def visible_macros(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause: the shared macros and the actor's own."""
    return or_(Macro.owner_id.is_(None), Macro.owner_id == actor.id)


def list_macros(session: Session, actor: Actor) -> list[Macro]:
    """Shared first, then personal, each by name."""
    query = select(Macro).where(visible_macros(actor))
    rows = list(session.scalars(query.order_by(Macro.name, Macro.id)))
    return sorted(rows, key=lambda m: (m.owner_id is not None, m.name.lower(), m.id))


def access_macro(session: Session, actor: Actor, macro_id: int) -> Macro:
    """The macro, if ``actor`` may use it; someone else's personal macro answers NotFound."""
    require_agent(actor)
    macro = session.get(Macro, macro_id)
    if macro is None or (macro.owner_id is not None and macro.owner_id != actor.id):
        raise NotFound(f"Macro {macro_id} not found")
    return macro


def may_edit(actor: Actor, macro: Macro) -> bool:
    if macro.owner_id is None:
        return actor.role in (Role.lead, Role.admin)
    return macro.owner_id == actor.id


def _require_edit(actor: Actor, macro: Macro) -> None:
    if not may_edit(actor, macro):
        raise NotPermitted("Shared macros are changed by leads and admins")


# --- checking -------------------------------------------------------------------------------


def placeholders(text: str) -> list[str]:
    return [m.group(1).strip() for m in _PLACEHOLDER.finditer(text)]


def check_placeholders(
    session: Session, text: str, field_name: str, *, check_articles: bool = True
) -> None:
    """Every ``{{...}}`` names a known field or a published article's slug (the slug's form
    only, with ``check_articles`` false: the demo loads its help center after its macros)."""
    for name in placeholders(text):
        if name in FIELDS:
            continue
        if name.startswith("kb:"):
            slug = name[3:].strip()
            missing = check_articles and _published_article(session, slug) is None
            if not _SLUG.match(slug) or missing:
                raise InvalidInput(
                    f"No published help-center article has the slug '{slug[:80]}'",
                    field=field_name,
                )
            continue
        raise InvalidInput(
            f"Unknown placeholder {{{{{name[:60]}}}}}; use {', '.join(FIELDS)} or kb:<slug>",
            field=field_name,
        )


def _guarded(session: Session, data: MacroIn) -> MacroIn:
    """The guard runs on the texts before they are stored, as on a ticket's: a secret is
    replaced by its marker (the agent sees "[removed: …]" in the macro), and a link that
    imitates an official domain is refused outright (a macro goes to many customers)."""
    from ledgerdesk.tickets.guard import guard_texts

    texts = {"name": data.name, "body_en": data.body_en, "body_zh": data.body_zh}
    guarded = guard_texts(session, texts)
    if guarded.any_link:
        field_name = next(iter(guarded.links))
        raise InvalidInput(
            "The macro contains a link that imitates an official domain; remove it",
            field=field_name,
        )
    clean_texts = {name: str(text) for name, text in guarded.texts.items()}
    return MacroIn(
        clean_texts["name"],
        clean_texts["body_en"],
        clean_texts["body_zh"],
        data.shared,
        data.status,
        data.tags,
        data.team_id,
    )


def _check_text(value: str, field_name: str, limit: int) -> str:
    text = value.replace("\r\n", "\n").strip()
    if has_control(text.replace("\n", "").replace("\t", "")):
        raise InvalidInput("The text contains control characters", field=field_name)
    if len(text) > limit:
        raise InvalidInput(f"The text is longer than {limit} characters", field=field_name)
    return text


def check_macro(
    session: Session, actor: Actor, data: MacroIn, *, check_articles: bool = True
) -> MacroIn:
    name = " ".join(_check_text(data.name, "name", MAX_NAME * 4).split())
    if not name:
        raise InvalidInput("A macro needs a name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The name is longer than {MAX_NAME} characters", field="name")
    body_en = _check_text(data.body_en, "body_en", MAX_BODY)
    body_zh = _check_text(data.body_zh, "body_zh", MAX_BODY)
    if not body_en and not body_zh:
        raise InvalidInput("Write the reply in English, Chinese or both", field="body_en")
    for text, field_name in ((body_en, "body_en"), (body_zh, "body_zh")):
        check_placeholders(session, text, field_name, check_articles=check_articles)
    if data.status is not None and data.status not in {s.value for s in STATUSES}:
        choices = ", ".join(s.value for s in STATUSES)
        raise InvalidInput(f"Status must be one of {choices}", field="status")
    if len(data.tags) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags", field="tags")
    tags = sorted({check_tag(t) for t in data.tags if t.strip()})
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise InvalidInput(f"Team {data.team_id} does not exist", field="team_id")
    if data.shared and actor.role not in (Role.lead, Role.admin):
        raise NotPermitted("Shared macros are made by leads and admins; save it as personal")
    return _guarded(
        session, MacroIn(name, body_en, body_zh, data.shared, data.status, tags, data.team_id)
    )


# --- changing -------------------------------------------------------------------------------


def do_create_macro(
    session: Session, actor: Actor, data: MacroIn, *, check_articles: bool = True
) -> Macro:
    require_agent(actor)
    checked = check_macro(session, actor, data, check_articles=check_articles)
    owner = None if checked.shared else actor.id
    same_owner = Macro.owner_id.is_(None) if owner is None else Macro.owner_id == owner
    full = select(Macro.id).where(same_owner).offset(MAX_MACROS_PER_OWNER - 1).limit(1)
    if session.scalar(full) is not None:
        raise InvalidInput(f"At most {MAX_MACROS_PER_OWNER} macros")
    macro = Macro(owner_id=owner, created_by_id=actor.id, created_at=utcnow())
    _assign(macro, checked)
    session.add(macro)
    session.flush()
    return macro


def do_update_macro(session: Session, actor: Actor, macro: Macro, data: MacroIn) -> None:
    """Change a macro's text and actions. Whether it is shared does not change here."""
    _require_edit(actor, macro)
    data.shared = macro.owner_id is None
    _assign(macro, check_macro(session, actor, data))


def do_delete_macro(session: Session, actor: Actor, macro: Macro) -> None:
    _require_edit(actor, macro)
    session.delete(macro)


def _assign(macro: Macro, data: MacroIn) -> None:
    macro.name = data.name
    macro.body_en = data.body_en
    macro.body_zh = data.body_zh
    macro.status = data.status
    macro.tags = list(data.tags)
    macro.team_id = data.team_id
    macro.updated_at = utcnow()


# --- applying -------------------------------------------------------------------------------


def macro_language(ticket: Ticket) -> str:
    return "zh" if ticket.language.lower().startswith("zh") else "en"


def body_for(macro: Macro, ticket: Ticket) -> str:
    """The body in the ticket's language, else the other one."""
    if macro_language(ticket) == "zh":
        return macro.body_zh or macro.body_en
    return macro.body_en or macro.body_zh


def _published_article(session: Session, slug: str) -> Article | None:
    query = select(Article).where(Article.slug == slug, Article.status == ArticleStatus.published)
    return session.scalar(query)


def _article_value(session: Session, slug: str, lang: str) -> str | None:
    article = _published_article(session, slug)
    if article is None:
        return None
    wanted = "zh-CN" if lang == "zh" else "en"
    by_lang = {t.lang: t for t in article.translations}
    translation = by_lang.get(wanted) or by_lang.get("en") or next(iter(by_lang.values()), None)
    url = f"{get_settings().resolved_public_url}/help/articles/{article.slug}"
    return f"{translation.title}: {url}" if translation else url


def render_body(session: Session, text: str, ticket: Ticket, agent: Agent | None) -> str:
    """Fill the placeholders. One that cannot be filled (an article unpublished since) is
    left as written, so the agent sees it in the reply box before sending."""
    customer = ticket.requester
    values = {
        "customer.name": customer.name or customer.email,
        "customer.external_id": ""
        if customer.external_id.startswith("email:")
        else (customer.external_id),
        "ticket.id": str(ticket.id),
        "ticket.subject": ticket.subject,
        "agent.name": agent.name if agent else "",
    }
    lang = macro_language(ticket)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in values:
            return values[name]
        if name.startswith("kb:"):
            found = _article_value(session, name[3:].strip(), lang)
            return found if found is not None else match.group(0)
        return match.group(0)

    return _PLACEHOLDER.sub(fill, text)


@dataclass
class Applied:
    """What applying a macro gives the reply box: the filled body, and the status to set
    when the reply is sent (None: unchanged)."""

    body: str
    status: str | None


def do_apply_macro(session: Session, actor: Actor, ticket: Ticket, macro: Macro) -> Applied:
    """Apply the macro's team and tags now, record ``macro.applied``, and return the filled
    body with the status to send it with. The status waits for the reply: solving a ticket
    before its answer is sent would tell the customer it is solved before they read why."""
    require_agent(actor)
    check_not_closed(ticket)
    agent = session.get(Agent, actor.id) if actor.id is not None else None
    if macro.team_id is not None and macro.team_id != ticket.team_id:
        tickets.do_assign(session, actor, ticket, team_id=macro.team_id)
    if macro.tags:
        do_tag(session, actor, ticket, list(macro.tags))
    after = {"macro_id": macro.id, "macro": macro.name}
    record(session, ticket, actor, "macro.applied", None, after)
    return Applied(render_body(session, body_for(macro, ticket), ticket, agent), macro.status)
