"""Telegram Bot API updates (https://core.telegram.org/bots/api#update) received by webhook.

Handled: ``message`` and ``edited_message`` in private chats (text, or a caption on a photo or
document), ``/start``, and ``callback_query`` from the bot's inline button. Other update types
are acknowledged and ignored. Each ``update_id`` is handled once. Groups get one polite line
(only when someone addresses the bot with a command) and are otherwise ignored: support happens
in a private chat only.
"""

from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.channels.messenger import services as svc
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import (
    DomainError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
)
from ledgerdesk.core.settings import Settings
from ledgerdesk.jobs.outbox import enqueue

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
EDITED_MARK = "✏️ "


def check_secret(settings: Settings, given: str | None) -> None:
    """The webhook is on only with a secret, and every update must carry it."""
    expected = settings.telegram_webhook_secret
    if not expected:
        raise NotFound("The Telegram bot is not configured")
    if not given:
        raise NotAuthenticated(f"Missing {SECRET_HEADER}")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise NotPermitted(f"Wrong {SECRET_HEADER}")


def handle_update(session: Session, update: dict[str, Any]) -> dict[str, Any]:
    """Handle one update in the caller's transaction. Returns the webhook's answer: ``{}``, or
    a Bot API method call Telegram performs for us (the polite line in a group)."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise InvalidInput("An update needs an integer update_id", field="update_id")
    if not svc.mark_update(session, PLATFORM, str(update_id)):
        return {}
    if isinstance(update.get("callback_query"), dict):
        return _callback(session, update["callback_query"])
    edited = "message" not in update and isinstance(update.get("edited_message"), dict)
    message = update.get("message") if not edited else update.get("edited_message")
    if not isinstance(message, dict):
        return {}
    chat = _dict(message.get("chat"), "chat")
    if chat.get("type") != "private":
        return _group(chat, message)
    return _private(session, message, edited=edited, update_id=update_id)


def _private(
    session: Session, message: dict[str, Any], *, edited: bool, update_id: int
) -> dict[str, Any]:
    sender = _sender(message)
    if sender is None:  # a channel post or an anonymous admin: nobody to answer
        return {}
    chat, new = svc.chat_for(session, sender)
    _ = svc.gettext_for(session, chat)
    if new:
        svc.queue_warning(session, chat)
    text = message.get("text") if isinstance(message.get("text"), str) else None
    if text is None and isinstance(message.get("caption"), str):
        text = message["caption"]
    has_file = any(isinstance(message.get(k), (dict, list)) for k in _FILE_KINDS)
    if text is not None and text.strip().split(" ", 1)[0].split("@", 1)[0] == "/start":
        svc.queue_text(session, chat, svc.welcome_text(_), button=svc.new_request_label(_))
        return {}
    wanted = _wanted_file(message)
    if wanted is not None:  # fetched by a job, stored with the caption as one message
        caption = (EDITED_MARK + text if edited else text) if text and text.strip() else ""
        enqueue(
            session,
            svc.FETCH_TOPIC,
            {"chat": chat.id, "key": f"file:{update_id}", "caption": caption, **wanted},
        )
        return {}
    if has_file:
        svc.queue_text(session, chat, files_text(_))
    if text is None or not text.strip():
        return {}
    if not edited and svc.do_answer_survey(session, chat, text):
        svc.queue_text(session, chat, svc.survey_thanks_text(_))
        return {}
    try:
        with session.begin_nested():
            received = svc.do_receive_text(session, chat, EDITED_MARK + text if edited else text)
    except DomainError:
        svc.queue_text(session, chat, svc.rejected_text(_))
        return {}
    svc.acknowledge(session, received)
    return {}


def _wanted_file(message: dict[str, Any]) -> dict[str, Any] | None:
    """The photo (its largest size) or document to fetch, or None (stickers, voice …)."""
    photo = message.get("photo")
    if isinstance(photo, list) and photo and all(isinstance(p, dict) for p in photo):
        largest = max(photo, key=lambda p: int(p.get("file_size") or 0))
        name = f"photo-{largest.get('file_unique_id', 'telegram')}.jpg"
        return _file_fields(largest, name, "image/jpeg")
    document = message.get("document")
    if isinstance(document, dict):
        name = str(document.get("file_name") or "document")
        return _file_fields(document, name, str(document.get("mime_type") or ""))
    return None


def _file_fields(item: dict[str, Any], name: str, content_type: str) -> dict[str, Any] | None:
    file_id = item.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        return None
    size = item.get("file_size")
    return {
        "file_id": file_id,
        "file_name": name[:200],
        "content_type": content_type[:100],
        "size": size if isinstance(size, int) else 0,
    }


_FILE_KINDS = ("photo", "document", "video", "voice", "audio", "sticker", "video_note")


def files_text(_: Any) -> str:
    text: str = _(
        "Files cannot be received in this chat. Please describe the problem in text; an agent "
        "will tell you where to send documents if they are needed."
    )
    return text


def _callback(session: Session, query: dict[str, Any]) -> dict[str, Any]:
    """The inline button: detach the chat from its ticket and stop the button's spinner."""
    message = query.get("message")
    chat_info = message.get("chat") if isinstance(message, dict) else None
    answer: dict[str, Any] = {"method": "answerCallbackQuery", "callback_query_id": query.get("id")}
    if not isinstance(chat_info, dict) or chat_info.get("type") != "private":
        return answer
    chat = svc.find_chat(session, PLATFORM, str(chat_info.get("id")))
    if chat is None or query.get("data") != svc.NEW_REQUEST:
        return answer
    svc.do_detach(chat)
    answer["text"] = svc.new_request_answer(svc.gettext_for(session, chat))
    return answer


def _group(chat: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """Answer a command in a group once, pointing to a private chat; ignore the chatter."""
    text = message.get("text")
    if not isinstance(text, str) or not text.startswith("/"):
        return {}
    who = message.get("from")
    _ = i18n.translations(_locale(who) or "en").ugettext
    return {
        "method": "sendMessage",
        "chat_id": chat.get("id"),
        "text": group_text(_),
    }


def group_text(_: Any) -> str:
    text: str = (
        _(
            "For your privacy, %(platform)s Support only answers in a private chat. Please message "
            "this bot directly; never share account details in a group."
        )
        % svc.platform_values()
    )
    return text


def _sender(message: dict[str, Any]) -> svc.Sender | None:
    who = message.get("from")
    if not isinstance(who, dict) or who.get("is_bot") or not isinstance(who.get("id"), int):
        return None
    first, last = str(who.get("first_name") or ""), str(who.get("last_name") or "")
    username = str(who.get("username") or "")
    name = " ".join(part for part in (first, last) if part) or username
    return svc.Sender(
        platform=PLATFORM,
        chat_id=str(_dict(message.get("chat"), "chat").get("id")),
        user_id=str(who["id"]),
        name=name or f"Telegram {who['id']}",
        username=username,
        locale=_locale(who),
    )


def _locale(who: Any) -> str | None:
    code = who.get("language_code") if isinstance(who, dict) else None
    return i18n.normalise_locale(code) if isinstance(code, str) else None


def _dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"The update's {name} must be an object", field=name)
    return value
