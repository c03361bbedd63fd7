"""The steps of a complaint or appeal after filing: admissibility (and the acknowledgement),
the investigation (notes, linked tickets), delay notices, the decision that answers every
point, the summary resolution communication (DISP) and closure with outcome and remedies.

Each step checks the case's status, changes the case, sends its letter when it has one
(``cases.letters``) and records its register step, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.cases import commitments, deadlines, letters, register
from ledgerdesk.cases.complaints import apply_deadlines
from ledgerdesk.cases.models import OPEN_CASE, Case, CaseKind, CaseStatus
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, InvalidTransition
from ledgerdesk.core.i18n import translations
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from ledgerdesk.web.labels import N_

OUTCOMES = {
    "upheld": N_("Upheld"),
    "partly_upheld": N_("Partly upheld"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "resolved": N_("Resolved (summary resolution)"),
}
DECISION_OUTCOMES = ("upheld", "partly_upheld", "rejected")
CLOSE_OUTCOMES = ("upheld", "partly_upheld", "rejected", "withdrawn")
MAX_TEXT = 5000
COMPLAINT_KINDS = (CaseKind.complaint, CaseKind.appeal)


def _check_kind(case: Case) -> None:
    if case.kind not in COMPLAINT_KINDS:
        raise InvalidTransition("Only complaints and appeals have this step")


def _text(value: str, name: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message, field=name)
    if len(value) > MAX_TEXT:
        raise InvalidInput("This field is too long; shorten it", field=name)
    return value


def _tr(case: Case, msgid: str) -> str:
    return translations(case.language).ugettext(msgid)


def _remedies(case: Case) -> str:
    return letters.lines(deadlines.get_profile(case.jurisdiction).remedy_lines(case.language))


def do_admit(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    jurisdiction: str | None,
    payment_services: bool,
) -> None:
    """Admissible: (re)count the deadlines under ``jurisdiction`` and acknowledge at once."""
    _check_kind(case)
    if case.status != CaseStatus.received:
        raise InvalidTransition("The admissibility of this case is already decided")
    apply_deadlines(session, case, jurisdiction=jurisdiction, payment_services=payment_services)
    register.record_step(
        session,
        case,
        actor,
        "admissible",
        {"jurisdiction": case.jurisdiction, "payment_services": payment_services},
    )
    letter = letters.compose(session, case, "acknowledgement", {})
    facts = letters.do_send_letter(session, case, letter)
    now = utcnow()
    case.status, case.acknowledged_at = CaseStatus.acknowledged, now
    register.record_step(
        session,
        case,
        actor,
        "acknowledged",
        {**facts, "due_at": _iso(case.due_at), "limit_at": _iso(case.limit_at)},
    )
    commitments.after_acknowledgement(session, case, letter.body)


def do_refuse(session: Session, actor: Actor, case: Case, reasons: str) -> None:
    """Inadmissible, with reasons, told to the client with the remedies they have."""
    _check_kind(case)
    if case.status not in (CaseStatus.received, CaseStatus.acknowledged):
        raise InvalidTransition("Only a case not yet investigated can be found inadmissible")
    reasons = _text(reasons, "reasons", "Give the reasons the case is inadmissible")
    letter = letters.compose(
        session, case, "inadmissible", {"reasons": reasons, "remedies": _remedies(case)}
    )
    facts = letters.do_send_letter(session, case, letter)
    case.status, case.closed_at = CaseStatus.inadmissible, utcnow()
    register.record_step(session, case, actor, "inadmissible", {**facts, "reasons": reasons})


def _investigating(case: Case) -> None:
    if case.status not in OPEN_CASE:
        raise InvalidTransition("This case is no longer open")
    if case.status == CaseStatus.received:
        raise InvalidTransition("Decide the admissibility of this case first")
    case.status = CaseStatus.investigating


def do_add_note(session: Session, actor: Actor, case: Case, text: str) -> None:
    """An internal note of the investigation (never shown to the client)."""
    register.require_agent(actor)
    _check_kind(case)
    text = _text(text, "note", "Write the note")
    _investigating(case)
    register.record_step(session, case, actor, "note", {"text": text})


def do_link(session: Session, actor: Actor, case: Case, ticket_id: int) -> bool:
    """Link another ticket the actor may see to the investigation."""
    register.require_agent(actor)
    _check_kind(case)
    ticket = tickets.access_ticket(session, actor, ticket_id)
    _investigating(case)
    return register.do_link_ticket(session, actor, case, ticket.id)


def do_take(session: Session, actor: Actor, case: Case) -> None:
    """The acting agent becomes the case's handler (named in letters, warned of deadlines)."""
    register.require_agent(actor)
    if case.assignee_id != actor.id:
        case.assignee_id = actor.id
        register.record_step(session, case, actor, "assigned", {"agent_id": actor.id})
        ticket = letters.working_ticket(session, case)
        if ticket is not None and ticket.status not in (Status.solved, Status.closed):
            # The handler owns the conversation too (the desk moves it: the handler may not
            # be a member of the ticket's team).
            tickets.do_assign(session, SYSTEM, ticket, agent_id=actor.id)


