"""The official-channel registry and the verification check. Every write goes through a
``do_*`` function here; the caller (route, job, CLI) owns the commit.

Who may do what: admins register and deactivate official channels; every agent reads the
registry and the check log; anyone, signed in or not, may verify a link, address, handle or
number (the routes rate-limit that). Each verification is logged without data about who asked.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import phonenumbers
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, normalise_email, require_role
from ledgerdesk.ai.guard import redact
from ledgerdesk.core import invalidation
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.core.text import INVISIBLE, clean, has_control
from ledgerdesk.trust import glyphs, lookalike
from ledgerdesk.trust.models import (
    HANDLE_KINDS,
    ChannelKind,
    CheckResult,
    CheckSource,
    OfficialChannel,
    QueryKind,
    VerificationCheck,
)

if TYPE_CHECKING:
    from ledgerdesk.cases.watchlist_models import WatchlistEntry

MAX_QUERY = 500
MAX_LABEL = 120
MAX_NOTE = 500
MAX_VALUE = 320
DOMAINS_TTL_SECONDS = 5.0

# Fixed texts (translated in the pages and API), so a person knows what to do next.
EMPTY_QUERY = "Enter a link, domain, e-mail address, @handle or phone number to check"
LONG_QUERY = (
    "That is longer than 500 characters: paste only the link, address, handle or number "
    "you want to check"
)
CONTROL_QUERY = (
    "The text contains control characters: paste only the link, address, handle or number"
)
ONE_AT_A_TIME = "Paste one link, e-mail address, @handle or phone number at a time"
BAD_ADDRESS = "This is not a valid web address"
BAD_EMAIL = "This is not a valid e-mail address"
BAD_HANDLE = "This is not a valid account name"
NEEDS_COUNTRY_CODE = "Include the country code, starting with + (for example +44 20 7946 0958)"
BAD_PHONE = "This is not a valid phone number: check the digits and the country code"

# A leading + (or 00) may be followed by dots; without it, dots mean an IP address or a date.
_PHONE_RE = re.compile(r"(?:\+|00)[\d\s().\-]{6,30}|[\d\s()\-]{6,30}")
_EMAIL_RE = re.compile(r"(?:mailto:)?(?P<local>[^\s@/?#:]{1,64})@(?P<domain>[^\s@/?#:]{1,255})")
_HANDLE_WORD = re.compile(r"[^\s@/?#:.]{2,64}")
_LINK_PREFIX = r"(?:https?://)?(?:www\.|mobile\.)?"
_HANDLE_TAIL = r"@?(?P<h>[^\s/?#@]{1,64})/?(?:[/?#]\S*)?"
_HANDLE_LINKS: tuple[tuple[ChannelKind, re.Pattern[str]], ...] = (
    (
        ChannelKind.telegram,
        re.compile(_LINK_PREFIX + r"(?:t|telegram)\.(?:me|dog)/(?:s/)?" + _HANDLE_TAIL, re.I),
    ),
    (ChannelKind.x, re.compile(_LINK_PREFIX + r"(?:x|twitter)\.com/" + _HANDLE_TAIL, re.I)),
    (
        ChannelKind.discord,
        re.compile(
            _LINK_PREFIX + r"(?:discord\.gg|discord(?:app)?\.com/invite)/" + _HANDLE_TAIL, re.I
        ),
    ),
)
_HANDLE_RULES: dict[ChannelKind, tuple[re.Pattern[str], str]] = {
    ChannelKind.telegram: (
        re.compile(r"[a-z0-9_]{5,32}"),
        "A Telegram username has 5–32 letters, digits or underscores, e.g. @exchange_support",
    ),
    ChannelKind.x: (
        re.compile(r"[a-z0-9_]{1,15}"),
        "An X username has 1–15 letters, digits or underscores, e.g. @exchange",
    ),
    ChannelKind.discord: (
        re.compile(r"[a-z0-9_.\-]{2,64}"),
        "A Discord name or invite code has 2–64 letters, digits, '.', '-' or '_'",
    ),
}


# --- checks -----------------------------------------------------------------------------


def check_kind(value: ChannelKind | str) -> ChannelKind:
    try:
        return ChannelKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in ChannelKind)
        raise InvalidInput(
            f"Unknown channel kind '{clean(str(value))[:20]}': use one of {kinds}", field="kind"
        ) from None


def check_label(value: str) -> str:
    label = " ".join(clean(value).split())
    if not label:
        raise InvalidInput("Give the channel a name, e.g. “Official support bot”", field="label")
    if len(label) > MAX_LABEL:
        raise InvalidInput(f"The name is longer than {MAX_LABEL} characters", field="label")
    return label


def check_note(value: str) -> str:
    note = clean(value).strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"The note is longer than {MAX_NOTE} characters", field="note")
    return note


def check_channel_value(kind: ChannelKind, value: str) -> str:
    """``value`` in the normalised form stored for ``kind``, or ``InvalidInput`` saying why."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"Enter the {kind.value} to register", field="value")
    if len(text) > MAX_VALUE or has_control(text) or glyphs.has_invisible(text):
        raise InvalidInput(
            "The value is too long or contains control or invisible characters", field="value"
        )
    if kind == ChannelKind.domain:
        return _domain_value(text)
    if kind == ChannelKind.email:
        return _email_value(text)
    if kind == ChannelKind.phone:
        return _phone_value(text)
    return _handle_value(kind, text)


