"""Bulk-generate a realistic desk (teams, agents, customers, N tickets with their messages,
events and tags) for the inbox benchmark.

This is benchmark data generation, not product code: it writes the tables directly with
SQLAlchemy Core ``executemany`` (no services, no per-row events), which is ~100x faster
than going through the API. Run it on a migrated database::

    .venv/bin/python bench/seed.py --database-url sqlite:////tmp/x/ledgerdesk.db --tickets 100000

Distribution (deterministic for a given ``--seed``):

* 6 teams, 30 agents (2 leads) in one or two teams each; tickets/3 customers, a few heavy
  requesters (quadratic skew), 3 % VIP;
* status: closed 50 %, solved 22 %, open 12 %, pending 8 %, new 5 %, on hold 3 %; open
  statuses were created in the last 30 days, the rest over the last year;
* 88 % of tickets have a team; new tickets are mostly unassigned, others mostly assigned to
  a member of the ticket's team; ~30 % carry one or two of 10 tags;
* about 2.3 messages and 2.7 events per ticket; ids grow with ``created_at``.
"""

from __future__ import annotations

import argparse
import enum
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text

from ledgerdesk.accounts.models import Agent, Customer, Role, Team, TeamMember, Tier
from ledgerdesk.accounts.services import hash_password
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import make_engine
from ledgerdesk.search.fulltext import terms_text
from ledgerdesk.tickets.models import (
    OPEN_STATUSES,
    ActorKind,
    Channel,
    Event,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketTag,
)

BENCH_PASSWORD = "bench-password-123"  # noqa: S105 - throwaway benchmark accounts
INBOX_AGENT_EMAIL = "bench-agent-1@desk.example"
INBOX_LEAD_EMAIL = "bench-lead-1@desk.example"
SEARCH_WORD = "withdrawal"

TEAMS = (
    ("Bench Deposits", Tier.l1),
    ("Bench Withdrawals", Tier.l1),
    ("Bench KYC", Tier.l2),
    ("Bench Trading & API", Tier.l2),
    ("Bench Security", Tier.specialist),
    ("Bench VIP desk", Tier.specialist),
)
TAGS = (
    "withdrawal",
    "deposit",
    "kyc",
    "2fa",
    "api",
    "fraud",
    "refund",
    "network-fee",
    "p2p",
    "futures",
)
STATUS_WEIGHTS = (
    (Status.closed, 50),
    (Status.solved, 22),
    (Status.open, 12),
    (Status.pending, 8),
    (Status.new, 5),
    (Status.on_hold, 3),
)
PRIORITY_WEIGHTS = (
    (Priority.normal, 70),
    (Priority.low, 12),
    (Priority.high, 14),
    (Priority.urgent, 4),
)
CHANNEL_WEIGHTS = (
    (Channel.portal, 45),
    (Channel.email, 25),
    (Channel.chat, 15),
    (Channel.api, 8),
    (Channel.telegram, 5),
    (Channel.discord, 2),
)
SUBJECTS = (
    "Withdrawal of {a} {coin} pending for {h} hours",
    "Deposit of {a} {coin} not credited",
    "KYC documents rejected: {reason}",
    "Cannot log in, 2FA code not accepted",
    "API key returns 401 on {endpoint}",
    "Suspicious login from {country}",
    "Wrong network selected for {coin} deposit",
    "Futures position liquidated unexpectedly",
    "P2P order {n} disputed",
    "Refund for duplicated fee on order {n}",
    "提现 {a} {coin} 一直未到账",
    "实名认证失败，请协助",
)
WORDS = (
    "account wallet transfer network fee balance order confirm address hash blockchain "
    "support verify identity document passport selfie limit withdrawal deposit trade margin "
    "spot futures leverage security password device email phone code delay pending status"
).split()
COINS = ("BTC", "ETH", "USDT", "USDC", "SOL", "TRX", "BNB")
REASONS = ("blurry photo", "expired passport", "name mismatch", "unsupported country")
ENDPOINTS = ("/api/v3/order", "/api/v3/account", "/sapi/v1/capital/withdraw")
COUNTRIES = ("Brazil", "Vietnam", "Nigeria", "Germany", "Turkey")
CHUNK = 5000


