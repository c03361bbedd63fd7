"""The secret guard on each form of secret, in Chinese and English, and on what it must keep."""

from __future__ import annotations

import time

import pytest

from ledgerdesk.ai.guard import scan
from tests.guard.factory import extended_key, hex64, phrase, wif

ETH_TX = "0x" + hex64(11)
BTC_TXID = hex64(12)
ETH_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"
BTC_ADDRESSES = [
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
]
TRON_ADDRESS = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"


def secret_gone(text: str, secret: str, kind: str) -> None:
    result = scan(text)
    assert kind in result.kinds, (text, result.findings)
    assert secret not in result.redacted, result.redacted


def kept(text: str) -> None:
    result = scan(text)
    assert result.findings == (), (text, result.findings)
    assert result.redacted == text


def words_left(redacted: str, words: list[str]) -> int:
    """How many of the phrase's words are still in the text, in order, next to each other."""
    best = 0
    for size in range(1, len(words) + 1):
        for i in range(len(words) - size + 1):
            if "".join(words[i : i + size]) in redacted.replace(" ", "").replace("\n", ""):
                best = max(best, size)
    return best


# --- seed phrases ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [12, 15, 18, 21, 24])
def test_english_phrase_of_every_length(count: int) -> None:
    words = phrase("english", count, seed=count)
    text = f"Hi, this is my wallet: {' '.join(words)} — can you restore it?"
    result = scan(text)
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2
    assert "[removed: seed phrase]" in result.redacted


@pytest.mark.parametrize(
    "layout",
    [
        lambda w: " ".join(f"{i}.{x}" for i, x in enumerate(w, 1)),
        lambda w: " ".join(f"{i}) {x}" for i, x in enumerate(w, 1)),
        lambda w: "\n".join(w),
        lambda w: ", ".join(w),
        lambda w: "\n".join(f"{i}. {x}" for i, x in enumerate(w, 1)),
        lambda w: " ".join(x.upper() for x in w),
    ],
    ids=["numbered-dot", "numbered-paren", "one-per-line", "commas", "numbered-lines", "caps"],
)
def test_english_layouts(layout: object) -> None:
    words = phrase("english", 12, seed=3)
    text = "my recovery words:\n" + layout(words) + "\nplease help"  # type: ignore[operator]
    result = scan(text)
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted.lower(), words) <= 2


def test_english_phrase_with_one_typo() -> None:
    words = phrase("english", 12, seed=4)
    typo = list(words)
    typo[5] = typo[5][:-1] + ("x" if typo[5][-1] != "x" else "y")
    result = scan("seed: " + " ".join(typo))
    assert result.kinds == ["seed_phrase"]
    assert typo[5] not in result.redacted


def test_twelve_words_with_a_dropped_letter_at_the_end() -> None:
    words = phrase("english", 12, seed=5)
    words[-1] = words[-1][:-1]
    assert scan(" ".join(words)).kinds == ["seed_phrase"]


def test_chinese_unspaced_phrase_in_a_sentence() -> None:
    words = phrase("chinese_simplified", 12, seed=6)
    text = f"这是我的助记词：{''.join(words)}，帮我看看为什么余额不对"
    result = scan(text)
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2
    assert "[已删除：助记词]" in result.redacted
    assert result.redacted.endswith("帮我看看为什么余额不对")


@pytest.mark.parametrize("sep", [" ", "、", "，", "\n", ","])
def test_chinese_separated_phrase(sep: str) -> None:
    words = phrase("chinese_simplified", 15, seed=7)
    result = scan("助记词如下 " + sep.join(words))
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2


def test_chinese_numbered_phrase() -> None:
    words = phrase("chinese_simplified", 12, seed=8)
    text = " ".join(f"{i}、{w}" for i, w in enumerate(words, 1))
    assert scan(text).kinds == ["seed_phrase"]


@pytest.mark.parametrize("count", [12, 24])
def test_traditional_chinese_phrase(count: int) -> None:
    words = phrase("chinese_traditional", count, seed=9)
    result = scan(f"我的助記詞是{''.join(words)}謝謝")
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2


def test_chinese_phrase_with_one_wrong_character() -> None:
    words = phrase("chinese_simplified", 12, seed=10)
    words[4] = "鑫"  # not in either Chinese wordlist
    result = scan("助记词 " + " ".join(words))
    assert result.kinds == ["seed_phrase"]
    assert "鑫" not in result.redacted


@pytest.mark.parametrize(
    "lang", ["japanese", "korean", "spanish", "french", "italian", "czech", "portuguese"]
)
def test_other_wordlists(lang: str) -> None:
    words = phrase(lang, 12, seed=11)
    sep = "\u3000" if lang == "japanese" else " "
    result = scan("seed: " + sep.join(words))
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2


def test_zero_width_and_bidi_characters_do_not_hide_a_phrase() -> None:
    words = phrase("english", 12, seed=12)
    text = "\u202e" + "\u200b ".join(words)
    result = scan(text)
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2


