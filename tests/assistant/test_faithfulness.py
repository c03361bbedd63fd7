"""The faithfulness check: which claims a reply makes, and which of them its sources support."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ledgerdesk.ai.assistant import claims as claims_module
from ledgerdesk.ai.assistant.faithfulness import check_faithful, claims, find_claims
from ledgerdesk.ai.assistant.types import Source
from ledgerdesk.chain.registry import load_registry, shipped_registry_file

LINK = "https://desk.example.com/help/articles/deposit-not-credited"


def article(text: str, url: str = "", title: str = "") -> list[Source]:
    return [Source("article", "deposit-not-credited", "en", text, url=url, title=title)]


# --- claims -------------------------------------------------------------------------------


def test_amounts_with_their_unit_and_percentages() -> None:
    text = "The minimum is 0.0001 BTC, or 10 USDT on ERC20; the maker fee is 0.10%."
    assert claims(text) == ["0.0001 BTC", "10 USDT", "ERC20", "0.10%"]


def test_durations_in_english_and_chinese_with_ranges() -> None:
    text = (
        "Held for 24 hours. Review takes 1–3 days, "
        "审核需要 1–3 个工作日，付款窗口 15 分钟，48 小时内。"
    )
    assert claims(text) == ["24 hours", "1–3 days", "1–3 个工作日", "15 分钟", "48 小时"]


def test_full_width_digits_and_thousands_separators_are_folded() -> None:
    found = find_claims("２４小时内到账，最低 １，０００ USDT，费率 ０．１０％，共 1,250,000 USDT")
    assert [c.text for c in found] == ["24小时", "1,000 USDT", "0.10%", "1,250,000 USDT"]
    assert found[1].key == ("amount", Decimal(1000), "USDT")
    assert found[3].key == ("amount", Decimal(1_250_000), "USDT")


def test_network_names_from_the_registry_and_well_known_ones() -> None:
    text = "Send on TRC20 (TRON), not Ethereum or BEP20; 比特币 and Solana work differently."
    found = find_claims(text)
    assert [c.text for c in found] == ["TRC20", "TRON", "Ethereum", "BEP20", "比特币", "Solana"]
    assert [c.key for c in found][:3] == [
        ("network", "tron"),
        ("network", "tron"),
        ("network", "ethereum"),
    ]


def test_urls_lose_trailing_punctuation_in_both_languages() -> None:
    assert claims(f"See {LINK}.") == [LINK]
    assert claims(f"详见：{LINK}。") == [LINK]
    assert claims(f"(more at {LINK})") == [LINK]


def test_e_mail_addresses_domains_and_long_identifiers_are_claims() -> None:
    address = "0x52908400098527886E0F7030069857D2E4169EE7"
    text = f"Write to support@example-exchange.com, not binance-help.io. Address {address}"
    assert claims(text) == ["support@example-exchange.com", "binance-help.io", address]


def test_dates_times_and_counted_words() -> None:
    text = "On hold until 2026-12-07 14:00 UTC; BTC needs six confirmations, 以太坊需要十二个确认。"
    assert claims(text) == [
        "2026-12-07",
        "14:00",
        "BTC",
        "six confirmations",
        "以太坊",
        "十二个确认",
    ]


def test_what_is_not_a_claim() -> None:
    text = (
        "1. Turn on 2FA.\n2) Open the app.\n"
        "A deposit is at one of three stages; check the first one.\n"
        "第 2 步：打开 App，第一天不用管它，每一分钟都很重要。"
    )
    assert claims(text) == []


# --- the check ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "source"),
    [
        ("Withdrawals are held for 48 小时.", "held for 48 hours"),
        ("held for 2 days", "held for 48 hours"),
        ("the fee is 0.1%", "the fee is 0.10%"),
        ("use Ethereum", "use ERC20"),
        ("比特幣需要 2 個確認", "Bitcoin needs 2 confirmations"),
        ("２４小時內", "within 24 hours"),
        ("at least 1,000 USDT", "at least 1000 USDT"),
        ("审核需 1–3 天", "review takes 1-3 days"),
        ("up to 3 days", "review takes 1–3 days"),
        ("within half an hour", "within 30 minutes"),
        ("after 1 hour", "if not after an hour"),
        ("six confirmations", "6 confirmations"),
        ("两个确认", "2 confirmations"),
        ("2 for BTC", "BTC needs two confirmations"),
        ("on hold until 2026-12-07 14:00", "locked until 2026年12月7日 14:00"),
    ],
)
def test_a_faithful_rewording_passes(reply: str, source: str) -> None:
    assert check_faithful(reply, article(source)) == check_faithful("", [])
    assert check_faithful(reply, article(source)).ok


@pytest.mark.parametrize(
    ("reply", "source", "unsupported"),
    [
        ("a fee of 0.0005 BTC applies", "minimum deposit 0.0001 BTC", "0.0005 BTC"),
        ("BTC needs 6 confirmations", "2 for BTC and 20 for TRC20", "6"),
        ("BTC needs six confirmations", "2 for BTC and 20 for TRC20", "six confirmations"),
        ("within 3 business days", "within 3 days", "3 business days"),
        ("takes 1–3 days", "takes 3 days", "1–3 days"),
        ("send it on Solana", "send it on TRC20", "Solana"),
        ("the minimum is 10 USDC", "the minimum is 10 USDT", "10 USDC"),
        ("within 24 hours", "within 24 minutes", "24 hours"),
        ("审核需要 48 小时", "审核需要 24 小时", "48 小时"),
        (
            "see https://desk-example.com/x",
            "see https://desk.example.com/x",
            "https://desk-example.com/x",
        ),
        (
            "write to help@exchange-support.com",
            "write to support@example-exchange.com",
            "help@exchange-support.com",
        ),
        ("visit binance-support.help", "visit https://desk.example.com", "binance-support.help"),
        ("on hold until 15:00", "on hold until 14:00", "15:00"),
        (
            "see https://tronscan.org/#/transaction/9f2b",
            "see https://tronscan.org/#/transaction/9f2a",
            "https://tronscan.org/#/transaction/9f2b",
        ),
        (
            "send to TJRabPrwbZy45sbavfcjinPJC18kjpRTv9",
            "your address TJRabPrwbZy45sbavfcjinPJC18kjpRTv8",
            "TJRabPrwbZy45sbavfcjinPJC18kjpRTv9",
        ),
    ],
)
def test_a_changed_or_invented_claim_fails(reply: str, source: str, unsupported: str) -> None:
    check = check_faithful(reply, article(source))
    assert not check.ok
    assert check.unsupported == (unsupported,)
    assert not check.fell_back


def test_unsupported_claims_are_listed_once_in_order() -> None:
    reply = "Pay 5 USDT, then wait 72 hours; 5 USDT again, on Solana. BTC needs 2."
    check = check_faithful(reply, article("BTC needs 2 confirmations."))
    assert check.unsupported == ("5 USDT", "72 hours", "Solana")


def test_the_sources_title_and_link_count() -> None:
    sources = article(
        "Withdrawals wait for review.", url=LINK, title="Why is my withdrawal held 24 hours?"
    )
    assert check_faithful(f"It is held for 24 hours. More: {LINK}", sources).ok
    assert not check_faithful(
        "It is held for 24 hours. More: https://desk.example.com/x", sources
    ).ok


def test_every_source_counts() -> None:
    sources = [
        *article("BTC needs 2 confirmations."),
        Source("tool", "deposit_check", "en", "The deposit has 1 of 2 confirmations on Bitcoin."),
    ]
    assert check_faithful("It has 1 of the 2 confirmations Bitcoin needs.", sources).ok
    assert check_faithful("It has 1 of the 2 confirmations.", sources[:1]).unsupported == ("1",)


def test_no_claims_no_sources() -> None:
    assert check_faithful("Did this solve your problem?", []).ok
    assert check_faithful("Wait 10 minutes.", []).unsupported == ("10 minutes",)


def test_an_operators_registry_names_its_networks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tmp_path / "networks.yaml"
    overlay.write_text(
        "networks:\n"
        "  - id: base\n"
        "    name_en: Base\n"
        "    name_zh: Base 主网\n"
        "    family: evm\n"
        "    chain_id: 8453\n"
        '    native: {symbol: ETH, decimals: 18, min_deposit: "0.001"}\n'
        "    block_time_seconds: 2\n"
        "    confirmations: {credit: 10, unlock: 30}\n"
        "    memo_required: false\n"
        "    aliases: [Base Mainnet, BASE网络]\n",
        encoding="utf-8",
    )
    text = "Send it on Base Mainnet (BASE网络), not Ethereum."
    assert claims(text) == ["Ethereum"]  # the shipped registry has no Base
    registry = load_registry(shipped_registry_file(), overlay)
    monkeypatch.setattr(claims_module, "get_registry", lambda: registry)
    found = find_claims(text)
    assert [(c.text, c.key) for c in found] == [
        ("Base Mainnet", ("network", "base")),
        ("BASE网络", ("network", "base")),
        ("Ethereum", ("network", "ethereum")),
    ]
    assert check_faithful("Use Base.", article("Deposits on Base Mainnet only.")).ok
