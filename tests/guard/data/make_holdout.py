"""Write ``holdout.jsonl``, the held-out measuring set for the secret guard.

This set was written separately from ``make_labelled.py``, after the guard had been tuned on
``labelled.jsonl``. Its templates, phrasings and hand-written messages are new. Use it only to
measure the guard, never to tune it.

The script is deterministic: one ``random.Random(SEED)``, no clock and no network. Keys,
addresses and hashes are made from that generator with real encodings and belong to nobody.

    .venv/bin/python tests/guard/data/make_holdout.py
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import base58
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from mnemonic import Mnemonic

SEED = 20261122
RNG = random.Random(SEED)
OUT = Path(__file__).with_name("holdout.jsonl")

KIND_ORDER = (
    "seed_phrase",
    "private_key",
    "wif_key",
    "extended_private_key",
    "password",
    "otp_code",
)
LANGS = ("zh", "en", "mixed")
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", sha256(data)).digest()


def b58check(payload: bytes) -> str:
    return base58.b58encode_check(payload).decode("ascii")


def rand_scalar() -> bytes:
    while True:
        k = RNG.randbytes(32)
        if 0 < int.from_bytes(k, "big") < SECP_N:
            return k


def pubkey(k: bytes, compressed: bool = True) -> bytes:
    raw = PrivateKey(k).public_key.to_bytes()
    if compressed:
        return bytes([2 + (raw[-1] & 1)]) + raw[:32]
    return b"\x04" + raw


def eth_address_of(k: bytes) -> str:
    return str(PrivateKey(k).public_key.to_checksum_address())


BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: Sequence[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= BECH32_GEN[i]
    return chk


def _to_5bit(data: bytes) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def segwit_address(hrp: str, version: int, program: bytes) -> str:
    """BIP173 (v0) / BIP350 (v1+) address."""
    data = [version, *_to_5bit(program)]
    const = 1 if version == 0 else 0x2BC830A3
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = _polymod([*expanded, *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARS[d] for d in data + checksum)


XKEY_VERSIONS: dict[str, tuple[int, int]] = {
    "xprv": (0x0488ADE4, 0x0488B21E),
    "yprv": (0x049D7878, 0x049D7CB2),
    "zprv": (0x04B2430C, 0x04B24746),
    "tprv": (0x04358394, 0x043587CF),
}
PURPOSE = {"xprv": 44, "yprv": 49, "zprv": 84, "tprv": 84}


def _serialise(version: int, depth: int, fpr: bytes, child: int, chain: bytes, key: bytes) -> str:
    payload = (
        version.to_bytes(4, "big") + bytes([depth]) + fpr + child.to_bytes(4, "big") + chain + key
    )
    assert len(payload) == 78
    return b58check(payload)


def extended_key(prefix: str, account: bool) -> tuple[str, str]:
    """A BIP32 master key, or the hardened account key m/purpose'/coin'/0', with its public twin."""
    digest = hmac.new(b"Bitcoin seed", RNG.randbytes(64), hashlib.sha512).digest()
    k, chain = digest[:32], digest[32:]
    depth, fpr, child = 0, b"\x00\x00\x00\x00", 0
    if account:
        coin = 1 if prefix == "tprv" else 0
        for index in (PURPOSE[prefix], coin, 0):
            parent = k
            child = index + 0x80000000
            data = b"\x00" + k + child.to_bytes(4, "big")
            digest = hmac.new(chain, data, hashlib.sha512).digest()
            scalar = (int.from_bytes(digest[:32], "big") + int.from_bytes(k, "big")) % SECP_N
            k, chain = scalar.to_bytes(32, "big"), digest[32:]
            fpr = hash160(pubkey(parent))[:4]
            depth += 1
    prv_version, pub_version = XKEY_VERSIONS[prefix]
    prv = _serialise(prv_version, depth, fpr, child, chain, b"\x00" + k)
    pub = _serialise(pub_version, depth, fpr, child, chain, pubkey(k))
    assert prv.startswith(prefix) and pub.startswith(prefix[0] + "pub")
    return prv, pub


def wif_key(testnet: bool, compressed: bool, segwit: bool) -> tuple[str, str]:
    """A WIF private key and the address it controls."""
    k = rand_scalar()
    version = b"\xef" if testnet else b"\x80"
    wif = b58check(version + k + (b"\x01" if compressed else b""))
    h = hash160(pubkey(k, compressed))
    if segwit:
        address = segwit_address("tb" if testnet else "bc", 0, h)
    else:
        address = b58check((b"\x6f" if testnet else b"\x00") + h)
    expected = "c" if testnet else ("KL" if compressed else "5")
    assert wif[0] in expected
    return wif, address


# --------------------------------------------------------------------------------------------
# Identifiers that support needs (kept)
# --------------------------------------------------------------------------------------------


def rand_eth() -> str:
    return str(to_checksum_address("0x" + RNG.randbytes(20).hex()))


def rand_btc() -> str:
    kind = RNG.choice(["p2pkh", "p2sh", "p2wpkh", "p2wpkh", "p2tr"])
    if kind == "p2pkh":
        return b58check(b"\x00" + RNG.randbytes(20))
    if kind == "p2sh":
        return b58check(b"\x05" + RNG.randbytes(20))
    if kind == "p2wpkh":
        return segwit_address("bc", 0, RNG.randbytes(20))
    return segwit_address("bc", 1, RNG.randbytes(32))


def rand_tron() -> str:
    return b58check(b"\x41" + RNG.randbytes(20))


def rand_xpub() -> str:
    return extended_key(RNG.choice(["xprv", "yprv", "zprv"]), True)[1]


def rand_date(chinese: bool = False) -> str:
    year = RNG.choice([2024, 2025, 2025, 2026])
    month = RNG.randint(1, 12)
    day = RNG.randint(1, 28)
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return RNG.choice(
        [
            f"{year}-{month:02d}-{day:02d}",
            f"{year}/{month}/{day}",
            f"{year}.{month:02d}.{day:02d}",
            f"{months[month - 1]} {day}",
            f"{day} {months[month - 1]} {year}",
        ]
        + ([f"{month}月{day}日", f"{year}年{month}月{day}日"] * 2 if chinese else [])
    )


def rand_time() -> str:
    h, m = RNG.randint(0, 23), RNG.randint(0, 59)
    return RNG.choice(
        [f"{h:02d}:{m:02d}", f"{h}:{m:02d}", f"{h:02d}:{m:02d}:{RNG.randint(0, 59):02d}"]
    )


def rand_dt() -> str:
    year, month, day = RNG.choice([2024, 2025, 2026]), RNG.randint(1, 12), RNG.randint(1, 28)
    h, m, s = RNG.randint(0, 23), RNG.randint(0, 59), RNG.randint(0, 59)
    stamp = f"{year}-{month:02d}-{day:02d} {h:02d}:{m:02d}:{s:02d}"
    return stamp + RNG.choice(["", "", " (UTC+8)", " UTC"])


def rand_isots() -> str:
    year, month, day = RNG.choice([2025, 2026]), RNG.randint(1, 12), RNG.randint(1, 28)
    h, m, s, ms = RNG.randint(0, 23), RNG.randint(0, 59), RNG.randint(0, 59), RNG.randint(0, 999)
    return f"{year}-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


def rand_amount() -> str:
    coin = RNG.choice(["USDT", "USDT", "USDT", "ETH", "BTC", "TRX", "BNB", "SOL", "USDC", "XRP"])
    if coin in ("USDT", "USDC"):
        value = RNG.choice(
            [f"{RNG.randint(20, 9999):,}", f"{RNG.randint(10, 4000)}.{RNG.randint(0, 99):02d}"]
        )
    elif coin == "BTC":
        value = f"0.{RNG.randint(1, 99999):05d}".rstrip("0")
    elif coin == "TRX":
        value = f"{RNG.randint(100, 90000):,}"
    else:
        value = f"{RNG.randint(0, 40)}.{RNG.randint(1, 999):03d}".rstrip("0")
    if coin == "USDT" and RNG.random() < 0.2:
        return f"{value}U"
    return f"{value} {coin}" if RNG.random() < 0.85 else f"{value}{coin}"


def rand_fiat() -> str:
    n = RNG.randint(300, 60000)
    return RNG.choice([f"¥{n:,}.00", f"{n}元", f"${n:,}", f"{n:,} CNY", f"NT${n:,}", f"HK${n}"])


def rand_order() -> str:
    return RNG.choice(
        [
            str(RNG.randint(10**17, 10**19 - 1)),
            f"W{RNG.randint(2024, 2026)}{RNG.randint(10**9, 10**10 - 1)}",
            f"C2C{RNG.randint(10**15, 10**16 - 1)}",
            f"P2P-{RNG.randint(10**11, 10**12 - 1)}",
            f"OD{RNG.randbytes(6).hex().upper()}",
        ]
    )


def rand_memo() -> str:
    return RNG.choice(
        [
            str(RNG.randint(10**5, 10**9)),
            str(RNG.randint(10**8, 10**10)),
            "".join(RNG.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10)),
        ]
    )


def rand_phone() -> str:
    return RNG.choice(
        [
            f"+86 1{RNG.choice('3456789')}{RNG.randint(0, 9)} {RNG.randint(1000, 9999)} "
            f"{RNG.randint(1000, 9999)}",
            f"1{RNG.choice('3589')}{RNG.randint(100000000, 999999999)}",
            f"+1 ({RNG.randint(201, 989)}) 555-{RNG.randint(100, 199):04d}",
            f"+852 {RNG.choice('5679')}{RNG.randint(100, 999)} {RNG.randint(1000, 9999)}",
            f"+886 9{RNG.randint(10, 99)}-{RNG.randint(100, 999)}-{RNG.randint(100, 999)}",
            f"+44 7700 900{RNG.randint(100, 999)}",
        ]
    )


