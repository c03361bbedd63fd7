"""What a chat client receives for one message: a JSON-ready ``item``. The same shape goes to
the widget and the console, over the websocket and the HTTP replay (docs/chat-protocol.md)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.tickets.models import ActorKind, Message


def iso_utc(moment: datetime) -> str:
    """``2026-12-20T09:30:00.123456Z`` for a naive UTC (or aware) datetime."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def author_of(message: Message) -> dict[str, str]:
    """Who wrote it, as a client shows it: the agent's name, the customer's name (or "")."""
    name = ""
    if message.author_kind == ActorKind.agent and message.author_agent is not None:
        name = message.author_agent.name
    elif message.author_kind == ActorKind.customer and message.author_customer is not None:
        name = message.author_customer.name or ""
    return {"kind": message.author_kind.value, "name": name}


def assistant_meta(session: Session, messages: Iterable[Message]) -> dict[int, dict[str, Any]]:
    """For the assistant's messages among ``messages`` that are its replies: by message id,
    ``{"action", "asks_feedback", "citations", "language"}`` (docs/chat-protocol.md). One
    query; none when no message is the assistant's."""
    ids = [m.id for m in messages if m.author_kind == ActorKind.assistant]
    if not ids:
        return {}
    rows = session.execute(
        select(
            AssistantReply.message_id,
            AssistantReply.action,
            AssistantReply.asked_feedback,
            AssistantReply.citations,
            AssistantReply.language,
        ).where(AssistantReply.message_id.in_(ids))
    )
    return {
        message_id: {
            "action": action,
            "asks_feedback": bool(asked),
            "citations": list(citations or []),
            "language": language,
        }
        for message_id, action, asked, citations, language in rows
        if message_id is not None
    }


def message_item(
    message: Message, *, ticket_id: int, assistant: dict[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The item for ``message`` (its body was guarded when stored). An assistant's message
    carries ``assistant``: its entry in ``assistant`` (from ``assistant_meta``), or None for
    one that is not a reply of its own (the handover's "who will answer" line)."""
    item = _item(message, ticket_id)
    if message.author_kind == ActorKind.assistant:
        item["assistant"] = (assistant or {}).get(message.id)
    return item


def _item(message: Message, ticket_id: int) -> dict[str, Any]:
    return {
        "type": "message",
        "conversation": ticket_id,
        "seq": message.seq,
        "id": message.id,
        "client_id": message.client_id,
        "kind": message.kind.value,
        "author": author_of(message),
        "body": message.body,
        "created_at": iso_utc(message.created_at),
        "attachments": [
            {
                "id": attachment.id,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
            }
            for attachment in message.attachments
        ],
    }
