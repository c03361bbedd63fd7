"""Saved inbox views: an agent's own (personal) and the desk's (shared, made by leads and
admins). A view stores the inbox's filter bar and sort (``inbox_query.InboxQuery``), never
tickets; it is listed in the console's sidebar next to the built-in views."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput, NotFound, NotPermitted
from ledgerdesk.core.text import clean
from ledgerdesk.tickets.checks import require_agent
from ledgerdesk.tickets.inbox_query import InboxQuery, parse_query
from ledgerdesk.tickets.view_models import MAX_NAME, SavedView

MAX_VIEWS_PER_AGENT = 50


def view_query(view: SavedView) -> InboxQuery:
    """The stored filters as a query (a value no longer valid is dropped, not fatal)."""
    values = {k: v for k, v in (view.filters or {}).items() if isinstance(v, str)}
    try:
        return parse_query({**values, "view": f"saved:{view.id}"})
    except InvalidInput:
        return InboxQuery(view=f"saved:{view.id}")


def list_views(session: Session, actor: Actor) -> list[SavedView]:
    """Shared views first, then the agent's own, each by name."""
    if not actor.is_agent:
        return []
    return list(
        session.scalars(
            select(SavedView)
            .where(or_(SavedView.shared.is_(True), SavedView.owner_id == actor.id))
            .order_by(SavedView.shared.desc(), SavedView.name, SavedView.id)
        )
    )


def access_view(session: Session, actor: Actor, view_id: int) -> SavedView:
    """A shared view, or one of the agent's own; anything else is not found."""
    require_agent(actor)
    view = session.get(SavedView, view_id)
    if view is None or not (view.shared or view.owner_id == actor.id):
        raise NotFound(f"Saved view {view_id} not found")
    return view


def check_view_name(name: str) -> str:
    name = clean(name).strip()
    if not name:
        raise InvalidInput("Give the view a name", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A view's name has at most {MAX_NAME} characters", field="name")
    return name


def do_create_view(
    session: Session, actor: Actor, name: str, query: InboxQuery, *, shared: bool = False
) -> SavedView:
    """Save the inbox's current filters under ``name``. Shared views are for leads and admins."""
    require_agent(actor)
    if shared and actor.role not in (Role.lead, Role.admin):
        raise NotPermitted("Only leads and admins create shared views")
    name = check_view_name(name)
    if not query.filters():
        raise InvalidInput("Set at least one filter or a sort order to save", field="name")
    owned = session.scalars(select(SavedView.id).where(SavedView.owner_id == actor.id)).all()
    if len(owned) >= MAX_VIEWS_PER_AGENT:
        raise InvalidInput(
            f"At most {MAX_VIEWS_PER_AGENT} saved views per agent; delete one first", field="name"
        )
    view = SavedView(
        name=name, owner_id=actor.id, shared=shared, filters=query.filters(), created_at=utcnow()
    )
    session.add(view)
    session.flush()
    return view


def do_delete_view(session: Session, actor: Actor, view: SavedView) -> None:
    """The owner deletes their view; a shared view may also be deleted by leads and admins."""
    require_agent(actor)
    mine = view.owner_id == actor.id
    if not mine and not (view.shared and actor.role in (Role.lead, Role.admin)):
        raise NotPermitted("Only its owner, or a lead for a shared view, deletes a saved view")
    session.delete(view)
    session.flush()
