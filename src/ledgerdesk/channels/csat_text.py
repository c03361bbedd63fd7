"""Satisfaction surveys in a chat that has only text (Telegram, Discord): the question to
send, and reading a reply such as ``4``, ``4 quick but slow at first`` or ``5 非常好``.

The messenger bots call these (wired by the lead): after ``request_survey`` they send
``survey_prompt(ticket)``; every incoming text on a ticket with an open survey goes first to
``answer_from_text``, and only a text it did not take becomes a message.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.channels.csat import SCORE_LABELS, Answer, do_answer, is_open, survey_of
from ledgerdesk.core import i18n
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets.models import Ticket

# A score alone, or a score and then a comment after a space or punctuation. A number that
# goes on ("12", "5000 USDT", "3.5") is not a score.
_SEPARATOR = r"[\s:,.;!\-–—。，、：]"
_ANSWER = re.compile(
    rf"\s*([1-5])(?:\s*/\s*5)?(?!\d|[.,]\d){_SEPARATOR}*?(?:{_SEPARATOR}+(.*))?\s*", re.DOTALL
)
_CJK_TAIL = re.compile(
    rf"\s*([1-5])(?:\s*/\s*5)?\s*(?:分|星)?{_SEPARATOR}*([\u3400-\u9fff].*)?\s*", re.DOTALL
)


def survey_prompt(ticket: Ticket) -> str:
    """The question, in the requester's language: reply with 1–5 and an optional comment."""
    _ = i18n.translations(accounts.mail_locale(ticket.requester)).ugettext
    scale = ", ".join(f"{score} = {_(SCORE_LABELS[score])}" for score in (5, 4, 3, 2, 1))
    return "\n".join(
        [
            _("Your request #%(id)s was solved. How satisfied are you with our help?")
            % {"id": ticket.id},
            _('Reply with a number from 1 to 5, and a comment if you like (e.g. "5 fast").')
            + f" ({scale})",
            _("You can change your answer for %(days)s days.")
            % {"days": get_settings().csat_edit_days},
        ]
    )


def parse_answer(text: str) -> tuple[int, str] | None:
    """``(score, comment)`` when ``text`` is a 1–5 rating, else None."""
    text = unicodedata.normalize("NFKC", text or "")[:5000]
    found = _ANSWER.fullmatch(text) or _CJK_TAIL.fullmatch(text)
    if found is None:
        return None
    return int(found.group(1)), (found.group(2) or "").strip()


def answer_from_text(session: Session, ticket: Ticket, text: str, channel: str) -> bool:
    """Record ``text`` as the answer to the ticket's survey when it is a 1–5 rating and the
    survey is open; False (nothing recorded) otherwise, so the caller keeps it as a message."""
    parsed = parse_answer(text)
    if parsed is None:
        return False
    survey = survey_of(session, ticket.id)
    if survey is None or not is_open(survey):
        return False
    score, comment = parsed
    do_answer(session, survey, Answer(score=score, comment=comment[:2000], channel=channel))
    return True
