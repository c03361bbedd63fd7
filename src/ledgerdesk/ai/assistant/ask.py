"""The help center's "Ask a question" (``/help/ask``): the question passes the guard, the engine
answers or hands over, and one ``AssistantReply`` row (channel ``help``) records how — never the
question itself. The customer's "did this solve it?" answer is kept on that row."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.ai.assistant.assist import ask_engine, customer_context
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.ai.assistant.services import do_record_reply
from ledgerdesk.ai.assistant.types import Reply
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.core.text import clean
from ledgerdesk.tickets import guard

MAX_QUESTION = 2000  # characters; the form's maxlength says the same


@dataclass
class Answered:
    reply: Reply
    row: AssistantReply
    warning: str | None  # what the guard removed, said to the customer (never stored)


def check_question(text: str) -> str:
    """The question without control characters and outer spaces; refused when empty or long."""
    question = clean(text).strip()
    if not question:
        raise InvalidInput("Type your question first", field="text")
    if len(question) > MAX_QUESTION:
        raise InvalidInput(
            f"Your question is longer than {MAX_QUESTION} characters; shorten it", field="text"
        )
    return question


def _warning(guarded: guard.Guarded, locale: str) -> str | None:
    lang = "zh" if locale.startswith("zh") else "en"
    parts = []
    if guarded.scans:
        parts.append(guard.secret_warning(guarded.secret_kinds, lang))
    if guarded.any_link:
        parts.append(guard.link_warning([a for g in guarded.links.values() for a in g], lang))
    return "\n\n".join(parts) or None


def do_answer_question(
    session: Session,
    text: str,
    customer: Customer | None,
    locale: str,
    settings: Settings | None = None,
) -> Answered:
    """Answer one help-center question (``text`` as typed; guarded here before anything else
    sees it). ``customer``: the signed-in portal customer, whose account the tools may read."""
    question = check_question(text)
    guarded = guard.guard_texts(session, {"text": question})
    context = customer_context(customer, "help", locale)
    reply = ask_engine(session, guarded.texts["text"], context, settings or get_settings())
    customer_id = customer.id if customer is not None else None
    row = do_record_reply(session, reply, channel="help", customer_id=customer_id)
    return Answered(reply, row, _warning(guarded, locale))


def do_record_help_feedback(
    session: Session, reply_id: int, value: str, asked_here: list[int]
) -> AssistantReply:
    """Keep the customer's yes/no on a help-center answer. ``asked_here``: the replies this
    browser was given (from its signed session), so nobody votes on another person's answer."""
    if value not in ("yes", "no"):
        raise InvalidInput("Choose yes or no", field="helpful")
    row = session.get(AssistantReply, reply_id) if reply_id in asked_here else None
    if row is None or row.channel != "help" or not row.asked_feedback:
        raise NotFound("This answer is not one you were given here")
    if row.feedback is not None:
        raise Conflict("You already answered this question")
    row.feedback = value
    row.feedback_at = utcnow()
    return row
