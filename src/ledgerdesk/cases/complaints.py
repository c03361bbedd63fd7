"""Filing complaints and appeals: the customer's form (the fields of the RTS 2025/294 Annex
template) and an agent turning a ticket into a complaint.

A filed case has a working ticket (the conversation; its attachments are the evidence), the
complaints team, its jurisdiction profile and its deadlines from the moment of receipt. A
complaint filed through the form has every field the Annex asks for, so it is admissible on
its face: it is admitted and acknowledged at once (Art. 4: promptly). A ticket an agent
converts waits for the agent's admissibility decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Agent, Customer, Team
from ledgerdesk.accounts.services import SYSTEM, Actor
from ledgerdesk.cases import deadlines, register
from ledgerdesk.cases.commitments import check_payout_address
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.core.errors import Conflict, InvalidInput, NotPermitted
from ledgerdesk.core.i18n import translations
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Ticket
from ledgerdesk.web.labels import N_

MAX_POINTS = 20
MAX_POINT = 1000
MAX_TEXT = 5000
APPEAL_OF = {
    "frozen_account": N_("Frozen account"),
    "rejected_kyc": N_("Rejected identity verification (KYC)"),
}
TOPICS = {
    "deposit": N_("Deposits"),
    "withdrawal": N_("Withdrawals"),
    "trading": N_("Trading"),
    "fees": N_("Fees and charges"),
    "account": N_("Account access and restrictions"),
    "kyc": N_("Identity verification"),
    "service": N_("Customer service"),
    "other": N_("Other"),
}


@dataclass
class ComplaintForm:
    """The fields of the Annex template: who complains and how to reach them, the account, the
    facts (when, what happened), the points complained about (one per line), what the client
    wants, related references and the language."""

    name: str
    email: str
    what_happened: str
    points: str
    wants: str
    language: str = "en"
    phone: str = ""
    account_id: str = ""
    facts_dates: str = ""
    refs: str = ""
    subject: str = ""
    topic: str = "other"
    appeal_of: str = ""  # appeals only
    payout_address: str = ""  # EVM address for compensation (cases/commitments.py), optional


def split_points(text: str) -> list[str]:
    """One point per non-empty line, bullets and numbering stripped."""
    points = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("-*•·").strip()
        if line:
            points.append(line)
    return points


def _required(value: str, name: str, message: str, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message, field=name)
    if len(value) > limit:
        raise InvalidInput("This field is too long; shorten it", field=name)
    return value


def check_points(text: str) -> list[str]:
    points = split_points(text)
    if not points:
        raise InvalidInput("Write at least one point you complain about", field="points")
    if len(points) > MAX_POINTS:
        raise InvalidInput("Give at most 20 points, one per line", field="points")
    if any(len(p) > MAX_POINT for p in points):
        raise InvalidInput("Each point must be at most 1000 characters", field="points")
    return points


def check_form(form: ComplaintForm, kind: CaseKind) -> list[str]:
    """Validate the form; returns the points. InvalidInput names the field at fault."""
    _required(form.name, "name", "Give your name", 200)
    _required(form.email, "email", "Give an e-mail address we can answer to", 320)
    if "@" not in form.email:
        raise InvalidInput("Give an e-mail address we can answer to", field="email")
    _required(form.what_happened, "what_happened", "Describe what happened")
    _required(form.wants, "wants", "Say what you would like us to do")
    if form.language not in register.LANGUAGES:
        raise InvalidInput("Choose English or Chinese", field="language")
    if kind == CaseKind.appeal and form.appeal_of not in APPEAL_OF:
        raise InvalidInput("Choose which decision you appeal against", field="appeal_of")
    if kind == CaseKind.complaint and form.topic not in TOPICS:
        raise InvalidInput("Choose what the complaint is about", field="topic")
    for name in ("phone", "account_id", "facts_dates", "refs", "subject"):
        if len(getattr(form, name)) > 1000:
            raise InvalidInput("This field is too long; shorten it", field=name)
    check_payout_address(form.payout_address)
    return check_points(form.points)


def _subject(form: ComplaintForm, points: list[str], kind: CaseKind) -> str:
    chosen = form.subject.strip() or points[0]
    if kind == CaseKind.appeal and not form.subject.strip():
        _ = translations(form.language).ugettext
        chosen = _("Appeal: %(decision)s") % {"decision": _(APPEAL_OF[form.appeal_of])}
    return chosen[:300]


def _ticket_body(form: ComplaintForm, points: list[str]) -> str:
    """The form as the working ticket's opening message, in the client's language."""
    _ = translations(form.language).ugettext
    parts = [
        f"{_('What happened')}:\n{form.what_happened.strip()}",
        f"{_('Points of the complaint')}:\n" + "\n".join(f"- {p}" for p in points),
        f"{_('What I would like')}:\n{form.wants.strip()}",
    ]
    for label, value in (
        (_("Date(s) of the facts"), form.facts_dates),
        (_("Related tickets or transactions"), form.refs),
        (_("Account or customer ID"), form.account_id),
    ):
        if value.strip():
            parts.append(f"{label}: {value.strip()}")
    return "\n\n".join(parts)


def _details(form: ComplaintForm) -> dict[str, Any]:
    return {
        "complainant": {
            "name": form.name.strip(),
            "email": form.email.strip(),
            "phone": form.phone.strip(),
        },
        "account_id": form.account_id.strip(),
        "facts_dates": form.facts_dates.strip(),
        "what_happened": form.what_happened.strip(),
        "wants": form.wants.strip(),
        "refs": form.refs.strip(),
        "appeal_of": form.appeal_of or None,
        "payment_services": False,
        "payout_address": check_payout_address(form.payout_address),
    }


def apply_deadlines(
    session: Session, case: Case, *, jurisdiction: str | None, payment_services: bool
) -> deadlines.Deadlines:
    """Set the case's profile and its deadlines, counted from receipt."""
    profile = deadlines.get_profile(jurisdiction)
    hours = deadlines.calendar_for(session, case.team_id)
    found = deadlines.compute(
        hours,
        profile,
        case.received_at,
        payment_services=payment_services,
        target_days=get_settings().cases_target_days,
    )
    case.jurisdiction = profile.key
    case.due_at, case.limit_at = found.due_at, found.limit_at
    details = dict(case.details)
    details["payment_services"] = payment_services
    details["summary_until"] = found.summary_until.isoformat() if found.summary_until else None
    case.details = details
    return found


