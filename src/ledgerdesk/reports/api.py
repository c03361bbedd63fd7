"""JSON routes: ``/api/v1/reports/summary`` and ``/api/v1/reports/agents`` (lead or admin
token), with the page's filters as query parameters (docs/metrics.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import require_role
from ledgerdesk.core.types import QueryId
from ledgerdesk.reports import cache, presenters
from ledgerdesk.reports.filters import ChannelParam, Day, LanguageParam, make_filters
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


@router.get("/summary")
def report_summary(
    db: Db,
    actor: CurrentAgent,
    start: Day = None,
    end: Day = None,
    team_id: QueryId = None,
    channel: ChannelParam = None,
    language: LanguageParam = None,
) -> dict[str, Any]:
    """Every figure of the reports page but the per-agent table (leads and admins)."""
    require_role(actor, Role.lead, Role.admin)
    filters = make_filters(start, end, team_id, channel, language)
    return presenters.summary_json(cache.summary(db, filters))


@router.get("/agents")
def report_agents(
    db: Db,
    actor: CurrentAgent,
    start: Day = None,
    end: Day = None,
    team_id: QueryId = None,
    channel: ChannelParam = None,
    language: LanguageParam = None,
) -> dict[str, Any]:
    """Per agent: first replies and solved tickets in the range (leads and admins)."""
    require_role(actor, Role.lead, Role.admin)
    filters = make_filters(start, end, team_id, channel, language)
    return {"items": presenters.agents_json(cache.agents(db, filters))}