def test_offsets_point_into_the_original_text() -> None:
    words = phrase("english", 12, seed=13)
    joined = " ".join(words)
    text = "我的钱包 — " + joined + " — 谢谢"
    (finding,) = scan(text).findings
    assert text[finding.start : finding.end] == joined
    assert finding.as_dict() == {"kind": "seed_phrase", "start": finding.start, "end": finding.end}


# --- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "my private key is {k}",
        "私钥：{k} 帮我转出来",
        "密钥 {k}",
        "exported from metamask: {k}",
        "Private Key\n{k}",
    ],
)
@pytest.mark.parametrize("prefix", ["", "0x"])
def test_raw_hex_private_key(template: str, prefix: str) -> None:
    key = prefix + hex64(20)
    secret_gone(template.format(k=key), key, "private_key")


@pytest.mark.parametrize("compressed", [True, False])
@pytest.mark.parametrize("testnet", [True, False])
def test_wif_keys(compressed: bool, testnet: bool) -> None:
    key = wif(21, compressed=compressed, testnet=testnet)
    secret_gone(f"import this key please {key}", key, "wif_key")
    secret_gone(f"我的比特币私钥{key}", key, "wif_key")


def test_wif_with_a_bad_checksum_is_not_a_key() -> None:
    key = wif(22)
    broken = key[:-1] + ("1" if key[-1] != "1" else "2")
    kept(f"reference {broken}")


@pytest.mark.parametrize(
    ("version", "prefix"),
    [("0488ade4", "xprv"), ("049d7878", "yprv"), ("04b2430c", "zprv"), ("04358394", "tprv")],
)
def test_extended_private_keys(version: str, prefix: str) -> None:
    key = extended_key(23, version)
    assert key.startswith(prefix)
    secret_gone(f"wallet backup {key}", key, "extended_private_key")
    secret_gone(f"扩展私钥：{key}", key, "extended_private_key")


def test_extended_public_key_is_kept() -> None:
    kept(f"my xpub is {extended_key(24, '0488b21e')} for the watch-only wallet")


# --- passwords and codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("密码是Abc12345!谢谢", "Abc12345", "password"),
        ("登录密码：Qwerty2024 一直提示错误", "Qwerty2024", "password"),
        ("资金密码 = 778899aa", "778899aa", "password"),
        ("password: hunter2!!", "hunter2", "password"),
        ("my pwd = Qwerty@2024", "Qwerty@2024", "password"),
        ("My password is Summer2024 and it does not work", "Summer2024", "password"),
        ('password "correct horse"', "correct horse", "password"),
        ("验证码 482913", "482913", "otp_code"),
        ("谷歌验证码：093521 还是不对", "093521", "otp_code"),
        ("短信验证码是 5521", "5521", "otp_code"),
        ("2FA code is 120384, it keeps failing", "120384", "otp_code"),
        ("Google Authenticator code: 654 321", "654 321", "otp_code"),
        ("the SMS code 778812 expired", "778812", "otp_code"),
    ],
)
def test_credentials(text: str, value: str, kind: str) -> None:
    secret_gone(text, value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password",
        "password reset not working",
        "my password is wrong",
        "密码错误，怎么办",
        "验证码收不到",
        "my 2FA code is not accepted",
        "the verification code expired",
        "error code 10003 when I withdraw",
        "I passed KYC level 2 yesterday",
        "客服会问我要助记词吗？",
        "I lost my seed phrase, what can I do?",
    ],
)
def test_mentions_without_values_are_kept(text: str) -> None:
    kept(text)


# --- what support needs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"txid {ETH_TX} not credited",
        f"交易哈希：{ETH_TX}，还没到账",
        f"TXID: {BTC_TXID}",
        f"I sent the deposit 3 hours ago, {BTC_TXID}",
        f"充值记录 {BTC_TXID}",
        f"https://etherscan.io/tx/{ETH_TX}",
        f"https://tronscan.org/#/transaction/{BTC_TXID}",
        f"withdrawal to {ETH_ADDRESS} still pending",
        f"my TRON address {TRON_ADDRESS}",
        "order 1234567890123 and memo 104729",
        "订单号 2024112100012345，MEMO/Tag: 3852014",
        "UID 38271645 withdrew 1,200 USDT and 0.5 BTC on 2026-11-20",
        *[f"send it to {a} please" for a in BTC_ADDRESSES],
    ],
)
def test_support_data_is_kept(text: str) -> None:
    kept(text)