def _domain_value(text: str) -> str:
    host = lookalike.url_host(text) if "/" in text else text
    try:
        name = lookalike.normalise_host(host or "")
    except ValueError as exc:
        raise InvalidInput(f"Not a valid domain: {exc}", field="value") from None
    if lookalike.is_ip(name):
        raise InvalidInput("Register a domain name, not an IP address", field="value")
    _sub, label, suffix = lookalike.host_parts(name)
    if not (label and suffix):
        raise InvalidInput(
            f"'{name}' does not end in a known public suffix such as .com or .co.uk",
            field="value",
        )
    return name


def _email_value(text: str) -> str:
    address = normalise_email(text.removeprefix("mailto:"))
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{lookalike.normalise_host(domain)}"
    except ValueError as exc:
        raise InvalidInput(f"Not a valid e-mail address: {exc}", field="value") from None


def _phone_value(text: str) -> str:
    number = "+" + text[2:] if text.startswith("00") else text
    if not number.startswith("+"):
        raise InvalidInput(NEEDS_COUNTRY_CODE, field="value")
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(BAD_PHONE, field="value") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(BAD_PHONE, field="value")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _handle_value(kind: ChannelKind, text: str) -> str:
    for link_kind, pattern in _HANDLE_LINKS:
        found = pattern.fullmatch(text)
        if found and link_kind == kind:
            text = found.group("h")
            break
    handle = text.removeprefix("@").lower()
    rule, message = _HANDLE_RULES[kind]
    if not rule.fullmatch(handle):
        raise InvalidInput(message, field="value")
    return handle


def check_query(value: str) -> str:
    """What to verify, trimmed; empty, oversized and control-character input is refused."""
    query = value.strip()
    if not query:
        raise InvalidInput(EMPTY_QUERY, field="q")
    if len(query) > MAX_QUERY:
        raise InvalidInput(LONG_QUERY, field="q")
    if has_control(query):
        raise InvalidInput(CONTROL_QUERY, field="q")
    return query


# --- the registry -----------------------------------------------------------------------


def access_channel(session: Session, channel_id: int) -> OfficialChannel:
    channel = session.get(OfficialChannel, channel_id)
    if channel is None:
        raise NotFound(f"Official channel {channel_id} not found")
    return channel


def do_add_channel(
    session: Session,
    actor: Actor,
    kind: ChannelKind | str,
    value: str,
    label: str,
    note: str = "",
) -> OfficialChannel:
    """Register an official channel (admins only). A deactivated one with the same value is
    switched on again with the new name and note."""
    require_role(actor, Role.admin)
    kind = check_kind(kind)
    value = check_channel_value(kind, value)
    label, note = check_label(label), check_note(note)
    channel = session.scalar(
        select(OfficialChannel).where(OfficialChannel.kind == kind, OfficialChannel.value == value)
    )
    if channel is not None and channel.active:
        raise Conflict(f"{value} is already an official {kind.value} channel", field="value")
    if channel is None:
        channel = OfficialChannel(kind=kind, value=value)
        session.add(channel)
    channel.label, channel.note, channel.active = label, note, True
    channel.created_by_id = actor.id if actor.is_agent else None
    channel.created_at, channel.deactivated_at = utcnow(), None
    session.flush()
    _registry_changed(session)
    return channel


