"""Parse one inbound RFC 5322 message into a ``ParsedMail``; never raises.

The standard library's ``email`` parser (policy ``compat32``, which keeps malformed headers as
written instead of raising on access) splits the MIME tree; this module decodes headers and
bodies itself, because mail from Chinese clients routinely declares the wrong charset (GB2312
for GBK text, or none at all) and puts raw 8-bit text in headers. ``mail_html`` turns HTML
into safe text, ``mail_quotes`` keeps the new text only, ``mail_auto`` recognises machine mail.
"""

from __future__ import annotations

import re
from email import message_from_bytes
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from ledgerdesk.channels.mail_auto import classify
from ledgerdesk.channels.mail_html import html_to_text
from ledgerdesk.channels.mail_quotes import REPLY_SUBJECT, trim
from ledgerdesk.channels.mail_types import ParsedAttachment, ParsedMail

__all__ = ["clean_id", "decode_bytes", "html_to_text", "ids_in", "parse_message", "trim_reply"]

_ID = re.compile(r"<([^<>\s]+)>")
MAX_ID_CHARS = 255
MAX_HEADER_CHARS = 16_384  # one header's decoded text; longer ones are cut
MAX_PARTS = 500  # MIME parts looked at; a message with more is read up to there
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "x-euc-cn": "gb18030", "gb_2312-80": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
    "unicode-1-1-utf-7": "utf-7", "utf8": "utf-8", "shift-jis": "cp932", "shift_jis": "cp932",
    "x-sjis": "cp932", "iso-2022-jp": "iso2022_jp_ext",
}  # fmt: skip
_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufeff]")
_HEADERS_KEPT = (
    "Auto-Submitted", "Precedence", "X-Loop", "X-Autoreply", "X-Autorespond",
    "X-Auto-Response-Suppress", "X-Ledgerdesk-Ticket", "List-Id", "Return-Path",
    "X-Failed-Recipients",
)  # fmt: skip


def clean_id(value: str) -> str:
    """A Message-ID without angle brackets or spaces, cut to what we store."""
    found = _ID.search(value or "")
    if found:
        return found.group(1)[:MAX_ID_CHARS]
    words = (value or "").strip().strip("<>").split()
    return words[0][:MAX_ID_CHARS] if words else ""


def ids_in(value: str) -> list[str]:
    found = [item[:MAX_ID_CHARS] for item in _ID.findall(value or "")]
    return found or [w.strip("<>,")[:MAX_ID_CHARS] for w in (value or "").split() if "@" in w]


def trim_reply(text: str) -> str:
    """The new text of a reply's plain text (``mail_quotes.trim``; kept for callers of the
    first version)."""
    return trim(text).body


def safe_text(text: str) -> str:
    """``text`` without control characters, lone surrogates or byte-order marks."""
    return _UNSAFE.sub("", text)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of ``data`` in its declared charset, or the first that fits when the declared one
    is unknown or wrong (GB2312 declared for GBK text, UTF-8 sent as Latin-1, …)."""
    declared = (charset or "").strip().strip('"').lower()
    tried = [_ALIASES.get(declared, declared)] if declared else []
    for name in [*tried, *_FALLBACKS]:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode(tried[0] if tried and _known(tried[0]) else "utf-8", "replace")


def _known(name: str) -> bool:
    try:
        b"".decode(name)
    except LookupError:
        return False
    return True


def decode_header_value(value: object) -> str:
    """A header's text: encoded-words decoded in their charsets, raw 8-bit text guessed."""
    raw = str(value or "")[:MAX_HEADER_CHARS]
    raw = re.sub(r"(\?=)\s+(=\?)", r"\1\2", raw)  # whitespace between encoded-words
    try:
        pieces = decode_header(raw)
    except Exception:
        pieces = [(raw, None)]
    out: list[str] = []
    for piece, charset in pieces:
        if isinstance(piece, str):
            out.append(_from_surrogates(piece))
        else:
            out.append(decode_bytes(piece, charset))
    return safe_text(" ".join("".join(out).split()))


