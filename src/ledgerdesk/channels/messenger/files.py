"""The ``messenger.telegram_file`` job: fetch a photo or document a customer sent the Telegram
bot (``getFile``, then the file itself, through the outbound-checked client) and store it, with
its caption, as one customer message on the chat's ticket.

Files get the portal's checks (type sniffed from the bytes, size limit) and the guard. A file
that is too large or of a type the desk does not keep gets a short answer in the chat instead.
Safe to run twice: the update's key is recorded with the message.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.channels.messenger import services as svc
from ledgerdesk.channels.messenger.client import Refused, RetryLater, telegram_call, telegram_file
from ledgerdesk.channels.messenger.tasks import again, record_sent, was_sent
from ledgerdesk.channels.models import MessengerChat
from ledgerdesk.core.errors import DomainError
from ledgerdesk.core.settings import get_settings
from ledgerdesk.jobs.outbox import handler
from ledgerdesk.tickets.attachments import AttachmentIn

log = logging.getLogger("ledgerdesk.messenger")


@handler(svc.FETCH_TOPIC)
def fetch_file(session: Session, payload: dict[str, Any]) -> None:
    """Download the file and add it (with the caption) to the chat's ticket, once."""
    chat = session.get(MessengerChat, int(payload["chat"]))
    key = str(payload["key"])
    if chat is None or was_sent(session, chat, key):
        return
    limit = get_settings().max_attachment_bytes
    try:
        if int(payload.get("size") or 0) > limit:
            raise Refused("telegram file: over the attachment size limit", 413)
        found = telegram_call("getFile", {"file_id": payload["file_id"]})
        path = found.get("file_path")
        if not isinstance(path, str) or not path:
            raise Refused("telegram getFile: no file_path (the file is over 20 MB)", 400)
        data = telegram_file(path, limit)
    except RetryLater as exc:
        again(session, payload, exc, topic=svc.FETCH_TOPIC)
        return
    except Refused as exc:
        log.info("messenger telegram chat #%s: file not fetched: %s", chat.id, exc)
        _refuse(session, chat)
    else:
        _store(session, chat, payload, data)
    record_sent(session, chat, key)


def _store(session: Session, chat: MessengerChat, payload: dict[str, Any], data: bytes) -> None:
    name = str(payload.get("file_name") or "file")
    body = str(payload.get("caption") or "") or f"📎 {name}"
    item = AttachmentIn(
        filename=name, content_type=str(payload.get("content_type") or ""), data=data
    )
    try:
        with session.begin_nested():
            received = svc.do_receive_text(session, chat, body, [item])
    except DomainError as exc:  # a type the desk does not keep, a file over the limit
        log.info("messenger telegram chat #%s: file refused: %s", chat.id, exc.message)
        _refuse(session, chat)
        return
    svc.acknowledge(session, received)


def _refuse(session: Session, chat: MessengerChat) -> None:
    _ = svc.gettext_for(session, chat)
    svc.queue_text(session, chat, file_refused_text(_))


def file_refused_text(_: Any) -> str:
    text: str = _(
        "We could not accept this file. Images, PDF and text files up to %(mb)s MB are "
        "accepted; please send another format or describe the problem in text."
    ) % {"mb": get_settings().max_attachment_bytes // (1024 * 1024)}
    return text
