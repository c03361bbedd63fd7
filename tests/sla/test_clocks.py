"""SLA clocks with a frozen clock, on SQLite and PostgreSQL: creation, replies, pause and
resume in business time, a reopen, a policy changing mid-ticket, warnings and breaches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role, Team
from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.channels.models import Notification
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.sla import hooks
from ledgerdesk.sla import services as sla
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.sla.schemas import CalendarIn, HolidayIn, PolicyIn
from ledgerdesk.sla.tasks import run_check
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Event, Priority, Status, Ticket
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket

# Monday 2026-12-07 10:00 in Shanghai
MON_10 = datetime(2026, 12, 7, 2, 0)


def _setup(session: Session) -> tuple[Team, Agent]:
    team = make_team(session)
    admin = make_agent(session, Role.admin, [team])
    me = actor_of(admin)
    calendar = sla.do_create_calendar(
        session,
        me,
        CalendarIn(name="Shanghai", timezone="Asia/Shanghai", hours="mon-fri 09:00-18:00"),
    )
    sla.do_add_holiday(session, me, calendar, HolidayIn(day=date(2026, 12, 9), name="Closed"))
    sla.do_create_policy(
        session,
        me,
        PolicyIn(
            name="Urgent", priorities=["urgent"], first_reply=30, resolution=120, hours="calendar"
        ),
    )
    sla.do_create_policy(
        session, me, PolicyIn(name="Default", first_reply=120, next_reply=60, resolution=960)
    )
    return team, admin


def _clocks(session: Session, ticket: Ticket) -> dict[str, SlaTarget]:
    session.flush()
    rows = session.scalars(
        select(SlaTarget).where(SlaTarget.ticket_id == ticket.id).order_by(SlaTarget.id)
    )
    return {row.target: row for row in rows}  # the latest row per target


def test_new_ticket_starts_clocks_in_business_hours(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(datetime(2026, 12, 7, 9, 0)):  # Monday 17:00 Shanghai: 1 h left today
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
    clocks = _clocks(db_session, ticket)
    assert set(clocks) == {"first_reply", "resolution"}
    # 2 business hours: 1 h Monday, 1 h Tuesday from 09:00 Shanghai (01:00 UTC)
    assert clocks["first_reply"].due_at == datetime(2026, 12, 8, 2, 0)
    # 16 h: 1 h Monday, 9 h Tuesday, Wednesday is a holiday, 6 h Thursday -> 15:00 Shanghai
    assert clocks["resolution"].due_at == datetime(2026, 12, 10, 7, 0)
    assert clocks["first_reply"].policy_id is not None


def test_first_reply_and_next_reply(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(MON_10):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
    with frozen_at(datetime(2026, 12, 7, 3, 0)):
        tickets.do_agent_reply(db_session, actor_of(admin), ticket, "Looking into it")
    clocks = _clocks(db_session, ticket)
    assert clocks["first_reply"].completed_at == datetime(2026, 12, 7, 3, 0)
    assert clocks["first_reply"].breached_at is None
    with frozen_at(datetime(2026, 12, 7, 4, 0)):
        tickets.do_customer_reply(db_session, customer_actor(ticket.requester), ticket, "Any news?")
    clocks = _clocks(db_session, ticket)
    assert clocks["next_reply"].due_at == datetime(2026, 12, 7, 5, 0)
    with frozen_at(datetime(2026, 12, 7, 4, 30)):
        tickets.do_agent_reply(db_session, actor_of(admin), ticket, "Credited now")
    assert _clocks(db_session, ticket)["next_reply"].completed_at == datetime(2026, 12, 7, 4, 30)


def test_pending_pauses_and_resume_adds_business_time(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(MON_10):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
    resolution_due = _clocks(db_session, ticket)["resolution"].due_at
    assert resolution_due == datetime(2026, 12, 8, 9, 0)  # 8 h Monday + 8 h Tuesday (17:00)
    # paused Monday 17:00 Shanghai (09:00 UTC) until Tuesday 10:00 Shanghai (02:00 UTC):
    # 1 business hour Monday + 1 Tuesday = 2 h added
    with frozen_at(datetime(2026, 12, 7, 9, 0)):
        tickets.do_set_status(db_session, actor_of(admin), ticket, Status.pending)
    paused = _clocks(db_session, ticket)["resolution"]
    assert paused.paused_at == datetime(2026, 12, 7, 9, 0) and paused.due_at is None
    with frozen_at(datetime(2026, 12, 8, 2, 0)):
        tickets.do_set_status(db_session, actor_of(admin), ticket, Status.open)
    resumed = _clocks(db_session, ticket)["resolution"]
    assert resumed.paused_at is None
    assert resumed.paused_seconds == 7200
    # 2 more business hours after the old due time (Tuesday 17:00 Shanghai): 1 h Tuesday,
    # Wednesday is a holiday, 1 h Thursday -> Thursday 10:00 Shanghai
    assert resumed.due_at == datetime(2026, 12, 10, 2, 0)


def test_reopen_starts_a_new_resolution_clock(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(MON_10):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
    with frozen_at(datetime(2026, 12, 7, 3, 0)):
        tickets.do_agent_reply(db_session, actor_of(admin), ticket, "Done", status=Status.solved)
    with frozen_at(datetime(2026, 12, 7, 5, 0)):
        tickets.do_customer_reply(db_session, customer_actor(ticket.requester), ticket, "No!")
    db_session.flush()
    rows = db_session.scalars(
        select(SlaTarget)
        .where(SlaTarget.ticket_id == ticket.id, SlaTarget.target == "resolution")
        .order_by(SlaTarget.id)
    ).all()
    assert len(rows) == 2
    assert rows[0].completed_at == datetime(2026, 12, 7, 3, 0)
    assert rows[1].started_at == datetime(2026, 12, 7, 5, 0) and rows[1].completed_at is None
    assert _clocks(db_session, ticket)["next_reply"].completed_at is None


def test_policy_change_mid_ticket_recomputes_from_started_at(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(MON_10):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
    before = _clocks(db_session, ticket)
    assert before["first_reply"].due_at == datetime(2026, 12, 7, 4, 0)
    default_policy = before["first_reply"].policy_id
    with frozen_at(datetime(2026, 12, 7, 2, 10)):
        tickets.do_set_priority(db_session, actor_of(admin), ticket, Priority.urgent)
    after = _clocks(db_session, ticket)
    # Urgent: 30 calendar minutes from the ticket's start
    assert after["first_reply"].due_at == datetime(2026, 12, 7, 2, 30)
    assert after["resolution"].due_at == datetime(2026, 12, 7, 4, 0)
    assert after["first_reply"].started_at == MON_10
    assert after["first_reply"].policy_id != default_policy
    assert "next_reply" not in after


def test_check_warns_then_breaches_once_and_runs_hooks(db_session: Session) -> None:
    team, admin = _setup(db_session)
    with frozen_at(MON_10):
        ticket = make_ticket(db_session, actor=actor_of(admin), team_id=team.id)
        tickets.do_assign(db_session, actor_of(admin), ticket, agent_id=admin.id)
    seen: list[tuple[int, str]] = []

    def hook(session: Session, t: Ticket, target: str) -> None:
        seen.append((t.id, target))

    registered = list(hooks.ON_BREACH)  # (escalation's, once the composition root ran)
    hooks.ON_BREACH[:] = [hook]
    try:
        # first_reply is due 04:00 UTC; its warning window is 15 % of 2 h = 18 min
        with frozen_at(datetime(2026, 12, 7, 3, 41)):
            assert run_check(db_session) == (0, 0)
        with frozen_at(datetime(2026, 12, 7, 3, 43)):
            assert run_check(db_session) == (1, 0)
            assert run_check(db_session) == (0, 0)
        with frozen_at(datetime(2026, 12, 7, 4, 0)):
            assert run_check(db_session) == (0, 1)
            assert run_check(db_session) == (0, 0)
    finally:
        hooks.ON_BREACH[:] = registered
    assert seen == [(ticket.id, "first_reply")]
    events = db_session.scalars(
        select(Event).where(Event.ticket_id == ticket.id, Event.action.like("sla.%"))
    ).all()
    assert [e.action for e in events] == ["sla.warning", "sla.breached"]
    assert events[1].after == {
        "target": "first_reply",
        "due_at": "2026-12-07T04:00:00",
        "policy_id": _clocks(db_session, ticket)["first_reply"].policy_id,
    }
    note = db_session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)).all()
    assert [(n.agent_id, n.kind) for n in note] == [(admin.id, "sla_breached")]
    badge = sla.due_badges(db_session, [ticket.id])[ticket.id]
    assert badge.state == "breached" and badge.target == "first_reply"


def test_no_policy_no_clocks(db_session: Session) -> None:
    ticket = make_ticket(db_session, make_customer(db_session))
    db_session.flush()
    assert _clocks(db_session, ticket) == {}
    assert sla.due_badges(db_session, [ticket.id]) == {}