@dataclass
class SeedResult:
    tickets: int = 0
    customers: int = 0
    messages: int = 0
    events: int = 0
    ticket_tags: int = 0
    seconds: float = 0.0
    team_ids: list[int] = field(default_factory=list)
    agent_ids: list[int] = field(default_factory=list)
    inbox_agent_id: int = 0
    inbox_agent_team_ids: list[int] = field(default_factory=list)
    inbox_lead_id: int = 0
    analyzed: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "customers": self.customers,
            "messages": self.messages,
            "events": self.events,
            "ticket_tags": self.ticket_tags,
            "seconds": round(self.seconds, 1),
            "inbox_agent_id": self.inbox_agent_id,
            "inbox_agent_team_ids": self.inbox_agent_team_ids,
            "inbox_lead_id": self.inbox_lead_id,
            "analyzed": self.analyzed,
        }


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]], k: int) -> list[Any]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=k)


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany in chunks; on PostgreSQL a COPY, several times faster for big tables."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) > CHUNK:
        columns = list(rows[0])
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_plain(row[c]) for c in columns])
        return
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def _subject(rng: random.Random, n: int) -> str:
    return rng.choice(SUBJECTS).format(
        a=round(rng.uniform(0.01, 5000), 2),
        coin=rng.choice(COINS),
        h=rng.randint(1, 72),
        reason=rng.choice(REASONS),
        endpoint=rng.choice(ENDPOINTS),
        country=rng.choice(COUNTRIES),
        n=n,
    )


def _body(rng: random.Random, words: int) -> str:
    text_ = " ".join(rng.choice(WORDS) for _ in range(words))
    return text_.capitalize() + ". Reference 0x" + f"{rng.getrandbits(64):016x}."


def _ensure_staff(conn: Connection, rng: random.Random) -> tuple[list[int], dict[int, list[int]]]:
    """Teams and agents (reused when present); returns team ids and team -> member ids."""
    teams_t: Table = Team.__table__  # type: ignore[assignment]
    agents_t: Table = Agent.__table__  # type: ignore[assignment]
    members_t: Table = TeamMember.__table__  # type: ignore[assignment]
    now = utcnow()
    existing = {name: tid for tid, name in conn.execute(select(teams_t.c.id, teams_t.c.name))}
    missing = [
        {"name": name, "tier": tier, "created_at": now}
        for name, tier in TEAMS
        if name not in existing
    ]
    if missing:
        _insert(conn, teams_t, missing)
        existing = {n: t for t, n in conn.execute(select(teams_t.c.id, teams_t.c.name))}
    team_ids = [existing[name] for name, _ in TEAMS]
    have_agents = {e for (e,) in conn.execute(select(agents_t.c.email))}
    password_hash = hash_password(BENCH_PASSWORD)
    new_agents = []
    for k in range(1, 31):
        email = f"bench-lead-{k}@desk.example" if k <= 2 else f"bench-agent-{k - 2}@desk.example"
        if email in have_agents:
            continue
        new_agents.append(
            {
                "email": email,
                "name": f"Bench {'Lead' if k <= 2 else 'Agent'} {k}",
                "password_hash": password_hash,
                "role": Role.lead if k <= 2 else Role.agent,
                "locale": "en",
                "active": True,
                "created_at": now,
            }
        )
    if new_agents:
        _insert(conn, agents_t, new_agents)
    staff = {
        email: aid
        for aid, email in conn.execute(
            select(agents_t.c.id, agents_t.c.email).where(agents_t.c.email.like("bench-%"))
        )
    }
    memberships = {
        (t, a) for t, a in conn.execute(select(members_t.c.team_id, members_t.c.agent_id))
    }
    rows = []
    for email, agent_id in sorted(staff.items()):
        if email == INBOX_AGENT_EMAIL:
            chosen = team_ids[:2]  # deposits + withdrawals: the busiest pair
        else:
            chosen = rng.sample(team_ids, rng.choice((1, 1, 2)))
        rows += [
            {"team_id": t, "agent_id": agent_id} for t in chosen if (t, agent_id) not in memberships
        ]
    if rows:
        _insert(conn, members_t, rows)
    by_team: dict[int, list[int]] = {t: [] for t in team_ids}
    for t, a in conn.execute(select(members_t.c.team_id, members_t.c.agent_id)):
        if t in by_team:
            by_team[t].append(a)
    return team_ids, by_team