EMAIL_NAMES = [
    "lin.wei88",
    "jmorrison",
    "crypto_kat",
    "zhangyu2019",
    "h.tanaka",
    "dave.okafor",
    "mei_ling",
    "rkapoor.trade",
    "chenxiaolong",
    "sunny_hk",
    "p.novak",
    "bigwhale_77",
]
EMAIL_DOMAINS = ["gmail.com", "qq.com", "163.com", "outlook.com", "proton.me", "yahoo.com.tw"]


def rand_email() -> str:
    return f"{RNG.choice(EMAIL_NAMES)}{RNG.randint(1, 99)}@{RNG.choice(EMAIL_DOMAINS)}"


def rand_url() -> Fill:
    h64 = RNG.randbytes(32).hex()
    tx0x = "0x" + h64
    choice = RNG.randrange(8)
    url, h = [
        (f"https://etherscan.io/tx/{tx0x}", tx0x),
        (f"https://bscscan.com/tx/{tx0x}", tx0x),
        (f"https://polygonscan.com/tx/{tx0x}", tx0x),
        (f"https://arbiscan.io/tx/{tx0x}", tx0x),
        (f"https://tronscan.org/#/transaction/{h64}", h64),
        (f"https://mempool.space/tx/{h64}", h64),
        (f"https://www.blockchain.com/explorer/transactions/btc/{h64}", h64),
        (f"https://blockchair.com/bitcoin/transaction/{h64}", h64),
    ][choice]
    return Fill(url, "keep", parts=(h,))


def rand_err() -> str:
    return RNG.choice(["10006", "50113", "58207", "30014", "40017", "20003", "60012", "51008"])


def rand_ref() -> str:
    return "".join(RNG.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(RNG.choice([6, 8])))


def rand_tg() -> str:
    first = RNG.choice(["Official", "Support", "Admin", "Help", "Service", "Desk"])
    return (
        f"@{RNG.choice(['Binace', 'OKX', 'Ledger', 'TP', 'imToken'])}_{first}{RNG.randint(1, 99)}"
    )


def rand_num() -> str:
    return f"{RNG.randint(1, 9000)}.{RNG.randint(0, 99999999):08d}".rstrip("0")


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------

PW_WORDS = [
    "tiger",
    "panda",
    "sunny",
    "dragon",
    "lucky",
    "maple",
    "kitty",
    "mango",
    "xiaoming",
    "zhangwei",
    "lili",
    "woaini",
    "baobao",
    "shadow",
    "galaxy",
    "coffee",
    "rocket",
    "moon",
    "jiayou",
    "haoyun",
    "chelsea",
    "bitcoin",
]
PW_SYMBOLS = "!@#$%&*._-"


def rand_password() -> str:
    style = RNG.randrange(7)
    word = RNG.choice(PW_WORDS)
    sym = RNG.choice(PW_SYMBOLS)
    if style == 0:
        return f"{word.capitalize()}{sym}{RNG.randint(10, 9999)}"
    if style == 1:
        return f"{word}{RNG.randint(1970, 2008)}{RNG.randint(1, 12):02d}{RNG.randint(1, 28):02d}"
    if style == 2:
        pool = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        body = "".join(RNG.choice(pool) for _ in range(RNG.randint(8, 12)))
        return body[:4] + sym + body[4:] + str(RNG.randint(0, 9))
    if style == 3:
        return f"Aa{RNG.randint(100000, 999999)}{RNG.choice(['.', '!', '@'])}"
    if style == 4:
        second = RNG.choice(PW_WORDS)
        return f"{word.capitalize()}-{second.capitalize()}-{RNG.randint(10, 99)}"
    if style == 5:
        return RNG.choice(["1qaz@WSX", "Qaz2wsx#", "zxc!ASD", "Qwer1234$"]) + str(
            RNG.randint(1, 999)
        )
    return f"{word}{sym}{word[::-1]}{RNG.randint(0, 99)}"


def rand_otp() -> Fill:
    code = f"{RNG.randrange(10**6):06d}"
    r = RNG.random()
    if r < 0.18:
        text = f"{code[:3]} {code[3:]}"
        return Fill(text, "secret", "otp_code", parts=(code[:3], code[3:]))
    if r < 0.24:
        text = f"{code[:3]}-{code[3:]}"
        return Fill(text, "secret", "otp_code", parts=(code[:3], code[3:]))
    return Fill(code, "secret", "otp_code")


# --------------------------------------------------------------------------------------------
# Seed phrases
# --------------------------------------------------------------------------------------------

SEED_LANGS = (
    "english",
    "chinese_simplified",
    "chinese_traditional",
    "japanese",
    "korean",
    "spanish",
    "french",
    "italian",
    "czech",
    "portuguese",
)
MNEMO: dict[str, Mnemonic] = {lang: Mnemonic(lang) for lang in SEED_LANGS}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


WORDSETS: dict[str, frozenset[str]] = {
    lang: frozenset(nfc(w) for w in m.wordlist) for lang, m in MNEMO.items()
}
HAN_WORDS = WORDSETS["chinese_simplified"] | WORDSETS["chinese_traditional"]
LATIN = ("english", "spanish", "french", "italian", "czech", "portuguese")
CHINESE = ("chinese_simplified", "chinese_traditional")
JA_KO = ("japanese", "korean")

# Characters that look alike. A typo swaps a word-list character for a member of its group
# that is in neither Chinese word list.
LOOKALIKES = [
    "己已巳",
    "未末",
    "戊戌戍戎",
    "拔拨",
    "侯候",
    "栗粟",
    "茶荼",
    "刺剌",
    "崇祟",
    "微徽",
    "赢羸嬴",
    "壶壸",
    "治冶",
    "析折拆",
    "天夭",
    "干千于",
    "斤斥",
    "日曰",
    "大犬太",
    "白自百",
    "木术本",
    "令今",
    "甲申由田",
    "贝见",
    "历厉",
    "准淮",
    "籍藉",
    "渴喝",
    "暖暧",
    "钩钓",
    "崖涯",
    "幕暮慕墓募",
    "燥躁噪澡",
    "锁琐",
    "免兔",
    "乌鸟",
    "王玉主",
    "人入八",
    "土士",
    "汗汁",
    "住往",
    "洒酒",
    "问间",
    "季李",
    "苦若",
    "貝見",
    "烏鳥",
    "為爲",
    "壺壼",
    "問間",
    "鍾鐘",
    "祇祗",
    "汩汨",
    "刁刀",
    "丐丏",
    "兢竞",
    "辨辩瓣辫",
    "戴载",
    "券卷",
    "拣捡",
    "侍待",
]

QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour(ch: str) -> str:
    for row in QWERTY_ROWS:
        i = row.find(ch)
        if i >= 0:
            options = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            return RNG.choice(options)
    return RNG.choice("aeiou")


def latin_typo(word: str, wordset: frozenset[str]) -> str | None:
    for _ in range(40):
        op = RNG.choice(["neighbour", "drop", "double", "swap"])
        i = RNG.randrange(len(word))
        if op == "neighbour":
            new = word[:i] + _neighbour(word[i]) + word[i + 1 :]
        elif op == "drop":
            new = word[:i] + word[i + 1 :]
        elif op == "double":
            new = word[:i] + word[i] + word[i:]
        else:
            if i == len(word) - 1:
                continue
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if new != word and len(new) >= 3 and new not in wordset:
            return new
    return None


def han_typo(ch: str) -> str | None:
    for group in LOOKALIKES:
        if ch in group:
            options = [c for c in group if c != ch and c not in HAN_WORDS]
            if options:
                return RNG.choice(options)
    return None


def apply_typo(lang: str, words: list[str]) -> list[str] | None:
    """Mistype one word, or return None when this phrase offers no believable typo."""
    positions = list(range(len(words)))
    RNG.shuffle(positions)
    for i in positions:
        if lang in CHINESE:
            new = han_typo(words[i])
        else:
            new = latin_typo(words[i], WORDSETS[lang])
        if new is not None and new not in words:
            return [*words[:i], new, *words[i + 1 :]]
    return None


LATIN_LAYOUTS = [
    "space",
    "space",
    "space",
    "space",
    "double",
    "num_dot",
    "num_dot_sp",
    "num_paren",
    "num_brkt",
    "num_zero",
    "num_colon",
    "lines",
    "num_lines",
    "num_lines_tab",
    "comma",
    "comma_tight",
    "grid3",
    "grid4",
    "numgrid3",
    "caps",
    "capfirst",
    "slash",
    "hyphen",
]
HAN_LAYOUTS = [
    "unspaced",
    "unspaced",
    "unspaced",
    "unspaced",
    "unspaced",
    "unspaced",
    "space",
    "space",
    "space",
    "space",
    "dunhao",
    "cn_comma",
    "comma",
    "num_dunhao",
    "num_dunhao_tight",
    "num_dot",
    "lines",
    "num_lines",
    "grid3_tight",
    "grid4",
    "numgrid4",
    "groups4",
    "double",
]
JA_LAYOUTS = ["ideo"] * 8 + ["lines", "num_lines", "num_dot_sp"]
KO_LAYOUTS = ["space", "space", "space", "lines", "num_lines", "num_dot_sp", "comma", "grid4"]
SCREEN_LAYOUTS = ["num_lines", "num_lines", "numgrid3", "numgrid2", "screen_split", "num_lines_tab"]


def _grid(words: list[str], size: int, sep: str) -> str:
    return "\n".join(sep.join(words[i : i + size]) for i in range(0, len(words), size))


