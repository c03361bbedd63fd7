"""Bulk actions on the inbox: the same change to many tickets at once (assign to an agent or
a team, set a status, add a tag) or several tickets merged into one. Each ticket goes through
the ordinary ``do_*`` function, with its own permission check and its own event, inside a
savepoint: a ticket that refuses (not visible, closed, not allowed) is reported and the
others still change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.tickets import services as svc
from ledgerdesk.tickets.checks import require_agent
from ledgerdesk.tickets.merge import check_merge, do_merge
from ledgerdesk.tickets.models import Status, Ticket
from ledgerdesk.tickets.tags import check_tag, do_tag

MAX_BULK = 100
ACTIONS = ("assign", "team", "status", "tag", "merge")


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # already as asked
    refused: list[tuple[int, str]] = field(default_factory=list)  # (ticket, why)


def check_ids(ids: Sequence[int]) -> list[int]:
    """The selected ticket numbers, each once, in the order given."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise InvalidInput("Select at least one ticket", field="ids")
    if len(unique) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} tickets at once", field="ids")
    return unique


def _write_transaction(session: Session) -> None:
    """SQLite: open the transaction as a writer before the first savepoint (as
    ``chat.services`` does): a SAVEPOINT starts a deferred transaction whose snapshot makes
    the first write fail with "database is locked" if another connection committed since.
    PostgreSQL needs nothing."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _each(
    session: Session, actor: Actor, ids: Sequence[int], change: Callable[[Ticket], bool]
) -> BulkResult:
    result = BulkResult()
    _write_transaction(session)
    for ticket_id in ids:
        try:
            with session.begin_nested():
                ticket = svc.access_ticket(session, actor, ticket_id)
                changed = change(ticket)
        except DomainError as exc:
            result.refused.append((ticket_id, exc.message))
            continue
        (result.changed if changed else result.unchanged).append(ticket_id)
    return result


def do_bulk_assign(
    session: Session, actor: Actor, ids: Sequence[int], agent_id: int | None
) -> BulkResult:
    """Assign every selected ticket to ``agent_id`` (None: unassign)."""
    require_agent(actor)

    def change(ticket: Ticket) -> bool:
        before = ticket.assignee_id
        svc.do_assign(session, actor, ticket, agent_id=agent_id)
        return ticket.assignee_id != before

    return _each(session, actor, check_ids(ids), change)


def do_bulk_team(
    session: Session, actor: Actor, ids: Sequence[int], team_id: int | None
) -> BulkResult:
    require_agent(actor)

    def change(ticket: Ticket) -> bool:
        before = ticket.team_id
        svc.do_assign(session, actor, ticket, team_id=team_id)
        return ticket.team_id != before

    return _each(session, actor, check_ids(ids), change)


def do_bulk_status(
    session: Session, actor: Actor, ids: Sequence[int], status: Status
) -> BulkResult:
    require_agent(actor)

    def change(ticket: Ticket) -> bool:
        before = ticket.status
        svc.do_set_status(session, actor, ticket, status)
        return ticket.status != before

    return _each(session, actor, check_ids(ids), change)


def do_bulk_tag(session: Session, actor: Actor, ids: Sequence[int], tag: str) -> BulkResult:
    require_agent(actor)
    name = check_tag(tag)

    def change(ticket: Ticket) -> bool:
        return bool(do_tag(session, actor, ticket, [name]))

    return _each(session, actor, check_ids(ids), change)


def do_bulk_merge(
    session: Session, actor: Actor, ids: Sequence[int], target_id: int | None = None
) -> tuple[int, BulkResult]:
    """Merge the selected tickets into one: ``target_id`` (one of them) or else the oldest.
    Returns the ticket they were merged into and what happened to each of the others."""
    require_agent(actor)
    ids = check_ids(ids)
    if len(ids) < 2:
        raise InvalidInput("Select at least two tickets to merge", field="ids")
    if target_id is not None and target_id not in ids:
        raise InvalidInput("The ticket to merge into must be one of the selected", field="target")
    visible: list[Ticket] = []
    result = BulkResult()
    _write_transaction(session)
    for ticket_id in ids:
        try:
            visible.append(svc.access_ticket(session, actor, ticket_id))
        except DomainError as exc:
            result.refused.append((ticket_id, exc.message))
    if target_id is None:
        if not visible:
            raise InvalidInput("None of the selected tickets can be merged", field="ids")
        target = min(visible, key=lambda t: (t.created_at, t.id))
    else:
        chosen = next((t for t in visible if t.id == target_id), None)
        if chosen is None:
            raise InvalidInput(f"Ticket #{target_id} not found", field="target")
        target = chosen
    for source in visible:
        if source.id == target.id:
            continue
        try:
            with session.begin_nested():
                check_merge(actor, source, target)
                do_merge(session, actor, source, target)
        except DomainError as exc:
            result.refused.append((source.id, exc.message))
            continue
        result.changed.append(source.id)
    return target.id, result


def run(
    session: Session, actor: Actor, action: str, ids: Sequence[int], **values: Any
) -> BulkResult:
    """Dispatch a console form's action (``values`` already parsed)."""
    if action == "assign":
        return do_bulk_assign(session, actor, ids, values.get("agent_id"))
    if action == "team":
        return do_bulk_team(session, actor, ids, values.get("team_id"))
    if action == "status":
        return do_bulk_status(session, actor, ids, values["status"])
    if action == "tag":
        return do_bulk_tag(session, actor, ids, values.get("tag", ""))
    if action == "merge":
        return do_bulk_merge(session, actor, ids, values.get("target_id"))[1]
    raise InvalidInput(f"'{action[:40]}' is not a bulk action", field="action")
