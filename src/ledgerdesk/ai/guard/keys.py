"""Private keys: raw 64-hex keys (told apart from transaction hashes by context), WIF keys and
extended private keys (both checked with base58check)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import base58

_B58 = "1-9A-HJ-NP-Za-km-z"
_HEX_RE = re.compile(r"(?<![0-9A-Za-z])(?:0[xX])?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_WIF_RE = re.compile(rf"(?<![{_B58}])[5KLc9][{_B58}]{{50,51}}(?![{_B58}])")
_XPRV_RE = re.compile(rf"(?<![{_B58}])(?:[xyztuvYZUV]prv)[{_B58}]{{100,112}}(?![{_B58}])")

# Version bytes of BIP32/SLIP-132 extended private keys.
_XPRV_VERSIONS = {
    bytes.fromhex(v)
    for v in (
        "0488ade4",  # xprv
        "049d7878",  # yprv
        "04b2430c",  # zprv
        "04358394",  # tprv
        "044a4e28",  # uprv
        "045f18bc",  # vprv
        "0295b005",  # Yprv
        "02aa7a99",  # Zprv
        "024285b5",  # Uprv
        "02575048",  # Vprv
    )
}

# Words near a 64-hex string that say what it is, in three strengths: words naming a hash
# win over words naming a key, which win over words that only say money moved.
_KEY_WORDS = re.compile(
    r"private[\s_-]*key|priv[\s_-]*key|privkey|secret[\s_-]*key|私钥|私鑰|密钥|密鑰|秘钥|秘鑰|"
    r"\bpk\b|\bkey\b|key\s*[=:]|export(?:ed)?|导出|導出|sweep|import|"
    r"wallet\s*\(|from_?key|fromprivatekey|signer|mnemonic",
    re.IGNORECASE,
)
_HASH_WORDS = re.compile(
    r"tx\s*id|txid|tx\s*hash|txhash|\btx\b|\bhash\b|transaction|trans\.?\s*id|"
    r"哈希|雜湊|杂凑|散列|交易号|交易號|交易id|交易ID|交易編號|交易编号|"
    r"explorer|etherscan|bscscan|tronscan|polygonscan|arbiscan|blockchair|mempool|blockstream|"
    r"solscan|\bblock\b|signature|\bsig\b|hmac|digest|checksum|sha-?256|nonce",
    re.IGNORECASE,
)
_WEAK_HASH_WORDS = re.compile(
    r"交易|转账|轉賬|转帐|轉帳|充值|提现|提現|提币|提幣|记录|記錄|凭证|憑證|区块|區塊|到账|到賬|"
    r"没到|沒到|未到|确认|確認|"
    r"deposit\w*|withdraw\w*|transfer\w*|sent|send|arriv\w*|receiv\w*|credit\w*|"
    r"pending|waiting|stuck|confirm\w*|refund\w*",
    re.IGNORECASE,
)
# A transfer named right before the value ("交易是 0x…", "转账 0x…").
_TX_JUST_BEFORE = re.compile(
    r"(?:交易|转账|轉賬|转帐|轉帳|充值|提现|提現|提币|提幣)[^，。,.]{0,4}$"
)
_URL_BEFORE = re.compile(r"(?:https?://|www\.)\S*$", re.IGNORECASE)
_NEAR = 60


@dataclass(frozen=True)
class KeyFinding:
    kind: str
    start: int
    end: int
    detail: dict[str, object] | None = None


TxLookup = Callable[[str], bool | None]
"""Asks the configured chains whether a transaction with this hash exists: True, False, or
None when no chain could answer."""


def _b58check(candidate: str) -> bytes | None:
    try:
        raw = base58.b58decode(candidate)
    except ValueError:
        return None
    if len(raw) < 5:
        return None
    body, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] != check:
        return None
    return body


def is_wif(candidate: str) -> bool:
    body = _b58check(candidate)
    if body is None or body[0] not in (0x80, 0xEF):
        return False
    return len(body) == 33 or (len(body) == 34 and body[-1] == 0x01)


def xprv_checksum_ok(candidate: str) -> bool:
    body = _b58check(candidate)
    return body is not None and len(body) == 78 and body[:4] in _XPRV_VERSIONS


def _context(text: str, start: int, end: int) -> str | None:
    """``key`` or ``hash`` from the nearest telling word around the value (its line, up to two
    lines above, a little after), else None."""
    line_start = text.rfind("\n", 0, start) + 1
    if _URL_BEFORE.search(text[max(line_start, start - 200) : start]):
        return "hash"  # part of an explorer link
    # before: this line, or up to two lines above (a CSV header, "Private Key" on its own line)
    above = text.rfind("\n", 0, max(line_start - 1, 0))
    above = text.rfind("\n", 0, above) if above > 0 else -1
    before = text[max(above + 1, start - 3 * _NEAR) : start]
    # after: the rest of the line, or the next line ("0x…\n^ that's my private key")
    after = text[end : end + _NEAR]
    nearest: dict[str, int] = {}
    for label, pattern in (("hash", _HASH_WORDS), ("key", _KEY_WORDS), ("weak", _WEAK_HASH_WORDS)):
        distances = [len(before) - m.end() for m in pattern.finditer(before)]
        match = pattern.search(after)
        if match is not None:
            distances.append(match.start() + 8)  # words after the value count a little less
        if distances:
            nearest[label] = min(distances)
    if "hash" in nearest and nearest["hash"] < nearest.get("key", 1 << 30):
        return "hash"
    tail = before[-12:]
    if _TX_JUST_BEFORE.search(tail) and nearest.get("key", 0) > len(tail):
        return "hash"  # "交易是 0x…": the value's own label, a key named further back
    if "key" in nearest:
        return "key"
    if "weak" in nearest:
        return "hash"
    return None


def find_keys(text: str, lookup: TxLookup | None = None) -> list[KeyFinding]:
    """Private keys in ``text`` (already in the detection form)."""
    found: list[KeyFinding] = []
    if len(text) >= 64:
        for match in _HEX_RE.finditer(text):
            start, end = match.span()
            verdict = _context(text, start, end)
            if verdict is None:
                verdict = _whole_message_context(text)
            if verdict is None and match.group()[:2].lower() == "0x" and lookup is None:
                verdict = "hash"
            if verdict == "hash":
                continue
            if verdict == "key":
                found.append(KeyFinding("private_key", start, end))
                continue
            answer = lookup(match.group()) if lookup is not None else None
            if answer is True:
                continue
            detail: dict[str, object] = {"ambiguous": True, "on_chain": answer}
            found.append(KeyFinding("private_key", start, end, detail))
    if len(text) >= 51:
        for match in _WIF_RE.finditer(text):
            if is_wif(match.group()):
                found.append(KeyFinding("wif_key", *match.span()))
    if len(text) >= 104:
        for match in _XPRV_RE.finditer(text):
            valid = xprv_checksum_ok(match.group())
            found.append(
                KeyFinding(
                    "extended_private_key", *match.span(), None if valid else {"checksum": False}
                )
            )
    return found


def _whole_message_context(text: str) -> str | None:
    """With nothing telling on the line: a message that talks about keys or about transfers.
    A bare ``0x`` value in a message that says nothing is taken for an EVM transaction hash
    (wallets export private keys without ``0x``; explorers show hashes with it)."""
    has_key = _KEY_WORDS.search(text) is not None
    has_hash = (_HASH_WORDS.search(text) or _WEAK_HASH_WORDS.search(text)) is not None
    if has_key and not has_hash:
        return "key"
    if has_hash and not has_key:
        return "hash"
    return None