def seed(
    engine: Engine, n_tickets: int, *, rng_seed: int = 42, analyze: bool | None = None
) -> SeedResult:
    """Add ``n_tickets`` tickets (and their world) to the migrated database behind ``engine``.

    ``analyze``: refresh planner statistics afterwards (default: on PostgreSQL, where
    autovacuum would do it soon after such a load; not on SQLite, where nothing does)."""
    started = time.perf_counter()
    rng = random.Random(rng_seed)
    is_pg = engine.dialect.name == "postgresql"
    tickets_t: Table = Ticket.__table__  # type: ignore[assignment]
    customers_t: Table = Customer.__table__  # type: ignore[assignment]
    messages_t: Table = Message.__table__  # type: ignore[assignment]
    events_t: Table = Event.__table__  # type: ignore[assignment]
    tags_t: Table = Tag.__table__  # type: ignore[assignment]
    ticket_tags_t: Table = TicketTag.__table__  # type: ignore[assignment]
    result = SeedResult()
    now = utcnow().replace(microsecond=0)
    with engine.begin() as conn:
        team_ids, by_team = _ensure_staff(conn, rng)
        all_agents = sorted({a for members in by_team.values() for a in members})
        agents_t: Table = Agent.__table__  # type: ignore[assignment]
        emails = dict(conn.execute(select(agents_t.c.email, agents_t.c.id)).all())
        result.team_ids, result.agent_ids = team_ids, all_agents
        result.inbox_agent_id = int(emails[INBOX_AGENT_EMAIL])
        result.inbox_agent_team_ids = team_ids[:2]
        result.inbox_lead_id = int(emails[INBOX_LEAD_EMAIL])

        # customers
        n_customers = max(50, n_tickets // 3)
        first_customer = _next_id(conn, customers_t)
        customer_rows = [
            {
                "id": first_customer + k,
                "external_id": f"seed-{first_customer + k}",
                "name": f"{rng.choice(('Alex', 'Mia', 'Wei', 'Ana', 'Li', 'Sam'))} "
                f"{rng.choice(('Chen', 'Silva', 'Nguyen', 'Okafor', 'Müller', 'Kaya'))}",
                "email": f"seed-{first_customer + k}@users.example",
                "locale": "zh-CN" if rng.random() < 0.15 else "en",
                "vip": rng.random() < 0.03,
                "created_at": now - timedelta(days=rng.uniform(30, 900)),
            }
            for k in range(n_customers)
        ]
        _insert(conn, customers_t, customer_rows)
        result.customers = n_customers
        del customer_rows

        # tags
        have_tags = dict(conn.execute(select(tags_t.c.name, tags_t.c.id)).all())
        new_tags = [{"name": name} for name in TAGS if name not in have_tags]
        if new_tags:
            _insert(conn, tags_t, new_tags)
            have_tags = dict(conn.execute(select(tags_t.c.name, tags_t.c.id)).all())
        tag_ids = [int(have_tags[name]) for name in TAGS]

        # tickets, oldest first so ids grow with created_at
        statuses = _weighted(rng, STATUS_WEIGHTS, n_tickets)
        created = [
            now - timedelta(days=rng.uniform(0, 30 if s in OPEN_STATUSES else 365))
            for s in statuses
        ]
        order = sorted(range(n_tickets), key=created.__getitem__)
        first_ticket = _next_id(conn, tickets_t)
        first_message = _next_id(conn, messages_t)
        first_event = _next_id(conn, events_t)
        priorities = _weighted(rng, PRIORITY_WEIGHTS, n_tickets)
        channels = _weighted(rng, CHANNEL_WEIGHTS, n_tickets)
        tickets: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        ticket_tags: list[dict[str, Any]] = []
        for n, k in enumerate(order):
            tid = first_ticket + n
            status = statuses[k]
            t0: datetime = created[k]
            team = rng.choice(team_ids) if rng.random() < 0.88 else None
            pool = by_team[team] if team is not None and by_team[team] else all_agents
            p_assigned = 0.2 if status == Status.new else 0.85 if status in OPEN_STATUSES else 0.95
            assignee = rng.choice(pool) if rng.random() < p_assigned else None
            requester = first_customer + int(n_customers * rng.random() ** 2)
            subject = _subject(rng, tid)
            zh = subject[0] > "\u3000"
            # conversation: the customer opens, an agent answers unless still new
            msg_times = [t0]
            if status != Status.new:
                gap = t0
                for _ in range(1 + int(rng.expovariate(0.8))):
                    gap = gap + timedelta(minutes=rng.expovariate(1 / 240))
                    msg_times.append(gap)
            msg_times = [min(m, now) for m in msg_times]
            first_reply = msg_times[1] if len(msg_times) > 1 else None
            updated = max(msg_times[-1], min(now, t0 + timedelta(hours=rng.expovariate(1 / 30))))
            agent_author = assignee if assignee is not None else rng.choice(pool)
            for j, at in enumerate(msg_times):
                by_customer = j % 2 == 0
                messages.append(
                    {
                        "id": first_message + len(messages),
                        "ticket_id": tid,
                        "kind": MessageKind.note
                        if not by_customer and rng.random() < 0.1
                        else MessageKind.public,
                        "author_kind": ActorKind.customer if by_customer else ActorKind.agent,
                        "author_agent_id": None if by_customer else agent_author,
                        "author_customer_id": requester if by_customer else None,
                        "body": (subject + ". " if j == 0 else "")
                        + _body(rng, rng.randint(20, 60)),
                        "created_at": at,
                        "seq": j + 1,
                    }
                )
            events.append(
                {
                    "id": first_event + len(events),
                    "ticket_id": tid,
                    "actor_kind": ActorKind.customer,
                    "actor_id": requester,
                    "action": "ticket.created",
                    "before": None,
                    "after": {"subject": subject, "status": "new", "team_id": team},
                    "created_at": t0,
                }
            )
            if assignee is not None:
                events.append(
                    {
                        "id": first_event + len(events),
                        "ticket_id": tid,
                        "actor_kind": ActorKind.agent,
                        "actor_id": assignee,
                        "action": "ticket.assigned",
                        "before": {"assignee_id": None},
                        "after": {"assignee_id": assignee},
                        "created_at": min(now, t0 + timedelta(minutes=5)),
                    }
                )
            if status != Status.new:
                events.append(
                    {
                        "id": first_event + len(events),
                        "ticket_id": tid,
                        "actor_kind": ActorKind.agent,
                        "actor_id": agent_author,
                        "action": "ticket.status_changed",
                        "before": {"status": "new"},
                        "after": {"status": status.value},
                        "created_at": updated,
                    }
                )
            if rng.random() < 0.3:
                for tag_id in rng.sample(tag_ids, rng.choice((1, 1, 2))):
                    ticket_tags.append({"ticket_id": tid, "tag_id": tag_id})
            tickets.append(
                {
                    "id": tid,
                    "subject": subject,
                    "status": status,
                    "priority": priorities[k],
                    "channel": channels[k],
                    "language": "zh" if zh else "en",
                    "intent": None,
                    "requester_id": requester,
                    "assignee_id": assignee,
                    "team_id": team,
                    "merged_into_id": None,
                    # what tickets.services would store: the analysed terms of the messages
                    "search_text": terms_text(*(m["body"] for m in messages[-len(msg_times) :])),
                    "created_at": t0,
                    "updated_at": updated,
                    "first_reply_at": first_reply,
                    "solved_at": updated if status in (Status.solved, Status.closed) else None,
                    "closed_at": updated if status == Status.closed else None,
                    "last_seq": len(msg_times),
                }
            )
        _insert(conn, tickets_t, tickets)
        _insert(conn, messages_t, messages)
        _insert(conn, events_t, events)
        _insert(conn, ticket_tags_t, ticket_tags)
        result.tickets, result.messages = len(tickets), len(messages)
        result.events, result.ticket_tags = len(events), len(ticket_tags)
        if is_pg:
            for table in ("customers", "tickets", "messages", "events", "tags", "agents", "teams"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
                )
    if analyze if analyze is not None else is_pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if is_pg else "ANALYZE"))
        result.analyzed = True
    result.seconds = time.perf_counter() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bulk-seed tickets for the inbox benchmark.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--analyze",
        choices=("auto", "yes", "no"),
        default="auto",
        help="refresh planner statistics (auto: PostgreSQL only)",
    )
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        analyze = {"auto": None, "yes": True, "no": False}[args.analyze]
        result = seed(engine, args.tickets, rng_seed=args.seed, analyze=analyze)
    finally:
        engine.dispose()
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
