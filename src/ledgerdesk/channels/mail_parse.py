"""Parse one inbound RFC 5322 message into a ``ParsedMail``.

The standard library's ``email`` package (policy ``default``) decodes headers, charsets and
MIME parts. Recognising machine mail (RFC 3464 delivery reports, RFC 5965 feedback reports,
RFC 3834 auto-replies) and trimming quoted history happen here.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import ClassVar

from ledgerdesk.channels.mail_types import Auto, ParsedAttachment, ParsedMail

_ID = re.compile(r"<([^<>\s]+)>")
MAX_ID_CHARS = 255


def clean_id(value: str) -> str:
    """A Message-ID without angle brackets or spaces, cut to what we store."""
    found = _ID.search(value or "")
    raw = found.group(1) if found else (value or "").strip().strip("<>").split()[0:1]
    text = raw if isinstance(raw, str) else (raw[0] if raw else "")
    return text[:MAX_ID_CHARS]


def ids_in(value: str) -> list[str]:
    return [found[:MAX_ID_CHARS] for found in _ID.findall(value or "")]


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, IndexError, TypeError):  # a header the policy cannot parse
        raw = msg.get_all(name, failobj=[])
        value = raw[0] if raw else None
    return " ".join(str(value).split()) if value is not None else ""


def parse_message(raw: bytes) -> ParsedMail:
    """Parse ``raw``; never raises on malformed input (missing parts become empty)."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    name, address = parseaddr(_header(msg, "From"))
    recipients = [
        addr.lower()
        for _, addr in getaddresses(
            [
                _header(msg, h)
                for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
                if _header(msg, h)
            ]
        )
        if addr
    ]
    text, html_only = _text_of(msg)
    attachments = _attachments(msg)
    auto, failed = _classify(msg)
    body = trim_reply(text)
    headers = {
        key.lower(): _header(msg, key)
        for key in (
            "Auto-Submitted",
            "Precedence",
            "X-Loop",
            "X-Autoreply",
            "X-Auto-Response-Suppress",
            "X-Ledgerdesk-Ticket",
            "List-Id",
            "Return-Path",
        )
        if _header(msg, key)
    }
    return ParsedMail(
        message_id=clean_id(_header(msg, "Message-ID")),
        in_reply_to=clean_id(_header(msg, "In-Reply-To")),
        references=ids_in(_header(msg, "References")),
        from_address=address.lower(),
        from_name=name,
        to=recipients,
        subject=_header(msg, "Subject"),
        body=body,
        full_text=text,
        auto=auto,
        attachments=attachments,
        failed_recipients=failed,
        headers=headers,
        html_only=html_only,
    )


def _text_of(msg: EmailMessage) -> tuple[str, bool]:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return "", False
    content = _content(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content), True
    return content, False


def _content(part: Message) -> str:
    try:
        value = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\r\n", "\n")


def _attachments(msg: EmailMessage) -> list[ParsedAttachment]:
    found = []
    for part in msg.iter_attachments():
        if part.get_content_maintype() == "multipart":
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = str(part.get_payload()).encode()
        found.append(
            ParsedAttachment(
                filename=part.get_filename() or "attachment",
                content_type=part.get_content_type(),
                data=data,
            )
        )
    return found


def _classify(msg: EmailMessage) -> tuple[Auto | None, list[str]]:
    ctype = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if ctype == "multipart/report" and str(report).lower() == "delivery-status":
        return "bounce", _dsn_recipients(msg)
    if ctype == "multipart/report" and str(report).lower() == "feedback-report":
        return "feedback_report", []
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply", []
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return "auto_reply", []
    if _header(msg, "Precedence").lower() in ("auto_reply", "bulk", "junk"):
        return "auto_reply", []
    return None, []


def _dsn_recipients(msg: EmailMessage) -> list[str]:
    failed: list[str] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            action = str(block.get("Action") or "").lower()
            if recipient and action in ("failed", ""):
                failed.append(recipient.split(";", 1)[-1].strip().lower())
    return failed


_QUOTE_HEADER = re.compile(r"^\s*On .+wrote:\s*$|^\s*在.+写道[:：]\s*$", re.MULTILINE)


def trim_reply(text: str) -> str:
    """The new text of a reply: lines up to the first quote header or quoted block."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if _QUOTE_HEADER.match(line) or line.startswith(">"):
            break
        if line.rstrip() == "--":
            break
        kept.append(line)
    return "\n".join(kept).strip()


class _Text(HTMLParser):
    _BLOCK: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    )
    _SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: no markup, scripts or styles survive."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\xa0]+", " ", text)
    return re.sub(r"\n\s*\n\s*\n+", "\n\n", text).strip()
