"""Customer satisfaction surveys (CSAT): asked once per ticket, answered 1–5 with a comment.

When an agent first solves a ticket, ``queue_survey`` (called from ``tickets.services``) queues
the ``csat.request`` job, ``settings.csat_delay_minutes`` later. The job re-reads the ticket:
still solved (or closed), not merged, no survey yet — then it creates the one ``CsatSurvey``
row of the ticket and asks on the customer's channel: in their Telegram or Discord chat
(``csat_text.survey_prompt``, answered by a reply such as "5 fast") or else an e-mail with
five one-click links ``/csat/<token>?score=N``. The row is what makes a survey "asked": a
ticket reopened and solved again, or a job run twice, finds it and asks nothing.

Windows: a survey can be answered for ``csat_edit_days`` after it was asked, and an answer can
be changed for ``csat_edit_days`` after the first answer; the signed link lives for both.
A score at or below ``csat_low_score`` opens a review for the team's leads (and the admins).
Reports read ``channels.csat_report``; messengers use ``channels.csat_text``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Agent, Customer, Role, TeamMember
from ledgerdesk.accounts.services import Actor
from ledgerdesk.channels.models import CsatSurvey
from ledgerdesk.channels.notifications import notify
from ledgerdesk.channels.outgoing import QueuedMail, is_history, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import DomainError, InvalidInput, NotFound
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import Status, Ticket

log = logging.getLogger("ledgerdesk.csat")

TOPIC = "csat.request"
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 2000
MAX_NOTE = 2000
_SALT = "ledgerdesk.csat-link.v1"
_ASKED_WHILE = (Status.solved, Status.closed)
_CHAT_CHANNELS = frozenset({"telegram", "discord"})
_NO_MAIL_DOMAIN = ".invalid"  # messenger customers' placeholder addresses (RFC 2606)


class SurveyLinkInvalid(NotFound):
    code = "survey_link_invalid"


class SurveyClosed(DomainError):
    status_code = 410
    code = "survey_closed"

    def __init__(self, message: str, survey: CsatSurvey | None = None) -> None:
        super().__init__(message)
        self.survey = survey  # the survey it is about, when known (for the page's language)


# --- asking ---------------------------------------------------------------------------------


def survey_of(session: Session, ticket_id: int) -> CsatSurvey | None:
    return session.scalar(select(CsatSurvey).where(CsatSurvey.ticket_id == ticket_id))


def queue_survey(session: Session, ticket: Ticket) -> None:
    """Called in the transaction that solves ``ticket``: ask for a rating later, unless this
    is recorded history, a merged ticket, or the ticket was asked already."""
    if is_history(session) or ticket.merged_into_id is not None:
        return
    if survey_of(session, ticket.id) is not None:
        return
    delay = get_settings().csat_delay_minutes * 60
    enqueue(session, TOPIC, {"ticket_id": ticket.id}, delay_seconds=delay)


@handler(TOPIC)
def request_survey(session: Session, payload: dict[str, Any]) -> None:
    """Create the ticket's survey and ask it; nothing when it was reopened, merged or asked."""
    ticket = session.get(Ticket, int(payload["ticket_id"]))
    if ticket is None or ticket.merged_into_id is not None or ticket.status not in _ASKED_WHILE:
        return
    if survey_of(session, ticket.id) is not None:
        return
    customer = accounts.find_customer(session, ticket.requester_id)
    survey = CsatSurvey(
        ticket_id=ticket.id,
        customer_id=customer.id if customer else None,
        channel=ticket.channel.value,
        requested_at=utcnow(),
    )
    session.add(survey)
    session.flush()  # a concurrent run fails here on the unique ticket_id and is retried
    if survey.channel in _CHAT_CHANNELS:
        # The bots ask in the customer's chat; a ticket without a chat falls back to e-mail.
        from ledgerdesk.channels.csat_text import survey_prompt
        from ledgerdesk.channels.messenger.services import send_text

        if send_text(session, ticket, survey_prompt(ticket)):
            return
    if customer is not None and can_mail(customer):
        queue_customer_mail(session, survey_mail(ticket, survey, customer))
    else:
        log.info("ticket #%s: survey kept for the portal (no e-mail address)", ticket.id)


