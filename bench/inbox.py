"""Time the inbox on a seeded desk: the console page (HTML), the JSON list, and the query
functions underneath (``queries.list_tickets`` and ``queries.view_counts``) called directly,
which separates database time from routing and rendering.

Requests are sequential (one at a time), so the numbers are latencies of an idle server,
not throughput. Each (view, surface) pair is bounded by a request count and a time budget.

Standalone, against a running server whose database was seeded by ``bench/seed.py``::

    .venv/bin/python bench/inbox.py --base-url http://127.0.0.1:8000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from http_load import percentile, require_loopback
from seed import BENCH_PASSWORD, INBOX_AGENT_EMAIL, INBOX_LEAD_EMAIL
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.accounts.models import Agent
from ledgerdesk.accounts.services import SYSTEM, Actor, agent_actor
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.tickets import queries

SEARCH_TERM = "liquidated"  # in ~8 % of seeded subjects; not in generated message text
PER_PAGE = 50  # the console's page size (tickets/views.py PER_PAGE)
SURFACES = ("html", "json", "query")
TOTAL_RE = re.compile(r'<span class="count">\((\d+)\)</span>')  # inbox.html: "Tickets (N)"


@dataclass(frozen=True)
class ViewCase:
    name: str
    html: dict[str, str]
    api: dict[str, str]
    flt: queries.TicketFilter
    page: int = 1


@dataclass
class Timing:
    actor: str
    case: str
    surface: str
    samples_ms: list[float] = field(default_factory=list)
    total: int = -1
    count_ms: list[float] = field(default_factory=list)
    status_errors: int = 0

    def pct(self, p: float) -> float:
        return percentile(self.samples_ms, p)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "actor": self.actor,
            "case": self.case,
            "surface": self.surface,
            "n": len(self.samples_ms),
            "total_tickets": self.total,
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
            "max_ms": round(max(self.samples_ms, default=0.0), 1),
            "errors": self.status_errors,
        }
        if self.count_ms:
            out["count_p50_ms"] = round(percentile(self.count_ms, 50), 1)
        return out


def view_cases(me: int, team_id: int) -> list[ViewCase]:
    """The console's views, the same filters as the JSON API, and a text search."""
    open_ = {"open_only": "true"}
    return [
        ViewCase(
            "mine",
            {"view": "mine"},
            {**open_, "assignee_id": str(me)},
            queries.TicketFilter(open_only=True, assignee_id=me),
        ),
        ViewCase(
            "unassigned",
            {"view": "unassigned"},
            {**open_, "unassigned": "true"},
            queries.TicketFilter(open_only=True, unassigned=True),
        ),
        ViewCase("open", {"view": "open"}, open_, queries.TicketFilter(open_only=True)),
        ViewCase(
            "team",
            {"view": f"team:{team_id}"},
            {**open_, "team_id": str(team_id)},
            queries.TicketFilter(open_only=True, team_id=team_id),
        ),
        ViewCase(
            "open, page 100",
            {"view": "open", "page": "100"},
            {**open_, "page": "100"},
            queries.TicketFilter(open_only=True),
            page=100,
        ),
        ViewCase(
            f"search '{SEARCH_TERM}'",
            {"view": "all", "q": SEARCH_TERM},
            {"q": SEARCH_TERM},
            queries.TicketFilter(text=SEARCH_TERM),
        ),
    ]


def _sample(
    fn: Callable[[], None], *, requests: int, budget_s: float, min_samples: int, warmup: int
) -> list[float]:
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    stop = time.perf_counter() + budget_s
    while len(samples) < requests and (len(samples) < min_samples or time.perf_counter() < stop):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


@dataclass
class Who:
    label: str
    email: str
    actor: Actor
    token: str
    surfaces: tuple[str, ...]


def prepare_actors(factory: sessionmaker[Session], lead_surfaces: Sequence[str]) -> list[Who]:
    """The seeded agent (two teams) and lead (sees everything), each with an API token."""
    people = []
    with factory() as session:
        for label, email, surfaces in (
            ("agent", INBOX_AGENT_EMAIL, SURFACES),
            ("lead", INBOX_LEAD_EMAIL, tuple(lead_surfaces)),
        ):
            agent = session.scalar(select(Agent).where(Agent.email == email))
            if agent is None:
                raise SystemExit(f"{email} not found: seed the database with bench/seed.py first")
            token = do_create_api_token(session, SYSTEM, agent, "bench-inbox")
            people.append(Who(label, email, agent_actor(agent), token, surfaces))
        session.commit()
    return people


