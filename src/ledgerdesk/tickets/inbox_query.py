"""What an inbox page shows: a built-in view (mine, unassigned, a team...) narrowed by the
filter bar (status, assignee, team, priority, channel, language, tag, words) and sorted by a
column. Read from the query string, validated (a bad value is a 422 with a message, never a
500), stored as a saved view, and turned into a ``queries.TicketFilter``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlencode

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.types import parse_id
from ledgerdesk.tickets.models import Channel, Priority, Status
from ledgerdesk.tickets.queries import TicketFilter

# The sortable columns; "-" in front sorts descending. Ties always fall back to the number.
SORT_COLUMNS = ("updated", "created", "priority", "status", "number", "subject")
DEFAULT_SORT = "-updated"
BUILT_IN_VIEWS = ("mine", "unassigned", "open", "all", *(s.value for s in Status))
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", re.IGNORECASE)
MAX_TEXT = 200


@dataclass
class InboxQuery:
    view: str = "mine"  # a built-in view, "team:<id>" or "saved:<id>"
    status: str = ""  # a status, or "" for the view's own
    assignee: str = ""  # "", "me", "none" or an agent id
    team: str = ""  # "" or a team id
    priority: str = ""
    channel: str = ""
    language: str = ""  # "zh", "en", ... (matches zh, zh-CN, ...)
    tag: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    def filters(self) -> dict[str, str]:
        """The filter bar's values (what a saved view stores), without the view and empties."""
        return {
            k: v
            for k, v in asdict(self).items()
            if k != "view" and v and not (k == "sort" and v == DEFAULT_SORT)
        }

    def narrowed(self) -> int:
        """How many filters of the bar are set (words and sort aside)."""
        return len([k for k in self.filters() if k not in ("q", "sort")])

    def url(self, **override: str) -> str:
        """This page's address with ``override`` applied (page numbers, another sort)."""
        values = {**asdict(self), **override}
        kept = {k: v for k, v in values.items() if v and not (k == "sort" and v == DEFAULT_SORT)}
        return "/console/inbox?" + urlencode(kept)

    def sort_url(self, column: str) -> str:
        """Sorting by ``column``: descending first, the other way when it already is."""
        target = column if self.sort == "-" + column else "-" + column
        return self.url(sort=target)


_FIELDS = [f.name for f in fields(InboxQuery)]


def _enum_value(enum_cls: Any, value: str, field: str) -> str:
    if value and value not in {m.value for m in enum_cls}:
        raise InvalidInput(f"'{value[:40]}' is not a valid {field}", field=field)
    return value


def parse_query(params: Mapping[str, Any]) -> InboxQuery:
    """An ``InboxQuery`` from query-string (or stored) values; ``InvalidInput`` says which
    value is wrong. Unknown keys are ignored."""
    raw = {k: str(params.get(k) or "").strip() for k in _FIELDS}
    view = raw["view"][:40] or "mine"
    if view.startswith("saved:") and parse_id(view[6:]) is None:
        raise InvalidInput(f"'{view}' is not a view of the inbox", field="view")
    if not (view in BUILT_IN_VIEWS or view.startswith(("team:", "saved:"))):
        view = "open"  # an old or mistyped address shows every open ticket, as it always did
    status = raw["status"]
    if status and status != "open_only":
        _enum_value(Status, status, "status")
    assignee = raw["assignee"]
    if assignee not in ("", "me", "none") and parse_id(assignee) is None:
        raise InvalidInput(f"'{assignee[:40]}' is not a valid assignee", field="assignee")
    team = raw["team"]
    if team and parse_id(team) is None:
        raise InvalidInput(f"'{team[:40]}' is not a valid team", field="team")
    language = raw["language"]
    if language and not _LANGUAGE_RE.match(language):
        raise InvalidInput(f"'{language[:40]}' is not a language code", field="language")
    tag = raw["tag"].lower()
    if len(tag) > 64:
        raise InvalidInput("A tag has at most 64 characters", field="tag")
    sort = raw["sort"] or DEFAULT_SORT
    if sort.lstrip("-") not in SORT_COLUMNS or sort.count("-") > 1:
        raise InvalidInput(
            f"'{sort[:40]}' is not a column to sort by; use one of {', '.join(SORT_COLUMNS)}",
            field="sort",
        )
    return InboxQuery(
        view=view,
        status=status,
        assignee=assignee,
        team=team,
        priority=_enum_value(Priority, raw["priority"], "priority"),
        channel=_enum_value(Channel, raw["channel"], "channel"),
        language=language.lower(),
        tag=tag,
        q=raw["q"][:MAX_TEXT],
        sort=sort,
    )


def merged(saved: InboxQuery, given: InboxQuery) -> InboxQuery:
    """A saved view's query with whatever the address sets on top (the view stays saved)."""
    values = asdict(saved)
    values.update({k: v for k, v in asdict(given).items() if v and k != "view"})
    if given.sort == DEFAULT_SORT and saved.sort != DEFAULT_SORT:
        values["sort"] = saved.sort
    values["view"] = given.view
    return InboxQuery(**values)


def fold_view(query: InboxQuery) -> InboxQuery:
    """The same tickets as ``query`` but starting from every ticket: the built-in view turned
    into filters, so a saved view made from "My open tickets" keeps meaning it."""
    values = asdict(query)
    view, values["view"] = query.view, "all"
    base_status = "open_only" if view in ("mine", "unassigned", "open") else ""
    if view.startswith("team:") and parse_id(view[5:]) is not None:
        base_status = "open_only"
        values["team"] = values["team"] or view[5:]
    if view in {s.value for s in Status}:
        base_status = view
    values["status"] = values["status"] or base_status
    if view in ("mine", "unassigned"):
        values["assignee"] = values["assignee"] or ("me" if view == "mine" else "none")
    return InboxQuery(**values)


def view_filter(view: str, actor: Actor) -> TicketFilter:
    """The built-in views (a saved view starts from every ticket)."""
    if view == "mine":
        return TicketFilter(open_only=True, assignee_id=actor.id)
    if view == "unassigned":
        return TicketFilter(open_only=True, unassigned=True)
    if view.startswith("team:") and (team_id := parse_id(view[5:])) is not None:
        return TicketFilter(open_only=True, team_id=team_id)
    if view == "all" or view.startswith("saved:"):
        return TicketFilter()
    if view == "open":  # "All open": every unsolved status, not only status "open"
        return TicketFilter(open_only=True)
    if view in {s.value for s in Status}:
        return TicketFilter(status=[Status(view)])
    return TicketFilter(open_only=True)


def to_filter(query: InboxQuery, actor: Actor) -> TicketFilter:
    """The tickets the page lists: the view's, narrowed by every filter set."""
    flt = view_filter(query.view, actor)
    if query.status == "open_only":
        flt.status, flt.open_only = None, True
    elif query.status:
        flt.status = [Status(query.status)]
    if query.assignee == "me":
        flt.assignee_id, flt.unassigned = actor.id, False
    elif query.assignee == "none":
        flt.assignee_id, flt.unassigned = None, True
    elif query.assignee:
        flt.assignee_id, flt.unassigned = parse_id(query.assignee), False
    if query.team:
        flt.team_id = parse_id(query.team)
    if query.priority:
        flt.priority = Priority(query.priority)
    if query.channel:
        flt.channel = Channel(query.channel)
    flt.language = query.language or None
    flt.tag = query.tag or None
    flt.text = query.q or None
    return flt