def can_mail(customer: Customer) -> bool:
    email = (customer.email or "").strip().lower()
    return "@" in email and not email.endswith(_NO_MAIL_DOMAIN)


def survey_mail(ticket: Ticket, survey: CsatSurvey, customer: Customer) -> QueuedMail:
    """The survey e-mail, in the customer's language, with one link per score."""
    locale = accounts.mail_locale(customer)
    _ = i18n.translations(locale).ugettext
    settings = get_settings()
    values = {"id": ticket.id, "subject": " ".join(ticket.subject.split())[:120]}
    lines = [
        _("Your request #%(id)s (%(subject)s) was solved. How satisfied are you with our help?")
        % values,
        _("Choose a score (one click, no sign-in needed):"),
        "\n".join(
            f"{score} – {_(SCORE_LABELS[score])}: {survey_link(survey, score)}"
            for score in reversed(SCORES)
        ),
        _("You can add a comment on the next page and change your answer for %(days)s days.")
        % {"days": settings.csat_edit_days},
        _(
            "Replies to this e-mail are not read. We will never ask for your password, 2FA "
            "codes, seed phrase or private keys."
        ),
    ]
    return QueuedMail(
        kind="csat_survey",
        subject=_("[#%(id)s] How did we do? %(subject)s") % values,
        text="\n\n".join(lines),
        customer_id=customer.id,
        locale=locale,
    )


SCORE_LABELS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}


# --- the signed link ------------------------------------------------------------------------


class _ClockSigner(TimestampSigner):
    """Link ages on the desk's clock (``core.clock``), which demo data and tests can set."""

    def get_timestamp(self) -> int:
        return int(utcnow().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    secret = get_settings().resolved_secret_key()
    return URLSafeTimedSerializer(secret, salt=_SALT, signer=_ClockSigner)


def survey_token(survey: CsatSurvey) -> str:
    """A token naming the survey (and its ticket), signed with the desk's secret key."""
    return _serializer().dumps({"s": survey.id, "t": survey.ticket_id})


def survey_link(survey: CsatSurvey, score: int | None = None) -> str:
    base = f"{get_settings().resolved_public_url}/csat/{survey_token(survey)}"
    return f"{base}?score={score}" if score is not None else base


def survey_from_token(session: Session, token: str) -> CsatSurvey:
    """The survey a link names; ``SurveyLinkInvalid`` for a forged or unknown one,
    ``SurveyClosed`` for one past both windows."""
    days = get_settings().csat_edit_days
    try:
        data = _serializer().loads(token[:500], max_age=2 * days * 86400)
    except SignatureExpired as exc:  # signed by us, only old: its survey may be named
        survey_id, _ticket_id = _ids(_expired_payload(exc))
        raise SurveyClosed(
            "This survey link has expired. Thank you for your time; you can still reply to "
            "your request in the portal.",
            session.get(CsatSurvey, survey_id) if survey_id else None,
        ) from exc
    except BadData as exc:
        raise SurveyLinkInvalid(
            "This survey link is not valid. Please use the link from your e-mail as it is."
        ) from exc
    survey_id, ticket_id = _ids(data)
    survey = session.get(CsatSurvey, survey_id) if survey_id else None
    if survey is None or survey.ticket_id != ticket_id:
        raise SurveyLinkInvalid(
            "This survey link is not valid. Please use the link from your e-mail as it is."
        )
    return survey


def _expired_payload(exc: SignatureExpired) -> Any:
    try:
        return _serializer().load_payload(exc.payload) if exc.payload else None
    except BadData:
        return None


def _ids(data: Any) -> tuple[int, int]:
    if not isinstance(data, dict):
        return 0, 0
    survey_id, ticket_id = data.get("s"), data.get("t")
    if not isinstance(survey_id, int) or not isinstance(ticket_id, int):
        return 0, 0
    return survey_id, ticket_id


# --- answering ------------------------------------------------------------------------------


def open_until(survey: CsatSurvey) -> datetime:
    """Until when the survey takes an answer: asked + N days, or first answer + N days."""
    start = survey.answered_at or survey.requested_at
    return start + timedelta(days=get_settings().csat_edit_days)


def is_open(survey: CsatSurvey, now: datetime | None = None) -> bool:
    return (now or utcnow()) <= open_until(survey)


def check_score(value: Any) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) not in SCORES:
        raise InvalidInput("Choose a score from 1 to 5", field="score")
    return int(text)


