"""The claims a text makes that a customer could act on: numbers, amounts, durations, network
names and URLs (with e-mail addresses, bare domains, dates, times and long identifiers such as
addresses and transaction hashes), read in English and Chinese after folding full-width
characters and traditional characters (``normalise``). ``faithfulness`` compares a reply's
claims with its sources'; the rules of comparison are written there.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from ledgerdesk.chain.registry import Registry, get_registry
from ledgerdesk.search.analysis import to_simplified

__all__ = [
    "Claim",
    "claims",
    "find_claims",
    "normalise",
    "one_unit_durations",
    "url_key",
    "word_values",
]

_MASK = "\x00"

# --- numbers ------------------------------------------------------------------------------

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_BEFORE_DIGITS = r"(?<![A-Za-z0-9_])(?<!\d\.)"  # not inside a word or a decimal
_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_VALUES = {w: i for i, w in enumerate(_EN_ONES)}
_EN_VALUES |= {w: 20 + 10 * i for i, w in enumerate(_EN_TENS)}
_EN_WORD = (
    r"(?:half[ \t]+an?|(?:" + "|".join(_EN_TENS) + r")(?:[- ](?:" + "|".join(_EN_ONES[1:10]) + "))?"
    "|" + "|".join(sorted(_EN_ONES, key=len, reverse=True)) + ")"
)
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_ZH_DIGIT |= {"六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_ZH_SECTION = {"万": 10_000, "亿": 100_000_000}
_ZH_WORD = r"(?:半|[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千]*)"
_ZH_ANY = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_SCALE = {"千": 1000, "万": 10_000, "亿": 100_000_000}


def _zh_number(raw: str) -> Decimal:
    """十五 → 15, 二十四 → 24, 一万五千 → 15000, 半 → 0.5."""
    if raw == "半":
        return Decimal("0.5")
    total, section, digit = 0, 0, 0
    for ch in raw:
        if ch in _ZH_DIGIT:
            digit = _ZH_DIGIT[ch]
        elif ch in _ZH_UNIT:
            section += (digit or 1) * _ZH_UNIT[ch]
            digit = 0
        elif ch in _ZH_SECTION:
            total = (total + section + digit) * _ZH_SECTION[ch]
            section, digit = 0, 0
    return Decimal(total + section + digit)


def _en_number(raw: str) -> Decimal:
    words = raw.lower().replace("-", " ").split()
    if words[0] == "half":
        return Decimal("0.5")
    return Decimal(sum(_EN_VALUES[w] for w in words))


def _number(raw: str) -> Decimal:
    """The value of digits ("1,000.50"), an English number word or a Chinese numeral."""
    if raw[0].isdigit():
        return Decimal(raw.replace(",", ""))
    if raw[0] in "半零〇一二两三四五六七八九十":
        return _zh_number(raw)
    return _en_number(raw)


# --- durations ----------------------------------------------------------------------------

# (pattern, kind, size): kinds are compared apart ("3 business days" is not "3 days").
_DAY = 86_400
_UNITS_EN: tuple[tuple[str, str, int], ...] = (
    (r"(?:business|working)[ -]days?(?:\(s\))?", "business_day", 1),
    (r"seconds?(?:\(s\))?|secs?", "time", 1),
    (r"minutes?(?:\(s\))?|mins?", "time", 60),
    (r"hours?(?:\(s\))?|hrs?|h", "time", 3600),
    (r"days?(?:\(s\))?", "time", _DAY),
    (r"weeks?(?:\(s\))?|wks?", "time", 7 * _DAY),
    (r"months?(?:\(s\))?", "month", 1),
    (r"years?(?:\(s\))?|yrs?", "year", 1),
)
_UNITS_ZH: tuple[tuple[str, str, int], ...] = (
    (r"个?工作日", "business_day", 1),
    (r"秒钟?", "time", 1),
    (r"分钟", "time", 60),
    (r"个?小时|个?钟头", "time", 3600),
    (r"天", "time", _DAY),
    (r"个?星期|个?礼拜|周", "time", 7 * _DAY),
    (r"个月", "month", 1),
    (r"年", "year", 1),
)
_UNIT_GROUPS = [f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNITS_EN + _UNITS_ZH)]
_UNIT_KINDS = [(k, s) for _, k, s in _UNITS_EN + _UNITS_ZH]
_UNIT_RE = "(?:" + "|".join(_UNIT_GROUPS) + r")(?![A-Za-z])"
_NOT_ORDINAL = "(?<![第每上下前同])"  # 第一天, 每一分钟, 下一个工作日: not durations
_DUR_NUMBER = (
    f"(?:{_BEFORE_DIGITS}(?:{_DIGITS})"
    f"|(?<![A-Za-z])(?i:{_EN_WORD})(?![A-Za-z])|{_NOT_ORDINAL}{_ZH_WORD})"
)
_RANGE_SEP = r"[ \t]*(?:-|–|—|~|〜|to|至|到)[ \t]*"
_DURATION = re.compile(
    f"(?P<lo>{_DUR_NUMBER})(?:{_RANGE_SEP}(?P<hi>{_DUR_NUMBER}))?[ \\t-]?(?:个[ \\t]?)?{_UNIT_RE}",
    re.IGNORECASE,
)

# Numbers written as words count when they count something: "six confirmations", "两个确认".
_COUNTED = re.compile(
    rf"(?P<num>(?<![A-Za-z])(?i:{_EN_WORD})|{_NOT_ORDINAL}{_ZH_WORD})[ \t-]?(?:个|次)?[ \t]?"
    r"(?:(?i:confirmations?|blocks?)(?![A-Za-z])|区块确认|确认|区块)"
)

# --- amounts, dates, times ----------------------------------------------------------------

_CURRENCY_SIGN = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY"}
_CURRENCY_WORD = {"美元": "USD", "美金": "USD", "人民币": "CNY", "港币": "HKD", "欧元": "EUR"}
_CURRENCY_WORD |= {"元": "CNY"}
_BASE_SYMBOLS = (
    "USDT USDC DAI FDUSD BTC ETH BNB TRX SOL XRP DOGE LTC TON ADA DOT AVAX MATIC POL ARB OP "
    "XLM EOS ATOM KAVA BCH ETC SHIB LINK USD EUR GBP CNY HKD"
).split()
_ANY_CASE_SYMBOLS = ("usdt", "usdc", "btc", "eth", "bnb", "trx")
_PERCENT = re.compile(f"{_BEFORE_DIGITS}(?P<num>{_DIGITS})[ \\t]?%")
_SIGN_AMOUNT = re.compile(
    r"(?P<sign>[$€£¥])[ \t]?(?P<num>" + _DIGITS + r")(?:[ \t]?(?P<scale>[千万亿]))?(?![0-9])"
)
_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"
    r"|[ \t]?年[ \t]?(?P<m2>\d{1,2})[ \t]?月[ \t]?(?P<d2>\d{1,2})[ \t]?[日号])"
)
_TIME = re.compile(r"(?<![\d:.])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])")
_NUMBER = re.compile(  # not ordinals: 第2步
    f"{_BEFORE_DIGITS}(?<!第)(?<!第 )(?P<num>{_DIGITS})"
    "(?:[ \\t]?(?P<scale>[万亿]))?(?![A-Za-z0-9_]|\\.\\d)"
)
_LIST_MARKER = re.compile(r"[ \t]*(?:\(|（)?$")
_LIST_MARKER_AFTER = re.compile(r"(?:[.)、]|）)\s")

# --- addresses ----------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"'`\x00，。；、！？」』）】《》]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")
_DOMAIN = re.compile(
    r"(?<![\w@./:-])(?:[a-z0-9-]+\.)+(?:[a-z]{2,24})(?:/[^\s<>\"'\x00，。；、！？）」』】]*)?(?![\w@-])"
)
_IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9])(?:0x[0-9a-fA-F]{8,}"
    r"|(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,})(?![A-Za-z0-9])"
)
_TRAILING = ".,;:!?'\")]}>*_"

# Networks people name that the shipped registry may not list: an invented one is caught too.
_EXTRA_NETWORKS: dict[str, tuple[str, ...]] = {
    "solana": ("Solana", "SOL network", "SPL", "索拉纳"),
    "litecoin": ("Litecoin", "LTC network", "莱特币"),
    "xrpl": ("XRP Ledger", "XRPL", "瑞波"),
    "dogecoin": ("Dogecoin", "狗狗币"),
    "ton": ("TON", "TON network", "The Open Network"),
    "avalanche": ("Avalanche", "AVAX C-Chain", "C-Chain", "雪崩"),
    "optimism": ("Optimism", "OP Mainnet"),
    "base": ("Base network", "Base chain"),
    "cardano": ("Cardano", "艾达币"),
    "polkadot": ("Polkadot", "波卡"),
    "stellar": ("Stellar", "恒星币"),
    "lightning": ("Lightning Network", "闪电网络"),
    "omni": ("Omni", "OMNI"),
    "bep2": ("BEP2", "BEP-2", "BNB Beacon Chain"),
    "aptos": ("Aptos",),
    "zksync": ("zkSync", "zkSync Era"),
    "linea": ("Linea",),
    "starknet": ("Starknet",),
}


def normalise(text: str) -> str:
    """What claims are read from: full-width folded (NFKC), traditional folded to simplified."""
    return to_simplified(unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Claim:
    """One checkable statement in a text. ``text``: as written (after ``normalise``);
    ``key``: what must match in the sources; ``values``: the numbers it states."""

    kind: str  # number | amount | duration | date | time | network | url | email | domain | id
    text: str
    key: Hashable
    start: int
    end: int
    values: tuple[Decimal, ...] = ()


# --- the vocabulary from the registry ----------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    chinese: re.Pattern[str] | None  # names with Chinese characters ("比特币", "BTC网络")
    exact: dict[str, str]  # short all-caps names, case-sensitive → network id
    folded: dict[str, str]  # every other name, casefolded → network id
    most_words: int  # words in the longest Latin name ("BNB Smart Chain": 3)
    first_words: frozenset[str]  # casefolded first words of the Latin names
    amount: re.Pattern[str]


_WORD = re.compile(r"[A-Za-z0-9]+")
_HAS_CHINESE = re.compile(r"[\u3400-\u9fff]")


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _chinese_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """One alternation, longest first, Latin edges bounded ("BTC网络", not "XBTC网络")."""
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):
        body = r"[ \t]+".join(re.escape(part) for part in term.split())
        before = r"(?<![A-Za-z0-9])" if _is_latin(term[0]) else ""
        after = r"(?![A-Za-z0-9])" if _is_latin(term[-1]) else ""
        alternatives.append(f"{before}(?i:{body}){after}")
    return re.compile("|".join(alternatives)) if alternatives else None


def _network_terms(registry: Registry) -> dict[str, str]:
    terms: dict[str, str] = {}
    for network in registry.networks:
        for name in (network.name_en, network.name_zh, *network.aliases):
            name = " ".join(normalise(re.sub(r"\s*\([^)]*\)", "", name)).split())
            if name:
                terms.setdefault(name, network.id)
    known = {t.casefold() for t in terms}
    for network_id, names in _EXTRA_NETWORKS.items():
        for name in names:
            if normalise(name).casefold() not in known:
                terms.setdefault(normalise(name), network_id)
    return terms


def _build_vocabulary(registry: Registry) -> _Vocabulary:
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    chinese: list[str] = []
    most_words = 1
    first_words: set[str] = set()
    for term, network_id in _network_terms(registry).items():
        # "TON", "BSC", "POL": a capitalised word only, never "ton" or "pol" in a sentence.
        if len(term) <= 4 and term.isascii() and term.isupper():
            exact.setdefault(term, network_id)
            first_words.add(term.casefold())
            continue
        folded.setdefault(term.casefold(), network_id)
        if term.isascii():
            most_words = max(most_words, len(_WORD.findall(term)))
            first_words.add(_WORD.findall(term)[0].casefold())
        else:
            chinese.append(term)
    # Units as written ("USDT", "tBTC"); a few tickers in any case ("0.5 usdt"), not "1 dot".
    written = {*_BASE_SYMBOLS, *registry.asset_symbols(), *_CURRENCY_WORD}
    units = sorted(written, key=len, reverse=True)
    anycase = "|".join(_ANY_CASE_SYMBOLS)
    amount = re.compile(
        f"{_BEFORE_DIGITS}(?P<num>{_DIGITS})(?:[ \\t]?(?P<scale>[千万亿]))?[ \\t]?(?:个|枚)?[ \\t]?"
        f"(?P<unit>(?i:{anycase})|" + "|".join(re.escape(u) for u in units) + ")(?![A-Za-z0-9])"
    )
    return _Vocabulary(
        _chinese_pattern(chinese), exact, folded, most_words, frozenset(first_words), amount
    )


_vocabulary_lock = threading.Lock()
_vocabulary: tuple[Registry, _Vocabulary] | None = None


def _current_vocabulary() -> _Vocabulary:
    """Built once per loaded registry (the registry is cached process-wide)."""
    global _vocabulary
    registry = get_registry()
    with _vocabulary_lock:
        if _vocabulary is None or _vocabulary[0] is not registry:
            _vocabulary = (registry, _build_vocabulary(registry))
        return _vocabulary[1]


# --- finding claims -----------------------------------------------------------------------


@dataclass
class _Scan:
    text: str  # normalised; found spans are masked out as the scan goes
    found: list[Claim] = field(default_factory=list)

    def add(self, claim: Claim) -> None:
        self.found.append(claim)
        self.text = (
            self.text[: claim.start] + _MASK * (claim.end - claim.start) + self.text[claim.end :]
        )


def _clean_url(raw: str) -> str:
    url = raw.rstrip(_TRAILING)
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def url_key(url: str) -> str:
    """A URL compared: scheme and host lower-cased, no trailing slash on the path. The
    fragment stays: explorers put the transaction there ("tronscan.org/#/transaction/…")."""
    parts = urlsplit(url)
    host = (parts.netloc or "").lower()
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme.lower()}://{host}{path}{query}{fragment}"


def _scan_addresses(scan: _Scan) -> None:
    for m in list(_URL.finditer(scan.text)):
        url = _clean_url(m.group(0))
        scan.add(Claim("url", url, url_key(url), m.start(), m.start() + len(url)))
    for m in list(_EMAIL.finditer(scan.text)):
        scan.add(Claim("email", m.group(0), m.group(0).lower(), m.start(), m.end()))
    for m in list(_DOMAIN.finditer(scan.text)):
        raw = _clean_url(m.group(0))
        host = raw.split("/", 1)[0].lower()
        scan.add(Claim("domain", raw, host, m.start(), m.start() + len(raw)))
    for m in list(_IDENTIFIER.finditer(scan.text)):
        raw = m.group(0)
        key = raw.lower() if raw.lower().startswith("0x") else raw
        scan.add(Claim("id", raw, key, m.start(), m.end()))


def _scan_dates(scan: _Scan) -> None:
    for m in list(_DATE.finditer(scan.text)):
        month, day = m.group("m") or m.group("m2"), m.group("d") or m.group("d2")
        y, mo, d = int(m.group("y")), int(month), int(day)
        if 1 <= mo <= 12 and 1 <= d <= 31:
            values = (Decimal(y), Decimal(mo), Decimal(d))
            scan.add(Claim("date", m.group(0), ("date", y, mo, d), m.start(), m.end(), values))
    for m in list(_TIME.finditer(scan.text)):
        h, mi, s = int(m.group("h")), int(m.group("m")), int(m.group("s") or 0)
        stated = (Decimal(h), Decimal(mi))
        scan.add(Claim("time", m.group(0), ("time", h, mi, s), m.start(), m.end(), stated))


def _duration_unit(m: re.Match[str]) -> tuple[str, int]:
    for i, kind in enumerate(_UNIT_KINDS):
        if m.group(f"u{i}") is not None:
            return kind
    raise AssertionError("a duration always has a unit")


def _scan_durations(scan: _Scan) -> None:
    for m in list(_DURATION.finditer(scan.text)):
        kind, size = _duration_unit(m)
        lo = _number(m.group("lo"))
        hi = _number(m.group("hi")) if m.group("hi") else lo
        values = (lo,) if m.group("hi") is None else (lo, hi)
        key = ("duration", kind, lo * size, hi * size)
        scan.add(Claim("duration", m.group(0).strip(), key, m.start(), m.end(), values))


def _scan_amounts(scan: _Scan, vocabulary: _Vocabulary) -> None:
    for m in list(_PERCENT.finditer(scan.text)):
        value = _number(m.group("num"))
        scan.add(Claim("amount", m.group(0), ("amount", value, "%"), m.start(), m.end(), (value,)))
    for m in list(_SIGN_AMOUNT.finditer(scan.text)):
        value = _number(m.group("num")) * _SCALE.get(m.group("scale") or "", 1)
        key = ("amount", value, _CURRENCY_SIGN[m.group("sign")])
        scan.add(Claim("amount", m.group(0), key, m.start(), m.end(), (value,)))
    for m in list(vocabulary.amount.finditer(scan.text)):
        raw_unit = m.group("unit")
        unit = _CURRENCY_WORD.get(raw_unit, raw_unit.upper())
        value = _number(m.group("num")) * _SCALE.get(m.group("scale") or "", 1)
        claim = Claim("amount", m.group(0), ("amount", value, unit), m.start(), m.end(), (value,))
        scan.add(claim)


def _scan_networks(scan: _Scan, vocabulary: _Vocabulary) -> None:
    """Chinese names by one pattern (few, and only when the text has Chinese); Latin names by
    looking up runs of up to ``most_words`` words (faster than one large alternation)."""
    if vocabulary.chinese is not None and _HAS_CHINESE.search(scan.text):
        for m in list(vocabulary.chinese.finditer(scan.text)):
            network_id = vocabulary.folded.get(" ".join(m.group(0).split()).casefold())
            if network_id is not None:
                scan.add(Claim("network", m.group(0), ("network", network_id), m.start(), m.end()))
    words = list(_WORD.finditer(scan.text))
    i = 0
    while i < len(words):
        found = None
        if words[i].group(0).casefold() in vocabulary.first_words:
            found = _latin_name_at(scan.text, words, i, vocabulary)
        if found is None:
            i += 1
            continue
        count, network_id = found
        start, end = words[i].start(), words[i + count - 1].end()
        scan.add(Claim("network", scan.text[start:end], ("network", network_id), start, end))
        i += count


def _latin_name_at(
    text: str, words: list[re.Match[str]], i: int, vocabulary: _Vocabulary
) -> tuple[int, str] | None:
    """The longest network name starting at word ``i``: (its words, the network id)."""
    candidates = [words[i].group(0)]
    for k in range(i + 1, min(i + vocabulary.most_words, len(words))):
        gap = text[words[k - 1].end() : words[k].start()]
        if gap == "-":
            joiner = "-"
        elif gap and not gap.strip(" \t"):
            joiner = " "
        else:
            break
        candidates.append(candidates[-1] + joiner + words[k].group(0))
    for count in range(len(candidates), 0, -1):
        name = candidates[count - 1]
        network_id = vocabulary.exact.get(name) or vocabulary.folded.get(name.casefold())
        if network_id is not None:
            return count, network_id
    return None


def _is_list_marker(text: str, m: re.Match[str]) -> bool:
    line_start = text.rfind("\n", 0, m.start()) + 1
    return bool(
        _LIST_MARKER.fullmatch(text, line_start, m.start())
        and _LIST_MARKER_AFTER.match(text, m.end())
        and len(m.group("num")) <= 2
    )


def _scan_numbers(scan: _Scan) -> None:
    for m in list(_COUNTED.finditer(scan.text)):
        value = _number(m.group("num"))
        scan.add(Claim("number", m.group(0), ("number", value), m.start(), m.end(), (value,)))
    for m in list(_NUMBER.finditer(scan.text)):
        if _is_list_marker(scan.text, m):
            continue
        value = _number(m.group("num")) * _SCALE.get(m.group("scale") or "", 1)
        key = ("number", value)
        scan.add(Claim("number", m.group(0), key, m.start(), m.end(), (value,)))


def find_claims(text: str) -> list[Claim]:
    """Every claim in ``text``, in the order they are written."""
    vocabulary = _current_vocabulary()
    scan = _Scan(normalise(text))
    _scan_addresses(scan)
    _scan_dates(scan)
    _scan_durations(scan)
    _scan_amounts(scan, vocabulary)
    _scan_networks(scan, vocabulary)
    _scan_numbers(scan)
    return sorted(scan.found, key=lambda c: c.start)


def claims(text: str) -> list[str]:
    """The numbers, amounts, durations, network names and URLs (with e-mail addresses, bare
    domains, dates, times and long identifiers) in ``text``, as written, in order."""
    return [claim.text for claim in find_claims(text)]


# --- what sources state in words ----------------------------------------------------------


_ONE_UNIT = re.compile(
    r"(?<![A-Za-z])an?[ \t]+(?P<unit>(?:business |working )?day|hour|minute|second|week|month|year)"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)


def one_unit_durations(text: str) -> set[tuple[str, Decimal]]:
    """One unit of each duration the sources write with "a"/"an" ("an hour", "a business
    day"), since a reply may write "1 hour"."""
    found: set[tuple[str, Decimal]] = set()
    for m in _ONE_UNIT.finditer(text):
        unit = _DURATION.fullmatch("1 " + m.group("unit").lower())
        if unit is not None:
            kind, size = _duration_unit(unit)
            found.add((kind, Decimal(size)))
    return found


def word_values(text: str) -> set[Decimal]:
    """Numbers the sources write as words, wherever they stand ("three stages", "两步")."""
    found: set[Decimal] = set()
    for m in re.finditer(rf"(?<![A-Za-z])(?:{_EN_WORD})(?![A-Za-z])", text, re.IGNORECASE):
        found.add(_en_number(m.group(0)))
    found.update(_zh_number(m.group(0)) for m in _ZH_ANY.finditer(text))
    return found
