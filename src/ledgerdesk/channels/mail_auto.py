"""Machine mail: bounces, feedback reports and auto-replies, told apart from people's mail.

- ``bounce``: an RFC 3464 ``multipart/report; report-type=delivery-status`` whose
  recipients failed, an Exim ``X-Failed-Recipients`` header, or a non-standard notice (a
  ``MAILER-DAEMON``/``postmaster`` sender, or a bounce subject such as ``Undelivered Mail
  Returned to Sender``, ``Delivery Status Notification (Failure)``, ``Undeliverable:``,
  ``系统退信``) — with the failed addresses;
- ``feedback_report``: RFC 5965 ``multipart/report; report-type=feedback-report`` (an abuse
  complaint), with the complained-about recipient;
- ``auto_reply``: RFC 3834 ``Auto-Submitted`` other than ``no``, ``X-Autoreply``,
  ``X-Autorespond``, ``Precedence: auto_reply/bulk/junk``, or an out-of-office subject in
  English, Chinese, German or French. ``X-Auto-Response-Suppress`` alone is not a sign (Outlook
  sets it on people's mail) and neither is ``Precedence: list`` (a group address that forwards
  customers' mail to the desk adds it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses

from ledgerdesk.channels.mail_types import Auto

_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-=']{1,64}@[A-Za-z0-9.\-]{1,253}\.[A-Za-z]{2,24}")
_DAEMON = re.compile(
    r"^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|bounce[s]?|mailerdaemon|"
    r"microsoftexchange[0-9a-f]*|noreply-dmarc-support|mdaemon)$",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(r"mail delivery (?:subsystem|system)|系统退信|mailer.daemon", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:"
    r"Undeliver(?:ed|able)\b|Delivery Status Notification|Delivery (?:has )?failed"
    r"|Mail delivery failed|Returned mail|Failure notice|Mail System Error|Delivery Failure"
    r"|Message (?:not delivered|delivery failed)|Unzustellbar|Non remis|Non distribuable"
    r"|系统退信|退信|邮件投递失败|无法投递|未送达|未能送达|投递失败|Nicht zustellbar)",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^\s*(?:Re|Fwd?|FW|回复|答复|转发|AW|WG|TR|RV)\s*[:：]", re.I)
# Only markers clients put in front of the original subject, followed by a colon: a person's
# subject such as "休假回来发现账户被锁" or "On vacation and locked out" stays a person's.
_OOO_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:"
    r"Automatic reply|Auto(?:matic)?[- ]?(?:reply|response)|Autoreply|Out of (?:the )?Office"
    r"(?:\s+Auto ?Reply)?|Vacation reply|Abwesenheitsnotiz|Automatische Antwort"
    r"|Réponse automatique|Absence du bureau|Respuesta automática"
    r"|自动回复|自動回覆|自动答复|自動答覆)\s*(?:[:：]|$)",
    re.IGNORECASE,
)
_BULK_PRECEDENCE = ("auto_reply", "bulk", "junk")


def classify(
    msg: Message, header: Callable[[str], str], parts: list[Message], text: str
) -> tuple[Auto | None, list[str]]:
    """``(kind, failed recipients)`` for machine mail, ``(None, [])`` for a person's mail."""
    ctype = msg.get_content_type()
    report = str(msg.get_param("report-type") or "").lower() if ctype == "multipart/report" else ""
    if report == "delivery-status":
        failed = _dsn_recipients(parts)
        if failed or not _dsn_all_delayed(parts):
            return "bounce", failed or _addresses_in(text, header)
    if report == "feedback-report":
        return "feedback_report", _feedback_recipients(parts)
    x_failed = [a.lower() for _, a in getaddresses([header("X-Failed-Recipients")]) if "@" in a]
    sender_name, sender = _sender(header("From"))
    subject = header("Subject")
    daemon = bool(_DAEMON.match(sender.split("@", 1)[0])) or bool(_DAEMON_NAME.search(sender_name))
    bounce_subject = bool(_BOUNCE_SUBJECT.match(subject)) and not _REPLY_PREFIX.match(subject)
    if x_failed and (daemon or bounce_subject):
        return "bounce", x_failed
    if bounce_subject and (daemon or _auto_submitted(header)):
        return "bounce", x_failed or _addresses_in(text, header)
    if _auto_submitted(header) or header("X-Autoreply") or header("X-Autorespond"):
        return "auto_reply", []
    if header("Precedence").strip().lower() in _BULK_PRECEDENCE:
        return "auto_reply", []
    if _OOO_SUBJECT.match(subject):
        return "auto_reply", []
    return None, []