def check_comment(value: str | None, limit: int = MAX_COMMENT, field: str = "comment") -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput(
            f"The comment is too long: {len(text)} characters, at most {limit}", field=field
        )
    return text


@dataclass(frozen=True)
class Answer:
    score: int
    comment: str
    channel: str  # where it was given: email, portal, chat, telegram, discord


def do_answer(session: Session, survey: CsatSurvey, answer: Answer) -> CsatSurvey:
    """Record or change the answer while the survey is open; a low score opens the review."""
    if not is_open(survey):
        days = get_settings().csat_edit_days
        raise SurveyClosed(
            f"This survey is closed: an answer can be given or changed for {days} days", survey
        )
    now = utcnow()
    first = survey.answered_at is None
    survey.score = check_score(answer.score)
    survey.comment = check_comment(answer.comment) or None
    survey.answer_channel = answer.channel[:16]
    if first:
        survey.answered_at = now
    else:
        survey.updated_at = now
    ticket = session.get(Ticket, survey.ticket_id)
    if ticket is not None:
        _record(session, ticket, survey, first)
        if survey.score <= get_settings().csat_low_score and survey.review_state is None:
            _open_review(session, ticket, survey)
    session.flush()
    return survey


def _record(session: Session, ticket: Ticket, survey: CsatSurvey, first: bool) -> None:
    from ledgerdesk.tickets.services import record_event  # tickets.services imports this module

    customer = accounts.find_customer(session, survey.customer_id or 0)
    actor = accounts.customer_actor(customer) if customer else accounts.SYSTEM
    action = "csat.answered" if first else "csat.changed"
    record_event(session, actor, action, {"score": survey.score}, ticket=ticket)


def _open_review(session: Session, ticket: Ticket, survey: CsatSurvey) -> None:
    survey.review_state = "open"
    for agent_id in reviewer_ids(session, ticket.team_id):
        notify(session, agent_id, "csat_low", f"csat_low:{survey.id}", ticket_id=ticket.id)


def reviewer_ids(session: Session, team_id: int | None) -> list[int]:
    """The active admins, and the leads of ``team_id`` (every lead when there is no team)."""
    lead = Agent.role == Role.lead
    if team_id is not None:
        members = select(TeamMember.agent_id).where(TeamMember.team_id == team_id)
        lead = lead & Agent.id.in_(members)
    found = select(Agent.id).where(Agent.active.is_(True), or_(Agent.role == Role.admin, lead))
    return list(session.scalars(found.order_by(Agent.id)))


def do_review(session: Session, actor: Actor, survey_id: int, note: str) -> CsatSurvey:
    """A lead or admin marks a low-score review done, with a note."""
    accounts.require_role(actor, Role.lead, Role.admin)
    survey = session.get(CsatSurvey, survey_id)
    if survey is None or survey.review_state is None:
        raise NotFound("There is no review for this survey")
    survey.review_note = check_comment(note, MAX_NOTE, "note") or None
    survey.review_state = "done"
    survey.reviewed_by_id = actor.id
    survey.reviewed_at = utcnow()
    session.flush()
    return survey
