"""Letters to the client: written from the templates in ``data/cases/letters/<language>.yaml``
(complaints and appeals each have their own), in the case's language.

Each letter is sent twice over: as an e-mail (queued in the caller's transaction, sent after
commit by the ``mail.customer`` job with the anti-phishing line) and as a public message on the
working ticket, where the customer reads it in the portal. The caller records the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai.guard.storage import guard_text
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.channels.outgoing import QueuedMail, queue_customer_mail
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import Conflict
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status, Ticket

LETTERS = (
    "acknowledgement",
    "inadmissible",
    "decision",
    "delay_notice",
    "summary_resolution",
    "closure",
)


@dataclass(frozen=True)
class Letter:
    kind: str
    subject: str
    body: str


@lru_cache(maxsize=4)
def _templates(language: str) -> dict[str, Any]:
    path = shipped_data_dir() / "cases" / "letters" / f"{language}.yaml"
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a template naming a value we do not have
        return ""


def when(moment: datetime | None, language: str) -> str:
    """A date and time as the letter prints it (UTC, said so)."""
    if moment is None:
        return ""
    if language == "zh-CN":
        return moment.strftime("%Y年%m月%d日 %H:%M") + "（UTC）"
    return moment.strftime("%d %B %Y, %H:%M") + " UTC"


def lines(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def case_url(case: Case) -> str:
    return f"{get_settings().resolved_public_url}/portal/cases/{case.id}"


def base_values(session: Session, case: Case) -> dict[str, str]:
    """What every letter may name: the client, the reference, the dates, the contact."""
    from ledgerdesk.cases.complaints import appeal_label, contact_of

    customer = accounts.get_customer(session, case.customer_id)
    _ = i18n.translations(case.language).ugettext
    complainant = case.details.get("complainant") if isinstance(case.details, dict) else None
    given = complainant.get("name") if isinstance(complainant, dict) else None
    return {
        # The name the client gave on the form, else the account's, else the address.
        "name": (given or "").strip() or customer.name or customer.email,
        "reference": case.reference,
        "subject": case.subject,
        "received": when(case.received_at, case.language),
        "due": when(case.due_at, case.language),
        "limit": when(case.limit_at, case.language),
        "contact": contact_of(session, case),
        "url": case_url(case),
        "platform": get_settings().platform_name,
        "appeal_of": _(appeal_label(case)) if case.kind == CaseKind.appeal else "",
    }


def compose(session: Session, case: Case, kind: str, values: dict[str, str]) -> Letter:
    """The letter ``kind`` of ``case`` in its language, filled with ``values``."""
    family = "appeal" if case.kind == CaseKind.appeal else "complaint"
    template = _templates(case.language)[family][kind]
    filled = _Blank({**base_values(session, case), **values})
    # What an agent typed (reasons, answers, measures) is in the letter: it goes through the
    # guard before it is e-mailed, logged or added to the ticket, like every other text.
    body = guard_text(template["body"].format_map(filled).strip())
    subject = guard_text(template["subject"].format_map(filled))
    return Letter(kind=kind, subject=str(subject), body=str(body))


def working_ticket(session: Session, case: Case) -> Ticket | None:
    return session.get(Ticket, case.ticket_id) if case.ticket_id is not None else None


def do_send_letter(session: Session, case: Case, letter: Letter) -> dict[str, Any]:
    """E-mail the letter and put it on the working ticket; returns the facts for the step."""
    facts: dict[str, Any] = {"letter": letter.kind, "subject": letter.subject}
    ticket = working_ticket(session, case)
    if ticket is not None:
        if ticket.status == Status.closed:
            raise Conflict(
                f"The working ticket #{ticket.id} is closed; the letter could not be added to it"
            )
        message = tickets.do_add_message(session, SYSTEM, ticket, letter.body)
        facts["message_id"] = message.id
    queue_customer_mail(
        session,
        QueuedMail(
            kind=f"case_{letter.kind}",
            subject=letter.subject,
            text=letter.body,
            customer_id=case.customer_id,
            locale=case.language,
        ),
    )
    return facts
