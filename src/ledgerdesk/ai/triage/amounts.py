"""Money amounts in a message, valued in US dollars to judge how much is at stake.

Finds "1,250 USDT", "0.35 ETH", "$4,000", "5k usdc", "1250U", "两万块", "3萬 USDT", "¥8000" and
values them with reference prices from settings (``LEDGERDESK_TRIAGE_PRICES``). Prices move;
the figure only has to say whether a case is about tens or tens of thousands of dollars.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Rough reference values in USD; operators override them in settings.
DEFAULT_PRICES: dict[str, float] = {
    "USD": 1.0,
    "USDT": 1.0,
    "USDC": 1.0,
    "FDUSD": 1.0,
    "DAI": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "CNY": 0.14,
    "HKD": 0.13,
    "TWD": 0.031,
    "BTC": 60_000.0,
    "ETH": 3_000.0,
    "BNB": 550.0,
    "SOL": 150.0,
    "XRP": 0.5,
    "TRX": 0.12,
    "DOGE": 0.12,
    "TON": 5.0,
}

_UNIT_ALIASES = {
    "U": "USDT",
    "刀": "USD",
    "美元": "USD",
    "美金": "USD",
    "块": "CNY",
    "塊": "CNY",
    "元": "CNY",
    "人民币": "CNY",
    "人民幣": "CNY",
    "RMB": "CNY",
    "港币": "HKD",
    "港幣": "HKD",
    "台币": "TWD",
    "台幣": "TWD",
    "NTD": "TWD",
    "欧元": "EUR",
    "歐元": "EUR",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "CNY",
    "￥": "CNY",
}
_CN_DIGITS: dict[str, int] = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3}
_CN_DIGITS.update({"四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_SECTIONS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_SCALES = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "千": 1e3, "万": 1e4, "萬": 1e4, "w": 1e4}
_SCALES.update({"W": 1e4, "亿": 1e8, "億": 1e8})
_CN_NUMBER_CHARS = "零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億"
# A run of digits this long without separators is an order number, UID or phone, not money.
_MAX_BARE_DIGITS = 10

_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    r"|半|[零〇一二两兩三四五六七八九][零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億]{0,12}"
    r"|[十拾][零〇一二两兩三四五六七八九十拾百佰千仟万萬亿億]{0,12})"
)
_SCALE = r"(?P<scale>[kKmMwW](?![a-zA-Z])|[千万萬亿億])?"
_UNIT_WORDS = sorted([*DEFAULT_PRICES, *_UNIT_ALIASES], key=len, reverse=True)
_UNIT = "(?P<unit>" + "|".join(re.escape(u) for u in _UNIT_WORDS if u not in "$€£¥￥") + ")"
_AFTER = re.compile(
    r"(?<![0-9A-Za-z.,])"
    + _NUMBER
    + r"\s?"
    + _SCALE
    + r"\s?(?:个|個|枚|颗|顆)?\s?"
    + _UNIT
    + r"(?![a-zA-Z])",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"(?P<unit>[$€£¥￥])\s?" + _NUMBER + r"\s?" + _SCALE)
_TICKERS_BEFORE = re.compile(
    r"\b(?P<unit>USDT|USDC|BTC|ETH|USD|EUR)\s?" + _NUMBER + r"\s?" + _SCALE + r"(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str
    usd: float | None
    start: int
    end: int


def _chinese_number(raw: str) -> int:
    """十五 → 15, 二十五万 → 250000, 一万五千 → 15000, 三百 → 300."""
    total, section, digit = 0, 0, 0
    for ch in raw:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        elif ch in _CN_SECTIONS:
            total = (total + section + digit) * _CN_SECTIONS[ch]
            section, digit = 0, 0
    return total + section + digit


def _number(raw: str) -> float:
    if raw == "半":
        return 0.5
    if raw[0] in _CN_NUMBER_CHARS:
        return float(_chinese_number(raw))
    if raw.isdigit() and len(raw) >= _MAX_BARE_DIGITS:
        raise ValueError("an identifier, not an amount")
    return float(raw.replace(",", ""))


def _unit(raw: str) -> str:
    if raw in _UNIT_ALIASES:
        return _UNIT_ALIASES[raw]
    upper = raw.upper()
    return _UNIT_ALIASES.get(upper, upper)


def find_amounts(text: str, prices: Mapping[str, float] | None = None) -> list[Amount]:
    """Every amount with a unit, in order, with its dollar value when the unit has a price."""
    table = {k.upper(): v for k, v in (prices or DEFAULT_PRICES).items()}
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_BEFORE, _TICKERS_BEFORE, _AFTER):
        for m in pattern.finditer(text[:20_000]):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            raw_unit = m.group("unit")
            if raw_unit == "u":
                continue  # a lone lower-case "u" is not a coin ("2 u guys")
            try:
                value = _number(m.group("num")) * _SCALES.get(m.group("scale") or "", 1.0)
            except (KeyError, ValueError):
                continue
            unit = _unit(raw_unit)
            usd = value * table[unit] if unit in table else None
            found.append(Amount(value, unit, usd, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda a: a.start)


def largest_usd(text: str, prices: Mapping[str, float] | None = None) -> float:
    """The largest dollar value named in ``text`` (0 when none)."""
    return max((a.usd for a in find_amounts(text, prices) if a.usd is not None), default=0.0)
