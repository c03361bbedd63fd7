"""The ``messenger.send`` job: one message (or the pinned warning) to a Telegram chat or a
Discord DM channel.

Safe to run twice: every part sent is recorded in ``messenger_updates`` under the platform's
``-out`` name and the job's key, in the job's transaction, and a part already recorded is
skipped. An agent's reply or "solved" is also recorded as a ``customer.notified`` event on the
ticket, as e-mail notices are. When the platform says "too many requests" (429) or fails
(5xx, network), the job queues itself again after the wait the platform asked for
(``retry_after``); a refusal (the user blocked the bot, a deleted chat) is logged and dropped.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.messenger import services as svc
from ledgerdesk.channels.messenger.client import (
    PlatformError,
    Refused,
    RetryLater,
    discord_call,
    telegram_call,
)
from ledgerdesk.channels.messenger.discord import PENDING_DM
from ledgerdesk.channels.models import MessengerChat, MessengerUpdate
from ledgerdesk.core.clock import utcnow
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.tickets.models import ActorKind, Message, MessageKind, Status, Ticket
from ledgerdesk.tickets.services import record_event

log = logging.getLogger("ledgerdesk.messenger")
NOTIFIED = "customer.notified"  # the same event e-mail notices record
MAX_TRIES = 10
LIMITS = {"telegram": 4096, "discord": 2000}  # characters per message


@handler(svc.SEND_TOPIC)
def send_message(session: Session, payload: dict[str, Any]) -> None:
    """Send what ``payload`` names to its chat once; re-queue on a rate limit or outage."""
    chat = session.get(MessengerChat, int(payload["chat"]))
    if chat is None:
        return
    try:
        if payload["what"] == "warning":
            _send_warning(session, chat, payload)
        else:
            _send_text(session, chat, payload)
    except RetryLater as exc:
        again(session, payload, exc)
    except Refused as exc:
        log.warning("messenger %s chat #%s: dropped, %s", chat.platform, chat.id, exc)


def _send_text(session: Session, chat: MessengerChat, payload: dict[str, Any]) -> None:
    key = str(payload["key"])
    if was_sent(session, chat, key):
        return
    composed = _compose(session, chat, payload)
    if composed is None:
        return
    parts = split_text(composed, LIMITS[chat.platform])
    button = payload.get("button") or _solved_button(session, chat, payload)
    for number, part in enumerate(parts):
        part_key = f"{key}#{number}"
        if was_sent(session, chat, part_key):
            continue
        deliver(chat, part, button=button if number == len(parts) - 1 else None)
        record_sent(session, chat, part_key)
    record_sent(session, chat, key)
    if payload["what"] in ("reply", "solved"):
        ref: dict[str, int] = {
            k: int(payload[k]) for k in ("message_id", "event_id") if k in payload
        }
        ticket = _ticket_of(session, payload)
        if ticket is not None:
            after: dict[str, Any] = {"notice": payload["what"], **ref, "channel": chat.platform}
            record_event(session, SYSTEM, NOTIFIED, after, ticket=ticket)


def _compose(session: Session, chat: MessengerChat, payload: dict[str, Any]) -> str | None:
    """The text to send, or None when it no longer should be (a reply deleted, a ticket
    reopened before "solved" went out)."""
    what = payload["what"]
    if what == "text":
        return str(payload["text"])
    _ = svc.gettext_for(session, chat)
    ticket = _ticket_of(session, payload)
    if ticket is None:
        return None
    values = {**svc.platform_values(), "id": ticket.id}
    if what == "solved":
        if ticket.status not in (Status.solved, Status.closed):
            return None
        return solved_text(_, values)
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.kind != MessageKind.public:
        return None
    if message.author_kind not in (ActorKind.agent, ActorKind.system):  # system: incidents
        return None
    agent = message.author_agent.name if message.author_agent else values["platform"]
    lines = [
        _("%(agent)s (%(platform)s Support) replied to your request #%(id)s:")
        % {**values, "agent": agent},
        message.body,
    ]
    if message.attachments:
        lines.append(
            _("The agent attached %(count)s file(s); ask here if you need them another way.")
            % {"count": len(message.attachments)}
        )
    if ticket.status == Status.solved:
        lines.append(solved_text(_, values))
    return "\n\n".join(lines)


def _solved_button(session: Session, chat: MessengerChat, payload: dict[str, Any]) -> str | None:
    """Once a ticket is solved, the customer can start over with one tap."""
    if payload["what"] not in ("reply", "solved"):
        return None
    ticket = _ticket_of(session, payload)
    if ticket is None or ticket.status != Status.solved:
        return None
    return svc.new_request_label(svc.gettext_for(session, chat))


def solved_text(_: Any, values: dict[str, Any]) -> str:
    text: str = (
        _(
            "We marked your request #%(id)s as solved. If something is still not right, just "
            "write here and it opens again."
        )
        % values
    )
    return text


def _ticket_of(session: Session, payload: dict[str, Any]) -> Ticket | None:
    if "ticket_id" in payload:
        return session.get(Ticket, int(payload["ticket_id"]))
    message = session.get(Message, int(payload["message_id"]))
    return session.get(Ticket, message.ticket_id) if message is not None else None


def _send_warning(session: Session, chat: MessengerChat, payload: dict[str, Any]) -> None:
    """Send the warning and pin it; once pinned (or pinning refused), never again."""
    if chat.warning_pinned_at is not None:
        return
    sent_id = payload.get("sent_id")
    if sent_id is None:
        sent_id = deliver(chat, svc.warning_text(svc.gettext_for(session, chat)))
        payload["sent_id"] = sent_id  # a retry of the pin does not send it again
    try:
        pin(chat, sent_id)
    except Refused as exc:  # e.g. a Discord DM where the bot may not pin: the warning stands
        log.info("messenger %s chat #%s: warning sent, not pinned: %s", chat.platform, chat.id, exc)
    chat.warning_pinned_at = utcnow()


def deliver(chat: MessengerChat, text: str, *, button: str | None = None) -> str:
    """Send ``text`` (plain, no markup) to the chat; the platform's message id."""
    if chat.platform == "telegram":
        params: dict[str, Any] = {"chat_id": chat.chat_id, "text": text}
        if button:
            keyboard = [[{"text": button, "callback_data": svc.NEW_REQUEST}]]
            params["reply_markup"] = {"inline_keyboard": keyboard}
        return str(telegram_call("sendMessage", params)["message_id"])
    channel = _dm_channel(chat)
    body: dict[str, Any] = {"content": text, "allowed_mentions": {"parse": []}}
    if button:
        button_row = {"type": 2, "style": 2, "label": button, "custom_id": svc.NEW_REQUEST}
        body["components"] = [{"type": 1, "components": [button_row]}]
    return str(discord_call("POST", f"/channels/{channel}/messages", body)["id"])


