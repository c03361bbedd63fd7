"""Text analysis: Chinese segmentation with our dictionary, folding, English, mixed script."""

from __future__ import annotations

import pytest

from ledgerdesk.search.analysis import analyse, has_chinese, latin_words, normalise


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("我的谷歌验证器丢了", "谷歌验证器"),
        ("助记词被别人看到了", "助记词"),
        ("提币一直在审核中", "提币"),
        ("账户被冻结怎么解冻", "解冻"),
        ("这个钓鱼网站是假的吧", "钓鱼网站"),
        ("怎么设置防钓鱼码", "防钓鱼码"),
        ("合约被强平了", "强平"),
    ],
)
def test_user_dictionary_keeps_crypto_words_whole(text: str, whole: str) -> None:
    assert whole in analyse(text)


def test_stop_words_and_question_words_are_dropped() -> None:
    terms = analyse("请问我的充值为什么还没有到账呢？")
    assert "充值" in terms and "到账" in terms
    assert not {"请问", "我的", "为什么", "呢"} & set(terms)
    assert analyse("how do I do this?") == []


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("提幣沒到賬怎麼辦", "提币没到账怎么办"),
        ("帳戶被凍結了", "账户被冻结了"),
        ("谷歌驗證器遺失", "谷歌验证器遗失"),
        ("助記詞", "助记词"),
    ],
)
def test_traditional_text_matches_simplified(traditional: str, simplified: str) -> None:
    assert analyse(traditional) == analyse(simplified)


def test_english_is_stemmed_and_normalised() -> None:
    assert analyse("Withdrawals withdrawing WITHDRAWAL") == ["withdraw"] * 3
    assert analyse("Ｗｉｔｈｄｒａｗａｌ ＵＳＤＴ") == ["withdraw", "usdt"]  # full-width forms
    assert analyse("TRC20 2FA BEP20") == ["trc20", "2fa", "bep20"]


def test_mixed_chinese_and_english() -> None:
    terms = analyse("USDT 提币 pending 好久了，TRC20网络")
    assert {"usdt", "提币", "pend", "trc20", "网络"} <= set(terms)
    assert "好久" not in terms
    assert latin_words("USDT 提币 pending") == ["usdt", "pending"]
    assert has_chinese("USDT 提币") and not has_chinese("USDT withdrawal")


def test_hostile_text_is_harmless() -> None:
    assert analyse("") == []
    assert analyse("\x00\x07\u202e\u200b") == []
    huge = "提币 withdrawal " * 5000
    assert len(analyse(huge)) == 10000
    assert analyse("a" * 500) == []  # one absurd token is not indexed
    assert normalise("ＡＢＣ") == "abc"
