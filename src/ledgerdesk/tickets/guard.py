"""The guard on the way into tickets: secrets are redacted before anything is stored, links
are checked against the official domains; this module says what was found (rows of kind and
place, never the secret) and how to answer the customer in their language.
``tickets.guard_record`` stores it, flags the ticket and posts the answer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from ledgerdesk.ai.guard import WALLET_KINDS, ScanResult, language_of, scan, storage
from ledgerdesk.ai.guard.chains import lookup_for
from ledgerdesk.ai.guard.storage import GuardedText
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets.attachments import StoredFile
from ledgerdesk.tickets.models import GuardFinding, Message, Ticket

SECRET_TAG = "secret-redacted"  # noqa: S105 - a tag name
LINK_TAG = "phishing-link"
MAX_LINKS_RECORDED = 20


@dataclass
class LinkAlert:
    start: int
    end: int
    url: str
    host: str
    lookalike_of: str | None
    reasons: tuple[str, ...]


@dataclass
class Guarded:
    """Texts after the guard, and what it found in each field."""

    texts: dict[str, GuardedText]
    scans: dict[str, ScanResult] = field(default_factory=dict)
    links: dict[str, list[LinkAlert]] = field(default_factory=dict)

    @property
    def secret_kinds(self) -> list[str]:
        kinds: list[str] = []
        for result in self.scans.values():
            kinds.extend(k for k in result.kinds if k not in kinds)
        return kinds

    @property
    def any_link(self) -> bool:
        return any(self.links.values())


def _official_domains(session: Session) -> list[str]:
    from ledgerdesk.trust.services import official_domains

    return official_domains(session)


def _check_links(text: str, official: list[str]) -> list[LinkAlert]:
    from ledgerdesk.trust.lookalike import check_links

    alerts: list[LinkAlert] = []
    for link in check_links(text, official):
        if not link.verdict.suspicious:
            continue
        alerts.append(
            LinkAlert(
                link.start,
                link.end,
                link.url,
                link.verdict.host,
                link.verdict.lookalike_of,
                tuple(link.verdict.reasons),
            )
        )
    return alerts


def guard_texts(session: Session, texts: dict[str, str], *, links: bool = True) -> Guarded:
    """Scan each field (``subject``, ``body``); the returned texts are safe to store."""
    settings = get_settings()
    lookup = lookup_for(settings.guard_chain_rpc_urls)
    guarded = Guarded(texts={})
    official: list[str] | None = None
    for name, text in texts.items():
        result = scan(text, lookup=lookup)
        guarded.texts[name] = storage.guarded(result)
        if result.findings:
            guarded.scans[name] = result
        if links and ("." in text):
            if official is None:
                official = _official_domains(session)
            if official:
                found = _check_links(guarded.texts[name], official)
                if found:
                    guarded.links[name] = found
    return guarded


TEXT_ATTACHMENT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})


def guard_attachment(stored: StoredFile, data: bytes) -> tuple[StoredFile, bytes, list[ScanResult]]:
    """A text file and every file name with any secret removed (a redacted copy is stored,
    never the original; see docs/guard.md), plus what was found, for the ticket's record."""
    lookup = lookup_for(get_settings().guard_chain_rpc_urls)
    found: list[ScanResult] = []
    name = scan(stored.filename, lookup=lookup)
    if name.findings:
        found.append(name)
        stored = replace(stored, filename=name.redacted)
    if stored.content_type in TEXT_ATTACHMENT_TYPES:
        content = scan(data.decode("utf-8"), lookup=lookup)
        if content.findings:
            found.append(content)
            data = content.redacted.encode("utf-8")
            digest = hashlib.sha256(data).hexdigest()
            stored = replace(stored, size=len(data), sha256=digest)
    return stored, data, found


def finding_rows(ticket: Ticket, message: Message | None, guarded: Guarded) -> list[GuardFinding]:
    """The rows that record what was found: kind and place, never the secret."""
    now = utcnow()
    message_id = message.id if message is not None else None
    rows: list[GuardFinding] = []
    for name, result in guarded.scans.items():
        for finding in result.findings:
            detail = None
            if finding.detail:
                detail = {k: v for k, v in finding.detail.items() if k in ("ambiguous", "checksum")}
            rows.append(
                GuardFinding(
                    ticket_id=ticket.id,
                    message_id=message_id,
                    field=name,
                    kind=finding.kind,
                    start=finding.start,
                    end=finding.end,
                    detail=detail or None,
                    created_at=now,
                )
            )
    for name, alerts in guarded.links.items():
        for alert in alerts[:MAX_LINKS_RECORDED]:
            rows.append(
                GuardFinding(
                    ticket_id=ticket.id,
                    message_id=message_id,
                    field=name,
                    kind="phishing_link",
                    start=alert.start,
                    end=alert.end,
                    detail={
                        "url": alert.url[:500],
                        "host": alert.host[:255],
                        "lookalike_of": alert.lookalike_of,
                        "reasons": list(alert.reasons),
                    },
                    created_at=now,
                )
            )
    return rows


