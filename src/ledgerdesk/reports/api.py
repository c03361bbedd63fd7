"""JSON routes: ``/api/v1/reports/summary`` and ``/api/v1/reports/agents`` (lead or admin
token), with the page's filters as query parameters (docs/metrics.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor, require_role
from ledgerdesk.core.types import QueryId
from ledgerdesk.reports import cache, presenters
from ledgerdesk.reports.filters import ChannelParam, Day, Filters, LanguageParam, make_filters
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def _filters(
    start: Day = None,
    end: Day = None,
    team_id: QueryId = None,
    channel: ChannelParam = None,
    language: LanguageParam = None,
) -> Filters:
    """The page's filters, as query parameters."""
    return make_filters(start, end, team_id, channel, language)


async def _lead(actor: CurrentAgent) -> Actor:
    """Leads and admins only; checked before the filters are read."""
    require_role(actor, Role.lead, Role.admin)
    return actor


ApiFilters = Annotated[Filters, Depends(_filters)]
ApiLead = Annotated[Actor, Depends(_lead)]


@router.get("/summary")
def report_summary(db: Db, _actor: ApiLead, filters: ApiFilters) -> dict[str, Any]:
    """Every figure of the reports page but the per-agent table (leads and admins)."""
    return presenters.summary_json(cache.summary(db, filters))


@router.get("/agents")
def report_agents(db: Db, _actor: ApiLead, filters: ApiFilters) -> dict[str, Any]:
    """Per agent: first replies and solved tickets in the range (leads and admins)."""
    return {"items": presenters.agents_json(cache.agents(db, filters))}
