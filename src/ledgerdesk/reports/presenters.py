"""The figures as JSON for the API (the same numbers as the page; seconds, rates 0–1)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ledgerdesk.reports.metrics import AgentRow, Duration, Summary


def _duration(d: Duration) -> dict[str, Any]:
    return {"count": d.count, "median_seconds": d.median, "p90_seconds": d.p90}


def filters_json(s: Summary) -> dict[str, Any]:
    f = s.filters
    return {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "team_id": f.team_id,
        "channel": f.channel,
        "language": f.language,
    }


def summary_json(s: Summary) -> dict[str, Any]:
    return {
        "filters": filters_json(s),
        "created": s.created,
        "first_reply": _duration(s.first_reply),
        "resolution": _duration(s.resolution),
        "solved": s.solved,
        "one_touch": s.one_touch,
        "one_touch_rate": s.one_touch_rate,
        "first_solved": s.first_solved,
        "reopened": s.reopened,
        "reopen_rate": s.reopen_rate,
        "backlog": {"open": s.backlog, "ages": dict(s.backlog_ages)},
        "daily": [{"day": d, "created": c, "solved": v} for d, c, v in s.daily],
        "by_intent": [{"intent": k or None, "tickets": n} for k, n in s.by_intent],
        "by_channel": [{"channel": k, "tickets": n} for k, n in s.by_channel],
        "by_language": [{"language": k, "tickets": n} for k, n in s.by_language],
        "by_team": [{"team": k or None, "tickets": n} for k, n in s.by_team],
        "sla": [
            {
                "target": r.target,
                "met": r.met,
                "breached": r.breached,
                "running": r.running,
                "attainment": r.attainment,
            }
            for r in s.sla
        ],
        "csat": {k: v for k, v in s.csat.items() if k != "distribution"}
        | {"distribution": {str(k): v for k, v in s.csat.get("distribution", {}).items()}},
        "deflection": s.deflection,
        "assistant": s.assistant,
    }


def agents_json(rows: list[AgentRow]) -> list[dict[str, Any]]:
    return [
        {
            **{
                k: v
                for k, v in asdict(r).items()
                if k not in ("first_reply_median", "resolution_median")
            },
            "first_reply_median_seconds": r.first_reply_median,
            "resolution_median_seconds": r.resolution_median,
        }
        for r in rows
    ]
