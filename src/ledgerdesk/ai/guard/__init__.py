"""The secret guard: every text a customer sends passes ``scan`` before it is stored.

It finds seed phrases (every BIP39 wordlist, Chinese included, however laid out, one typo
allowed), raw private keys, WIF and extended private keys, and passwords and one-time codes
typed next to their names; it keeps what support needs (transaction hashes, addresses, order
numbers, memos). Each finding is replaced in place by a marker naming what was removed; the
finding records the kind and the offsets in the original text, never the secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ledgerdesk.ai.guard.creds import find_credentials
from ledgerdesk.ai.guard.keys import TxLookup, find_keys
from ledgerdesk.ai.guard.seed import find_seed_phrases
from ledgerdesk.ai.guard.textprep import prepare

KINDS = (
    "seed_phrase",
    "private_key",
    "wif_key",
    "extended_private_key",
    "password",
    "otp_code",
)
# Wallet secrets: whoever has one controls the funds.
WALLET_KINDS = frozenset({"seed_phrase", "private_key", "wif_key", "extended_private_key"})
# Stronger kinds win when two findings overlap.
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

_MARKERS = {
    "en": {
        "seed_phrase": "[removed: seed phrase]",
        "private_key": "[removed: private key]",
        "wif_key": "[removed: private key]",
        "extended_private_key": "[removed: extended private key]",
        "password": "[removed: password]",
        "otp_code": "[removed: one-time code]",
    },
    "zh": {
        "seed_phrase": "[已删除：助记词]",
        "private_key": "[已删除：私钥]",
        "wif_key": "[已删除：私钥]",
        "extended_private_key": "[已删除：扩展私钥]",
        "password": "[已删除：密码]",
        "otp_code": "[已删除：验证码]",
    },
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    detail: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class ScanResult:
    text: str
    redacted: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.findings}, key=_RANK.__getitem__)

    @property
    def wallet_secret(self) -> bool:
        return any(f.kind in WALLET_KINDS for f in self.findings)


def language_of(text: str) -> str:
    """``zh`` when the text has Chinese characters, else ``en`` (for markers and replies)."""
    for ch in text:
        if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
            return "zh"
    return "en"


def marker(kind: str, lang: str) -> str:
    return _MARKERS.get(lang, _MARKERS["en"])[kind]


def _resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings in text order; on overlap the stronger kind (then the longer
    span) wins, and the loser's span is absorbed so nothing of either survives."""
    ordered = sorted(findings, key=lambda f: (f.start, _RANK[f.kind], -(f.end - f.start)))
    out: list[Finding] = []
    for item in ordered:
        if out and item.start < out[-1].end:
            last = out[-1]
            winner = last if _RANK[last.kind] <= _RANK[item.kind] else item
            out[-1] = Finding(
                winner.kind, last.start, max(last.end, item.end), winner.detail or None
            )
            continue
        out.append(item)
    return out


def scan(text: str, *, lookup: TxLookup | None = None, lang: str | None = None) -> ScanResult:
    """Find and redact secrets in ``text``. ``lookup`` asks the configured chains about a
    64-hex string that context cannot place; ``lang`` picks the marker language (default:
    guessed from the text)."""
    if not text:
        return ScanResult(text, text)
    prepared = prepare(text)
    raw: list[Finding] = [Finding("seed_phrase", a, b) for a, b in find_seed_phrases(prepared)]
    raw.extend(Finding(k.kind, k.start, k.end, k.detail) for k in find_keys(prepared, lookup))
    raw.extend(Finding(c.kind, c.start, c.end) for c in find_credentials(prepared))
    if not raw:
        return ScanResult(text, text)
    findings = _resolve(raw)
    language = lang or language_of(text)
    parts: list[str] = []
    cursor = 0
    for finding in findings:
        parts.append(text[cursor : finding.start])
        parts.append(marker(finding.kind, language))
        cursor = finding.end
    parts.append(text[cursor:])
    return ScanResult(text, "".join(parts), tuple(findings))


def warm_up() -> None:
    """Load the wordlists and the Chinese dictionary the detectors use (about a second)."""
    scan("助记词 的一是在不了有和人这中大为上个国我以要他时来用们生到 abandon ability able about")


def redact(text: str) -> str:
    """Only the redacted text (for logs and search analytics)."""
    return scan(text).redacted


__all__ = [
    "KINDS",
    "WALLET_KINDS",
    "Finding",
    "ScanResult",
    "TxLookup",
    "language_of",
    "marker",
    "redact",
    "scan",
    "warm_up",
]
