"""The new text of an e-mail: quoted history and signatures removed, forwarded mail kept.

Rules, not a model: every common client marks where the quoted history starts with a line of
its own (Gmail ``On … wrote:`` / ``在 … 写道：``, Outlook ``-----Original Message-----`` and the
``From: / Sent: / To: / Subject:`` block in any language, QQ and Foxmail ``原始邮件``, 163/126
``在 2026-12-06 10:00:00，"x" <x@163.com> 写道：``, German ``Am … schrieb …:``, French
``Le … a écrit :``) or quotes each line with ``>``. The libraries measured in
bench/mail_trim.py (mail-parser-reply, email-reply-parser, quotequail) miss most of the
Chinese clients' markers, so the desk keeps these rules and the corpus in
tests/channels/mail_corpus/ that holds them to account.

A forwarded message (``---------- Forwarded message ---------``, ``Begin forwarded message:``,
``转发的邮件``, or a ``Fwd:``/``FW:``/``转发:`` subject over a header block) is evidence the
customer is showing us: it is kept, not trimmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledgerdesk.channels.mail_html import QUOTE_MARK

# A reply attribution, possibly wrapped over up to three lines by the sender's client.
_ATTRIBUTION = re.compile(
    r"^(?:"
    r"On\s.{1,250}\swrote\s?:"  # Gmail, Apple Mail, Thunderbird, iOS (en)
    r"|-{2,}\s*On\s.{1,250}\swrote\s*-{2,}"  # Zoho: ---- On … wrote ----
    r"|在.{1,250}[写寫]道\s?[:：]"  # Gmail zh, 163/126, Apple zh
    r"|于.{1,250}写道\s?[:：]"
    r"|.{1,120}[于於]\s?\d{4}.{1,150}[写寫]道\s?[:：]"  # Apple/Gmail zh: "X <x> 于2026年…写道："
    r"|Am\s.{1,250}schrieb.{0,150}:"  # German
    r"|Le\s.{1,250}a\sécrit\s?:"  # French
    r"|El\s.{1,250}escribió\s?:"  # Spanish
    r"|Em\s.{1,250}escreveu\s?:"  # Portuguese
    r"|.{1,200}\d{4}.{1,100}\s(?:wrote|написал\(а\)|schreef)\s?:"  # "<date> X wrote:" orders
    r"|.{0,80}\d{4}.{1,150}<[^<>@\s]{1,64}@[^<>\s]{1,255}>\s?:"  # Yandex, Gmail ja: date, X <x@y>:
    r")\s*$",
    re.IGNORECASE,
)
# Marker lines are short; longer lines are never looked at (and no pattern below can take
# more than linear time on one: a line of 20,000 dashes is one fence, not a puzzle).
MAX_MARKER_CHARS = 300
_FENCE = "-=_ \t"
_SEPARATOR_WORDS = re.compile(
    r"Original\s+Message|Original|原始邮件|原始郵件|原邮件|Ursprüngliche\s+Nachricht"
    r"|Message\s+d'origine|Mensaje\s+original|Reply\s+message|回复的原邮件",
    re.IGNORECASE,
)
_FORWARD_WORDS = re.compile(
    r"Forwarded\s+message|转发的邮件|轉寄的郵件|原始转发邮件|Weitergeleitete\s+Nachricht"
    r"|Message\s+transféré|Mensaje\s+reenviado",
    re.IGNORECASE,
)
_FORWARD_LINE = re.compile(
    r"(?:Begin\s+forwarded\s+message|开始转发的邮件|Anfang\s+der\s+weitergeleiteten\s+Nachricht"
    r"|Début\s+du\s+message\s+réexpédié)\s*[:：]",
    re.IGNORECASE,
)


def _fenced(line: str) -> tuple[str, bool]:
    """The words between rules of dashes (``---- 原始邮件 ----``) and whether both rules are
    there (at least two of ``-``, ``=`` or ``_`` on each side)."""
    core = line.strip(_FENCE)
    left = line[: len(line) - len(line.lstrip(_FENCE))]
    right = line[len(line.rstrip(_FENCE)) :]
    rule = sum(c in "-=_" for c in left) >= 2 and sum(c in "-=_" for c in right) >= 2
    return core, rule


def _is_separator(line: str) -> bool:
    core, rule = _fenced(line)
    return rule and bool(_SEPARATOR_WORDS.fullmatch(core))


def _is_forward_marker(line: str) -> bool:
    if len(line) > MAX_MARKER_CHARS:
        return False
    core, _ = _fenced(line.strip())
    return bool(_FORWARD_WORDS.fullmatch(core) or _FORWARD_LINE.fullmatch(line.strip()))


_UNDERSCORES = re.compile(r"^\s*_{16,}\s*$")
# Where a bounce notice starts its copy of the returned message.
_RETURNED_COPY = re.compile(
    r"^\s*-{2,}\s*(?:This is a copy of the message|Below this line is a copy of the message"
    r"|Original message headers|Original message follows)",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^[*>\s]*(?:From|发件人|寄件人|寄件者|Von|De|Van|Da)\s*\**\s*[:：]")
_HEADER_OTHER = re.compile(
    r"^[*>\s]*(?:Sent|Date|To|Cc|Subject|发送时间|时间|日期|收件人|抄送|主题|寄件日期|收件者"
    r"|主旨|Gesendet|Datum|An|Betreff|Envoyé|Date|À|Objet|Enviado|Para|Asunto)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_SIGNATURE_LINE = re.compile(
    r"^\s*(?:Sent\s+from\s+(?:my\s+|Mail\s+for\s+|Yahoo\s+Mail|Outlook|Samsung|Huawei)"
    r"|Sent\s+with\s+(?:Proton\s*Mail|Spark)|Get\s+Outlook\s+for\s"
    r"|发自我的|发自\s*网易邮箱|来自\s*网易邮箱|来自我的|从我的.{1,20}发送|发自\s*Foxmail|来自\s*QQ邮箱"
    r"|發自我的|從我的.{1,20}傳送|获取\s*Outlook\s*for|Envoyé\s+de\s+mon|Von\s+meinem\s.{1,40}gesendet"
    r"|Enviado\s+desde\s+mi)",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*[-_=*~]{5,}\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$|^—\s?$")
REPLY_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:Re|回复|回覆|答复|答覆|AW|SV|VS|Antw|R|RIF)\s*[:：]",
    re.IGNORECASE,
)
_QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)+")
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)*(?:Fwd?|FW|转发|轉寄|转寄|WG|TR|RV)\s*[:：]", re.IGNORECASE
)


@dataclass(frozen=True)
class Trimmed:
    body: str
    forwarded: bool


def _joined(lines: list[str], i: int, span: int) -> str:
    return " ".join(part.strip() for part in lines[i : i + span])


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines (1-3) the attribution starting at ``i`` takes, or 0."""
    line = lines[i].strip()
    if not line or len(line) > 300 or line.startswith(">"):
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        added = lines[i + span - 1]
        if span > 1 and (not added.strip() or len(added) > MAX_MARKER_CHARS):
            break
        if _ATTRIBUTION.match(_joined(lines, i, span)):
            return span
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    others = [line for line in lines[i + 1 : i + 7] if 0 < len(line.strip()) <= MAX_MARKER_CHARS]
    return sum(1 for line in others[:5] if _HEADER_OTHER.match(line)) >= 2