def do_delay(session: Session, actor: Actor, case: Case, reasons: str, new_date: datetime) -> None:
    """Tell the client the decision will be late: the reasons and the new date, which must
    be later than now and the current date, and no later than the legal limit."""
    _check_kind(case)
    if case.status not in (CaseStatus.acknowledged, CaseStatus.investigating):
        raise InvalidTransition("A delay notice is for an acknowledged, undecided case")
    reasons = _text(reasons, "reasons", "Give the reasons for the delay")
    if new_date <= utcnow() or (case.due_at is not None and new_date <= case.due_at):
        raise InvalidInput("The new date must be later than the current one", field="new_date")
    if case.limit_at is not None and new_date > case.limit_at:
        raise InvalidInput(
            "The new date must not be later than the legal time limit", field="new_date"
        )
    old = case.due_at
    letter = letters.compose(
        session,
        case,
        "delay_notice",
        {
            "reasons": reasons,
            "old_date": letters.when(old, case.language),
            "new_date": letters.when(new_date, case.language),
        },
    )
    facts = letters.do_send_letter(session, case, letter)
    case.due_at = new_date
    register.record_step(
        session,
        case,
        actor,
        "delay_notice",
        {**facts, "reasons": reasons, "old_due_at": _iso(old), "new_due_at": _iso(new_date)},
    )


def check_answers(case: Case, answers: Sequence[str]) -> list[str]:
    """One non-empty answer per point, in order; InvalidInput names the first missing one."""
    cleaned = [a.strip() for a in answers]
    if len(cleaned) != len(case.points):
        raise InvalidInput("Answer every point of the complaint", field="answers")
    for index, answer in enumerate(cleaned):
        if not answer:
            raise InvalidInput(
                f"Point {index + 1} has no answer; every point needs one", field=f"answer_{index}"
            )
        if len(answer) > MAX_TEXT:
            raise InvalidInput("This field is too long; shorten it", field=f"answer_{index}")
    return cleaned


