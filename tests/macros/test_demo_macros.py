"""The demo desk's macros and escalation path (data/demo/macros.yaml): loaded with the demo,
wired L1 -> L2 -> specialist, and their knowledge-base placeholders fill once the shipped help
center is imported (as ``ledgerdesk demo`` does right after)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Team, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.demo.services import load_default_kb, load_demo
from ledgerdesk.macros import services as macros
from ledgerdesk.macros.models import Macro
from ledgerdesk.sla.escalation import next_team
from ledgerdesk.tickets.models import Status, Ticket
from tests.demo.conftest import empty_session

__all__ = ["empty_session"]


def test_demo_macros_and_escalation_path(empty_session: Session) -> None:
    session = empty_session
    load_demo(session)
    load_default_kb(session)
    session.flush()
    rows = list(session.scalars(select(Macro).order_by(Macro.id)))
    assert len(rows) == 4 and sum(m.owner_id is None for m in rows) == 3
    assert all(m.body_en and m.body_zh for m in rows)
    by_name = {t.name: t for t in session.scalars(select(Team))}
    l1, wallet = by_name["一线客服 L1"], by_name["Wallet operations 钱包运营"]
    assert l1.escalation_team_id == wallet.id
    assert wallet.escalation_team_id == by_name["Security 安全团队"].id
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.language == "zh", Ticket.team_id == l1.id, Ticket.status == Status.open)
        .order_by(Ticket.id)
    ).first()
    assert ticket is not None
    upper = next_team(session, ticket)
    assert upper is not None and upper.tier == Tier.l2
    txid = next(m for m in rows if m.name.startswith("Ask for the TXID"))
    body = macros.do_apply_macro(session, SYSTEM, ticket, txid).body
    assert f"工单 #{ticket.id}" in body and "/help/articles/deposit-find-txid" in body
    assert "{{" not in body