def link_hosts(guarded: Guarded) -> list[str]:
    return sorted({a.host for alerts in guarded.links.values() for a in alerts})[
        :MAX_LINKS_RECORDED
    ]


def customer_warning(ticket: Ticket, guarded: Guarded) -> str | None:
    """The automatic reply to a customer whose words held a secret or a look-alike link."""
    if not (guarded.scans or guarded.any_link):
        return None
    lang = "zh" if ticket.language.startswith("zh") else language_of(guarded.texts.get("body", ""))
    parts: list[str] = []
    if guarded.scans:
        ambiguous = any(
            f.detail and f.detail.get("ambiguous")
            for result in guarded.scans.values()
            for f in result.findings
        )
        parts.append(secret_warning(guarded.secret_kinds, lang, ambiguous_hex=ambiguous))
    if guarded.any_link:
        alerts = [a for group in guarded.links.values() for a in group]
        parts.append(link_warning(alerts, lang))
    return "\n\n".join(parts)


_KIND_NAMES = {
    "en": {
        "seed_phrase": "a seed phrase",
        "private_key": "a private key",
        "wif_key": "a private key",
        "extended_private_key": "an extended private key",
        "password": "a password",
        "otp_code": "a one-time code",
    },
    "zh": {
        "seed_phrase": "助记词",
        "private_key": "私钥",
        "wif_key": "私钥",
        "extended_private_key": "扩展私钥",
        "password": "密码",
        "otp_code": "验证码",
    },
}


def secret_warning(kinds: list[str], lang: str, *, ambiguous_hex: bool = False) -> str:
    """The automatic reply after a secret was removed from a customer's message."""
    platform = get_settings().platform_name
    names = _KIND_NAMES["zh" if lang == "zh" else "en"]
    listed = list(dict.fromkeys(names[k] for k in kinds))
    wallet = any(k in WALLET_KINDS for k in kinds)
    password = "password" in kinds
    if lang == "zh":
        lines = [
            f"为了保护您的资产，我们已从您的消息中删除了{'、'.join(listed)}，它没有被保存。",
            f"{platform} 的客服永远不会向您索要助记词、私钥、密码或验证码，"
            "任何索要这些信息的人都是骗子。",
        ]
        if wallet:
            lines.append(
                "助记词或私钥一旦发给过任何人（包括这里），请把这个钱包视为已经泄露："
                "请立即创建一个新钱包（新的助记词），并把全部资产转到新钱包，之后不要再使用旧钱包。"
            )
        if password:
            lines.append("请立即修改这个密码，并检查账户的登录设备和提币地址白名单。")
        if ambiguous_hex:
            lines.append(
                "如果您发的是交易哈希而不是私钥，请在前面加上“交易哈希：”再发一次，例如“交易哈希：0x…”。"
            )
        return "\n".join(lines)
    text = " and ".join([", ".join(listed[:-1]), listed[-1]] if len(listed) > 1 else listed)
    lines = [
        f"To protect your funds we removed {text} from your message; it was not stored.",
        f"{platform} support will never ask for your seed phrase, private keys, passwords or "
        "one-time codes. Anyone who asks for them is a scammer.",
    ]
    if wallet:
        lines.append(
            "A wallet whose seed phrase or private key has been shared with anyone (including "
            "here) must be treated as compromised: create a new wallet (with a new seed phrase) "
            "now, move all funds to it, and stop using the old one."
        )
    if password:
        lines.append(
            "Please change that password now and check your account's signed-in devices and "
            "withdrawal address whitelist."
        )
    if ambiguous_hex:
        lines.append(
            "If what you sent was a transaction hash, not a key, send it again with the word "
            "txid in front of it (txid: 0x…)."
        )
    return "\n".join(lines)


def link_warning(alerts: list[LinkAlert], lang: str) -> str:
    """The automatic reply when a customer's message links to a look-alike of our domains."""
    platform = get_settings().platform_name
    pairs = []
    for alert in alerts[:5]:
        if alert.lookalike_of:
            pairs.append((alert.host, alert.lookalike_of))
        else:
            pairs.append((alert.host, ""))
    if lang == "zh":
        lines = []
        for host, real in pairs:
            imitates = f"，它在模仿 {real}" if real else ""
            lines.append(f"您消息中的网址 {host} 不是 {platform} 的官方网站{imitates}。")
        lines.append(
            "请不要在该网站输入账号、密码或验证码，也不要连接钱包或转账。"
            "如果已经输入过，请立即修改密码并重置两步验证。"
            "您可以在本站的“官方渠道验证”页面（/verify）核实任何网址、邮箱或社交账号。"
        )
        return "\n".join(lines)
    lines = []
    for host, real in pairs:
        imitates = f"; it imitates {real}" if real else ""
        lines.append(
            f"The address {host} in your message is not an official {platform} site{imitates}."
        )
    lines.append(
        "Do not enter your login, password or codes there, and do not connect a wallet or send "
        "funds. If you already did, change your password and reset two-factor authentication "
        "now. You can check any link, e-mail address or social account on our official-channel "
        "verification page (/verify)."
    )
    return "\n".join(lines)
