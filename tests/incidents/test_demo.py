"""The demo's incidents: read from data/demo/incidents.yaml, played with the clock frozen at
each moment, nothing queued, every linked ticket's history in order."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerdesk.channels.outgoing import recording_history
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.demo.incidents import IncidentsFileError, load_incidents, read_incidents
from ledgerdesk.incidents import linking
from ledgerdesk.incidents.models import Incident, IncidentStatus
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets.models import Message, Ticket
from tests.conftest import make_ticket

NOW = datetime(2026, 11, 20, 12, 0)


def test_shipped_file_reads() -> None:
    planned = read_incidents()
    assert len(planned) == 2
    assert {p.data.network for p in planned} == {"tron", "bitcoin"}
    assert sum(p.resolved is None for p in planned) == 1


def test_a_broken_file_names_the_incident(tmp_path: Path) -> None:
    path = tmp_path / "incidents.yaml"
    path.write_text("incidents:\n  - title_en: x\n", encoding="utf-8")
    with pytest.raises(IncidentsFileError, match="incident 1: 'title_zh' is missing"):
        read_incidents(path)
    path.write_text("incidents:\n  - {title_en: a, title_zh: b, network: nope}\n")
    with pytest.raises(IncidentsFileError, match="incident 1"):
        read_incidents(path)


def test_demo_incidents_link_and_answer_in_order(db_session: Session) -> None:
    db_session.execute(
        update(Incident)
        .where(Incident.status != IncidentStatus.resolved)
        .values(status=IncidentStatus.resolved)
    )
    before = set(db_session.scalars(select(OutboxEntry.id)))
    made: list[Ticket] = []
    for hours in (20, 2):  # one before the incident opened, one after
        with frozen_at(NOW - timedelta(hours=hours)):
            ticket = make_ticket(db_session, language="zh" if hours == 2 else "en")
            ticket.intent, ticket.network = "deposit_missing", "tron"
            made.append(ticket)
    with frozen_at(NOW - timedelta(hours=30)):
        old = make_ticket(db_session)  # before the look-back: not linked
        old.intent, old.network = "deposit_missing", "tron"
    db_session.flush()
    with recording_history(db_session), frozen_at(NOW):
        assert load_incidents(db_session, NOW) == 2
    db_session.flush()
    assert set(db_session.scalars(select(OutboxEntry.id))) == before  # nothing queued
    open_one = db_session.scalars(
        select(Incident).where(Incident.status == IncidentStatus.identified)
    ).one()
    assert open_one.started_at == NOW - timedelta(hours=5)
    assert sorted(linking.linked_ticket_ids(db_session, open_one.id)) == [t.id for t in made]
    for ticket in made:
        rows = list(
            db_session.scalars(
                select(Message).where(Message.ticket_id == ticket.id).order_by(Message.seq)
            )
        )
        times = [m.created_at for m in rows]
        assert times == sorted(times) and times[-1] <= NOW
        assert len(rows) == 3  # the customer's words, the automatic answer, the update
        assert ("节点" in rows[2].body) is (ticket.language == "zh")
    assert linking.linked_ticket_ids(db_session, old.id) == []
    resolved = db_session.scalars(
        select(Incident).where(Incident.title_en == "Bitcoin withdrawals delayed")
    ).all()
    assert resolved[-1].resolved_at == NOW - timedelta(hours=230)
