"""The ``/console/reports`` page for leads and admins, and its CSV files."""

from __future__ import annotations

import enum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Team
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import MAX_ID
from ledgerdesk.reports import cache, charts, metrics, tables
from ledgerdesk.reports.filters import (
    ChannelParam,
    Day,
    Filters,
    LanguageParam,
    make_filters,
)
from ledgerdesk.tickets.models import Channel
from ledgerdesk.web.deps import ConsoleLead, Db
from ledgerdesk.web.labels import label
from ledgerdesk.web.templating import render

router = APIRouter(include_in_schema=False)


class TableName(enum.StrEnum):
    """The page's tables, each with a CSV file (reports.tables.TABLES)."""

    summary = "summary"
    daily = "daily"
    intents = "intents"
    channel = "channel"
    language = "language"
    team = "team"
    sla = "sla"
    backlog = "backlog"
    agents = "agents"


assert tuple(TableName) == tables.TABLES
AnyTeam = Annotated[int, Query(ge=0, le=MAX_ID)]  # 0: every team (the form's first choice)
LANGUAGES = ("en", "zh")


def _charts(s: metrics.Summary) -> dict[str, Any]:
    days = [d for d, _, _ in s.daily]
    return {
        "daily": charts.line_chart(
            gettext("Tickets per day"),
            days,
            [
                (gettext("Created"), [c for _, c, _ in s.daily]),
                (gettext("Solved"), [v for _, _, v in s.daily]),
            ],
        ),
        "channel": charts.bar_chart(
            gettext("Tickets per channel"), [(label(k), n) for k, n in s.by_channel]
        ),
        "intent": charts.bar_chart(
            gettext("Tickets per intent"),
            [(label(k) if k else gettext("(none)"), n) for k, n in s.by_intent[:10]],
        ),
        "backlog": charts.bar_chart(
            gettext("Backlog by age"),
            [(gettext(tables.AGE_LABELS[k]), n) for k, n in s.backlog_ages],
        ),
    }


@router.get("/console/reports")
def reports_page(
    request: Request,
    db: Db,
    agent_actor: ConsoleLead,
    start: Day = None,
    end: Day = None,
    team_id: AnyTeam = 0,
    channel: ChannelParam = None,
    language: LanguageParam = None,
) -> Response:
    shell: dict[str, Any] = {
        "me": accounts.get_agent(db, agent_actor.id or 0),
        "teams": db.execute(select(Team.id, Team.name).order_by(Team.name)).all(),
        "channels": [c.value for c in Channel],
        "languages": LANGUAGES,
        "form": {
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
            "team_id": str(team_id),
            "channel": channel.value if channel else "",
            "language": language or "",
        },
    }
    try:
        filters = make_filters(start, end, team_id or None, channel, language)
    except DomainError as exc:
        return render(
            request, "reports/index.html", status_code=exc.status_code, error=exc.message, **shell
        )
    summary = cache.summary(db, filters)
    shell["form"] = shell["form"] | {
        "start": filters.query()["start"],
        "end": filters.query()["end"],
    }
    return render(
        request,
        "reports/index.html",
        **shell,
        s=summary,
        tables=tables.summary_tables(summary),
        agents=tables.agent_table(cache.agents(db, filters)),
        charts=_charts(summary),
        query=urlencode(filters.query()),
    )


def _table(db: Db, name: str, filters: Filters) -> tables.Table:
    if name == "agents":
        return tables.agent_table(cache.agents(db, filters))
    return tables.summary_tables(cache.summary(db, filters))[name]


@router.get("/console/reports/export")
def reports_csv(
    db: Db,
    agent_actor: ConsoleLead,
    table: TableName = TableName.summary,
    start: Day = None,
    end: Day = None,
    team_id: AnyTeam = 0,
    channel: ChannelParam = None,
    language: LanguageParam = None,
) -> Response:
    """One table of the page as CSV (UTF-8 with a BOM, for Excel)."""
    filters = make_filters(start, end, team_id or None, channel, language)
    body = tables.csv_bytes(_table(db, table, filters))
    name = f"ledgerdesk-{table}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