def do_decide(
    session: Session,
    actor: Actor,
    case: Case,
    answers: Sequence[str],
    outcome: str,
    summary: str = "",
) -> None:
    """The decision (final response): refused while any point has no answer."""
    register.require_agent(actor)
    _check_kind(case)
    if case.status not in (CaseStatus.acknowledged, CaseStatus.investigating):
        raise InvalidTransition("Only an acknowledged, undecided case can be decided")
    if outcome not in DECISION_OUTCOMES:
        raise InvalidInput("Choose the outcome: upheld, partly upheld or rejected", field="outcome")
    cleaned = check_answers(case, answers)
    if len(summary) > MAX_TEXT:
        raise InvalidInput("This field is too long; shorten it", field="summary")
    answered = "\n".join(
        f"{n}. {point}\n   → {answer}"
        for n, (point, answer) in enumerate(zip(case.points, cleaned, strict=True), start=1)
    )
    letter = letters.compose(
        session,
        case,
        "decision",
        {
            "answers": answered,
            "outcome": _tr(case, OUTCOMES[outcome]),
            "summary": summary.strip(),
            "remedies": _remedies(case),
        },
    )
    facts = letters.do_send_letter(session, case, letter)
    case.status, case.decided_at, case.outcome = CaseStatus.decided, utcnow(), outcome
    register.record_step(
        session,
        case,
        actor,
        "decision",
        {**facts, "outcome": outcome, "answers": cleaned, "late": _late(case)},
    )
    commitments.after_resolution(session, case, letter.body)


def summary_until(case: Case) -> datetime | None:
    raw = case.details.get("summary_until")
    return datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None


def can_resolve_summarily(case: Case) -> bool:
    until = summary_until(case)
    return case.status in OPEN_CASE and until is not None and utcnow() <= until


def do_summary_resolution(session: Session, actor: Actor, case: Case, summary: str) -> None:
    """Resolved by the end of the third business day after receipt (DISP 1.5): a summary
    resolution communication closes the case instead of a final response."""
    register.require_agent(actor)
    _check_kind(case)
    if case.status not in OPEN_CASE:
        raise InvalidTransition("This case is no longer open")
    if summary_until(case) is None:
        raise Conflict("This case's jurisdiction has no summary resolution")
    if not can_resolve_summarily(case):
        raise Conflict("The third business day after receipt has ended: send a decision instead")
    summary = _text(summary, "summary", "Say how the complaint was resolved")
    letter = letters.compose(
        session, case, "summary_resolution", {"summary": summary, "remedies": _remedies(case)}
    )
    facts = letters.do_send_letter(session, case, letter)
    now = utcnow()
    case.status, case.outcome = CaseStatus.closed, "resolved"
    case.decided_at, case.closed_at = now, now
    register.record_step(session, case, actor, "summary_resolution", {**facts, "summary": summary})
    commitments.after_resolution(session, case, letter.body)


def do_close(session: Session, actor: Actor, case: Case, outcome: str, measures: str = "") -> None:
    """Close with the outcome and the measures taken; the closure letter lists the remedies
    available when the client is not fully satisfied. A withdrawn case closes from any open
    state; others once decided."""
    register.require_agent(actor)
    _check_kind(case)
    if outcome not in CLOSE_OUTCOMES:
        raise InvalidInput("Choose the outcome", field="outcome")
    if outcome == "withdrawn":
        if case.status not in (*OPEN_CASE, CaseStatus.decided):
            raise InvalidTransition("This case is already closed")
    elif case.status != CaseStatus.decided:
        raise InvalidTransition("Send the decision before closing the case")
    if len(measures) > MAX_TEXT:
        raise InvalidInput("This field is too long; shorten it", field="measures")
    letter = letters.compose(
        session,
        case,
        "closure",
        {
            "outcome": _tr(case, OUTCOMES[outcome]),
            "measures": measures.strip(),
            "remedies": _remedies(case),
        },
    )
    facts = letters.do_send_letter(session, case, letter)
    case.status, case.outcome, case.closed_at = CaseStatus.closed, outcome, utcnow()
    register.record_step(
        session, case, actor, "closed", {**facts, "outcome": outcome, "measures": measures.strip()}
    )
    commitments.after_resolution(session, case, letter.body)  # a withdrawal
    ticket = letters.working_ticket(session, case)
    if ticket is not None and ticket.status not in (Status.solved, Status.closed):
        # The closure letter was the last word: no separate "solved" e-mail.
        tickets.do_set_status(session, SYSTEM, ticket, Status.solved, notify=False)


def _late(case: Case) -> bool:
    return case.limit_at is not None and utcnow() > case.limit_at


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
