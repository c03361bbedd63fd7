"""The reported-address watchlist: chain addresses, domains and links named by confirmed scam
reports, and where they turn up again (the public verification check, ticket messages).

Who may do what: every agent reads the list and checks values; team leads, admins and the
agents of the security team (``register.team_for(session, "security")``) add, import and
deactivate entries. The caller (route, CLI) owns the commit.

Values are normalised once, here, for storing and for matching: an address is checked for its
network's family (``chain.formats``) and keyed in lowercase where its encoding ignores case
(EVM hex, bech32); a domain matches itself and every name under it; a link matches the same
host and path with or without ``https://``, ``www.``, a trailing ``/`` or its query string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.watchlist_models import WatchKind, WatchlistEntry
from ledgerdesk.chain import formats
from ledgerdesk.chain.registry import get_registry
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from ledgerdesk.core.text import clean, has_control
from ledgerdesk.trust import lookalike

MAX_VALUE = 600
MAX_NOTE = 500
MAX_SOURCE = 120
READ_ONLY = "Only team leads, admins and the security team can change the watchlist"
AGENTS_ONLY = "Only the desk's agents can read the watchlist"

_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
Key = tuple[WatchKind, str]


@dataclass(frozen=True)
class Normalised:
    kind: WatchKind
    network: str | None
    value: str
    key: str


@dataclass(frozen=True)
class NewEntry:
    value: str
    kind: str = ""  # "chain_address" (or "address"), "domain", "url"; empty: recognise it
    network: str = ""  # a registry network id or a family (evm, bitcoin, tron)
    note: str = ""
    source: str = ""
    case_id: int | None = None
    added_at: datetime | None = None


@dataclass
class FromCase:
    """What adding a scam case's values did: new or switched-on entries, values already
    listed, and values that were refused (with the reason)."""

    added: list[WatchlistEntry] = field(default_factory=list)
    existing: list[WatchlistEntry] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


# --- permissions ------------------------------------------------------------------------


def can_edit(session: Session, actor: Actor) -> bool:
    if actor.kind == "system":
        return True
    if not actor.is_agent:
        return False
    if actor.role in (Role.lead, Role.admin):
        return True
    security = register.team_for(session, "security")
    return security is not None and security in actor.team_ids


def require_editor(session: Session, actor: Actor) -> None:
    if not can_edit(session, actor):
        raise NotPermitted(READ_ONLY)


def require_reader(actor: Actor) -> None:
    if not actor.is_agent and actor.kind != "system":
        raise NotPermitted(AGENTS_ONLY)


# --- checks and normalisation -------------------------------------------------------------


def check_kind(value: str) -> WatchKind | None:
    """The kind named by ``value``; ``None`` for an empty value (recognise it)."""
    text = value.strip().lower()
    if not text:
        return None
    if text == "address":  # what a person writes in a CSV file
        return WatchKind.address
    try:
        return WatchKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in WatchKind)
        raise InvalidInput(
            f"Unknown kind '{clean(text)[:20]}': use one of {kinds}", field="kind"
        ) from None


def check_text(value: str, name: str, limit: int) -> str:
    text = " ".join(clean(value).split())
    if len(text) > limit and name == "note":
        raise InvalidInput(f"The note is longer than {limit} characters", field=name)
    if len(text) > limit:
        raise InvalidInput(f"The source is longer than {limit} characters", field=name)
    return text


def address_family(text: str) -> str | None:
    """The chain family ``text`` (exactly, white space trimmed) is a valid address of."""
    value = text.strip()
    return next((f for f in formats.FAMILIES if value and formats.is_address(f, value)), None)


def address_key(family: str, address: str) -> str:
    """EVM hex and bech32 ignore case; base58 (Bitcoin legacy, Tron) does not."""
    if family == "evm" or address[:3].lower() in ("bc1", "tb1"):
        return address.lower()
    return address


def _network(network: str, family: str | None) -> tuple[str, str]:
    """(stored network, family) for a registry network id or a family name."""
    wanted = network.strip().lower()
    if wanted in formats.FAMILIES:
        return wanted, wanted
    found = get_registry().network(wanted)
    if found is None:
        raise InvalidInput(
            f"Unknown network '{clean(network)[:32]}': use a network id of the registry "
            "(such as ethereum, tron, bitcoin) or a family (evm, bitcoin, tron)",
            field="network",
        )
    if family is not None and family != found.family:
        raise InvalidInput(
            f"This is not a valid {found.id} address ({found.family} family)", field="value"
        )
    return found.id, found.family


def normalise_address(network: str, text: str) -> Normalised:
    value = text.strip()
    family = address_family(value)
    if not network.strip():
        if family is None:
            raise InvalidInput(
                "This is not a valid EVM, Bitcoin or Tron address (check for a typo)",
                field="value",
            )
        network = family
    stored, family = _network(network, family)
    if family is None or not formats.is_address(family, value):
        raise InvalidInput(f"This is not a valid {stored} address", field="value")
    value = formats.normalize_address(family, value)
    return Normalised(WatchKind.address, stored, value, address_key(family, value))


def _host(text: str) -> str:
    raw = lookalike.url_host(text)
    try:
        host = lookalike.normalise_host(raw or "")
    except ValueError as exc:
        raise InvalidInput(f"Not a valid link or domain: {exc}", field="value") from None
    if not lookalike.is_ip(host):
        _sub, label, suffix = lookalike.host_parts(host)
        if not (label and suffix):
            raise InvalidInput(
                f"'{host}' does not end in a known public suffix such as .com or .co.uk",
                field="value",
            )
    return host


def _path(text: str) -> str:
    """The path and query of a link (no fragment, no trailing ``/``); "" for none."""
    rest = _SCHEME.sub("", text.strip(), count=1)
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    path, _, query = rest[cut:].split("#", 1)[0].partition("?")
    path = path.rstrip("/")
    return path + "?" + query if query else path


def _host_key(host: str) -> str:
    return host.removeprefix("www.")


def normalise_link(kind: WatchKind | None, text: str, official: Sequence[str]) -> Normalised:
    """A domain or link entry. A link without a path is its domain. Our own domains (and
    names under them) are refused."""
    host = _host(text)
    for domain in official:
        if host == domain or host.endswith("." + domain):
            raise InvalidInput(
                f"{host} is one of our official domains: it cannot be on the watchlist",
                field="value",
            )
    path = _path(text) if kind != WatchKind.domain else ""
    if not path:
        return Normalised(WatchKind.domain, None, host, _host_key(host))
    value = host + path
    return Normalised(WatchKind.url, None, value, (_host_key(host) + path).casefold())


def normalise(kind: str, network: str, value: str, official: Sequence[str] = ()) -> Normalised:
    """``value`` as stored and matched, or ``InvalidInput`` saying what is wrong with it."""
    text = value.strip()
    if not text:
        raise InvalidInput("Enter an address, domain or link", field="value")
    if len(text) > MAX_VALUE or has_control(text) or any(ch.isspace() for ch in text):
        raise InvalidInput(
            "Enter one address, domain or link, without spaces or control characters "
            f"(at most {MAX_VALUE} characters)",
            field="value",
        )
    if guard_text(text) != text:
        raise InvalidInput(
            "This looks like a secret (a key, seed words or a token), not an address or link",
            field="value",
        )
    wanted = check_kind(kind)
    if wanted == WatchKind.address or (wanted is None and address_family(text)):
        return normalise_address(network, text)
    if network.strip():
        raise InvalidInput("Only an address has a network: leave it empty", field="network")
    return normalise_link(wanted, text, official)


# --- what a text mentions ----------------------------------------------------------------


def _link_keys(url: str, host: str) -> set[Key]:
    try:
        name = _host_key(lookalike.normalise_host(host))
    except ValueError:
        return set()
    labels = name.split(".")
    keys = {(WatchKind.domain, ".".join(labels[i:])) for i in range(len(labels) - 1)}
    path = _path(url)
    if path:
        keys.add((WatchKind.url, (name + path).casefold()))
        bare = path.split("?", 1)[0].rstrip("/")
        if bare:
            keys.add((WatchKind.url, (name + bare).casefold()))
    return keys


def keys_in_text(text: str) -> set[Key]:
    """Every key an entry could have that ``text`` mentions: the addresses in it (valid
    checksums only), the domains of its links (and their parent domains) and its links."""
    keys = {
        (WatchKind.address, address_key(ref.family, ref.value))
        for ref in formats.find_chain_refs(text)
        if ref.kind == "address"
    }
    for _start, _end, url, host in lookalike.find_urls(text, limit=200):
        keys |= _link_keys(url, host)
    return keys


def _lookup(session: Session, keys: Iterable[Key]) -> dict[Key, WatchlistEntry]:
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.scalars(
        select(WatchlistEntry).where(
            WatchlistEntry.active, WatchlistEntry.match_key.in_(sorted({k for _, k in wanted}))
        )
    )
    return {(r.kind, r.match_key): r for r in rows if (r.kind, r.match_key) in wanted}


def hits_in_texts(session: Session, texts: Sequence[str]) -> dict[int, list[WatchlistEntry]]:
    """For each text (by index) that mentions an active entry, those entries. One query for
    all the texts: a page calls this once for its messages."""
    per_text = [keys_in_text(t or "") for t in texts]
    found = _lookup(session, set().union(*per_text) if per_text else set())
    hits: dict[int, list[WatchlistEntry]] = {}
    for index, keys in enumerate(per_text):
        entries = sorted(
            {found[k].id: found[k] for k in keys if k in found}.values(), key=lambda e: e.id
        )
        if entries:
            hits[index] = entries
    return hits


def check_value(session: Session, value: str) -> list[WatchlistEntry]:
    """The active entries a pasted address, domain or link is (or falls under)."""
    text = value.strip()
    if not text:
        raise InvalidInput("Enter an address, domain or link to check", field="value")
    if len(text) > MAX_VALUE or has_control(text):
        raise InvalidInput(
            f"Paste one address, domain or link of at most {MAX_VALUE} characters", field="value"
        )
    return hits_in_texts(session, [text]).get(0, [])


# --- the list ---------------------------------------------------------------------------


def access_entry(session: Session, actor: Actor, entry_id: int) -> WatchlistEntry:
    require_reader(actor)
    entry = session.get(WatchlistEntry, entry_id)
    if entry is None:
        raise NotFound(f"Watchlist entry {entry_id} not found")
    return entry


def list_entries(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    kind: WatchKind | None = None,
    active_only: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[WatchlistEntry], int]:
    """Entries newest first, and how many match. ``q`` searches values, notes and sources."""
    require_reader(actor)
    where: list[ColumnElement[bool]] = []
    if active_only:
        where.append(WatchlistEntry.active.is_(True))
    if kind is not None:
        where.append(WatchlistEntry.kind == kind)
    needle = clean(q).strip().lower()[:200]
    if needle:
        where.append(
            or_(
                func.lower(WatchlistEntry.match_key).contains(needle, autoescape=True),
                func.lower(WatchlistEntry.note).contains(needle, autoescape=True),
                func.lower(WatchlistEntry.source).contains(needle, autoescape=True),
                func.lower(WatchlistEntry.network).contains(needle, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(WatchlistEntry).where(*where))
    rows = session.scalars(
        select(WatchlistEntry)
        .where(*where)
        .order_by(WatchlistEntry.added_at.desc(), WatchlistEntry.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), int(total or 0)


def all_entries(session: Session, actor: Actor, active_only: bool = True) -> list[WatchlistEntry]:
    require_reader(actor)
    query = select(WatchlistEntry).order_by(WatchlistEntry.id)
    if active_only:
        query = query.where(WatchlistEntry.active)
    return list(session.scalars(query))


def official(session: Session) -> list[str]:
    from ledgerdesk.trust.services import official_domains

    return official_domains(session)


def upsert(
    session: Session, actor: Actor, new: NewEntry, norm: Normalised
) -> tuple[WatchlistEntry, bool]:
    """Add ``norm`` (already checked) or switch its deactivated entry on again; ``False`` when
    it was already active (then nothing changes). The caller has checked permission."""
    entry = session.scalar(
        select(WatchlistEntry).where(
            WatchlistEntry.kind == norm.kind, WatchlistEntry.match_key == norm.key
        )
    )
    if entry is not None and entry.active:
        return entry, False
    if entry is None:
        entry = WatchlistEntry(kind=norm.kind, match_key=norm.key)
        session.add(entry)
    entry.network, entry.value, entry.active = norm.network, norm.value, True
    entry.note = check_text(new.note, "note", MAX_NOTE)
    entry.source = check_text(new.source, "source", MAX_SOURCE)
    entry.case_id = new.case_id
    entry.added_at = new.added_at or utcnow()
    entry.added_by_id = actor.id if actor.is_agent else None
    entry.deactivated_at, entry.deactivated_by_id = None, None
    session.flush()
    return entry, True


def do_add_entry(session: Session, actor: Actor, new: NewEntry) -> WatchlistEntry:
    """Put one value on the watchlist (editors only); ``Conflict`` if it is already on it."""
    require_editor(session, actor)
    norm = normalise(new.kind, new.network, new.value, official(session))
    check_text(new.note, "note", MAX_NOTE)
    check_text(new.source, "source", MAX_SOURCE)
    entry, created = upsert(session, actor, new, norm)
    if not created:
        raise Conflict(f"{norm.value} is already on the watchlist", field="value")
    return entry


def do_set_active(session: Session, actor: Actor, entry_id: int, active: bool) -> WatchlistEntry:
    """Deactivate (or switch on again) an entry; doing it twice changes nothing."""
    require_editor(session, actor)
    entry = access_entry(session, actor, entry_id)
    if entry.active != active:
        entry.active = active
        entry.deactivated_at = None if active else utcnow()
        entry.deactivated_by_id = None if active or not actor.is_agent else actor.id
        session.flush()
    return entry


def do_set_note(session: Session, actor: Actor, entry_id: int, note: str) -> WatchlistEntry:
    require_editor(session, actor)
    entry = access_entry(session, actor, entry_id)
    entry.note = check_text(note, "note", MAX_NOTE)
    session.flush()
    return entry


# --- from a scam case -------------------------------------------------------------------


def case_values(case: Case) -> list[NewEntry]:
    """The addresses and links a scam report's ``details`` names."""
    details = case.details or {}
    found: list[NewEntry] = []
    for item in details.get("addresses") or []:
        if isinstance(item, dict) and isinstance(item.get("address"), str):
            network = item.get("network") if isinstance(item.get("network"), str) else ""
            found.append(NewEntry(item["address"], "address", network or ""))
    for url in details.get("urls") or []:
        if isinstance(url, str):
            found.append(NewEntry(url))
    return found


def do_add_from_case(session: Session, actor: Actor, case_id: int) -> FromCase:
    """Put the addresses and links of a scam case on the watchlist (editors who can see the
    case), with the case's reference as source; records a ``watchlist_added`` step when at
    least one entry was added or switched on again."""
    require_editor(session, actor)
    case = register.access_case(session, actor, case_id)
    if case.kind != CaseKind.scam_report:
        raise InvalidInput("Only a scam report's addresses and links can be added", field="case")
    result = FromCase()
    domains = official(session)
    for item in case_values(case):
        try:
            norm = normalise(item.kind, item.network, item.value, domains)
        except InvalidInput as exc:
            result.refused.append((clean(item.value)[:MAX_VALUE], exc.message))
            continue
        new = NewEntry(norm.value, source=case.reference, case_id=case.id)
        entry, created = upsert(session, actor, new, norm)
        (result.added if created else result.existing).append(entry)
    if result.added:
        detail = {
            "entries": [{"id": e.id, "kind": e.kind.value, "value": e.value} for e in result.added],
            "already_listed": len(result.existing),
            "refused": len(result.refused),
        }
        register.record_step(session, case, actor, "watchlist_added", detail)
    return result