def login(client: httpx.Client, email: str) -> None:
    response = client.post("/console/login", data={"email": email, "password": BENCH_PASSWORD})
    if response.status_code != 303 or "ledgerdesk_session" not in client.cookies:
        raise SystemExit(f"console login as {email} failed: {response.status_code}")


def bench_inbox(
    base_url: str,
    engine: Engine,
    *,
    requests: int = 50,
    budget_s: float = 6.0,
    min_samples: int = 3,
    lead_surfaces: Sequence[str] = ("html", "query"),
    progress: Callable[[str], None] = print,
) -> list[Timing]:
    require_loopback(base_url)
    factory = make_sessionmaker(engine)
    timings: list[Timing] = []
    people = prepare_actors(factory, lead_surfaces)

    def measure(fn: Callable[[], None], warmup: int = 1) -> list[float]:
        return _sample(
            fn, requests=requests, budget_s=budget_s, min_samples=min_samples, warmup=warmup
        )

    for who in people:
        me = who.actor.id or 0
        team_id = min(who.actor.team_ids) if who.actor.team_ids else 1
        cases = view_cases(me, team_id)
        with httpx.Client(base_url=base_url, timeout=120) as client:
            login(client, who.email)
            bearer = {"authorization": f"Bearer {who.token}"}
            for case in cases:
                for surface in who.surfaces:
                    timing = Timing(who.label, case.name, surface)
                    if surface == "html":

                        def html(case: ViewCase = case, timing: Timing = timing) -> None:
                            r = client.get("/console/inbox", params=case.html)
                            found = TOTAL_RE.search(r.text)
                            if r.status_code != 200 or found is None:
                                timing.status_errors += 1
                            else:
                                timing.total = int(found.group(1))

                        timing.samples_ms = measure(html)
                    elif surface == "json":

                        def api(
                            case: ViewCase = case,
                            timing: Timing = timing,
                            headers: dict[str, str] = bearer,
                        ) -> None:
                            r = client.get(
                                "/api/v1/tickets",
                                params={**case.api, "per_page": str(PER_PAGE)},
                                headers=headers,
                            )
                            if r.status_code != 200:
                                timing.status_errors += 1
                            else:
                                timing.total = int(r.json()["total"])

                        timing.samples_ms = measure(api)
                    else:
                        timing.samples_ms, timing.count_ms, timing.total = _time_query(
                            factory,
                            who.actor,
                            case,
                            requests=requests,
                            budget_s=budget_s,
                            min_samples=min_samples,
                        )
                    timings.append(timing)
                    s = timing.summary()
                    progress(
                        f"  inbox {who.label:<5} {case.name:<22} {surface:<5} n={s['n']:<3} "
                        f"p50 {s['p50_ms']:>8} ms  p95 {s['p95_ms']:>8} ms"
                        + (f"  errors {s['errors']}" if s["errors"] else "")
                    )
        counts = Timing(who.label, "view_counts()", "query")

        def count_views(actor: Actor = who.actor) -> None:
            with factory() as session:
                queries.view_counts(session, actor)

        counts.samples_ms = measure(count_views)
        timings.append(counts)
        progress(f"  inbox {who.label:<5} view_counts() p50 {counts.pct(50):.1f} ms")
    return timings


def _time_query(
    factory: sessionmaker[Session],
    actor: Actor,
    case: ViewCase,
    *,
    requests: int,
    budget_s: float,
    min_samples: int,
) -> tuple[list[float], list[float], int]:
    """``list_tickets`` end to end (count + page + eager loads, ORM objects built), and the
    count query alone, each in a fresh session as a request would have."""
    total = -1

    def listing() -> None:
        nonlocal total
        with factory() as session:
            _rows, total = queries.list_tickets(
                session, actor, case.flt, page=case.page, per_page=PER_PAGE
            )

    def count_only() -> None:
        with factory() as session:
            dialect = session.get_bind().dialect.name
            base = queries._filtered(actor, case.flt, dialect).order_by(None).subquery()
            session.scalar(select(func.count()).select_from(base))

    samples = _sample(
        listing, requests=requests, budget_s=budget_s, min_samples=min_samples, warmup=1
    )
    count_samples = _sample(
        count_only,
        requests=max(min_samples, requests // 3),
        budget_s=budget_s / 3,
        min_samples=min_samples,
        warmup=0,
    )
    return samples, count_samples, total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the inbox on a seeded desk.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--budget", type=float, default=6.0, help="seconds per view and surface")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        bench_inbox(args.base_url, engine, requests=args.requests, budget_s=args.budget)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
