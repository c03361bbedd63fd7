"""The guard never cuts evidence: hashes and addresses survive whole, error codes are not
one-time codes (issue 11)."""

from __future__ import annotations

import pytest

from ledgerdesk.ai.guard import scan

TX = "0xb1503e9a7c41d0e2f95b6a8c03d4e7f1a2b9c8d7e6f5a4b3c2d192fa15787582"
ADDRESS = "0x1372ab1c9e0d4f5a6b7c8d9e0f1a2b3c92fa1578"


def test_issue_example_hash_and_address_survive() -> None:
    assert len(TX) == 66 and len(ADDRESS) == 42 and "1578" in TX and "1578" in ADDRESS
    text = f"充值未到账,交易哈希:{TX},充值地址 {ADDRESS}"
    result = scan(text)
    assert result.clean, result.redacted
    assert result.redacted == text


@pytest.mark.parametrize(
    "text",
    [
        "2FA 绑定失败，提示 (100006)",
        "2FA error (100006) when enabling",
        "谷歌验证码 报错 100006",
        "2FA code: (100006)",
        "2FA 绑定报错（100006）怎么办",
        "enable 2FA fails with error 100006",
        "2FA error: 100006",
    ],
)
def test_error_codes_next_to_2fa_words_are_kept(text: str) -> None:
    assert scan(text).clean, scan(text).redacted


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("my 2FA code is 482913", "482913"),
        ("验证码482913", "482913"),
        ("2FA:482913 and the app says error (100006)", "482913"),
    ],
)
def test_real_codes_are_still_removed(text: str, code: str) -> None:
    result = scan(text)
    assert result.kinds == ["otp_code"] and code not in result.redacted
    assert "100006" in result.redacted or "100006" not in text