@pytest.mark.parametrize(
    "text",
    [
        "您好，我昨天在平台充值了一笔USDT，到现在还没有到账，麻烦帮我查一下是什么原因，谢谢。"
        "我的账户里面显示的余额和实际不一样，是不是系统出了问题？",
        "我的账户被冻结了，提示存在风险交易，我从来没有做过违规的事情，请尽快帮我解冻，"
        "因为下个月要交房租，里面的钱对我很重要。",
        "請問提幣為什麼一直在審核中？已經超過二十四小時了，我需要這筆錢支付學費。",
        "的 人 我 要 你 们 在",
        "Please help me, my account balance is wrong after the market crash and I have to pay "
        "rent today so please check it fast",
        "I want to know about the fee for withdrawal to another exchange and the minimum amount",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    kept(text)


# --- ambiguous 64-hex --------------------------------------------------------------------


def test_bare_hex_without_context_is_redacted_as_possible_key() -> None:
    value = hex64(30)
    result = scan(value)
    assert result.kinds == ["private_key"]
    assert result.findings[0].detail == {"ambiguous": True, "on_chain": None}


def test_bare_hex_found_on_a_chain_is_kept() -> None:
    value = "0x" + hex64(31)
    asked: list[str] = []

    def lookup(candidate: str) -> bool | None:
        asked.append(candidate)
        return True

    assert scan(value, lookup=lookup).findings == ()
    assert asked == [value]


def test_context_decides_before_any_chain_is_asked() -> None:
    def lookup(candidate: str) -> bool | None:
        raise AssertionError("a chain was asked although the context was clear")

    assert scan(f"txid {hex64(32)}", lookup=lookup).findings == ()
    assert scan(f"private key {hex64(33)}", lookup=lookup).kinds == ["private_key"]


# --- hostile input -----------------------------------------------------------------------


def test_hundred_kilobyte_message_is_scanned_quickly() -> None:
    words = phrase("english", 12, seed=40)
    filler = "我的充值还没有到账，请帮我查询一下。" * 3000 + "my account was locked. " * 2000
    text = filler + " ".join(words) + filler[:1000]
    assert len(text) > 100_000
    started = time.perf_counter()
    result = scan(text)
    assert time.perf_counter() - started < 5  # generous: behaviour, not a benchmark
    assert result.kinds == ["seed_phrase"]
    assert words_left(result.redacted, words) <= 2


def test_lone_surrogates_and_control_characters() -> None:
    text = "pass\ud800word: abc\x00 密码是Abc12345 \u202e" + hex64(41)
    result = scan(text)
    assert "Abc12345" not in result.redacted
    assert hex64(41) not in result.redacted


def test_empty_text() -> None:
    assert scan("").findings == ()


# --- developer and colloquial forms --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        (
            f"PRIVATE_KEY=0x{hex64(50)}\nRPC_URL=https://rpc.example.org",
            f"0x{hex64(50)}",
            "private_key",
        ),
        (f'{{"privateKey": "{hex64(51)}", "chain": 1}}', hex64(51), "private_key"),
        (f'new ethers.Wallet("0x{hex64(52)}", provider)', f"0x{hex64(52)}", "private_key"),
        ("DB_PASSWORD=s3cr3t-Value!\nhardhat fails", "s3cr3t-Value!", "password"),
        ("mima Abc12345 zhanghao 13800138000", "Abc12345", "password"),
        ("yanzhengma 234505", "234505", "otp_code"),
        ("谷歌630089", "630089", "otp_code"),
        ("here's the code: 852-655", "852-655", "otp_code"),
        ("alice@example.com / Tr0ub4dor&3 please check", "Tr0ub4dor&3", "password"),
        ("交易密码忘了又想起来了，是738698，但是还是提示错误", "738698", "password"),
        ("I reset it to iLoveBTC2025!! but the link expired", "iLoveBTC2025", "password"),
        ("passcode for the app lock: 978617", "978617", "password"),
    ],
)
def test_developer_and_colloquial_forms(text: str, secret: str, kind: str) -> None:
    secret_gone(text, secret, kind)


@pytest.mark.parametrize(
    "text",
    [
        "code: 20003 when placing a limit order on BTC-USDT",
        "WARN withdraw rejected code=10006 addr=TW7wmd9jbmbzDX7n1EZtNCcrxQ9M8C6dPz",
        '{"code":"58207","msg":"withdrawal address not whitelisted"}',
        "短信验证码一直收不到，手机号+852 7721 7387，麻烦看一下",
        f"GET /api/v3/order?symbol=ETHUSDT&timestamp=1776280622281&signature={hex64(53)} -> 401",
        "Check the password carefully: Caps Lock and keyboard layout are common culprits.",
        "我 的 钱 包 里 面 的 钱 不 见 了 请 你 们 帮 我 查 一 下 谢 谢",
        "老婆说我把家里的钱都拿去买币了，其实没有，我只是放了一点点进去，现在想全部取出来",
        "my kid's spelling words this week: ocean, rabbit, winter, garden, pencil, kitchen, "
        "yellow, button, river, castle, orange, family, picnic",
        "Topics: deposit, account, access, balance, bonus, reward, transfer, fee, limit, card, "
        "report, order, trade.",
        "Fund password changed. Withdrawal of 49,922 USDT to TJKJtNDPxWagg78dTuCEa1qyWyMkzvG9dF",
    ],
)
def test_lookalikes_of_secrets_are_kept(text: str) -> None:
    kept(text)


def test_ten_thousand_urls_and_a_key() -> None:
    urls = " ".join(f"https://site{i}.example.com/tx/{i}" for i in range(10_000))
    key = hex64(60)
    started = time.perf_counter()
    result = scan(f"{urls}\nmy private key {key}")
    assert time.perf_counter() - started < 5
    assert result.kinds == ["private_key"] and key not in result.redacted
