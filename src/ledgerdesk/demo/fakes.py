"""Realistic random values for the demo: people, assets, networks, addresses, hashes, orders.

Everything is drawn from the ``random.Random`` passed in, so the same seed gives the same desk.
Addresses and hashes have the right shape for their chain but are random: no checksum is
valid and nothing here is a key. E-mail domains are reserved example domains, so the demo
desk can never write to a real inbox.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ledgerdesk.demo.content import demo_content

HEX = "0123456789abcdef"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XRP_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")

# Confirmations the demo exchange waits for before crediting (figures vary by exchange).
CONFIRMATIONS = {
    "TRC20": 20,
    "ERC20": 12,
    "BEP20": 15,
    "Solana": 1,
    "Bitcoin": 2,
    "XRP Ledger": 1,
}

# (asset, network, weight): what customers actually move, USDT on TRON first.
TRANSFER_ROUTES: tuple[tuple[str, str, int], ...] = (
    ("USDT", "TRC20", 30),
    ("USDT", "ERC20", 12),
    ("USDT", "BEP20", 8),
    ("USDT", "Solana", 4),
    ("BTC", "Bitcoin", 14),
    ("ETH", "ERC20", 10),
    ("TRX", "TRC20", 5),
    ("SOL", "Solana", 6),
    ("XRP", "XRP Ledger", 8),
)

PAIRS = ("BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT", "TRX/USDT", "DOGE/USDT", "ETH/BTC")
DEVICES = (
    "iPhone 15 Pro",
    "iPhone 13",
    "Pixel 8",
    "Samsung Galaxy S23",
    "Xiaomi 14",
    "Huawei P60",
    "OPPO Find X6",
    "iPad Air",
)
CURRENCIES = {"zh": ("CNY", "HKD", "TWD", "USD"), "en": ("USD", "EUR", "GBP", "AUD")}
CREDITS = ("20", "50", "88", "100", "150", "200")
# Reference prices for turning crypto amounts into plausible fiat sums (demo only).
USD_PRICE = {"USDT": 1.0, "BTC": 90_000.0, "ETH": 3_000.0, "TRX": 0.25, "SOL": 150.0, "XRP": 2.0}
PER_USD = {"CNY": 7.2, "HKD": 7.8, "TWD": 32.0, "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "AUD": 1.52}
_ASCII = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "'": ""})


@dataclass(frozen=True)
class Person:
    """A customer to be: display name, the name used in greetings, e-mail, locale."""

    name: str
    greeting_name: str
    email: str
    locale: str
    traditional: bool = False  # writes traditional Chinese (Hong Kong, Taiwan)


def _chars(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def address(rng: random.Random, network: str) -> str:
    """A deposit or withdrawal address in ``network``'s format."""
    if network in ("ERC20", "BEP20"):
        return "0x" + _chars(rng, HEX, 40)
    if network == "TRC20":
        return "T" + _chars(rng, BASE58, 33)
    if network == "Bitcoin":
        return "bc1q" + _chars(rng, BECH32, 38)
    if network == "XRP Ledger":
        return "r" + _chars(rng, XRP_ALPHABET, 33)
    return _chars(rng, BASE58, 44)


def txid(rng: random.Random, network: str) -> str:
    """A transaction hash in the form ``network``'s explorers show."""
    if network in ("ERC20", "BEP20"):
        return "0x" + _chars(rng, HEX, 64)
    if network == "Solana":
        return _chars(rng, BASE58, 88)
    if network == "XRP Ledger":
        return _chars(rng, HEX, 64).upper()
    return _chars(rng, HEX, 64)


def amount(rng: random.Random, asset: str) -> str:
    """An amount a retail customer might move, formatted as the exchange shows it."""
    if asset == "USDT":
        if rng.random() < 0.4:
            return str(rng.choice((100, 200, 500, 1000, 2000, 5000, 10000, 20000)))
        return f"{rng.uniform(50, 30000):.2f}"
    if asset == "BTC":
        return f"{rng.uniform(0.0025, 1.2):.4f}"
    if asset == "ETH":
        return f"{rng.uniform(0.05, 15):.3f}"
    if asset == "TRX":
        return str(rng.randint(100, 60000))
    if asset == "SOL":
        return f"{rng.uniform(0.5, 250):.2f}"
    return f"{rng.uniform(20, 9000):.2f}"


def route(rng: random.Random, allowed: Sequence[str] = ()) -> tuple[str, str]:
    """An (asset, network) pair weighted like real traffic, among ``allowed`` "ASSET/NETWORK"
    pairs when given."""
    routes = [r for r in TRANSFER_ROUTES if not allowed or f"{r[0]}/{r[1]}" in allowed]
    asset, network, _ = rng.choices(routes, weights=[r[2] for r in routes])[0]
    return asset, network


def fiat_value(amount: str, asset: str, currency: str) -> str:
    """What ``amount`` of ``asset`` costs in ``currency`` at the demo's reference prices."""
    value = float(amount) * USD_PRICE[asset] * PER_USD[currency]
    return f"{value:,.2f}"


def order_id(rng: random.Random) -> str:
    return str(rng.randint(10**17, 10**19 - 1))


def external_id(rng: random.Random, taken: set[str]) -> str:
    """A fresh exchange user id: ``UID`` and eight digits."""
    while True:
        uid = f"UID{rng.randint(10_000_000, 99_999_999)}"
        if uid not in taken:
            taken.add(uid)
            return uid


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return decomposed.encode("ascii", "ignore").decode().lower()


def _unique_email(rng: random.Random, local: str, taken: set[str]) -> str:
    email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
    while email in taken:
        email = f"{local}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
    taken.add(email)
    return email


def chinese_person(rng: random.Random, taken: set[str]) -> Person:
    """A customer from mainland China, or (about one in seven) from Hong Kong or Taiwan."""
    names = demo_content().chinese_names
    if rng.random() < 0.15:
        name, roman = rng.choice(names.traditional_names)
        local = roman + rng.choice(("", str(rng.randint(1, 99))))
        return Person(name, name, _unique_email(rng, local, taken), "zh-CN", traditional=True)
    surname, surname_py = rng.choice(names.surnames)
    given, given_py = rng.choice(names.given_names)
    local = rng.choice(
        (
            f"{surname_py}{given_py}{rng.randint(1, 999)}",
            f"{surname_py}.{given_py}",
            f"{given_py}{surname_py}{rng.randint(1980, 2005)}",
            str(rng.randint(10_000_000, 2_999_999_999)),
        )
    )
    name = surname + given
    return Person(name, name, _unique_email(rng, local, taken), "zh-CN")


def english_person(rng: random.Random, taken: set[str]) -> Person:
    """An English-writing customer; the names are international on purpose."""
    names = demo_content().english_names
    first = rng.choice(names.first_names)
    last = rng.choice(names.last_names)
    a, b = _ascii(first), _ascii(last)
    local = rng.choice(
        (f"{a}.{b}", f"{a}{b[0]}{rng.randint(1, 99)}", f"{a[0]}{b}", f"{a}_{rng.randint(80, 99)}")
    )
    return Person(f"{first} {last}", first, _unique_email(rng, local, taken), "en")
