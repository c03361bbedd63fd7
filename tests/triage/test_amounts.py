"""Money amounts in a message and their value in US dollars."""

from __future__ import annotations

import pytest

from ledgerdesk.ai.triage.amounts import DEFAULT_PRICES, find_amounts, largest_usd

# text -> [(value, unit)] in order
FOUND: list[tuple[str, list[tuple[float, str]]]] = [
    ("1,250 USDT", [(1250, "USDT")]),
    ("0.35 ETH", [(0.35, "ETH")]),
    ("0.35ETH", [(0.35, "ETH")]),
    ("ETH 0.35", [(0.35, "ETH")]),
    ("$4,000", [(4000, "USD")]),
    ("$ 4,000", [(4000, "USD")]),
    ("$5k", [(5000, "USD")]),
    ("$1.2m", [(1_200_000, "USD")]),
    ("5k usdc", [(5000, "USDC")]),
    ("USDT 5k", [(5000, "USDT")]),
    ("1250U", [(1250, "USDT")]),
    ("2 U", [(2, "USDT")]),
    ("20w U", [(200_000, "USDT")]),
    ("1m usdt", [(1_000_000, "USDT")]),
    ("10,000.50 USDT", [(10_000.5, "USDT")]),
    ("两万块", [(20_000, "CNY")]),
    ("兩萬塊", [(20_000, "CNY")]),
    ("三千块", [(3000, "CNY")]),
    ("3萬 USDT", [(30_000, "USDT")]),
    ("3萬USDT", [(30_000, "USDT")]),
    ("2万U", [(20_000, "USDT")]),
    ("1.5万U", [(15_000, "USDT")]),
    ("十万U", [(100_000, "USDT")]),
    ("二十万块", [(200_000, "CNY")]),
    ("半个BTC", [(0.5, "BTC")]),
    ("0.5BTC", [(0.5, "BTC")]),
    ("¥8000", [(8000, "CNY")]),
    ("￥8000", [(8000, "CNY")]),
    ("¥2万", [(20_000, "CNY")]),
    ("100元", [(100, "CNY")]),
    ("100 RMB", [(100, "CNY")]),
    ("500刀", [(500, "USD")]),
    ("€200", [(200, "EUR")]),
    ("£50", [(50, "GBP")]),
    ("50 eur", [(50, "EUR")]),
    ("3 BNB", [(3, "BNB")]),
    ("100 TRX", [(100, "TRX")]),
    ("sent 500 usdt and 0.1 btc", [(500, "USDT"), (0.1, "BTC")]),
    ("我昨天转了 2 ETH 和 300U，都没到", [(2, "ETH"), (300, "USDT")]),
    ("2024年5月1日 转了 500 USDT", [(500, "USDT")]),
    ("at 10:30 I sent 0.1 BTC", [(0.1, "BTC")]),
    ("version 2.3.1 of the app, sent 100 USDT", [(100, "USDT")]),
    ("order id 8839201, 0.5 ETH missing", [(0.5, "ETH")]),
    ("withdrew 1,000 USDT on 2024/05/01 14:22", [(1000, "USDT")]),
]


@pytest.mark.parametrize(("text", "expected"), FOUND)
def test_find_amounts(text: str, expected: list[tuple[float, str]]) -> None:
    found = find_amounts(text)
    assert [(a.value, a.unit) for a in found] == [(pytest.approx(v), u) for v, u in expected]
    for amount in found:
        assert amount.usd == pytest.approx(amount.value * DEFAULT_PRICES[amount.unit])
        assert 0 <= amount.start < amount.end <= len(text)


NOTHING = [
    "order 123456789",
    "my order #88392011 is stuck",
    "on 2024-05-01 at 10:30",
    "2024/05/01 14:22:05",
    "2 u guys",
    "Are u guys there? i sent it 2 days ago",
    "app version 2.3.1",
    "v5.2.1 crashes on login",
    "iPhone 15 app",
    "2FA code 123456",
    "TRC20 USDT",
    "ERC20",
    "10 dogs",
    "1k",
    "5 USDTs",
    "UID 3388201",
    "充值了三次",
    "",
]


@pytest.mark.parametrize("text", NOTHING)
def test_no_false_amounts(text: str) -> None:
    assert find_amounts(text) == []
    assert largest_usd(text) == 0.0


def test_largest_usd_values_every_amount() -> None:
    assert largest_usd("sent 500 usdt and 0.1 btc") == pytest.approx(6000.0)
    assert largest_usd("两万块") == pytest.approx(2800.0)
    assert largest_usd("半个BTC") == pytest.approx(30_000.0)
    assert largest_usd("¥8000") == pytest.approx(1120.0)


def test_prices_can_be_overridden_and_unknown_units_have_no_value() -> None:
    assert largest_usd("2 eth", {"eth": 2000.0}) == pytest.approx(4000.0)
    found = find_amounts("2 eth and 100 USDT", {"USDT": 1.0})
    assert [(a.unit, a.usd) for a in found] == [("ETH", None), ("USDT", 100.0)]
    assert largest_usd("2 eth", {"USDT": 1.0}) == 0.0


def test_chinese_numerals_with_ten_and_a_digit() -> None:
    assert [a.value for a in find_amounts("十五万块")] == [150_000]
    assert [a.value for a in find_amounts("二十五万块")] == [250_000]


def test_an_order_number_before_a_coin_name_is_not_an_amount() -> None:
    assert largest_usd("订单号 2024050112345 USDT 没到账") == 0.0
