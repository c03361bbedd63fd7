"""Discord interactions (https://discord.com/developers/docs/interactions/receiving-and-responding)
received at the application's Interactions Endpoint URL.

Every request is verified first: an Ed25519 signature by the application's key over
``X-Signature-Timestamp + body``, with a timestamp inside the replay window. Handled: PING,
the ``/support message:<text>`` slash command (in a DM with the bot or in a server) and the
"start a new request" button. Answers are ephemeral (only the user sees them); the console's
replies arrive later as DMs from the bot. One chat row per Discord user: the DM channel's id,
or ``user:<id>`` until the first DM is opened (``tasks.py`` opens it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.channels.messenger import services as svc
from ledgerdesk.channels.models import MessengerChat
from ledgerdesk.core.errors import DomainError, InvalidInput, NotAuthenticated, NotFound
from ledgerdesk.core.settings import Settings

PLATFORM = "discord"
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT = 1, 2, 3
PONG, CHANNEL_MESSAGE = 1, 4
EPHEMERAL = 64
COMMAND = "support"
PENDING_DM = "user:"  # chat_id prefix until the bot has opened a DM channel with the user


def verify(settings: Settings, signature: str | None, timestamp: str | None, body: bytes) -> None:
    """Raise unless the request was signed by the application's key, recently."""
    if not settings.discord_public_key:
        raise NotFound("The Discord bot is not configured")
    if not signature or not timestamp:
        raise NotAuthenticated("Missing X-Signature-Ed25519 or X-Signature-Timestamp")
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(settings.discord_public_key))
        key.verify(bytes.fromhex(signature), timestamp.encode() + body)
    except (ValueError, InvalidSignature):
        raise NotAuthenticated("Invalid request signature") from None
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        raise NotAuthenticated("X-Signature-Timestamp is not a Unix time") from None
    if age > settings.discord_replay_seconds:
        raise NotAuthenticated("The request's timestamp is outside the replay window")


def handle_interaction(session: Session, interaction: dict[str, Any]) -> dict[str, Any]:
    """Handle one verified interaction in the caller's transaction; the response body."""
    kind = interaction.get("type")
    if kind == PING:
        return {"type": PONG}
    sender = _sender(interaction)
    interaction_id = interaction.get("id")
    if not isinstance(interaction_id, str) or not interaction_id:
        raise InvalidInput("An interaction needs an id", field="id")
    chat = _chat(session, sender)
    _ = svc.gettext_for(session, chat)
    if not svc.mark_update(session, PLATFORM, interaction_id):
        return _ephemeral(received_text(_, chat.ticket_id or 0))
    if kind == MESSAGE_COMPONENT and _data(interaction).get("custom_id") == svc.NEW_REQUEST:
        svc.do_detach(chat)
        return _ephemeral(svc.new_request_answer(_))
    text = _command_text(interaction) if kind == APPLICATION_COMMAND else None
    if text is None:
        return _ephemeral(help_text(_))
    return _ephemeral("\n\n".join(_support(session, chat, text, _)))


def _support(
    session: Session, chat: MessengerChat, text: str, _: Callable[[str], str]
) -> list[str]:
    """Add the command's text to the user's ticket; the lines of the answer."""
    lines: list[str] = []
    if chat.warning_pinned_at is None:  # the first contact: the warning comes first
        lines.append(svc.warning_text(_))
        svc.queue_warning(session, chat)
    if svc.do_answer_survey(session, chat, text):
        return [*lines, svc.survey_thanks_text(_)]
    try:
        with session.begin_nested():
            received = svc.do_receive_text(session, chat, text)
    except DomainError:
        return [*lines, svc.rejected_text(_)]
    lines.append(received_text(_, received.ticket.id))
    if received.redacted:
        lines.append(svc.redacted_text(_))
    return lines


def received_text(_: Callable[[str], str], ticket_id: int) -> str:
    return _(
        "Received: your request is #%(id)s. Our replies arrive as direct messages from this bot."
    ) % {"id": ticket_id}


def help_text(_: Callable[[str], str]) -> str:
    return _(
        "Use /support with your message, for example: /support message: my deposit has not arrived."
    )


def _ephemeral(content: str) -> dict[str, Any]:
    return {
        "type": CHANNEL_MESSAGE,
        "data": {"content": content[:2000], "flags": EPHEMERAL, "allowed_mentions": {"parse": []}},
    }


def _chat(session: Session, sender: svc.Sender) -> MessengerChat:
    """The user's one chat row; a DM channel id seen now replaces a pending one."""
    chat = session.scalar(
        select(MessengerChat)
        .where(MessengerChat.platform == PLATFORM, MessengerChat.user_id == sender.user_id)
        .order_by(MessengerChat.id)
        .limit(1)
    )
    if chat is None:
        chat, _new = svc.chat_for(session, sender)
        return chat
    svc.customer_for(session, sender)  # name and language kept up to date
    if chat.chat_id.startswith(PENDING_DM) and not sender.chat_id.startswith(PENDING_DM):
        chat.chat_id = sender.chat_id
    chat.username = sender.username[:200]
    return chat


def _sender(interaction: dict[str, Any]) -> svc.Sender:
    member = interaction.get("member")
    user = interaction.get("user")
    if not isinstance(user, dict) and isinstance(member, dict):
        user = member.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise InvalidInput("The interaction names no user", field="user")
    if user.get("bot"):
        raise InvalidInput("Bots cannot open requests", field="user")
    in_dm = "guild_id" not in interaction and isinstance(interaction.get("channel_id"), str)
    chat_id = interaction["channel_id"] if in_dm else PENDING_DM + user["id"]
    username = str(user.get("username") or "")
    locale = interaction.get("locale")
    return svc.Sender(
        platform=PLATFORM,
        chat_id=chat_id,
        user_id=user["id"],
        name=str(user.get("global_name") or username or f"Discord {user['id']}"),
        username=username,
        locale=locale if isinstance(locale, str) and locale[:2] in ("zh", "en") else None,
    )


def _data(interaction: dict[str, Any]) -> dict[str, Any]:
    data = interaction.get("data")
    return data if isinstance(data, dict) else {}


def _command_text(interaction: dict[str, Any]) -> str | None:
    data = _data(interaction)
    if data.get("name") != COMMAND:
        return None
    for option in data.get("options") or []:
        if isinstance(option, dict) and option.get("name") == "message":
            value = option.get("value")
            return value if isinstance(value, str) and value.strip() else None
    return None