def _from_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes; decode them as text."""
    if not re.search(r"[\udc80-\udcff]", text):
        return text
    return decode_bytes(text.encode("ascii", "surrogateescape"))


def _headers(msg: Message) -> dict[str, str]:
    """The first value of each header (names in lower case)."""
    found: dict[str, str] = {}
    try:
        items = msg.raw_items()
    except Exception:
        return found
    for count, (name, value) in enumerate(items):
        if count > 2000:
            break
        key = str(name).lower()
        if key not in found:
            found[key] = str(value)
    return found


def parse_message(raw: bytes) -> ParsedMail:
    """Parse ``raw``; never raises (an unreadable message gives empty fields)."""
    try:
        return _parse(raw)
    except Exception:
        return _empty(raw)


def _empty(raw: bytes) -> ParsedMail:
    text = safe_text(decode_bytes(raw[:65536])) if raw else ""
    return ParsedMail(
        message_id="", in_reply_to="", references=[], from_address="", from_name="", to=[],
        subject="", body="", full_text=text, auto=None, attachments=[],
    )  # fmt: skip


def _parse(raw: bytes) -> ParsedMail:
    msg = message_from_bytes(raw)
    headers = _headers(msg)

    def header(name: str) -> str:
        return decode_header_value(headers.get(name.lower(), ""))

    from_name, from_address = _first_address(header("From"))
    recipients = [
        addr.lower()
        for _, addr in getaddresses(
            [header(h) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]
        )
        if "@" in addr
    ]
    subject = header("Subject")
    parts = _leaves(msg)
    text, html_only, body_parts = _body_text(msg, parts)
    attachments = _attachments(parts, body_parts)
    auto, failed = classify(msg, header, parts, text)
    if auto is None:
        reply = bool(
            headers.get("in-reply-to") or headers.get("references") or REPLY_SUBJECT.match(subject)
        )
        trimmed = trim(text, subject, (from_address,), reply)
        body, forwarded = trimmed.body, trimmed.forwarded
    else:
        body, forwarded = trim(text, "", ()).body, False
    evidence = _rfc822_evidence(msg) if auto is None else ""
    if evidence:
        forwarded = True
        body = f"{body}\n\n{evidence}".strip()
    return ParsedMail(
        message_id=clean_id(header("Message-ID")),
        in_reply_to=clean_id(header("In-Reply-To")),
        references=ids_in(header("References"))[:100],
        from_address=from_address,
        from_name=from_name,
        to=recipients[:100],
        subject=subject,
        body=safe_text(body),
        full_text=safe_text(text),
        auto=auto,
        attachments=attachments,
        failed_recipients=failed,
        headers={k.lower(): header(k) for k in _HEADERS_KEPT if header(k)},
        html_only=html_only,
        forwarded=forwarded,
    )


def _first_address(value: str) -> tuple[str, str]:
    pairs = [(n, a) for n, a in getaddresses([value]) if "@" in a]
    if not pairs:
        return "", ""
    name, address = pairs[0]
    return safe_text(name.strip()), address.strip().lower()


def _leaves(msg: Message) -> list[Message]:
    """The message's non-multipart parts in order (not inside attached messages)."""
    found: list[Message] = []
    pending: list[Message] = [msg]
    while pending and len(found) < MAX_PARTS:
        part = pending.pop(0)
        payload = part.get_payload()
        if part.is_multipart() and part.get_content_type().startswith("multipart/"):
            children = [p for p in payload if isinstance(p, Message)] if payload else []
            pending[0:0] = children
        else:
            found.append(part)
    return found


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
    return disposition == "attachment" or bool(part.get_filename()) or bool(part.get_param("name"))


def _body_text(msg: Message, parts: list[Message]) -> tuple[str, bool, list[Message]]:
    """The body's text (plain preferred, else HTML as text), whether it came from HTML only,
    and the parts that make up the body.

    Apple Mail puts text written after a pasted image in a second text part of the same
    ``multipart/mixed``: later inline parts of the chosen kind (plain or HTML) are added."""
    candidates = [
        p for p in parts if p.get_content_type() in ("text/plain", "text/html")
        and not _is_attachment(p)
    ]  # fmt: skip
    texts: list[str] = []
    body_parts: list[Message] = []
    kind = ""
    for candidate in candidates:
        if any(candidate is b for b in body_parts):
            continue
        group = _alternatives(msg, candidate) or [candidate]
        body_parts.extend(p for p in group if p.get_content_type().startswith("text/"))
        plain = next((p for p in group if p.get_content_type() == "text/plain"), None)
        html = next((p for p in group if p.get_content_type() == "text/html"), None)
        text = _content(plain) if plain is not None else ""
        if plain is not None and (text.strip() or html is None):
            chosen = "plain"
        elif html is not None:
            chosen, text = "html", html_to_text(_content(html))
        else:
            continue
        if kind and chosen != kind:
            continue  # a plain and an HTML copy side by side in one multipart/mixed
        kind = kind or chosen
        texts.append(text.strip("\n"))
    return "\n\n".join(t for t in texts if t.strip()), kind == "html", body_parts


def _alternatives(msg: Message, part: Message) -> list[Message]:
    """The leaves of the multipart/alternative that holds ``part``, if any."""
    for container in msg.walk():
        if container.get_content_type() != "multipart/alternative":
            continue
        leaves = _leaves(container)
        if any(leaf is part for leaf in leaves):
            return leaves
    return []


def _content(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        data = str(part.get_payload() or "").encode("utf-8", "surrogateescape")
    text = decode_bytes(data, part.get_content_charset())
    return safe_text(text.replace("\r\n", "\n"))


def _attachments(parts: list[Message], body_parts: list[Message]) -> list[ParsedAttachment]:
    found: list[ParsedAttachment] = []
    for part in parts:
        if any(part is b for b in body_parts):
            continue
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/feedback-report"):
            continue
        if ctype.startswith("text/") and not _is_attachment(part):
            continue
        if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            continue  # kept as evidence in the body (forwarded) or part of a report
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        found.append(ParsedAttachment(filename=_filename(part), content_type=ctype, data=data))
    return found


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 value collapse_rfc2231_value did not resolve
        name = decode_bytes(str(name[2]).encode("latin-1", "replace"), name[0])
    text = decode_header_value(name)
    text = text.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return text[:255] or "attachment"


def _rfc822_evidence(msg: Message) -> str:
    """Attached messages (``message/rfc822``), written out as forwarded text."""
    blocks: list[str] = []
    for part in msg.walk():
        if part.get_content_type() != "message/rfc822" or len(blocks) >= 5:
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            continue
        head = _headers(inner)
        lines = ["---------- Forwarded message ---------"]
        for name in ("From", "Date", "Subject", "To"):
            value = decode_header_value(head.get(name.lower(), ""))
            if value:
                lines.append(f"{name}: {value}")
        text, _, _ = _body_text(inner, _leaves(inner))
        blocks.append("\n".join(lines) + "\n\n" + text.strip())
    return "\n\n".join(blocks)