def do_file(
    session: Session, actor: Actor, form: ComplaintForm, kind: CaseKind, channel: str = "portal"
) -> Case:
    """A customer files a complaint or appeal: working ticket, case, deadlines, and (the form
    being complete) admission with the acknowledgement sent at once."""
    from ledgerdesk.cases.complaints_lifecycle import do_admit

    if not actor.is_customer or actor.id is None:
        raise NotPermitted("Only a signed-in customer can file a complaint here")
    if kind not in (CaseKind.complaint, CaseKind.appeal):
        raise InvalidInput("Only complaints and appeals are filed here", field="kind")
    points = check_form(form, kind)
    customer = accounts.get_customer(session, actor.id)
    team_id = register.team_for(session, "complaints")
    ticket = tickets.do_create_ticket(
        session,
        SYSTEM,
        customer,
        tickets.NewTicket(
            subject=_subject(form, points, kind),
            body=_ticket_body(form, points),
            channel=Channel.portal if channel == "portal" else Channel.api,
            language=tickets.ticket_language(form.language),
            team_id=team_id,
        ),
    )
    ticket.intent = "complaint"
    case = register.do_open_case(
        session,
        actor,
        register.NewCase(
            kind=kind,
            customer_id=customer.id,
            subject=_subject(form, points, kind),
            language=form.language,
            channel=channel,
            topic=form.appeal_of if kind == CaseKind.appeal else form.topic,
            ticket_id=ticket.id,
            team_id=team_id,
            details=_details(form),
            points=points,
        ),
    )
    apply_deadlines(session, case, jurisdiction=None, payment_services=False)
    do_admit(session, SYSTEM, case, jurisdiction=None, payment_services=False)
    return case


def do_convert_ticket(
    session: Session, actor: Actor, ticket: Ticket, points_text: str, language: str = ""
) -> Case:
    """An agent makes a ticket a complaint; the ticket becomes its working ticket. It waits
    for the admissibility decision (nothing is sent yet)."""
    register.require_agent(actor)
    points = check_points(points_text)
    existing = session.scalar(select(Case.reference).where(Case.ticket_id == ticket.id))
    if existing is not None:
        raise Conflict(f"This ticket is already the working ticket of case {existing}")
    customer: Customer = accounts.get_customer(session, ticket.requester_id)
    chosen = language or ("zh-CN" if (ticket.language or "").startswith("zh") else "en")
    team_id = register.team_for(session, "complaints") or ticket.team_id
    case = register.do_open_case(
        session,
        actor,
        register.NewCase(
            kind=CaseKind.complaint,
            customer_id=customer.id,
            subject=ticket.subject,
            language=chosen,
            channel=ticket.channel.value,
            ticket_id=ticket.id,
            team_id=team_id,
            details={
                "complainant": {"name": customer.name, "email": customer.email, "phone": ""},
                "converted_from_ticket": ticket.id,
                "payment_services": False,
            },
            points=points,
            received_at=ticket.created_at,  # received when the client first wrote
        ),
    )
    case.assignee_id = actor.id
    apply_deadlines(session, case, jurisdiction=None, payment_services=False)
    return case


def appeal_label(case: Case) -> str:
    """The (English msgid) name of the decision an appeal is against."""
    return APPEAL_OF.get(str(case.details.get("appeal_of") or ""), "Other")


def contact_of(session: Session, case: Case) -> str:
    """Who handles the case, as the acknowledgement names it: the assignee and the team."""
    team = session.get(Team, case.team_id) if case.team_id is not None else None
    agent = session.get(Agent, case.assignee_id) if case.assignee_id is not None else None
    team_name = team.name if team is not None else get_settings().platform_name
    return f"{agent.name} ({team_name})" if agent is not None else team_name