def do_deactivate_channel(session: Session, actor: Actor, channel_id: int) -> OfficialChannel:
    """Stop treating a channel as official (admins only); doing it twice changes nothing."""
    require_role(actor, Role.admin)
    channel = access_channel(session, channel_id)
    if channel.active:
        channel.active = False
        channel.deactivated_at = utcnow()
        session.flush()
        _registry_changed(session)
    return channel


def list_channels(session: Session, active_only: bool = True) -> list[OfficialChannel]:
    query = select(OfficialChannel).order_by(OfficialChannel.kind, OfficialChannel.value)
    if active_only:
        query = query.where(OfficialChannel.active)
    return list(session.scalars(query))


def _active_values(session: Session, kinds: Sequence[ChannelKind]) -> list[OfficialChannel]:
    return list(
        session.scalars(
            select(OfficialChannel)
            .where(OfficialChannel.active, OfficialChannel.kind.in_(kinds))
            .order_by(OfficialChannel.id)
        )
    )


# --- official domains, cached ------------------------------------------------------------
# The ticket guard asks on every message. Answers are kept per database for a few seconds;
# a session that changed the registry reads its own changes, and a commit clears the cache.

_DIRTY = "ledgerdesk.trust.registry_changed"
_cache: dict[tuple[str, tuple[str, ...]], tuple[float, tuple[str, ...]]] = {}
_cache_lock = threading.Lock()


_generation = invalidation.Generation()
DOMAINS_CACHE = "trust.domains"


def clear_domain_cache(_key: str = "") -> None:
    with _cache_lock:
        _generation.bump()
        _cache.clear()


invalidation.register(DOMAINS_CACHE, clear_domain_cache)


def _registry_changed(session: Session) -> None:
    session.info[_DIRTY] = True
    clear_domain_cache()
    for name in ("after_commit", "after_rollback"):
        if not event.contains(session, name, _settled):
            event.listen(session, name, _settled)


def _settled(session: Session) -> None:
    if session.info.pop(_DIRTY, None):
        # Every process forgets the domains (a rollback too: harmless, and rare).
        invalidation.announce(DOMAINS_CACHE)


def _database_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def official_domains(session: Session, settings: Settings | None = None) -> list[str]:
    """``LEDGERDESK_OFFICIAL_DOMAINS`` and the active domain channels, normalised, in that
    order. Cheap to call per message: cached per process for a few seconds."""
    configured = tuple((settings or get_settings()).official_domains)
    key = (_database_key(session), configured)
    dirty = bool(session.info.get(_DIRTY))
    now = time.monotonic()
    if not dirty:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and hit[0] > now:
            return list(hit[1])
    invalidation.follow()
    seen = _generation.now()
    domains = _load_domains(session, configured)
    if not dirty:
        with _cache_lock:
            if _generation.stores_ok(seen):  # not cleared while loading
                _cache[key] = (now + DOMAINS_TTL_SECONDS, domains)
    return list(domains)