def lay_out(words: list[str], style: str) -> str:
    numbered = [(i, w) for i, w in enumerate(words, 1)]
    simple = {
        "space": " ",
        "double": "  ",
        "ideo": "\u3000",
        "unspaced": "",
        "lines": "\n",
        "comma": ", ",
        "comma_tight": ",",
        "cn_comma": "，",
        "dunhao": "、",
        "slash": " / ",
        "hyphen": "-",
        "caps": " ",
        "capfirst": " ",
    }
    if style in simple:
        return simple[style].join(words)
    if style == "num_dot":
        return " ".join(f"{i}.{w}" for i, w in numbered)
    if style == "num_dot_sp":
        return " ".join(f"{i}. {w}" for i, w in numbered)
    if style == "num_paren":
        return " ".join(f"{i}) {w}" for i, w in numbered)
    if style == "num_brkt":
        return " ".join(f"[{i}]{w}" for i, w in numbered)
    if style == "num_zero":
        return " ".join(f"{i:02d} {w}" for i, w in numbered)
    if style == "num_colon":
        return ", ".join(f"{i}:{w}" for i, w in numbered)
    if style == "num_lines":
        return "\n".join(f"{i}. {w}" for i, w in numbered)
    if style == "num_lines_tab":
        return "\n".join(f"{i}\t{w}" for i, w in numbered)
    if style == "num_dunhao":
        return " ".join(f"{i}、{w}" for i, w in numbered)
    if style == "num_dunhao_tight":
        return "".join(f"{i}、{w}" for i, w in numbered)
    if style == "screen_split":
        return "\n".join(f"{i}\n{w}" for i, w in numbered)
    if style == "grid3":
        return _grid(words, 3, " ")
    if style == "grid4":
        return _grid(words, 4, " ")
    if style == "grid3_tight":
        return _grid(words, 3, "")
    if style == "groups4":
        return " ".join("".join(words[i : i + 4]) for i in range(0, len(words), 4))
    if style in ("numgrid2", "numgrid3", "numgrid4"):
        size = int(style[-1])
        cells = [f"{i} {w}" for i, w in numbered]
        return _grid(cells, size, "   ")
    raise ValueError(style)


@dataclass(frozen=True)
class SeedPlan:
    lang: str
    n_words: int
    typo: bool