def pin(chat: MessengerChat, message_id: str) -> None:
    if chat.platform == "telegram":
        params = {"chat_id": chat.chat_id, "message_id": int(message_id)}
        telegram_call("pinChatMessage", {**params, "disable_notification": True})
    else:
        discord_call("PUT", f"/channels/{_dm_channel(chat)}/messages/pins/{message_id}")


def _dm_channel(chat: MessengerChat) -> str:
    """The DM channel's id, opened first when the user has only talked to the bot in a server."""
    if chat.chat_id.startswith(PENDING_DM):
        opened = discord_call("POST", "/users/@me/channels", {"recipient_id": chat.user_id})
        if not isinstance(opened.get("id"), str):
            raise RetryLater("discord: opening the DM channel gave no id", 30)
        chat.chat_id = opened["id"]
    return chat.chat_id


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters, at line breaks if possible."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text or not parts else parts


def _out(chat: MessengerChat) -> str:
    return f"{chat.platform}-out"


def was_sent(session: Session, chat: MessengerChat, key: str) -> bool:
    found = session.scalar(
        select(MessengerUpdate.id).where(
            MessengerUpdate.platform == _out(chat), MessengerUpdate.update_id == key[:64]
        )
    )
    return found is not None


def record_sent(session: Session, chat: MessengerChat, key: str) -> None:
    session.add(MessengerUpdate(platform=_out(chat), update_id=key[:64]))
    session.flush()


def again(
    session: Session, payload: dict[str, Any], exc: PlatformError, *, topic: str = svc.SEND_TOPIC
) -> None:
    """Queue the job again after the platform's wait (at least 2, 4, 8 … s), up to MAX_TRIES."""
    tries = int(payload.get("tries", 0)) + 1
    if tries > MAX_TRIES:
        log.warning("messenger job %s: gave up after %s tries: %s", payload["key"], tries, exc)
        return
    wait = exc.retry_after if isinstance(exc, RetryLater) else 0.0
    delay = max(wait, min(2.0**tries, 600.0))
    log.info("messenger job %s: retry in %.0f s (%s)", payload["key"], delay, exc)
    enqueue(session, topic, {**payload, "tries": tries}, delay_seconds=delay)