def _auto_submitted(header: Callable[[str], str]) -> bool:
    value = header("Auto-Submitted").split(";", 1)[0].strip().lower()
    return bool(value) and value != "no"


def _sender(value: str) -> tuple[str, str]:
    pairs = getaddresses([value])
    return (pairs[0][0], pairs[0][1].lower()) if pairs else ("", "")


def _status_blocks(parts: list[Message], ctype: str) -> list[Message]:
    blocks: list[Message] = []
    for part in parts:
        if part.get_content_type() != ctype:
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            blocks.extend(b for b in payload if isinstance(b, Message))
        elif isinstance(payload, str):  # a report the parser left as text: read it as headers
            from email import message_from_string

            for chunk in re.split(r"\n\s*\n", payload.replace("\r\n", "\n")):
                blocks.append(message_from_string(chunk.strip() + "\n"))
    return blocks


def _field_address(value: object) -> str:
    text = str(value or "").split(";", 1)[-1].strip().strip("<>").lower()
    return text if _ADDRESS.fullmatch(text) else ""


def _dsn_recipients(parts: list[Message]) -> list[str]:
    failed: list[str] = []
    for block in _status_blocks(parts, "message/delivery-status"):
        action = str(block.get("Action") or "").strip().lower()
        status = str(block.get("Status") or "").strip()
        address = _field_address(block.get("Final-Recipient") or block.get("Original-Recipient"))
        if address and (action == "failed" or (not action and status.startswith("5"))):
            if address not in failed:
                failed.append(address)
    return failed


def _dsn_all_delayed(parts: list[Message]) -> bool:
    actions = [
        str(b.get("Action") or "").strip().lower()
        for b in _status_blocks(parts, "message/delivery-status")
        if b.get("Final-Recipient")
    ]
    return bool(actions) and all(
        a in ("delayed", "delivered", "relayed", "expanded") for a in actions
    )


def _feedback_recipients(parts: list[Message]) -> list[str]:
    found: list[str] = []
    for block in _status_blocks(parts, "message/feedback-report"):
        for name in ("Original-Rcpt-To", "Removal-Recipient"):
            for value in block.get_all(name, []):
                address = _field_address(value)
                if address and address not in found:
                    found.append(address)
    if not found:  # no Original-Rcpt-To: the complained message's To header
        for part in parts:
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                inner = part.get_payload()
                head = inner[0] if isinstance(inner, list) and inner else None
                if isinstance(head, Message):
                    found = [a.lower() for _, a in getaddresses([str(head.get("To", ""))]) if a]
                break
    return found


def _addresses_in(text: str, header: Callable[[str], str]) -> list[str]:
    """The addresses a non-standard bounce names, before the returned message starts."""
    own = {a.lower() for _, a in getaddresses([header("From"), header("To")])}
    text = text[:20_000]  # a notice names its addresses near the top
    cut = re.search(
        r"^.*(?:original message|returned message|message headers|邮件头|原邮件|原始邮件|"
        r"-{3,}\s*(?:Below|This is a copy)).*$",
        text,
        re.IGNORECASE | re.MULTILINE,
    )
    head = text[: cut.start()] if cut else text
    found: list[str] = []
    for address in _ADDRESS.findall(head):
        address = address.lower()
        local = address.split("@", 1)[0]
        if address in own or _DAEMON.match(local) or address in found:
            continue
        found.append(address)
    return found[:20]
