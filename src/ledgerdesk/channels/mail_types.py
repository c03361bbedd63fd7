"""What an inbound e-mail is, once parsed (``mail_parse.parse_message``): the fields the
``ledgerdesk mail parse`` contract prints, plus what the desk needs to thread and file it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Auto = Literal["auto_reply", "bounce", "feedback_report"]


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ParsedMail:
    """One RFC 5322 message. ``body`` is the new text only (quotes and signature removed,
    HTML turned into text, a forwarded message kept); ``full_text`` is the whole text part
    before trimming. Message ids are kept without angle brackets."""

    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str  # lower case; empty when the From header has no address
    from_name: str
    to: list[str]  # every recipient address: To, Cc, Delivered-To, X-Original-To
    subject: str
    body: str
    full_text: str
    auto: Auto | None
    attachments: list[ParsedAttachment]
    # Addresses a bounce or feedback report names as failing (empty otherwise).
    failed_recipients: list[str] = field(default_factory=list)
    # Loop markers: our own X-Loop / X-Ledgerdesk-Ticket seen, Auto-Submitted value, etc.
    headers: dict[str, str] = field(default_factory=dict)
    html_only: bool = False
    forwarded: bool = False

    def contract(self) -> dict[str, Any]:
        """The JSON object ``ledgerdesk mail parse`` prints for this message."""
        return {
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "from": self.from_address,
            "subject": self.subject,
            "body": self.body,
            "auto": self.auto,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in self.attachments
            ],
        }
