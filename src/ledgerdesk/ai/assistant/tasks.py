"""The assistant's job: ``assistant.reply`` answers one customer message after its commit.

``queue_reply`` is called by the entry points that store a customer's message of a
conversation the assistant may answer (live chat's ``send_customer_message``; a new portal
request and a portal reply), in the same transaction, so the job exists exactly when the
message does."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.services import do_assistant_turn, is_assistants
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import Ticket

TOPIC = "assistant.reply"


def queue_reply(session: Session, ticket: Ticket, message_id: int) -> bool:
    """Queue the assistant's answer to ``message_id`` when the assistant is on and the ticket
    is still its own; returns whether it was queued."""
    if not get_settings().assistant_enabled or not is_assistants(session, ticket):
        return False
    enqueue(session, TOPIC, {"message_id": int(message_id)})
    return True


@handler(TOPIC)
def assistant_reply_job(session: Session, payload: dict[str, Any]) -> None:
    """Answer one customer message (safe to run twice: see ``do_assistant_turn``)."""
    do_assistant_turn(session, int(payload["message_id"]))