def make_seed(plan: SeedPlan, style: str) -> Fill:
    m = MNEMO[plan.lang]
    while True:
        entropy = RNG.randbytes(plan.n_words * 4 // 3)
        phrase = m.to_mnemonic(entropy)
        words = [nfc(w) for w in re.split(r"[ \u3000]+", phrase)]
        assert len(words) == plan.n_words
        assert m.check(phrase)
        if plan.typo:
            typed = apply_typo(plan.lang, words)
            if typed is None:
                continue
            assert not m.check(" ".join(typed))
            words = typed
        break
    if plan.lang not in LATIN and style in ("caps", "capfirst"):
        style = "space"
    if style == "caps":
        words = [w.upper() for w in words]
    elif style == "capfirst":
        words = [words[0].capitalize(), *words[1:]]
    block = lay_out(words, style)
    meta = {"seed_lang": plan.lang, "layout": style, "typo": str(plan.typo), "n": str(len(words))}
    return Fill(block, "secret", "seed_phrase", parts=tuple(dict.fromkeys(words)), meta=meta)


def layouts_for(lang: str) -> list[str]:
    if lang in CHINESE:
        return HAN_LAYOUTS
    if lang == "japanese":
        return JA_LAYOUTS
    if lang == "korean":
        return KO_LAYOUTS
    return LATIN_LAYOUTS


# --------------------------------------------------------------------------------------------
# Rendering and checks
# --------------------------------------------------------------------------------------------


@dataclass
class Fill:
    text: str
    role: str  # "secret", "keep" or "plain"
    kind: str = ""
    parts: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Msg:
    lang: str
    text: str
    kinds: list[str]
    secrets: list[str]
    keep: list[str]
    spans: list[tuple[int, int]]
    meta: dict[str, str] = field(default_factory=dict)

    def record(self, ident: str) -> dict[str, object]:
        return {
            "id": ident,
            "lang": self.lang,
            "text": self.text,
            "kinds": self.kinds,
            "secrets": self.secrets,
            "keep": self.keep,
        }


KEEP_SLOTS: dict[str, Callable[[], str]] = {
    "eth": rand_eth,
    "ethl": lambda: rand_eth().lower(),
    "tx": lambda: "0x" + RNG.randbytes(32).hex(),
    "btctx": lambda: RNG.randbytes(32).hex(),
    "trontx": lambda: RNG.randbytes(32).hex(),
    "btc": rand_btc,
    "tron": rand_tron,
    "uid": lambda: str(RNG.randint(10**7, 10**9 - 1)),
    "order": rand_order,
    "memo": rand_memo,
    "amt": rand_amount,
    "time": rand_time,
    "dt": rand_dt,
    "isots": rand_isots,
    "ts": lambda: str(RNG.randint(1_735_000_000_000, 1_790_000_000_000)),
    "phone": rand_phone,
    "email": rand_email,
    "err": rand_err,
    "xpub": rand_xpub,
    "wid": lambda: RNG.randbytes(16).hex(),
    "sig": lambda: RNG.randbytes(32).hex(),
    "ref": rand_ref,
    "fiat": rand_fiat,
    "num": rand_num,
    "block": lambda: str(RNG.randint(18_000_000, 24_000_000)),
    "ticket": lambda: f"#{RNG.randint(10**6, 10**7 - 1)}",
    "tg": rand_tg,
}
PLAIN_SLOTS: dict[str, Callable[[], str]] = {
    "coin": lambda: RNG.choice(["USDT", "ETH", "BTC", "TRX", "SOL", "BNB"]),
    "net": lambda: RNG.choice(["ERC20", "TRC20", "BEP20", "Arbitrum", "Polygon"]),
}
PRIMARY = {"pk", "wif", "cwif", "twif", "xprv", "zprv", "tprv"}


def base_of(name: str) -> str:
    return name.rstrip("0123456789")


def fill_slot(name: str, ctx: dict[str, Fill], lang: str) -> None:
    base = base_of(name)
    suffix = name[len(base) :]
    if base == "pk":
        k = rand_scalar()
        hexed = k.hex().upper() if RNG.random() < 0.08 else k.hex()
        text = "0x" + hexed if RNG.random() < 0.45 else hexed
        ctx[name] = Fill(text, "secret", "private_key")
        ctx["pkaddr" + suffix] = Fill(eth_address_of(k), "keep")
    elif base in ("wif", "cwif", "twif"):
        testnet = base == "twif"
        compressed = base != "wif" or RNG.random() < 0.65
        segwit = compressed and (base == "cwif" or RNG.random() < 0.4)
        wif, address = wif_key(testnet, compressed, segwit)
        ctx[name] = Fill(wif, "secret", "wif_key")
        ctx["wifaddr" + suffix] = Fill(address, "keep")
    elif base in ("xprv", "zprv", "tprv"):
        prefix = RNG.choice(["xprv", "xprv", "yprv", "zprv"]) if base == "xprv" else base
        account = prefix != "xprv" or RNG.random() < 0.5
        if base == "tprv":
            account = RNG.random() < 0.6
        prv, pub = extended_key(prefix, account)
        ctx[name] = Fill(prv, "secret", "extended_private_key")
        ctx["xpubof" + suffix] = Fill(pub, "keep")
    elif base == "pw":
        ctx[name] = Fill(rand_password(), "secret", "password")
    elif base == "otp":
        ctx[name] = rand_otp()
    elif base == "date":
        ctx[name] = Fill(rand_date(chinese=lang in ("zh", "zht", "mixed")), "keep")
    elif base == "url":
        ctx[name] = rand_url()
    elif base in KEEP_SLOTS:
        ctx[name] = Fill(KEEP_SLOTS[base](), "keep")
    elif base in PLAIN_SLOTS:
        ctx[name] = Fill(PLAIN_SLOTS[base](), "plain")
    else:
        raise KeyError(f"unknown slot {name!r}")


TOKEN = re.compile(r"\{([a-z]+\d*)\}|«([^«»]*)»")
# Runs of text between these delimiters. Every run that does not touch a secret is kept.
DELIM = re.compile(r"[\n。！？；，、]+|[!?;,]+(?=\s|$)|\.(?:\s+|$)")


def runs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for d in DELIM.finditer(text):
        yield start, d.start()
        start = d.end()
    yield start, len(text)


def _literal(text: str, lit: str, pending_nl: bool) -> tuple[str, bool]:
    """Append template text; after a multi-line secret block, prose starts on a new line."""
    if pending_nl and lit:
        if lit[0] == " ":
            lit = "\n" + lit.lstrip(" ")
        elif lit[0].isalnum() or unicodedata.category(lit[0]) == "Lo":
            lit = "\n" + lit
        pending_nl = False
    return text + lit, pending_nl


def occurrences(text: str, sub: str) -> Iterator[int]:
    i = text.find(sub)
    while i != -1:
        yield i
        i = text.find(sub, i + 1)


def problems(text: str, secrets: list[str], keep: list[str], spans: list[tuple[int, int]]) -> str:
    """Empty when the labels are sound, else what is wrong."""
    for s in secrets:
        if s not in text:
            return f"secret not in text: {s!r}"
        for i in occurrences(text, s):
            if not any(a <= i and i + len(s) <= b for a, b in spans):
                return f"secret occurs outside its block: {s!r}"
    for k in keep:
        if not k or k not in text:
            return f"keep not in text: {k!r}"
        for i in occurrences(text, k):
            if any(i < b and a < i + len(k) for a, b in spans):
                return f"keep overlaps a secret: {k!r}"
    return ""


def render(lang: str, template: str, given: dict[str, Fill], clean: bool) -> Msg | None:
    ctx = dict(given)
    names = list(dict.fromkeys(m.group(1) for m in TOKEN.finditer(template) if m.group(1)))
    for name in sorted(names, key=lambda n: base_of(n) not in PRIMARY):
        if name not in ctx:
            fill_slot(name, ctx, lang)
    text = ""
    pending_nl = False
    spans: list[tuple[int, int]] = []
    placed: list[tuple[int, Fill]] = []
    keep: list[str] = []
    meta: dict[str, str] = {}
    last = 0
    for m in TOKEN.finditer(template):
        text, pending_nl = _literal(text, template[last : m.start()], pending_nl)
        last = m.end()
        if m.group(2) is not None:
            text, pending_nl = _literal(text, m.group(2), pending_nl)
            keep.append(m.group(2).strip())
            continue
        fill = ctx[m.group(1)]
        if fill.role == "secret" and "\n" in fill.text:
            if text and not text.endswith("\n"):
                text = text.rstrip(" ") + "\n"
        start = len(text)
        text += fill.text
        if fill.role == "secret":
            spans.append((start, len(text)))
            placed.append((start, fill))
            meta.update(fill.meta)
            pending_nl = "\n" in fill.text
        elif fill.role == "keep":
            keep.extend([fill.text, *fill.parts])
            pending_nl = False
        else:
            pending_nl = False
    text, _ = _literal(text, template[last:], pending_nl)

    placed.sort(key=lambda p: (KIND_ORDER.index(p[1].kind), p[0]))
    kinds = list(dict.fromkeys(f.kind for _, f in placed))
    secrets = list(dict.fromkeys(s for _, f in placed for s in (f.text, *f.parts)))
    assert not (clean and placed), template
    for a, b in runs(text):
        if not any(a < y and x < b for x, y in spans):
            keep.append(text[a:b].strip())
    keep = [k for k in dict.fromkeys(keep) if len(k) >= 2]
    if problems(text, secrets, keep, spans):
        return None
    return Msg("zh" if lang == "zht" else lang, text, kinds, secrets, keep, spans, meta)


SEEN: set[str] = set()


def make(lang: str, template: str, given: Callable[[], dict[str, Fill]] | None = None) -> Msg:
    """Render one message; redraw the random parts until the labels are sound and new."""
    for _ in range(2000):
        fills = given() if given is not None else {}
        clean = given is None and not any(
            base_of(n) in PRIMARY | {"pw", "otp"} for n in re.findall(r"\{([a-z]+\d*)\}", template)
        )
        msg = render(lang, template, fills, clean)
        if msg is not None and msg.text not in SEEN:
            SEEN.add(msg.text)
            return msg
    raise RuntimeError(f"cannot render template: {template!r}")


class Cycler:
    """Hands out (lang, template) pairs in shuffled rounds so every template gets used."""

    def __init__(self, pools: dict[str, list[str]]) -> None:
        self.items = [(lang, t) for lang, ts in pools.items() for t in ts]
        self.queue: list[tuple[str, str]] = []

    def __len__(self) -> int:
        return len(self.items)

    def next(self) -> tuple[str, str]:
        if not self.queue:
            self.queue = self.items[:]
            RNG.shuffle(self.queue)
        return self.queue.pop()


# --------------------------------------------------------------------------------------------
# Templates. {slot} is filled in; «text» is ordinary prose that must survive unchanged.
# Pools: "en", "zh" (simplified), "zht" (traditional / Cantonese, labelled zh), "mixed".
# --------------------------------------------------------------------------------------------

SEED_T: dict[str, list[str]] = {
    "en": [
        "pls help!!! my wallet got drained last night, everything gone. «i still have the "
        "words from when i made it»: {seed} can u guys trace where it went??",
        "hi support, before i reinstall the app i wanna make sure my backup is right. "
        "is this it?\n{seed}",
        "the admin on telegram asked for my recovery words to 'sync' the wallet so i sent "
        "him {seed} and now balance is 0. «was that u guys or a scammer»",
        "bro i typed {seed} into the restore screen like 5 times and it keeps saying "
        "invalid mnemonic. «what am i doing wrong»",
        "URGENT. someone withdrew {amt} to {eth} on {date}. «I never approved this.» "
        "My phrase is {seed}",
        "> From: Wallet Security Team <alerts@secure-walletcheck.io>\n> Your wallet has been "
        "flagged. Reply with your recovery phrase within 24h to avoid suspension.\n\n"
        "hello, i replied to the email above with {seed} — «is this email really from you?»",
        "writing this here so i dont lose it again lol\n{seed}\ncan you save it on my account pls",
        "My father passed away in March and left a wallet. «We found a note in his desk "
        "drawer» with these words: {seed}. How do we get the funds out? His UID was {uid}.",
        "Support agent 'Kevin' on WhatsApp said I have to verify ownership by typing my "
        "seed in a ticket, so: {seed}",
        "ok so heres the thing, i moved {amt} from the exchange to my own wallet ({eth}) "
        "and after restoring with {seed} it shows empty... «did i restore the wrong wallet?»",
        "seed: {seed}\nplease check if it is valid, the app keeps saying checksum failed",
        "Hey quick q — «is it normal that the import page doesn't accept my phrase?» {seed}",
        "I exported my phrase from the old phone: {seed}\n«New phone is an iPhone 15, app "
        "version 4.2.1.»",
        "{seed}\n^ that's my backup phrase. «lost access after the update», UID {uid}. plz",
        "u guys told me in live chat to send the words to recover my account so here: {seed} 🙏🙏",
        "I've been on hold for 2 hours. Ticket {ticket}... whatever. Recovery phrase: "
        "{seed}. Just fix it.",
        "restoring fails at word 7?? {seed}",
        "My son set up the wallet for me, he wrote this on the back of a receipt: {seed}. "
        "«I am 67 and do not understand any of this.»",
        "got a popup 'Validate your wallet' on a site that looked exactly like yours and "
        "entered {seed} 😭😭 «how do i stop them»",
        "Hi,\n\nI am writing about my locked account (UID {uid}).\n\nTo prove ownership, "
        "here is my mnemonic:\n{seed}\n\nKind regards,\nM. Okafor",
        "wallet backup words (dont share lol): {seed}",
        "an airdrop checker site wanted my phrase to claim tokens, i pasted {seed} and a "
        "minute later {amt} was pulled out, tx {tx}",
        "Trezor died. «trying to recover on your web wallet» with {seed} but it derives a "
        "different address than {btc}",
        "sorry for my english. this is the words of my wallet {seed} please to help me, "
        "«the money is not there»",
        "Recovery words for the family account, in case I get hit by a bus:\n{seed}",
    ],
    "zh": [
        "在吗在吗 急急急！！钱包里的币全没了，助记词是 {seed} 帮我查一下到底转去哪了",
        "客服说要我提供助记词才能解冻，我已经发给他了：{seed}\n«你们到底是不是官方的»",
        "老哥帮帮忙，导入钱包一直提示助记词无效，{seed} 是不是哪个字抄错了",
        "我{date}在你们这里充了{amt}，一直没到账。钱包地址是 {eth}，助记词 {seed} 你们自己进去看吧",
        "你好，我爸爸的钱包只留下一张纸，上面写着：{seed}，请问怎么把里面的资产取出来",
        "电报群里有个管理员说帮我升级钱包，让我把助记词发过去，我就发了{seed}，«现在币全被转走了»",
        "备份一下免得忘了 {seed}",
        "兄弟们这个助记词是哪个钱包的 {seed} 好几个钱包都导入不了",
        "恢复钱包的时候输入 {seed} 出来的地址和原来的 {btc} 不一样，急",
        "我的恢复短语：{seed}\n请尽快帮我处理，UID {uid}",
        "客服您好，刚才电话里的工作人员让我在工单里写上助记词核实身份：{seed}",
        "{seed}\n上面是我的助记词，«钱包突然打不开了，一直转圈»",
        "有个网站说可以领空投，要输入助记词验证，我输了 {seed} 然后{amt}就没了，交易哈希 {tx}",
        "我把助记词存在备忘录里：{seed}。«手机丢了，新手机怎么恢复？»",
        "急！！！助记词 {seed} 导入后余额是0，原来有{amt}的",
        "您好，我按提示抄了助记词，验证的时候一直说顺序不对，我抄的是\n{seed}\n«请帮我看看»",
        "朋友说把助记词发给客服可以加急处理，那我发一下：{seed}",
        "我的钱包被盗了，报警要材料，这是助记词 {seed}，被盗地址 {eth}",
        "上次那个客服让我用微信把助记词发给他，我发了（{seed}），后来他就把我拉黑了",
        "不好意思打扰了，想问下这组词 {seed} 能不能在你们APP里恢复？«我不太懂这些»",
        "助记词：{seed}\n钱包：TP\n链：TRON\n地址：{tron}\n«余额显示不对»",
    ],
    "zht": [
        "請問一下，我的助記詞是 {seed}，導入之後餘額怎麼是零？",
        "客服你好，錢包被盜了，助記詞如下：\n{seed}\n«麻煩幫忙追查»",
        "之前有個自稱官方的人叫我把助記詞給他驗證，我給了 {seed}，«現在幣都不見了，怎麼辦»",
        "搞咩呀，我個錢包開唔到，助記詞係 {seed}，幫我睇下",
        "備份的助記詞：{seed}，換手機之後恢復失敗，請協助",
        "老闆，我輸入 {seed} 一直顯示助記詞錯誤，«是不是你們系統有問題？»",
        "我阿爸留低張紙寫住 {seed}，佢個錢包仲有冇錢？",
    ],
    "mixed": [
        "兄弟 my wallet 被清空了 😭 seed phrase 是 {seed} pls help 查一下",
        "hi 在吗, restore wallet 的时候 {seed} 一直说 invalid，怎么办 bro",
        "客服 on telegram 让我 verify wallet，我 send 了 {seed}，now all gone «is this a scam»",
        "my recovery phrase 在这里: {seed} 麻烦 check 一下 是不是 valid",
        "急急急 urgent!! {seed} 这个 mnemonic 导入 metamask 之后 balance 是 0",
        "老哥 quick question, 这个 backup 对吗\n{seed}",
        "sorry 我英文不好, my words is {seed}, 钱包 open 不了",
    ],
}

SCREEN_T: dict[str, list[str]] = {
    "en": [
        "Secret Recovery Phrase\n{seed}\nCopy to clipboard\n\n^ copied this from metamask, "
        "«can't log in to your site with it»",
        "Your recovery phrase\nWrite down these words in the right order and keep them "
        "somewhere safe.\n{seed}\nI've saved it\n\n(pasted straight from the app) «is this "
        "the one i need for the new phone?»",
        "Back up your wallet\n{seed}\nNever share your recovery phrase with anyone.\n\nlol i "
        "guess i just did but u are support so it's fine",
    ],
    "zh": [
        "备份助记词\n请按顺序抄写助记词，确保备份正确\n{seed}\n我已备份\n\n"
        "截图转文字的，«这个能恢复吗»",
        "助记词\n{seed}\n复制\n\n客服说把这个发过来就能帮我找回",
    ],
    "zht": [
        "備份助記詞\n{seed}\n請妥善保管，切勿洩露\n\n這樣抄對嗎？",
    ],
    "mixed": [
        "Secret Recovery Phrase\n{seed}\n\n这个是 metamask 上面 copy 的，在你们这 import 不了",
    ],
}

PK_T: dict[str, list[str]] = {
    "en": [
        "the scammer asked for my key so i sent {pk}. then everything got swept to {eth}",
        "Private Key\n{pk}\n\ncopied this from metamask account details, «how do i import "
        "it into your wallet»",
        "my private key is {pk} and the address is {pkaddr}, «why doesnt the balance show»",
        "PRIVATE_KEY={pk}\nRPC_URL=https://rpc.ankr.com/eth\n\n«my bot stopped working "
        "after your API change»",
        '{"address": "{pkaddr}", "privateKey": "{pk}"}\n^ from the wallet generator, '
        "«deposits to this address are not credited»",
        "exported pk: {pk} — «import keeps failing with 'invalid key'»",
        "I'm the owner of {pkaddr}, proof: {pk}",
        "Someone in the discord DMed me pretending to be a mod and asked for my pk... I gave "
        "it to him 🤦 {pk}",
        "hey can u sweep my old wallet? key is {pk}. send everything to my deposit address {eth}",
        "key (hex) {pk}\naddr {pkaddr}\nchain BSC\n«pls recover my stuck BEP20 tokens»",
        "Sent {amt} on the wrong network, tx {tx}. Here's the key for the receiving address "
        "so you can pull it back: {pk}",
        "In case it helps, my wallet private key: {pk}",
        "address,private_key\n{pkaddr},{pk}\n{pkaddr2},{pk2}\n\n«batch from our hot wallet "
        "script», «deposits from these two never showed up»",
    ],
    "zh": [
        "私钥：{pk}\n地址：{pkaddr}\n帮我看看为什么转不出去",
        "我把私钥发给那个客服了 {pk}，结果号被盗了",
        "导出的私钥是 {pk}，对应地址 {pkaddr}，导入你们钱包显示格式错误",
        "私钥给你们 {pk}，帮我把币转回交易所，充值地址 {eth}",
        "老哥，电报上那个“技术支持”让我把私钥贴给他做同步，我贴了 {pk}，«现在余额是零»",
        "密钥 {pk} 是对的吧？我在imToken导入不了",
        "充错链了，交易哈希 {tx}，接收地址的私钥是 {pk}，麻烦帮我找回",
        "客服您好，这是我钱包的私钥 {pk}，麻烦帮我查一下授权",
    ],
    "zht": [
        "我的私鑰是 {pk}，錢包地址 {pkaddr}，請幫我查一下為什麼資產不見了",
        "客服說要私鑰才可以退款，我給了 {pk}，«是不是被騙了»",
        "私鑰：{pk}\n唔該幫我睇下點解轉唔到出去",
    ],
    "mixed": [
        "我的 private key 是 {pk}，please help 我 import 进去",
        "bro 这个 pk {pk} 导入之后 address 不对啊, 应该是 {pkaddr}",
        "export 出来的 key: {pk}，但是 balance 显示 0 «why»",
    ],
}

WIF_T: dict[str, list[str]] = {
    "en": [
        "found an old paper wallet from 2014, it says Private key (WIF): {wif} and address "
        "{wifaddr}. «can I deposit this to my account?»",
        "bitcoin-cli importprivkey {wif} gives me 'Invalid private key encoding'. «node is v26.0»",
        "Electrum export:\n{wifaddr}\t{wif}\n«why is the balance 0 on your side»",
        "my btc key {wif}, please sweep to my account, uid {uid}",
        "testnet question: importprivkey {twif} for {wifaddr}, «faucet coins not showing»",
        "is {wif} a valid key? «the sweep page says no»",
        "Key: {cwif}\nAddress: {wifaddr}\nType: p2wpkh\n\n«restore in your wallet fails»",
    ],
    "zh": [
        "老钱包导出的私钥 {wif}，地址 {wifaddr}，想转到交易所",
        "纸钱包上写的 WIF：{wif}，请问怎么导入",
        "我用 Electrum 导出的私钥是 p2wpkh:{cwif}，对应 {wifaddr}，«导入你们钱包失败»",
        "这是我比特币地址 {wifaddr} 的私钥 {wif}，帮我看看还有没有币",
    ],
    "zht": [
        "比特幣私鑰 {wif} 匯入失敗，地址是 {wifaddr}",
        "舊錢包嘅私鑰係 {wif}，可唔可以幫我轉出嚟？",
    ],
    "mixed": [
        "这个 WIF key {wif} 是 compressed 的吗？address {wifaddr}",
        "testnet 的 key {twif} 导入 bitcoin core 报错 «help»",
    ],
}

XPRV_T: dict[str, list[str]] = {
    "en": [
        "Electrum > Wallet > Private keys > Master private key:\n{xprv}\n«restored it but it "
        "shows no history»",
        "my account key for m/84'/0'/0' is {zprv} and the zpub is {xpubof}, «why can't I "
        "watch it in your app»",
        "dev here, testing on testnet with {tprv}. «your API returns error 40017» when I "
        "register the public one: {xpubof}",
        "coldcard backup decoded to this: {xprv}",
        "is it ok to paste the extended key here? {xprv}",
        "Sparrow says the wallet is empty but this is my key: {xprv}",
    ],
    "zh": [
        "主私钥 {xprv}，对应的 {xpubof} 在你们这边显示不了余额",
        "扩展私钥：{xprv}\n我用这个恢复钱包，找不到币",
        "技术人员让我提供 xprv，我给了 {xprv}，«安全吗»",
        "BIP84 的 {zprv} 导入之后地址跟 {xpubof} 推出来的不一样",
    ],
    "zht": [
        "擴展私鑰 {xprv} 匯入之後地址對不上",
        "工程師叫我俾佢 {xprv} 檢查，你哋係咪真係需要？",
    ],
    "mixed": [
        "我 export 了 {xprv}，but 地址 derivation 不对，是 BIP44 还是 BIP84？",
        "testnet 的 {tprv} 在 your sandbox 用不了",
    ],
}

PW_T: dict[str, list[str]] = {
    "en": [
        "my pass is {pw} pls log in and check why my withdrawal is stuck",
        "email {email} pwd: {pw} «can't login since yesterday»",
        "I changed my password to {pw} but the app still says wrong password",
        "login: {email}\npassword: {pw}\n«account locked after 5 tries»",
        "is {pw} a strong enough password? the form said too weak",
        "forgot which one i used, either {pw} or {pw2}",
        "old pw {pw} new pw {pw2} - «the reset link expired twice»",
        "the guy on telegram said he needs my login to fix the KYC, so i gave him {email} / {pw}",
        "config.ini:\n[account]\nuser = {email}\npassword = {pw}\n«the bot gets 401 since "
        "this morning»",
        "fund password {pw} doesn't work when I withdraw, «error 10006»",
        "tried p/w {pw} and its wrong?? i literally just set it",
        "my trading password is the same as my login one ({pw}), «could that be why I got hacked?»",
        "Passcode for the app is {pw}, I can't get past the lock screen after the update",
    ],
    "zh": [
        "密码改成了{pw}，还是登不上去，怎么回事",
        "账号 {phone} 密码 {pw} 你们帮我登一下看看",
        "登录密码：{pw}\n资金密码：{pw2}\n«提现一直失败»",
        "我的密码是{pw}，刚改的，一直提示密码错误",
        "客服说要我的登录密码帮我查，我给了 {pw}",
        "支付密码 {pw} 输了三次就被锁了，«怎么解锁»",
        "邮箱 {email}，密码{pw}，«帮我看看账户是不是被冻结了»",
        "资金密码忘了，旧的是{pw}，能不能帮我重置",
        "我把密码设成 {pw} 了，为什么系统说不符合要求",
    ],
    "zht": [
        "密碼改成 {pw} 之後就無法登入",
        "我個登入密碼係 {pw}，點解登唔到",
        "資金密碼：{pw}，提幣時一直顯示錯誤",
    ],
    "mixed": [
        "my 密码 is {pw}，login 不了 pls help",
        "pwd 是 {pw}，2FA 已经关了，还是 login failed",
        "在吗 bro，password 改成 {pw} 了，还是提示 wrong",
    ],
}

OTP_T: dict[str, list[str]] = {
    "en": [
        "the code in the sms is {otp}, what do I do with it?",
        "google auth shows {otp} but your site says invalid code",
        "2FA: {otp} — «it expires before I can type it»",
        "got an email with verification code {otp} and I didn't request it. «Is someone "
        "trying to get into my account?»",
        "someone called saying they're from support and asked me to read the 6 digits, I "
        "told them {otp}",
        "authenticator app: {otp}\nlogin still failing",
        "OTP {otp}, please approve my withdrawal of {amt}",
        "code is {otp} hurry it expires in 30s",
    ],
    "zh": [
        "短信里的数字是{otp}，你们让我发给谁",
        "google auth 显示 {otp}，一直提示验证码错误",
        "验证码{otp}，帮我提现",
        "有人打电话说是客服，让我把收到的验证码告诉他，我说了{otp}",
        "谷歌验证器上是 {otp}，时间也同步了，还是不行",
        "邮箱收到验证码 {otp}，但是我没有申请啊",
        "刚收到的短信验证码：{otp}，客服快帮我登录",
    ],
    "zht": [
        "驗證碼是{otp}，麻煩幫我解鎖帳號",
        "短訊驗證碼 {otp} 輸入後顯示過期",
    ],
    "mixed": [
        "我的 2FA code 是 {otp}，login 不了",
        "sms 验证码 {otp} expired 了 again",
    ],
}

MULTI_T: dict[str, list[str]] = {
    "en": [
        "email: {email}\npwd: {pw}\n2fa: {otp}\n«pls log in and cancel my open orders»",
        "the 'support' guy got my password {pw} and the google code {otp}, then withdrew {amt}",
        "private key {pk}, keystore password {pw} — «I just want my tokens back»",
    ],
    "zh": [
        "账号{phone} 密码{pw} 验证码{otp} 你们帮我操作一下",
        "私钥{pk}，钱包密码{pw}",
        "骗子拿到了我的密码{pw}和谷歌验证码{otp}，把币全提走了",
    ],
    "mixed": [
        "login 资料: {email} / {pw}，2FA {otp}，帮我 check 一下",
    ],
}

SEED_MULTI_T: dict[str, list[str]] = {
    "en": ["my phrase {seed} and wallet password {pw}, «please restore it for me»"],
    "zh": ["助记词 {seed}，支付密码 {pw}，«帮我把币转出来»"],
}

# Clean messages built around identifiers. Every phrase in them must survive.
CLEAN_ID_T: dict[str, list[str]] = {
    "en": [
        "deposit not arrived!! txid: {tx}\nnetwork: ERC20\namount {amt}",
        "{btctx}",
        "{tx}\nstill pending after 3 hrs wtf",
        "Hi team, I withdrew {amt} to {tron} on {date} and it never arrived. Order no. "
        "{order}. TXID {trontx}",
        "Please check {url} — it says success but my balance didn't move. UID {uid}",
        "sent from my ledger to my deposit address {btc}, here's mempool: {url}",
        "forgot the memo when depositing {amt}. Memo should have been {memo}. Tx hash: {btctx}",
        "XRP deposit, destination tag {memo}, amount {amt}, hash {btctx}",
        "My UID is {uid}, order {order} shows 'completed' but I got nothing.",
        "Can I add my xpub as watch-only? {xpub}",
        "withdraw id {wid} stuck in 'processing' since {dt}",
        "Getting 'error 10006' every time I try to withdraw to {eth}.",
        'API returns {"code":"58207","msg":"Withdrawal address is not whitelisted"} even '
        "though {eth} is in my whitelist",
        "code: {err} when placing a limit order on BTC-USDT, started around {time}",
        "please call me back at {phone}, I'd rather explain over the phone",
        "Hash: {tx}\nFrom: {eth}\nTo: {eth2}\nValue: {amt}",
        "Transaction Hash: {tx}\nStatus: Success\nBlock: {block}\nFrom: {eth}\nTo: {eth2}",
        "the telegram 'admin' {tg} asked me to send {amt} to {eth} as a 'verification fee'. "
        "I didn't send anything yet. Is he one of you?",
        "wrong network!! I sent USDT BEP20 to your ERC20 address {ethl}, hash {tx}. pls recover",
        "Referral code {ref} didn't apply when I signed up on {date}",
        "Order {order} — P2P seller marked paid but I never received {fiat} in my bank.",
        "My BTC withdrawal to {btc} shows txid {btctx} but mempool says not found.",
        "Signature mismatch on POST /api/v5/asset/withdrawal\nsign={sig}\ntimestamp={ts}",
        "CSV export:\ntime,type,coin,amount,txid\n{dt},withdraw,USDT,{num},{btctx}\n"
        "{dt2},deposit,ETH,{num2},{tx}",
        "> Your withdrawal request has been processed.\n> Amount: {amt}\n> Address: {eth}\n"
        "> TxID: {tx}\n\nit's been 2 days and still nothing in my wallet",
        "log:\n{isots} WARN withdraw rejected code={err} addr={tron}",
        "The admin on telegram asked for my seed phrase to 'verify my wallet'. I did NOT "
        "give it. His handle is {tg}, please warn people.",
        "Hi, I got the SMS but the code field says expired. Account {email}, tried at {time}.",
        "Deposit {amt} on {date}, sender {btc}, never credited. ticket {ticket}",
        '{"orderId":"{order}","status":"REJECTED","code":"{err}","msg":"insufficient margin"}',
    ],
    "zh": [
        "充值没到账，交易哈希：{tx}，金额{amt}",
        "TXID：{btctx} 已经三个小时了还没确认",
        "你好，{date}提现{amt}到{tron}，订单号{order}，一直显示处理中",
        "浏览器显示成功了 {url} 但是我账户里没有，UID {uid}",
        "我的UID是{uid}，麻烦查一下订单{order}",
        "充XRP忘记填标签了，标签应该是{memo}，哈希{btctx}",
        "提现报错 error 10006 是什么意思？提现地址 {eth}",
        "{time} 下单的时候提示 code: 50113，订单号 {order}，怎么处理",
        '接口一直返回 {"code":"58207","msg":"提币地址不在白名单"}，白名单里明明有{eth}',
        "转错网络了，我把BEP20的USDT转到了你们ERC20地址{eth}，交易哈希{tx}，能找回吗",
        "客服电话打不通，我的电话是{phone}，麻烦回电",
        "{tx}\n这笔怎么还没到",
        "交易详情：\n哈希：{tx}\n发送方：{eth}\n接收方：{eth2}\n数量：{amt}",
        "我的xpub是{xpub}，能不能只读导入",
        "邀请码{ref}注册的，返佣没有到账",
        "C2C订单{order}，卖家说已经放币了，我这边没收到，金额{fiat}",
        "BTC提币到{btc}，txid {btctx}，区块浏览器查不到",
        "电报上自称管理员的人{tg}让我往{eth}转{amt}作为解冻保证金，我还没转，这是骗子吗",
        "提币ID {wid} 一直卡在审核中，从{dt}到现在",
        "{date} {time} 左右充值的 {amt}，哈希 {tx}，到现在还没到账，急",
        "memo 是 {memo}，EOS 充值没到账，交易ID {btctx}",
        "订单号：{order}\n用户ID：{uid}\n问题：提现失败",
        "客服说要我提供助记词，我没给，他的电报是{tg}，你们查一下",
        "区块高度{block}的那笔转账是我的，哈希{tx}，为什么还没入账",
        "短信验证码一直收不到，手机号{phone}，麻烦看一下",
    ],
    "zht": [
        "入金沒到帳，交易哈希 {tx}，金額 {amt}",
        "提幣到 {tron} 一直顯示處理中，訂單編號 {order}",
        "請幫我查一下 UID {uid} 的帳戶為什麼不能交易，錯誤代碼 {err}",
        "我個地址係 {eth}，入咗 {amt} 但係冇到帳",
        "我的聯絡電話是 {phone}，方便的話請回電",
    ],
    "mixed": [
        "兄弟 my deposit 没到账，txid {tx} pls check",
        "withdraw 到 {btc} 一直 pending，order {order}",
        "在吗 bro，{url} 这个 tx 显示 success 但是我 balance 没变",
        'API 一直返回 {"code":"{err}"}，whitelist 已经加了 {eth}',
        "UID {uid}，KYC 一直 pending，已经 submit 三次了",
        "急急急 sent {amt} to wrong chain，hash {tx}，能找回吗",
        "telegram 上的 admin {tg} 要我的 seed phrase，我没给，is this a scam?",
    ],
}

# Hand-written clean messages: asking ABOUT secrets without giving any.
CLEAN_ASK: dict[str, list[str]] = {
    "en": [
        "is it safe to share my private key with support? the chat bot asked me for "
        "'wallet details'",
        "forgot password and the reset email never shows up, not even in spam",
        "2FA code not arriving. tried like 6 times in the last hour, phone has signal",
        "Where in the app can I see my seed phrase again? I only wrote down half of it.",
        "Do you guys EVER ask for the recovery phrase? Someone called Jason on Telegram "
        "says he's from your team.",
        "lost my phone with google authenticator on it. how do i reset 2fa without the backup key",
        "my wallet wants 24 words but I only have 12 written down, did I lose half??",
        "What's the difference between a private key and a seed phrase? Sorry, total beginner.",
        "The SMS code always comes after it expired. Can you switch me to email codes?",
        "can u reset my password pls, i'm locked out after too many attempts",
        "The paper with my seed words went through the wash and 3 words are unreadable. "
        "Any way to recover?",
        "Password rules say 8-32 chars with one uppercase and one number, mine has both "
        "and it still gets rejected.",
        "Can support staff see my password or my 2FA secret? Just want to know before I verify.",
        "someone DMed me saying my account will be frozen unless I 'validate' my mnemonic "
        "on a website. fake right?",
        "How long are withdrawals locked after a password reset? I read 24h somewhere.",
        "never got a verification code when signing up, the button just says resend in 60s forever",
        "Should I keep my seed phrase in iCloud notes or is that a bad idea?",
        "If I change my phone number will my old SMS 2FA still work?",
        "Your email says 'we will never ask for your private keys' but the person in the "
        "group chat says otherwise. Who is right?",
        "where do i enter the authenticator code? theres no box on the withdraw page",
        "I want to export the private key of my deposit address, is that possible on an exchange?",
        "My friend says I should give my 12 words to a 'recovery service' that charges "
        "10%. Is that legit?",
        "is a passphrase (25th word) the same thing as the wallet password?",
        "I typed my password wrong so many times that it says try again in 2 hours. Seriously?",
    ],
    "zh": [
        "我能把助记词发给客服吗？",
        "忘记登录密码了，手机号也换了，怎么找回账号",
        "短信验证码一直收不到，试了好多次了，是运营商的问题还是你们的问题",
        "谷歌验证器的手机坏了，怎么解绑？",
        "有个自称官方客服的人加我微信，让我提供私钥配合调查，这是真的吗",
        "助记词丢了还能找回钱包吗？地址我还记得",
        "资金密码在哪里修改？找了半天没找到",
        "私钥和助记词有什么区别，哪个更重要",
        "我的助记词只记得前十个词，后面两个忘了，还有办法吗",
        "你们客服会不会主动要用户的密码？",
        "密码输错了五次账号被锁了，要多久才能解锁",
        "邮箱验证码每次都要等十几分钟，能不能快一点",
        "换手机之后谷歌验证码对不上，时间已经校准过了",
        "助记词抄在本子上安全还是存在手机里安全？",
        "群里有人说把助记词发给他可以帮忙找回被盗的币，靠谱吗",
        "设置支付密码的时候提示太简单，具体要求是什么",
        "请问修改登录密码以后多久可以提现",
        "我想关掉短信验证改成谷歌验证，在哪里设置",
        "客服说要我提供验证码才能退款，我没给，这是骗子吧",
        "为什么每次登录都要输入验证码，能不能记住设备",
        "导出私钥的按钮在哪里？我想把币转到硬件钱包",
        "钱包密码和助记词是一回事吗？",
    ],
    "zht": [
        "請問可以把助記詞提供給客服嗎？",
        "忘記密碼怎麼辦，重設郵件一直收不到",
        "驗證碼收唔到，係咪系統有問題",
        "有人自稱客服要我的私鑰，我沒有給，請問這是詐騙嗎",
        "谷歌驗證器換手機之後要怎麼轉移",
    ],
    "mixed": [
        "请问 seed phrase 可以发给 support 吗？有点怕",
        "2FA code 一直收不到，is there a backup method?",
        "forgot 资金密码, how to reset 啊",
        "telegram 上有个 admin 要我的 private key，说是 verify，is this legit?",
        "我的 google authenticator 丢了 pls help，怎么 reset",
        "password reset 的 email 收不到 bro 在吗",
    ],
}

# Hand-written ordinary prose. The Chinese word lists hold the 2,048 most common characters,
# so almost every character here is a word-list character; none of it is a secret.
CLEAN_PROSE: dict[str, list[str]] = {
    "zh": [
        "在吗",
        "人呢？？",
        "提现到账了，谢谢",
        "好的，我再等等",
        "你们这个客服也太慢了吧",
        "为什么我的账户被冻结了",
        "充值一直没到账",
        "已经提交了，麻烦尽快处理",
        "急急急，在线等",
        "收到，辛苦了",
        "今天能不能给个准话",
        "请问今天提现为什么这么慢",
        "我前天在你们平台卖了一些币，钱到银行卡以后卡就被冻结了，银行说涉嫌电信诈骗，"
        "我真的是正常交易，现在怎么办？",
        "你好，我想问一下实名认证一直审核不通过是什么原因，照片我已经重新拍了三次了，"
        "光线也很清楚。",
        "昨天晚上行情波动的时候APP一直闪退，我想平仓都平不了，最后爆仓了，这个损失你们能不能负责？",
        "我的手续费怎么比公告里写的高，是不是收错了？麻烦核对一下。",
        "上个月参加了你们的活动，说好的奖励到现在还没发，已经过去三周了。",
        "新手请教一下，现货和合约有什么区别？我怕操作错了亏钱。",
        "我在场外买币的时候对方让我先付款再放币，我付了以后他一直不放，订单也超时了，请平台介入。",
        "网页版登录后一片空白，换了浏览器也一样，清过缓存了，手机APP可以正常用。",
        "能不能帮我把账户注销掉，我以后不打算用了，里面的资产我已经全部转走了。",
        "我是做小生意的，平时收到的款都是朋友转的，这次被冻结完全不知道为什么，"
        "希望你们能尽快给个说法。",
        "提币审核要多久？以前几分钟就到了，这次已经两个小时了。",
        "你们的理财产品到期以后会自动续期吗？我不想续，想直接取出来。",
        "我家老人不太会用手机，不小心点了什么东西，现在账户里多了一个合约仓位，"
        "麻烦帮忙看看怎么关掉。",
        "你好，我想咨询一件事情，说来话长。今年三月我在一个交友软件上认识了一个人，"
        "自称在新加坡做投资，聊了两个多月，每天早安晚安，我慢慢就相信他了。"
        "后来他说有个内部渠道可以做短线套利，让我先在你们平台买币，再转到他给的一个网站上操作。"
        "刚开始几次都能提现，金额不大，我就放心了，前后一共转进去差不多二十万。"
        "上周我想把钱取出来，网站说要先交百分之二十的税，我交了以后又说账户异常需要解冻金，"
        "我这才反应过来可能被骗了。现在人也联系不上了。"
        "我知道钱是从你们平台转出去的，想问问你们能不能提供转账记录给警方，"
        "或者帮忙冻结对方的账户？我已经报警了，警察说需要平台配合。谢谢你们，真的很着急。",
        "客服你好，情况是这样的：我去年在国内注册的账号，实名用的是身份证，"
        "今年工作调动去了马来西亚，手机号也换成了当地的号码。现在登录的时候要验证旧手机号，"
        "可是旧号已经停机了，申诉页面让我上传手持证件照片，我传了三次都被驳回，"
        "理由写的是照片不清晰，可我拍得很清楚。账户里还有一些币，不多，但是对我来说很重要，"
        "麻烦人工帮我看一下，或者告诉我还可以用什么方式证明身份。",
        "我要投诉！你们的客服机器人每次都只会回复同样几句话，转人工要排队一个小时，"
        "排到了又说系统繁忙让我稍后再试。我的问题很简单，就是一笔提现被退回了但是手续费没有退，"
        "金额虽然不大，可是这种体验真的太差了。希望你们重视一下用户的感受。",
        "您好，我是替我母亲写的，她今年七十多岁了，前几年跟着邻居买了一点比特币，"
        "一直放在你们这里没有动过。最近她身体不好住院了，让我帮忙看看能不能把钱取出来给她看病。"
        "账户是她本人实名的，我这边可以提供她的身份证和授权书，请问具体需要走什么流程？"
        "需要她本人视频吗？她现在说话不太方便。",
        "昨天晚上十点多大饼突然插针，我的合约仓位直接被强平了，"
        "可是我当时看K线最低价根本没到我的强平价，差了好几十个点。"
        "我怀疑是你们的标记价格有问题，或者是系统延迟。我截了图，也保留了当时的委托记录，"
        "希望你们能给个合理的解释。",
        "老哥，问一下，你们平台支持哪些链的充值？我朋友说有些链的手续费低，我想试试。",
        "兄弟，刚才那个问题解决了，不用管了，谢谢啊",
        "我是学生，第一次买币，不知道买了以后放在哪里比较安全，交易所里还是自己的钱包里？",
        "你们的APP为什么要定位权限？我不想给，可是不给就打不开。",
        "本人长期出差，账户一直是家人代为操作的，现在想改回本人手机号，需要什么材料？",
        "请问一个身份证可以注册几个账号？我老婆想用我的身份信息注册一个。",
        "我在地铁上信号不好，下单下了两次，结果买了双倍，能撤销其中一笔吗？",
        "今天早上起来发现账户里的币少了一半，交易记录里没有我自己操作的记录，"
        "是不是被盗了？我现在很慌，请尽快联系我。",
        "你们的中文客服什么时候上班？晚上发的消息第二天中午才有人回。",
        "我想把合约账户的钱转回现货账户，点了划转没有反应，是不是有什么限制？",
        "麻烦问一下，提现到银行卡需要几个工作日？周末能到吗？",
        "你们公告说今晚系统升级，升级期间挂的单会不会被取消？",
        "我的头像和昵称改不了，一直提示含有敏感词，可我用的就是自己的名字。",
        "充值的时候选错了网络，金额不大，就当交学费了，以后注意。",
        "谁能告诉我为什么我的等级一直是普通用户，交易量早就够了。",
        "1、登录不上\n2、提现一直在审核\n3、客服不回消息\n4、申诉也没结果\n到底怎么解决？",
        "问题如下：一、充值没到账；二、资产显示异常；三、无法修改绑定手机。",
        "我试过的方法：重启手机、重新安装、切换网络、清除缓存，都没用。",
        "需要准备的材料：\n身份证正反面\n手持照片\n银行流水\n还有别的吗",
        "第一，我没有授权任何人操作；第二，我从来没点过陌生链接；第三，我要求冻结那笔资金。",
        "我 的 提现 一直 在 审核中 已经 三天 了",
        "请问 这个 活动 还 有效 吗 我 昨天 报名 了 但是 没有 收到 奖励",
        "账户 被 冻结 怎么 解冻 急 需要 用钱",
        "手机 号码 换 了 收 不 到 验证 短信 怎么 办",
        "急 急 急 在 线 等 回 复",
        "求 求 你 们 快 点 处 理 吧 我 真 的 很 着 急",
        "谢 谢 客 服 小 姐 姐 辛 苦 了",
        "今 天 能 不 能 到 账 给 个 准 话",
        "你们 平台 的 手续费 到底 怎么 算 的 每次 都 不 一样",
    ],
    "zht": [
        "請問提領為什麼一直在處理中？已經超過一天了。",
        "你好，我的實名認證被拒絕了，請問原因是什麼？",
        "昨天入金之後帳戶餘額沒有變動，麻煩幫忙確認一下。",
        "我想了解一下你們的手續費是怎麼計算的，謝謝。",
        "APP更新之後就一直閃退，請問要怎麼處理？",
        "客服你好，我在台灣，想問可以用哪些銀行入金？",
        "搞咩啊，提幣提咗成日都未到",
        "唔該幫我睇下點解我個帳戶俾人凍結咗",
        "我喺香港，想問點樣改返綁定嘅電話號碼",
        "合約爆倉之後還欠平台錢嗎？我有點擔心。",
        "上個禮拜參加咗活動，獎勵幾時先會發？",
        "點解我個帳號登入唔到啊，又話密碼錯，我明明冇改過",
        "喂，我尋日晚上十點幾入咗錢，到而家都未見到，你哋可唔可以快啲幫我查下？",
        "各位好，我是經朋友介紹來使用貴平台的，之前一直都很順利，"
        "可是這個月開始每次提領到銀行都要等好幾天，而且客服回覆的內容都差不多，"
        "沒有辦法解決我的問題。我想知道是不是我的帳戶被標記了什麼風險，"
        "如果需要補充資料我很樂意配合，只希望可以盡快恢復正常。",
        "請 問 今 天 可 以 處 理 好 嗎",
    ],
    "en": [
        "hello?? anyone there??? been waiting 40 min",
        "Ok I found it, never mind. Close the ticket pls :)",
        "Thank you so much for the quick help yesterday, the transfer arrived and my family "
        "is happy.",
        "shopping list for the office party: coffee, sugar, milk, paper cups, lemon, ice, "
        "bread, cheese, napkins, orange juice",
        "my kid's spelling words this week: ocean, rabbit, winter, garden, pencil, kitchen, "
        "yellow, button, river, castle, orange, family, picnic",
        "things i already tried: logout, login, clear cache, reinstall, restart phone, "
        "switch wifi to 4g, different browser",
        "The app is slow, the chart is empty, the balance is wrong and the withdraw button "
        "does nothing. Please fix.",
        "Just a normal day: wake up, coffee, check the market, panic, close the app, go to work.",
        "I'm a teacher, not a trader, so sorry if this is a simple question about the fee.",
        "Steps to reproduce:\n1. open app\n2. tap Assets\n3. tap Withdraw\n4. pick USDT "
        "TRC20\n5. app crashes",
        "issues:\nlogin\nwithdraw\nkyc\nreferral bonus",
        "Account settings → Security → Change password → it just spins forever.",
        "Okay so long story. I bought some ETH on your app back in 2021, then I moved to "
        "Canada and kind of forgot about it. Last week I tried to log in and the app asked "
        "me to verify my old phone number which I don't have anymore. I went through the "
        "appeal, uploaded my passport and a selfie, and got an automated reply saying it "
        "could take 15 business days. It's been 18. I'm not trying to be rude, I just want "
        "to know if someone is actually looking at it. My email on the account is the same "
        "one I'm writing from.",
        "Your fees went up again?? Trading fee, withdrawal fee, network fee, spread. "
        "Honestly thinking about leaving.",
        "my grandma asked me what bitcoin is and I said it's like digital gold, was that right lol",
        "Three things: the dark mode is broken on Android, the price alert sound is too "
        "quiet, and the search bar forgets what I typed.",
        "Word of advice for your team: answer tickets in order. I opened mine first and "
        "people who posted later got replies before me.",
        "sorry for the angry message earlier, long day. the deposit showed up",
    ],
    "mixed": [
        "在吗 bro，我的 account 被 freeze 了，why？",
        "withdraw 一直 processing，已经两天了 pls check",
        "你们的 app 今天又 crash 了，iPhone 13，iOS 18",
        "老哥 KYC 审核要多久啊，submit 了一个礼拜了",
        "thanks 客服，问题解决了 👍",
        "P2P 的 seller 一直不 release，怎么 appeal？",
        "合约 liquidated 了但是 price 根本没到，explain 一下",
        "请问 margin 和 futures 的 fee 一样吗",
    ],
}


# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------

SEED_LANG_COUNTS = {
    "english": 30,
    "chinese_simplified": 20,
    "chinese_traditional": 10,
    "japanese": 6,
    "korean": 5,
    "spanish": 6,
    "french": 5,
    "italian": 4,
    "czech": 4,
    "portuguese": 4,
}
LENGTH_WEIGHTS = {12: 38, 15: 12, 18: 14, 21: 10, 24: 26}
TYPO_SHARE = 0.15
SCREEN_SHARE = 0.12
SECRET_COUNTS = {"pk": 34, "wif": 20, "xprv": 18, "pw": 32, "otp": 28, "multi": 10}
CLEAN_ID_COUNT = 92


def seed_plans() -> list[SeedPlan]:
    langs = [lang for lang, n in SEED_LANG_COUNTS.items() for _ in range(n)]
    RNG.shuffle(langs)
    typo_able = [i for i, lang in enumerate(langs) if lang in LATIN or lang in CHINESE]
    typos = set(RNG.sample(typo_able, round(TYPO_SHARE * len(langs))))
    lengths = list(LENGTH_WEIGHTS)
    weights = list(LENGTH_WEIGHTS.values())
    return [
        SeedPlan(lang, RNG.choices(lengths, weights)[0], i in typos) for i, lang in enumerate(langs)
    ]


def prose_pool(seed_lang: str) -> str:
    """The language the customer writes in around a phrase of ``seed_lang``."""
    r = RNG.random()
    if seed_lang in CHINESE:
        if r < 0.14:
            return "en"
        if r < 0.28:
            return "mixed"
        trad = 0.6 if seed_lang == "chinese_traditional" else 0.12
        return "zht" if RNG.random() < trad else "zh"
    if r < 0.55:
        return "en"
    if r < 0.85:
        return "zht" if RNG.random() < 0.2 else "zh"
    return "mixed"


class Deck:
    """Deals layouts in shuffled rounds, so each family gets its layouts in proportion."""

    def __init__(self) -> None:
        self.decks: dict[str, list[str]] = {}

    def deal(self, family: str, layouts: Sequence[str]) -> str:
        deck = self.decks.setdefault(family, [])
        if not deck:
            deck.extend(layouts)
            RNG.shuffle(deck)
        return deck.pop()


DECK = Deck()


def seed_given(plan: SeedPlan, screen: bool) -> Callable[[], dict[str, Fill]]:
    if screen:
        style = DECK.deal("screen", SCREEN_LAYOUTS)
    else:
        family = "han" if plan.lang in CHINESE else plan.lang if plan.lang in JA_KO else "latin"
        style = DECK.deal(family, layouts_for(plan.lang))
    return lambda: {"seed": make_seed(plan, style)}


def tagged(msg: Msg, pool: str) -> Msg:
    msg.meta["pool"] = pool
    return msg


def build() -> list[Msg]:
    msgs: list[Msg] = []

    seed_cyclers = {pool: Cycler({pool: ts}) for pool, ts in SEED_T.items()}
    screen_cyclers = {pool: Cycler({pool: ts}) for pool, ts in SCREEN_T.items()}
    for plan in seed_plans():
        pool = prose_pool(plan.lang)
        screen = RNG.random() < SCREEN_SHARE
        _, template = (screen_cyclers if screen else seed_cyclers)[pool].next()
        msgs.append(tagged(make(pool, template, seed_given(plan, screen)), pool))
    for pool, templates in SEED_MULTI_T.items():
        for template in templates:
            for seed_lang in ("english", "chinese_simplified"):
                plan = SeedPlan(seed_lang, RNG.choice([12, 12, 24]), False)
                msgs.append(tagged(make(pool, template, seed_given(plan, False)), pool))

    pools = {"pk": PK_T, "wif": WIF_T, "xprv": XPRV_T, "pw": PW_T, "otp": OTP_T, "multi": MULTI_T}
    for name, count in SECRET_COUNTS.items():
        cycler = Cycler(pools[name])
        assert count >= len(cycler), name
        for _ in range(count):
            pool, template = cycler.next()
            msgs.append(tagged(make(pool, template), pool))

    cycler = Cycler(CLEAN_ID_T)
    assert CLEAN_ID_COUNT >= len(cycler)
    for _ in range(CLEAN_ID_COUNT):
        pool, template = cycler.next()
        msgs.append(tagged(make(pool, template), pool))
    for hand in (CLEAN_ASK, CLEAN_PROSE):
        for pool, texts in hand.items():
            for text in texts:
                assert text not in SEEN, text
                msgs.append(tagged(make(pool, text), pool))
    return msgs


def check(msgs: Sequence[Msg]) -> None:
    texts = [m.text for m in msgs]
    assert len(set(texts)) == len(texts), "duplicate texts"
    for m in msgs:
        assert m.lang in LANGS
        assert m.kinds == sorted(set(m.kinds), key=KIND_ORDER.index)
        assert bool(m.kinds) == bool(m.secrets) == bool(m.spans)
        assert not problems(m.text, m.secrets, m.keep, m.spans), m.text
        for s in m.secrets + m.keep:
            assert s in m.text, s
        for k in m.keep:
            assert not any(s in k for s in m.secrets), (k, m.text)
        if "seed_phrase" in m.kinds:
            assert m.secrets[0] == m.text[m.spans[0][0] : m.spans[0][1]] or any(
                m.secrets[0] == m.text[a:b] for a, b in m.spans
            )
            assert m.meta.get("seed_lang"), m.text


def report(msgs: Sequence[Msg]) -> None:
    with_secret = [m for m in msgs if m.kinds]
    print(
        f"total {len(msgs)}, with secrets {len(with_secret)}, clean {len(msgs) - len(with_secret)}"
    )
    kinds = Counter(k for m in msgs for k in m.kinds)
    print("per kind:", ", ".join(f"{k} {kinds[k]}" for k in KIND_ORDER))
    multi = sum(1 for m in msgs if len(m.kinds) > 1)
    print(f"messages with more than one kind: {multi}")
    for lang in LANGS:
        sub = [m for m in msgs if m.lang == lang]
        sec = sum(1 for m in sub if m.kinds)
        print(f"lang {lang}: {len(sub)} ({sec} with secrets, {len(sub) - sec} clean)")
    trad = sum(1 for m in msgs if m.meta.get("pool") == "zht")
    print(f"traditional / Cantonese (within zh): {trad}")
    seeds = [m for m in msgs if "seed_phrase" in m.kinds]
    print("seed word lists:", dict(Counter(m.meta["seed_lang"] for m in seeds)))
    print("seed lengths:", dict(sorted(Counter(int(m.meta["n"]) for m in seeds).items())))
    print("seed layouts:", dict(Counter(m.meta["layout"] for m in seeds).most_common()))
    print("seed phrases with a typo:", sum(1 for m in seeds if m.meta["typo"] == "True"))


def main() -> None:
    msgs = build()
    RNG.shuffle(msgs)
    check(msgs)
    lines = [json.dumps(m.record(f"h{i:04d}"), ensure_ascii=False) for i, m in enumerate(msgs, 1)]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report(msgs)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