def _load_domains(session: Session, configured: tuple[str, ...]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for raw in configured:
        try:
            found[lookalike.normalise_host(raw)] = None
        except ValueError:
            continue  # a typo in the setting must not stop the desk
    for channel in _active_values(session, [ChannelKind.domain]):
        found[channel.value] = None
    return tuple(found)


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationResult:
    """The answer about one query. ``matched`` is the official value it equals (a channel's
    value or a configured domain); ``subject`` is what was compared (a normalised host,
    handle, address or number); ``detail`` says why an ``invalid`` query could not be
    checked."""

    query: str
    kind: QueryKind
    result: CheckResult
    channel: OfficialChannel | None = None
    matched: str | None = None
    subject: str | None = None
    reasons: tuple[str, ...] = ()
    lookalike_of: str | None = None
    detail: str = ""
    check_id: int | None = None
    reported: tuple[WatchlistEntry, ...] = ()  # watchlist entries it is (or falls under)

    @property
    def official(self) -> bool:
        return self.result == CheckResult.official


def verify(
    session: Session,
    query: str,
    source: CheckSource | str,
    settings: Settings | None = None,
) -> VerificationResult:
    """Classify ``query`` (link, domain, e-mail address, handle or phone number), compare it
    with the official channels, log the check and return the answer. Empty, oversized and
    control-character input raises ``InvalidInput`` and is not logged."""
    query = check_query(query)
    source = CheckSource(source)
    answer = _classify(session, query, official_domains(session, settings))
    answer = _with_watchlist(session, answer)
    check = do_log_check(session, answer, source)
    return replace(answer, check_id=check.id)


def do_log_check(
    session: Session, answer: VerificationResult, source: CheckSource
) -> VerificationCheck:
    check = VerificationCheck(
        query=loggable(answer.query),
        kind=answer.kind,
        result=answer.result,
        reasons=list(answer.reasons),
        channel_id=answer.channel.id if answer.channel is not None else None,
        lookalike_of=(answer.lookalike_of or "")[:MAX_VALUE] or None,
        source=source,
        created_at=utcnow(),
    )
    session.add(check)
    session.flush()
    return check


def loggable(query: str) -> str:
    """The query as stored: secrets removed (people paste anything into a checker), control
    characters removed, invisible ones spelled out."""
    text = redact(clean(query))
    for ch in sorted(INVISIBLE & set(text)):
        text = text.replace(ch, f"<U+{ord(ch):04X}>")
    return text[:MAX_QUERY]


def _invalid(query: str, kind: QueryKind, detail: str) -> VerificationResult:
    return VerificationResult(query, kind, CheckResult.invalid, detail=detail)


_WATCHED_KINDS = frozenset({"chain_address", "url", "domain", "telegram", "x", "discord"})


def _with_watchlist(session: Session, answer: VerificationResult) -> VerificationResult:
    """A query reported in confirmed scam reports is never official, whatever it looks like:
    the answer gets the ``watchlist`` reason and the entries (the withdrawal-address check)."""
    from ledgerdesk.cases.watchlist import check_value

    if answer.kind == QueryKind.email:  # mail from a reported site's domain
        value = (answer.subject or "").rpartition("@")[2]
    elif answer.kind in _WATCHED_KINDS:
        value = answer.query
    else:
        return answer
    entries = tuple(check_value(session, value)) if value else ()
    if not entries:
        return answer
    return replace(
        answer,
        result=CheckResult.not_official,
        reasons=("watchlist", *(r for r in answer.reasons if r != "watchlist")),
        reported=entries,
    )


def _classify(session: Session, query: str, domains: list[str]) -> VerificationResult:
    from ledgerdesk.cases.watchlist import address_family

    if address_family(query):  # a pasted withdrawal address: not a handle, never official
        return VerificationResult(query, QueryKind.address, CheckResult.not_official, subject=query)
    if _PHONE_RE.fullmatch(query) and sum(ch.isdigit() for ch in query) >= 6:
        return _verify_phone(session, query)
    for kind, pattern in _HANDLE_LINKS:
        found = pattern.fullmatch(query)
        if found:
            return _verify_handle(session, query, QueryKind(kind.value), found.group("h"), domains)
    if query.startswith("@") and not any(ch.isspace() for ch in query):
        return _verify_handle(session, query, QueryKind.handle, query[1:], domains)
    if any(ch.isspace() for ch in query):
        return _invalid(query, QueryKind.unknown, ONE_AT_A_TIME)
    email = _EMAIL_RE.fullmatch(query)
    if email:
        return _verify_email(session, query, email["local"], email["domain"], domains)
    if "://" in query or "." in query:
        return _verify_host(session, query, domains)
    if _HANDLE_WORD.fullmatch(query):
        return _verify_handle(session, query, QueryKind.handle, query, domains)
    return _invalid(query, QueryKind.unknown, ONE_AT_A_TIME)


def _domain_channel(
    session: Session, host: str, domains: list[str]
) -> tuple[str, OfficialChannel | None]:
    """The official domain ``host`` belongs to (the longest match) and its channel, if any."""
    matched = max((d for d in domains if host == d or host.endswith("." + d)), key=len)
    channel = session.scalar(
        select(OfficialChannel).where(
            OfficialChannel.kind == ChannelKind.domain,
            OfficialChannel.value == matched,
            OfficialChannel.active,
        )
    )
    return matched, channel


def _verify_host(session: Session, query: str, domains: list[str]) -> VerificationResult:
    kind = QueryKind.url if ("://" in query or "/" in query) else QueryKind.domain
    try:
        verdict = lookalike.check_url(query, domains)
    except ValueError:
        return _invalid(query, kind, BAD_ADDRESS)
    if verdict.official and not verdict.suspicious:
        matched, channel = _domain_channel(session, verdict.host, domains)
        return VerificationResult(query, kind, CheckResult.official, channel, matched, verdict.host)
    return VerificationResult(
        query,
        kind,
        CheckResult.not_official,
        subject=verdict.host,
        reasons=verdict.reasons,
        lookalike_of=verdict.lookalike_of,
    )


def _verify_email(
    session: Session, query: str, local: str, domain: str, domains: list[str]
) -> VerificationResult:
    kind = QueryKind.email
    try:
        verdict = lookalike.check_host(domain, domains)
    except ValueError:
        return _invalid(query, kind, BAD_EMAIL)
    address = f"{glyphs.strip_invisible(local).lower()}@{verdict.host}"
    channel = next(
        (c for c in _active_values(session, [ChannelKind.email]) if c.value == address), None
    )
    hidden = glyphs.has_invisible(local)
    if channel is not None and not hidden and not verdict.suspicious:
        return VerificationResult(query, kind, CheckResult.official, channel, address, address)
    if verdict.official and not verdict.suspicious and not hidden:
        matched, by_domain = _domain_channel(session, verdict.host, domains)
        return VerificationResult(query, kind, CheckResult.official, by_domain, matched, address)
    reasons, imitated = verdict.reasons, verdict.lookalike_of
    if hidden:
        reasons = lookalike.ordered_reasons([*reasons, "bidi_control"])
    if imitated is None:  # an unknown domain: does the name in front imitate us?
        named = lookalike.check_handle(local, [], domains)
        reasons, imitated = (
            lookalike.ordered_reasons([*reasons, *named.reasons]),
            named.lookalike_of,
        )
    return VerificationResult(
        query,
        kind,
        CheckResult.not_official,
        subject=address,
        reasons=reasons,
        lookalike_of=imitated,
    )


def _verify_handle(
    session: Session, query: str, kind: QueryKind, raw: str, domains: list[str]
) -> VerificationResult:
    handle = glyphs.strip_invisible(raw).strip().removeprefix("@").lower()
    if not handle or len(handle) > 64:
        return _invalid(query, kind, BAD_HANDLE)
    kinds = HANDLE_KINDS if kind == QueryKind.handle else (ChannelKind(kind.value),)
    known = _active_values(session, kinds)
    exact = next((c for c in known if c.value == handle), None)
    if exact is not None and not glyphs.has_invisible(raw):
        return VerificationResult(query, kind, CheckResult.official, exact, exact.value, handle)
    every_handle = [c.value for c in _active_values(session, HANDLE_KINDS)]
    verdict = lookalike.check_handle(raw, every_handle, domains)
    return VerificationResult(
        query,
        kind,
        CheckResult.not_official,
        subject=handle,
        reasons=verdict.reasons,
        lookalike_of=verdict.lookalike_of,
    )


def _verify_phone(session: Session, query: str) -> VerificationResult:
    kind = QueryKind.phone
    try:
        number = _phone_value(query)
    except InvalidInput as exc:
        return _invalid(query, kind, exc.message)
    known = _active_values(session, [ChannelKind.phone])
    exact = next((c for c in known if c.value == number), None)
    if exact is not None:
        return VerificationResult(query, kind, CheckResult.official, exact, number, number)
    near = next((c.value for c in known if lookalike.differing_letters(number, c.value) <= 1), None)
    return VerificationResult(
        query,
        kind,
        CheckResult.not_official,
        subject=number,
        reasons=("typosquat",) if near else (),
        lookalike_of=near,
    )


# --- the check log ----------------------------------------------------------------------


def list_checks(
    session: Session, *, not_official_only: bool = False, page: int = 1, per_page: int = 50
) -> tuple[list[VerificationCheck], int]:
    """Logged checks, newest first, and how many there are in all."""
    where = [VerificationCheck.result == CheckResult.not_official] if not_official_only else []
    total = session.scalar(select(func.count()).select_from(VerificationCheck).where(*where))
    rows = session.scalars(
        select(VerificationCheck)
        .where(*where)
        .order_by(VerificationCheck.created_at.desc(), VerificationCheck.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), int(total or 0)
