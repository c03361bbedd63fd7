"""Script-based language detection: zh-Hans, zh-Hant, en or other."""

from __future__ import annotations

import pytest

from ledgerdesk.ai.triage.language import LANGUAGES, detect_language

CASES: list[tuple[str, str]] = [
    # simplified Chinese
    ("账户被锁定", "zh-Hans"),
    ("提现", "zh-Hans"),
    ("我的充值还没到账，急！", "zh-Hans"),
    ("帐户", "zh-Hans"),
    # traditional Chinese
    ("我的帳戶被鎖定了", "zh-Hant"),
    ("請問提幣多久到帳", "zh-Hant"),
    ("我要提現", "zh-Hant"),
    ("台灣", "zh-Hant"),
    # Chinese with coin names and network codes
    ("我的USDT充值没有到账", "zh-Hans"),
    ("為什麼我的USDT還沒到帳", "zh-Hant"),
    ("ETH 提币 pending 很久了", "zh-Hans"),
    ("转账 USDT 到 Binance 没到", "zh-Hans"),
    ("我 sent 500 USDT via TRC20 but 没到账", "zh-Hans"),
    ("USDT充值", "zh-Hans"),
    # English
    ("My deposit has not arrived", "en"),
    ("where is my withdrawal??", "en"),
    ("Hi, my USDT deposit via TRC20 hasn't arrived yet", "en"),
    ("I can't withdraw my BTC", "en"),
    ("café is closed, my deposit is stuck", "en"),
    ("Thanks!", "en"),
    ("TRC20", "en"),  # codes only: the desk's fallback
    # other languages
    ("Mi depósito no ha llegado a mi cuenta", "other"),
    ("hola mi cuenta esta bloqueada", "other"),
    ("Je ne peux pas retirer mon argent", "other"),
    ("Ich kann mich nicht einloggen", "other"),
    ("Minha conta está bloqueada", "other"),
    ("Hesabım kilitlendi, paramı çekemiyorum", "other"),
    ("Tài khoản của tôi bị khóa", "other"),
    ("Saya tidak bisa menarik uang", "other"),
    ("私の入金がまだ反映されていません", "other"),
    ("出金できません", "other"),  # kanji and kana: Japanese, not Chinese
    ("입금이 아직 안 됐어요", "other"),
    ("Мой депозит не пришел", "other"),
    ("Мой депозит USDT TRC20 не пришел", "other"),
    ("สวัสดีครับ ถอนเงินไม่ได้", "other"),
    ("مرحبا لا أستطيع السحب", "other"),
    ("!!!", "other"),
    ("12345", "other"),
]


@pytest.mark.parametrize(("text", "language"), CASES)
def test_detect_language(text: str, language: str) -> None:
    guess = detect_language(text)
    assert guess.language == language
    assert guess.language in LANGUAGES
    assert 0.0 <= guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_english_with_almost_no_confidence(text: str) -> None:
    guess = detect_language(text)
    assert guess.language == "en"
    assert guess.confidence <= 0.1


def test_confidence_grows_with_evidence() -> None:
    # A telling character decides the script more surely than shared characters alone.
    assert detect_language("账户").confidence > detect_language("中文").confidence
    assert detect_language("中文").language == "zh-Hans"
    # Latin words in a Chinese sentence lower the confidence.
    assert detect_language("充值没到账").confidence > detect_language("充值 USDT TRC20").confidence
    # More English function words, more sure.
    assert (
        detect_language("hello").confidence
        < detect_language("My deposit has not arrived").confidence
    )
    assert detect_language("USDT TRC20 0x1234").confidence < 0.5