def _boundary(lines: list[str]) -> tuple[int, str]:
    """The first line where history starts and its kind ('' when there is none)."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == QUOTE_MARK:
            return i, "html"
        if len(stripped) > MAX_MARKER_CHARS:
            continue
        if _is_forward_marker(stripped):
            return i, "forward"
        if _is_separator(stripped) or _UNDERSCORES.match(stripped):
            return i, "separator"
        if _RETURNED_COPY.match(stripped):
            return i, "separator"
        if _attribution_at(lines, i):
            return i, "attribution"
        if _header_block_at(lines, i):
            return i, "header"
    return len(lines), ""


def _is_forward(lines: list[str], start: int, kind: str, subject: str) -> bool:
    if kind == "forward":
        return True
    if kind == "attribution" or not kind:
        return False
    # Right after an HTML quote start or a separator, a forward marker may still follow.
    for line in lines[start + 1 : start + 4]:
        if line.strip() and _is_forward_marker(_QUOTE_PREFIX.sub("", line)):
            return True
    return bool(_FORWARD_SUBJECT.match(subject))


def _drop_signature(lines: list[str], sender: tuple[str, ...]) -> list[str]:
    for i, line in enumerate(lines):
        if _SIGNATURE_DELIMITER.match(line):
            lines = lines[:i]
            break
    # A mobile client's line ("Sent from my iPhone") near the end, and what follows it.
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content[-3:]:
        if _SIGNATURE_LINE.match(lines[i]):
            lines = lines[:i]
            break
    # Foxmail signs with the sender's own address as the last line; a rule of dashes or
    # underscores left above a quoted header block goes too.
    while lines and (
        not lines[-1].strip() or lines[-1].strip().lower() in sender or _RULE.match(lines[-1])
    ):
        lines = lines[:-1]
    return lines


def _unquoted(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.lstrip().startswith(">")]


def _normal(lines: list[str]) -> str:
    text = "\n".join(" ".join(line.split()) for line in lines if line.strip() != QUOTE_MARK)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def trim(text: str, subject: str = "", sender: tuple[str, ...] = (), reply: bool = True) -> Trimmed:
    """The new text of ``text`` (a reply's plain text, or ``html_to_text`` output).

    ``reply=False`` (no In-Reply-To, References or ``Re:`` subject): ``>`` lines with no
    attribution or separator above them are the sender's own quoting (a pasted scam message)
    and are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("&nbsp;", " ")
    lines = text.split("\n")
    start, kind = _boundary(lines)
    sender = tuple(s.strip().lower() for s in sender if s.strip())
    if _is_forward(lines, start, kind, subject):
        head = _drop_signature(_unquoted(lines[:start]), sender)
        tail = [_QUOTE_PREFIX.sub("", line) for line in lines[start:] if line.strip() != QUOTE_MARK]
        return Trimmed(_normal([*head, "", *tail]), True)
    new = _drop_signature(_unquoted(lines[:start]) if reply or kind else lines[:start], sender)
    if not _normal(new) and kind in ("attribution", "html"):
        # Bottom-posting: "On … wrote:", the >-quoted message, then the answer.
        rest = [
            line
            for i, line in enumerate(
                _unquoted(lines[start + (_attribution_at(lines, start) or 1) :])
            )
            if line.strip() != QUOTE_MARK and not (i < 3 and _attribution_at([line], 0))
        ]
        end, _ = _boundary(rest)
        new = _drop_signature(rest[:end], sender)
    return Trimmed(_normal(new), False)
