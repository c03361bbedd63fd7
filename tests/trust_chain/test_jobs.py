"""The desk's side with a real database (SQLite and PostgreSQL) and the real local chain: the
anchoring job sends the latest signed tree head and records it; a complaint filed through the
service is committed on chain by its job, resolved in time by the decision's job; another is left
past its deadline, the desk's late resolve is refused, a stranger's ``markBreached`` pays the
customer and the watch job records it in the case history; the console panel shows each state."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from eth_account import Account
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Customer, Role
from ledgerdesk.cases import commitments, register
from ledgerdesk.cases import complaints_lifecycle as life
from ledgerdesk.cases.commitments_models import CaseCommitment
from ledgerdesk.cases.commitments_panel import commitment_panel
from ledgerdesk.cases.complaints import ComplaintForm, do_file
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.jobs.outbox import HANDLERS
from ledgerdesk.tickets.models import Message
from ledgerdesk.trust import anchoring
from ledgerdesk.trust.anchoring_models import Anchor
from ledgerdesk.trust.log_models import LogHead
from ledgerdesk.web.templating import templates
from tests.conftest import actor_of, make_agent, make_customer
from tests.trust_chain.conftest import COMPENSATION, Chain


def _head(session: Session, size: int) -> LogHead:
    root = hashlib.sha256(f"root-{size}".encode()).hexdigest()
    head = LogHead(tree_size=size, root_hash=root, timestamp=size, key_id="k" * 16, signature="s")
    session.add(head)
    session.flush()
    return head


def _run(session: Session, topic: str) -> int:
    """Run the queued jobs of ``topic`` as the worker would (handler, then the row goes)."""
    entries = session.scalars(select(OutboxEntry).where(OutboxEntry.topic == topic)).all()
    for entry in entries:
        payload = dict(entry.payload)
        session.delete(entry)
        session.flush()
        HANDLERS[topic](session, payload)
    return len(entries)


def test_anchor_job_anchors_the_latest_head(db_session: Session, chain_settings: Chain) -> None:
    chain = chain_settings
    base = max(db_session.scalars(select(LogHead.tree_size)).all(), default=0)
    _head(db_session, base + 3)
    head = _head(db_session, base + 5)
    assert anchoring.is_due(db_session, anchoring.get_settings())
    HANDLERS[anchoring.TOPIC](db_session, {})
    row = db_session.scalars(select(Anchor).order_by(Anchor.id.desc())).first()
    assert row is not None
    assert (row.tree_size, row.root_hash, row.status) == (
        head.tree_size,
        head.root_hash,
        "confirmed",
    )
    assert row.chain_id == 1337 and row.contract == chain.anchor and row.tx_hash
    on_chain = chain.client.get_anchor(chain.anchor, head.tree_size)
    assert on_chain is not None and on_chain.root.hex() == head.root_hash
    assert on_chain.block_number == row.block_number

    assert anchoring.latest_anchor_covering(db_session, base + 4) == row
    assert anchoring.latest_anchor_covering(db_session, base + 6) is None
    assert not anchoring.is_due(db_session, anchoring.get_settings())  # within the interval
    assert anchoring.run(db_session) is None  # nothing new: the contract holds the latest head

    _head(db_session, base + 8)
    newer = anchoring.run(db_session)
    assert newer is not None and newer.status == "confirmed" and newer.tree_size == base + 8
    assert anchoring.latest_anchor_covering(db_session, base + 4) == row  # the smallest covering


def _form(payout: str = "") -> ComplaintForm:
    return ComplaintForm(
        name="Ada Lovelace",
        email="ada@example.com",
        what_happened="My withdrawal has been frozen for a week.",
        points="Frozen withdrawal\nNo answer from support",
        wants="Release it",
        topic="withdrawal",
        payout_address=payout,
    )


def _file(session: Session, customer: Customer, payout: str = "") -> Case:
    actor = accounts.customer_actor(customer)
    return do_file(session, actor, _form(payout), CaseKind.complaint)


def _commitment(session: Session, case: Case) -> CaseCommitment:
    row = commitments.commitment_of(session, case.id)
    assert row is not None
    return row


def _steps(session: Session, case: Case) -> list[str]:
    return [s.step for s in register.steps(session, case)]


def _panel(session: Session, case: Case, locale: str) -> str:
    """The console panel as the case page renders it, in ``locale``."""
    context: dict[str, Any] = commitment_panel(session, case)
    before = i18n.get_locale()
    i18n.set_locale(locale)
    try:
        return templates.env.get_template("cases/_panel_complaint.html").render(**context)
    finally:
        i18n.set_locale(before)


def test_complaint_committed_and_resolved_in_time(
    db_session: Session, chain_settings: Chain
) -> None:
    chain = chain_settings
    customer = make_customer(db_session)
    case = _file(db_session, customer)  # no payout address
    row = _commitment(db_session, case)
    assert row.state == "pending" and row.payout is None and row.compensation == "0"
    assert row.case_hash == hashlib.sha256(case.reference.encode()).hexdigest()
    assert case.limit_at is not None and row.deadline == commitments.unix_time(case.limit_at)
    ack = db_session.scalars(
        select(Message).where(Message.ticket_id == case.ticket_id).order_by(Message.id.desc())
    ).first()
    assert ack is not None and row.ack_hash == hashlib.sha256(ack.body.encode()).hexdigest()

    assert _run(db_session, commitments.REGISTER) == 1
    assert row.state == "registered" and row.register_block
    on_chain = chain.client.commitment(chain.commitment, bytes.fromhex(row.case_hash))
    assert (on_chain.state, on_chain.deadline, on_chain.payout) == (
        "registered",
        row.deadline,
        None,
    )
    assert on_chain.ack_hash.hex() == row.ack_hash
    assert _run(db_session, commitments.REGISTER) == 0  # nothing queued twice

    agent = make_agent(db_session, Role.lead)
    life.do_decide(db_session, actor_of(agent), case, ["Released", "Answered"], "upheld")
    assert _run(db_session, commitments.RESOLVE) == 1
    assert row.state == "resolved" and row.resolve_tx
    on_chain = chain.client.commitment(chain.commitment, bytes.fromhex(row.case_hash))
    assert on_chain.state == "resolved" and on_chain.resolution_hash.hex() == row.resolution_hash
    life.do_close(db_session, actor_of(agent), case, "upheld")
    assert _run(db_session, commitments.RESOLVE) == 0  # the decision was the resolution
    steps = _steps(db_session, case)
    assert steps.index("acknowledged") < steps.index("commitment_registered")
    assert steps.index("commitment_registered") < steps.index("commitment_resolved")
    assert "Resolved in time" in _panel(db_session, case, "en")
    assert "按时解决" in _panel(db_session, case, "zh-CN")
    assert row.resolve_tx in _panel(db_session, case, "en")


def test_complaint_past_its_deadline_is_paid_by_a_stranger_once(
    db_session: Session, chain_settings: Chain
) -> None:
    chain = chain_settings
    payout = Account.create().address
    case = _file(db_session, make_customer(db_session), payout.lower())
    row = _commitment(db_session, case)
    assert row.payout == payout and row.compensation == str(COMPENSATION)
    _run(db_session, commitments.REGISTER)
    assert row.state == "registered"
    assert "已在链上登记" in _panel(db_session, case, "zh-CN")

    chain.node.time_travel(row.deadline - chain.now() + 60)
    agent = make_agent(db_session, Role.lead)
    life.do_decide(db_session, actor_of(agent), case, ["Late", "Late"], "upheld")
    _run(db_session, commitments.RESOLVE)  # the contract refuses: the deadline has passed
    assert row.state == "registered" and row.resolve_tx is None
    assert row.error is not None and "deadline passed" in row.error
    assert _steps(db_session, case)[-1] == "commitment_failed"

    stranger = chain.stranger()
    paid = stranger.wait(stranger.mark_breached(chain.commitment, bytes.fromhex(row.case_hash)))
    assert paid.ok and chain.client.balance(payout) == COMPENSATION
    assert commitments.watch(db_session, now=chain.now()) == 1
    assert (row.state, row.breach_tx, row.paid) == ("breached", paid.tx_hash, str(COMPENSATION))
    assert _steps(db_session, case)[-1] == "commitment_breached"
    assert commitments.watch(db_session, now=chain.now()) == 0  # recorded once
    with pytest.raises(Exception, match="not open"):
        stranger.mark_breached(chain.commitment, bytes.fromhex(row.case_hash))
    assert chain.client.balance(payout) == COMPENSATION
    assert "Breached: compensation paid" in _panel(db_session, case, "en")
    assert paid.tx_hash in _panel(db_session, case, "en")


def test_off_without_settings(db_session: Session) -> None:
    case = _file(db_session, make_customer(db_session))
    assert commitments.commitment_of(db_session, case.id) is None
    assert not anchoring.is_due(db_session, anchoring.get_settings())


@pytest.mark.parametrize("bad", ["0x123", "not an address", "0x" + "g" * 40, "0xAbC" + "0" * 37])
def test_payout_address_is_checked(db_session: Session, bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _file(db_session, make_customer(db_session), bad)
    assert refused.value.field == "payout_address"
