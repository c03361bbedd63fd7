#!/usr/bin/env python3
# Long natural-language template strings (many of them CJK, which ruff counts double) make up
# most of this file; wrapping them would hurt readability more than it helps.
# ruff: noqa: E501
"""Write ``holdout2.jsonl``, a second held-out evaluation set for the secret guard.

Run from the repository root::

    .venv/bin/python tests/guard/data/make_holdout2.py

Everything comes from one ``random.Random(7700231)``: no clock, no network, so every run
writes the same bytes. Seed phrases are BIP39 phrases made with
``Mnemonic(lang).to_mnemonic(rng.randbytes(n))``; keys, addresses and hashes use real
encodings (secp256k1, base58check, bech32/bech32m, BIP32) with random material that belongs
to nobody. To change the set, edit the templates or plans below and regenerate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import base58
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from mnemonic import Mnemonic

SEED = 7700231
R = random.Random(SEED)
OUT = Path(__file__).with_name("holdout2.jsonl")

KIND_ORDER = (
    "seed_phrase",
    "private_key",
    "wif_key",
    "extended_private_key",
    "password",
    "otp_code",
)

# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------

SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def rand_priv() -> bytes:
    while True:
        raw = R.randbytes(32)
        if 0 < int.from_bytes(raw, "big") < SECP_N:
            return raw


def pub_compressed(priv: bytes) -> bytes:
    return PrivateKey(priv).public_key.to_compressed_bytes()


def pub_uncompressed(priv: bytes) -> bytes:
    return b"\x04" + PrivateKey(priv).public_key.to_bytes()


def eth_address_of(priv: bytes) -> str:
    return str(PrivateKey(priv).public_key.to_checksum_address())


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def b58(data: bytes) -> str:
    return str(base58.b58encode(data).decode("ascii"))


def b58check(payload: bytes) -> str:
    return str(base58.b58encode_check(payload).decode("ascii"))


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to5(data: bytes) -> list[int]:
    acc, bits, out = 0, 0, []
    for value in data:
        acc = (acc << 8) | value
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def bech32_encode(hrp: str, data: list[int], bech32m: bool = False) -> str:
    const = 0x2BC830A3 if bech32m else 1
    pm = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_ALPHABET[d] for d in [*data, *checksum])


def segwit_address(hrp: str, version: int, program: bytes) -> str:
    return bech32_encode(hrp, [version, *_to5(program)], bech32m=version > 0)


def btc_p2pkh(pub: bytes, testnet: bool = False) -> str:
    return b58check((b"\x6f" if testnet else b"\x00") + hash160(pub))


def rand_btc_address() -> str:
    style = R.randrange(4)
    if style == 0:
        return b58check(b"\x00" + R.randbytes(20))
    if style == 1:
        return b58check(b"\x05" + R.randbytes(20))
    if style == 2:
        return segwit_address("bc", 0, R.randbytes(20))
    return segwit_address("bc", 1, R.randbytes(32))


def make_wif(prefix: str) -> tuple[str, str]:
    """Return a WIF key starting with ``prefix`` (5, K, L or c) and its address."""
    testnet = prefix == "c"
    compressed = prefix != "5"
    for _ in range(10_000):
        priv = rand_priv()
        payload = (b"\xef" if testnet else b"\x80") + priv + (b"\x01" if compressed else b"")
        wif = b58check(payload)
        if wif[0] != prefix:
            continue
        if not compressed:
            return wif, btc_p2pkh(pub_uncompressed(priv))
        pub = pub_compressed(priv)
        if testnet:
            if R.random() < 0.5:
                return wif, segwit_address("tb", 0, hash160(pub))
            return wif, btc_p2pkh(pub, testnet=True)
        if R.random() < 0.5:
            return wif, segwit_address("bc", 0, hash160(pub))
        return wif, btc_p2pkh(pub)
    raise RuntimeError(f"no WIF with prefix {prefix}")


EXT_VERSIONS: dict[str, tuple[int, int]] = {
    "xprv": (0x0488ADE4, 0x0488B21E),
    "yprv": (0x049D7878, 0x049D7CB2),
    "zprv": (0x04B2430C, 0x04B24746),
    "tprv": (0x04358394, 0x043587CF),
}


def _ser32(version: int, depth: int, fpr: bytes, child: int, chain: bytes, key: bytes) -> str:
    raw = version.to_bytes(4, "big") + bytes([depth]) + fpr + child.to_bytes(4, "big")
    return b58check(raw + chain + key)


def make_extended(kind: str, account: bool) -> tuple[str, str, str]:
    """Return (extended private key, matching public key, derivation path)."""
    digest = hmac.new(b"Bitcoin seed", R.randbytes(64), hashlib.sha512).digest()
    key, chain = digest[:32], digest[32:]
    assert 0 < int.from_bytes(key, "big") < SECP_N
    depth, fpr, child, path = 0, b"\x00\x00\x00\x00", 0, "m"
    if account:
        purpose = {"xprv": 44, "yprv": 49, "zprv": 84, "tprv": R.choice([44, 84])}[kind]
        coin = 1 if kind == "tprv" else 0
        for index in (purpose, coin, 0):
            parent_pub = pub_compressed(key)
            hardened = index + 0x80000000
            data = b"\x00" + key + hardened.to_bytes(4, "big")
            digest = hmac.new(chain, data, hashlib.sha512).digest()
            tweak = int.from_bytes(digest[:32], "big")
            assert tweak < SECP_N
            value = (tweak + int.from_bytes(key, "big")) % SECP_N
            assert value != 0
            key, chain = value.to_bytes(32, "big"), digest[32:]
            fpr, child, depth = hash160(parent_pub)[:4], hardened, depth + 1
        path = f"m/{purpose}'/{coin}'/0'"
    prv_ver, pub_ver = EXT_VERSIONS[kind]
    prv = _ser32(prv_ver, depth, fpr, child, chain, b"\x00" + key)
    pub = _ser32(pub_ver, depth, fpr, child, chain, pub_compressed(key))
    return prv, pub, path


# --------------------------------------------------------------------------------------------
# Seed phrases
# --------------------------------------------------------------------------------------------

WORDLISTS = (
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
MNEMO: dict[str, Mnemonic] = {lang: Mnemonic(lang) for lang in WORDLISTS}
WORDS: dict[str, list[str]] = {
    lang: [unicodedata.normalize("NFC", str(w)) for w in MNEMO[lang].wordlist] for lang in WORDLISTS
}
WORDSET: dict[str, frozenset[str]] = {lang: frozenset(ws) for lang, ws in WORDS.items()}
CJK_WORDS = WORDSET["chinese_simplified"] | WORDSET["chinese_traditional"]
ENTROPY_BYTES = {12: 16, 15: 20, 18: 24, 21: 28, 24: 32}

# Characters a hurried or elderly writer confuses, or an IME variant of the intended one.
# Only replacements outside both Chinese word lists are used.
CJK_LOOKALIKES: dict[str, str] = {
    "已": "巳",
    "己": "巳",
    "天": "夭",
    "日": "曰",
    "刀": "刁",
    "大": "犬",
    "戊": "戌",
    "拔": "拨",
    "鸟": "乌",
    "免": "兔",
    "姆": "拇",
    "栗": "粟",
    "辨": "辩",
    "今": "令",
    "午": "牛",
    "由": "甴",
    "王": "壬",
    "土": "圡",
    "未": "末",
    "人": "亻",
    "为": "爲",
    "说": "説",
    "黄": "黃",
    "内": "內",
    "户": "戶",
    "温": "溫",
    "别": "別",
    "决": "決",
    "况": "況",
    "冲": "沖",
    "為": "爲",
    "說": "説",
    "黃": "黄",
    "內": "内",
    "戶": "户",
    "溫": "温",
    "別": "别",
    "眾": "衆",
    "錄": "録",
    "個": "箇",
    "們": "们",
    "鳥": "烏",
    "決": "决",
    "況": "况",
    "衛": "衞",
    "裡": "裏",
    "峰": "峯",
    "群": "羣",
    "線": "綫",
    "吃": "喫",
    "台": "臺",
}
KANA_SWAPS = {
    "か": "が",
    "き": "ぎ",
    "く": "ぐ",
    "さ": "ざ",
    "し": "じ",
    "た": "だ",
    "と": "ど",
    "は": "ば",
    "ほ": "ぼ",
}
QWERTY_NEAR = {
    "a": "sqz",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def typo_word(word: str, lang: str) -> str | None:
    """Mistype one word the way people do; None if this word has no good typo."""
    known = WORDSET[lang]
    if lang.startswith("chinese"):
        alt = CJK_LOOKALIKES.get(word)
        if alt is None or alt in CJK_WORDS:
            return None
        return alt
    if lang == "japanese":
        for i, ch in enumerate(word):
            alt = KANA_SWAPS.get(ch)
            if alt and alt != ch:
                cand = word[:i] + alt + word[i + 1 :]
                if cand not in known:
                    return cand
        return None
    positions = [i for i, c in enumerate(word) if c.isascii() and c.isalpha()]
    if len(word) < 4 or not positions:
        return None
    for _ in range(20):
        op = R.randrange(4)
        i = R.choice(positions)
        if op == 0:
            near = QWERTY_NEAR.get(word[i], "")
            if not near:
                continue
            cand = word[:i] + R.choice(near) + word[i + 1 :]
        elif op == 1:
            cand = word[:i] + word[i + 1 :]
        elif op == 2:
            cand = word[:i] + word[i] + word[i:]
        else:
            if i + 1 >= len(word) or word[i] == word[i + 1]:
                continue
            cand = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if cand != word and cand not in known and len(cand) >= 3:
            return cand
    return None


LATIN_LINE: tuple[str, ...] = (
    "space",
    "space",
    "space",
    "space",
    "upper",
    "cap",
    "n_dot",
    "n_dot_sp",
    "n_paren",
    "comma",
    "comma_tight",
    "space2",
)
LATIN_MULTI: tuple[str, ...] = (
    "lines",
    "n_lines",
    "n_lines_paren",
    "n_lines_pad",
    "grid3",
    "grid4",
    "dash",
)
CJK_LINE: tuple[str, ...] = (
    "tight",
    "tight",
    "tight",
    "space",
    "space",
    "n_dun",
    "n_dun_tight",
    "n_dot",
    "comma_cn",
    "dunhao",
    "groups4",
)
CJK_MULTI: tuple[str, ...] = ("lines", "n_lines", "n_lines_dun", "grid3", "grid4")
JA_LINE: tuple[str, ...] = ("ideo", "ideo", "ideo", "space")
JA_MULTI: tuple[str, ...] = ("lines", "n_lines")
KO_LINE: tuple[str, ...] = ("space", "space", "n_dot_sp")
KO_MULTI: tuple[str, ...] = ("lines", "n_lines", "grid3")


def layouts_for(lang: str, variant: str) -> tuple[str, ...]:
    if variant == "seedspace":
        return ("space",)
    if variant == "seedjson":
        return ("json",)
    if lang.startswith("chinese"):
        line, multi = CJK_LINE, CJK_MULTI
    elif lang == "japanese":
        line, multi = JA_LINE, JA_MULTI
    elif lang == "korean":
        line, multi = KO_LINE, KO_MULTI
    else:
        line, multi = LATIN_LINE, LATIN_MULTI
    if variant == "seedline":
        return line
    if variant == "seedmulti":
        return multi
    return line + multi


def lay_out(words: list[str], style: str) -> tuple[str, list[str]]:
    """Return (block as typed, the words as typed)."""
    typed = list(words)
    if style == "upper":
        typed = [w.upper() for w in words]
    elif style == "cap":
        typed[0] = typed[0][:1].upper() + typed[0][1:]
    numbered = list(enumerate(typed, start=1))
    if style in ("space", "upper", "cap"):
        block = " ".join(typed)
    elif style == "space2":
        block = "  ".join(typed)
    elif style == "tight":
        block = "".join(typed)
    elif style == "ideo":
        block = "\u3000".join(typed)
    elif style == "n_dot":
        block = " ".join(f"{i}.{w}" for i, w in numbered)
    elif style == "n_dot_sp":
        block = " ".join(f"{i}. {w}" for i, w in numbered)
    elif style == "n_paren":
        block = " ".join(f"{i}) {w}" for i, w in numbered)
    elif style == "n_dun":
        block = " ".join(f"{i}、{w}" for i, w in numbered)
    elif style == "n_dun_tight":
        block = "".join(f"{i}、{w}" for i, w in numbered)
    elif style == "comma":
        block = ", ".join(typed)
    elif style == "comma_tight":
        block = ",".join(typed)
    elif style == "comma_cn":
        block = "，".join(typed)
    elif style == "dunhao":
        block = "、".join(typed)
    elif style == "groups4":
        block = " ".join("".join(typed[i : i + 4]) for i in range(0, len(typed), 4))
    elif style == "lines":
        block = "\n".join(typed)
    elif style == "n_lines":
        block = "\n".join(f"{i}. {w}" for i, w in numbered)
    elif style == "n_lines_paren":
        block = "\n".join(f"{i}) {w}" for i, w in numbered)
    elif style == "n_lines_pad":
        block = "\n".join(f"{i:02d} {w}" for i, w in numbered)
    elif style == "n_lines_dun":
        block = "\n".join(f"{i}、{w}" for i, w in numbered)
    elif style == "dash":
        block = "\n".join(f"- {w}" for w in typed)
    elif style in ("grid3", "grid4"):
        per_row = 3 if style == "grid3" else 4
        cells = [f"{i}. {w}" for i, w in numbered]
        width = max(len(c) for c in cells) + 2
        rows = [
            "".join(c.ljust(width) for c in cells[r : r + per_row]).rstrip()
            for r in range(0, len(cells), per_row)
        ]
        block = "\n".join(rows)
    elif style == "json":
        block = "[" + ", ".join(f'"{w}"' for w in typed) + "]"
    else:
        raise ValueError(style)
    return block, typed


# --------------------------------------------------------------------------------------------
# Field generators
# --------------------------------------------------------------------------------------------


@dataclass
class SeedPlan:
    wordlist: str
    n_words: int
    typo: bool
    no_accents: bool = False


@dataclass
class Ctx:
    seed: SeedPlan | None = None
    wif_prefix: str = "5"
    ext_kind: str = "xprv"
    ext_account: bool = True
    store: dict[str, str | bytes] = field(default_factory=dict)
    typo_done: bool = False


@dataclass
class Val:
    text: str
    role: str  # "secret", "keep", "neutral" or "plain"
    kind: str = ""
    parts: list[str] = field(default_factory=list)  # extra secret items, or extra keep items


Gen = Callable[[Ctx, str], Val]


def seed_field(variant: str) -> Gen:
    def gen(ctx: Ctx, suffix: str) -> Val:
        return g_seed(ctx, variant)

    return gen


def g_seed(ctx: Ctx, variant: str) -> Val:
    plan = ctx.seed
    assert plan is not None, "seed template without a seed plan"
    lang = plan.wordlist
    raw = str(MNEMO[lang].to_mnemonic(R.randbytes(ENTROPY_BYTES[plan.n_words])))
    assert MNEMO[lang].check(raw)
    words = [unicodedata.normalize("NFC", w) for w in raw.split()]
    assert len(words) == plan.n_words and all(w in WORDSET[lang] for w in words)
    if plan.no_accents:
        words = [strip_accents(w) for w in words]
    ctx.typo_done = False
    if plan.typo:
        spots = list(range(len(words)))
        R.shuffle(spots)
        for i in spots:
            alt = typo_word(words[i], lang)
            if alt is not None:
                words[i] = alt
                ctx.typo_done = True
                break
    block, typed = lay_out(words, R.choice(layouts_for(lang, variant)))
    return Val(block, "secret", "seed_phrase", list(dict.fromkeys(typed)))


def g_pk(ctx: Ctx, suffix: str) -> Val:
    priv = rand_priv()
    ctx.store["key" + suffix] = priv
    text = priv.hex()
    if R.random() < 0.08:
        text = text.upper()
    return Val(text, "secret", "private_key")


def g_pkx(ctx: Ctx, suffix: str) -> Val:
    priv = rand_priv()
    ctx.store["key" + suffix] = priv
    return Val("0x" + priv.hex(), "secret", "private_key")


def g_pkaddr(ctx: Ctx, suffix: str) -> Val:
    priv = ctx.store["key" + suffix]
    assert isinstance(priv, bytes)
    return Val(eth_address_of(priv), "keep")


def g_wif(ctx: Ctx, suffix: str) -> Val:
    wif, addr = make_wif(ctx.wif_prefix)
    ctx.store["wifaddr" + suffix] = addr
    return Val(wif, "secret", "wif_key")


def g_wift(ctx: Ctx, suffix: str) -> Val:
    wif, addr = make_wif("c")
    ctx.store["wifaddr" + suffix] = addr
    return Val(wif, "secret", "wif_key")


def g_wifaddr(ctx: Ctx, suffix: str) -> Val:
    addr = ctx.store["wifaddr" + suffix]
    assert isinstance(addr, str)
    return Val(addr, "keep")


def g_xprv(ctx: Ctx, suffix: str) -> Val:
    prv, pub, path = make_extended(ctx.ext_kind, ctx.ext_account)
    ctx.store["xpub" + suffix], ctx.store["path" + suffix] = pub, path
    return Val(prv, "secret", "extended_private_key")


def g_tprv(ctx: Ctx, suffix: str) -> Val:
    prv, pub, path = make_extended("tprv", R.random() < 0.7)
    ctx.store["xpub" + suffix], ctx.store["path" + suffix] = pub, path
    return Val(prv, "secret", "extended_private_key")


def g_xprvpub(ctx: Ctx, suffix: str) -> Val:
    pub = ctx.store["xpub" + suffix]
    assert isinstance(pub, str)
    return Val(pub, "keep")


def g_path(ctx: Ctx, suffix: str) -> Val:
    path = ctx.store["path" + suffix]
    assert isinstance(path, str)
    return Val(path, "keep")


PINYIN = [
    "zhangwei",
    "liuyang",
    "wangfang",
    "chenjie",
    "xiaoming",
    "huangmin",
    "zhaolei",
    "linlin",
    "wujun",
    "sunli",
    "gaofeng",
    "heyan",
    "chanTM",
    "wongkaming",
    "leeyuki",
    "tsaiyiwen",
    "ahfai",
    "kelvin.ng",
    "mandy.lau",
    "jason_ho",
]
PW_WORDS = [
    "Sunflower",
    "BlueSky",
    "Tiger",
    "Dragon",
    "Mango",
    "Panda",
    "Lucky",
    "Moon",
    "Rocket",
    "Coffee",
    "Summer",
    "Kitty",
    "Ocean",
    "Happy",
    "Golden",
    "Maple",
    "Lotus",
    "Phoenix",
]
PW_SYMS = "!@#$%&*_"


def make_password() -> str:
    style = R.randrange(9)
    if style == 0:
        pw = (
            R.choice(PINYIN).replace(".", "").replace("_", "")
            + f"{R.randint(1960, 2004)}{R.randint(1, 12):02d}{R.randint(1, 28):02d}"
        )
    elif style == 1:
        pw = f"{R.choice(PW_WORDS)}{R.choice(PW_SYMS)}{R.randint(1990, 2026)}"
    elif style == 2:
        pw = R.choice(
            ["1qaz2wsx", "qwer1234", "Aa112233", "QAZwsx123", "asdf6789", "zxc123456"]
        ) + R.choice(["", "!", "@@", "#", str(R.randint(10, 99))])
    elif style == 3:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789" + PW_SYMS
        pw = "".join(R.choice(alphabet) for _ in range(R.randint(10, 16)))
    elif style == 4:
        pw = (
            "iLove"
            + R.choice(["HK852", "BTC2025", "Taipei101", "Mama", "Eth", "Sushi"])
            + R.choice(["!", "!!", "#", "88"])
        )
    elif style == 5:
        pw = R.choice(["woaini", "wangwang", "baobei", "xingfu", "aini"]) + R.choice(
            ["1314", "520", "5201314", "888", "666"]
        )
    elif style == 6:
        pw = f"{R.choice(PINYIN).split('.')[0].capitalize()}@{R.randint(100, 999)}{R.choice(PW_WORDS).lower()}"
    elif style == 7:
        pw = "P@ssw0rd" + R.choice(["_", "-", "#", ""]) + str(R.randint(1, 9999))
    else:
        pw = f"{R.choice(PW_WORDS)}{R.choice(PW_WORDS)}{R.randint(1, 99)}{R.choice(PW_SYMS)}"
    assert not any(c.isspace() for c in pw)
    return pw


def g_pw(ctx: Ctx, suffix: str) -> Val:
    return Val(make_password(), "secret", "password")


def six_digits() -> str:
    while True:
        code = f"{R.randrange(1_000_000):06d}"
        if len(set(code)) >= 3:
            return code


def g_pwn(ctx: Ctx, suffix: str) -> Val:
    return Val(six_digits(), "secret", "password")


def g_otp(ctx: Ctx, suffix: str) -> Val:
    return Val(six_digits(), "secret", "otp_code")


def g_otpsp(ctx: Ctx, suffix: str) -> Val:
    code = six_digits()
    return Val(f"{code[:3]} {code[3:]}", "secret", "otp_code", [code[:3], code[3:]])


def g_otpd(ctx: Ctx, suffix: str) -> Val:
    code = six_digits()
    return Val(f"{code[:3]}-{code[3:]}", "secret", "otp_code", [code[:3], code[3:]])


def hex64() -> str:
    return R.randbytes(32).hex()


def keep(text: str, *parts: str) -> Val:
    return Val(text, "keep", parts=list(parts))


def g_ethtx(ctx: Ctx, suffix: str) -> Val:
    return keep("0x" + hex64())


def g_btctx(ctx: Ctx, suffix: str) -> Val:
    return keep(hex64())


def g_soltx(ctx: Ctx, suffix: str) -> Val:
    return keep(b58(R.randbytes(64)))


EXPLORERS = (
    ("https://etherscan.io/tx/", "0x"),
    ("https://bscscan.com/tx/", "0x"),
    ("https://arbiscan.io/tx/", "0x"),
    ("https://polygonscan.com/tx/", "0x"),
    ("https://basescan.org/tx/", "0x"),
    ("https://mempool.space/tx/", ""),
    ("https://blockstream.info/tx/", ""),
    ("https://tronscan.org/#/transaction/", ""),
)


def explorer(base: str, prefix: str) -> Val:
    h = prefix + hex64()
    return keep(base + h, h)


def g_ethurl(ctx: Ctx, suffix: str) -> Val:
    return explorer(*EXPLORERS[0])


def g_bscurl(ctx: Ctx, suffix: str) -> Val:
    return explorer(*EXPLORERS[1])


def g_btcurl(ctx: Ctx, suffix: str) -> Val:
    return explorer(*R.choice(EXPLORERS[5:7]))


def g_tronurl(ctx: Ctx, suffix: str) -> Val:
    return explorer(*EXPLORERS[7])


def g_solurl(ctx: Ctx, suffix: str) -> Val:
    sig = b58(R.randbytes(64))
    return keep("https://solscan.io/tx/" + sig, sig)


def g_txurl(ctx: Ctx, suffix: str) -> Val:
    return explorer(*R.choice(EXPLORERS))


def g_eth(ctx: Ctx, suffix: str) -> Val:
    addr = str(to_checksum_address("0x" + R.randbytes(20).hex()))
    return keep(addr.lower() if R.random() < 0.25 else addr)


def g_btc(ctx: Ctx, suffix: str) -> Val:
    return keep(rand_btc_address())


def g_trx(ctx: Ctx, suffix: str) -> Val:
    return keep(b58check(b"\x41" + R.randbytes(20)))


def g_sol(ctx: Ctx, suffix: str) -> Val:
    return keep(b58(R.randbytes(32)))


def g_atom(ctx: Ctx, suffix: str) -> Val:
    return keep(bech32_encode("cosmos", _to5(R.randbytes(20))))


def g_addr(ctx: Ctx, suffix: str) -> Val:
    return R.choice([g_eth, g_btc, g_trx, g_sol])(ctx, suffix)


def date8() -> str:
    return f"2026{R.randint(1, 4):02d}{R.randint(1, 28):02d}"


def g_order(ctx: Ctx, suffix: str) -> Val:
    style = R.randrange(5)
    if style == 0:
        return keep(str(R.randint(10**19, 10**20 - 1)))
    if style == 1:
        return keep(f"P2P{date8()}{R.randint(100000, 999999)}")
    if style == 2:
        letters = "".join(R.choice("ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(3))
        return keep(f"OTC-{R.randint(1000, 9999)}-{letters}")
    if style == 3:
        return keep(f"W{date8()}{R.randint(10**7, 10**8 - 1)}")
    return keep(str(R.randint(10**17, 10**18 - 1)))


def g_uid(ctx: Ctx, suffix: str) -> Val:
    return keep(str(R.randint(10_000_000, 999_999_999)))


def money(lo: float, hi: float, decimals: int) -> str:
    value = R.uniform(lo, hi)
    return f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"


def g_usdt(ctx: Ctx, suffix: str) -> Val:
    unit = R.choice(["USDT", "USDT", "USDC", "U"])
    if unit == "U":
        return keep(f"{money(100, 20000, 0)}U")
    return keep(f"{money(20, 60000, R.choice([0, 0, 2]))} {unit}")


def g_amt(ctx: Ctx, suffix: str) -> Val:
    coin, lo, hi, dec = R.choice(
        [
            ("BTC", 0.001, 2.5, 4),
            ("ETH", 0.05, 30, 3),
            ("SOL", 1, 900, 2),
            ("TRX", 100, 90000, 0),
            ("BNB", 0.1, 40, 2),
            ("USDT", 50, 50000, 2),
        ]
    )
    return keep(f"{money(lo, hi, dec)} {coin}")


def g_btcamt(ctx: Ctx, suffix: str) -> Val:
    return keep(f"{R.uniform(0.0005, 1.8):.5f} BTC")


def g_cny(ctx: Ctx, suffix: str) -> Val:
    n = money(500, 200000, 0)
    return keep(R.choice([f"¥{n}", f"{n}元", f"CNY {n}", f"人民币{n}元"]))


def g_hkd(ctx: Ctx, suffix: str) -> Val:
    return keep(f"HK${money(1000, 500000, 0)}")


def g_twd(ctx: Ctx, suffix: str) -> Val:
    return keep(f"NT${money(3000, 900000, 0)}")


def g_price(ctx: Ctx, suffix: str) -> Val:
    coin, lo, hi = R.choice([("BTC", 88000, 104000), ("ETH", 2900, 4200), ("SOL", 140, 260)])
    return keep(f"1 {coin} = ${money(lo, hi, 0)}")


def g_date(ctx: Ctx, suffix: str) -> Val:
    m, d = R.randint(1, 4), R.randint(1, 28)
    months = ["Jan", "Feb", "Mar", "Apr"]
    return keep(
        R.choice(
            [
                f"2026-{m:02d}-{d:02d}",
                f"{d:02d}/{m:02d}/2026",
                f"{months[m - 1]} {d}, 2026",
                f"{months[m - 1]} {d}",
            ]
        )
    )


def g_cdate(ctx: Ctx, suffix: str) -> Val:
    m, d, h = R.randint(1, 4), R.randint(1, 28), R.randint(1, 11)
    return keep(
        R.choice(
            [
                f"{m}月{d}日",
                f"{m}月{d}号",
                f"{m}月{d}號",
                f"2026年{m}月{d}日",
                f"{m}月{d}号晚上{h}点",
                f"{m}月{d}日下午{h}點",
            ]
        )
    )


def g_time(ctx: Ctx, suffix: str) -> Val:
    h, mi, s = R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)
    m, d = R.randint(1, 4), R.randint(1, 28)
    return keep(
        R.choice(
            [
                f"{h:02d}:{mi:02d}",
                f"2026-{m:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d} (UTC+8)",
                f"{(h % 12) or 12}:{mi:02d} {'pm' if h >= 12 else 'am'}",
                f"2026-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
            ]
        )
    )


def g_phone(ctx: Ctx, suffix: str) -> Val:
    style = R.randrange(7)
    if style == 0:
        return keep(
            f"+86 1{R.choice('3589')}{R.randint(0, 9)} {R.randint(1000, 9999)} {R.randint(1000, 9999)}"
        )
    if style == 1:
        return keep(f"+852 {R.choice('569')}{R.randint(100, 999)} {R.randint(1000, 9999)}")
    if style == 2:
        return keep(f"+886 9{R.randint(10, 99)} {R.randint(100, 999)} {R.randint(100, 999)}")
    if style == 3:
        return keep(f"+1 ({R.randint(201, 989)}) 555-{R.randint(100, 199):04d}")
    if style == 4:
        return keep(f"+65 {R.choice('89')}{R.randint(100, 999)} {R.randint(1000, 9999)}")
    if style == 5:
        return keep(f"+44 7700 900{R.randint(100, 999)}")
    return keep(f"1{R.choice('3589')}{R.randint(100000000, 999999999)}")


def g_memo(ctx: Ctx, suffix: str) -> Val:
    return keep(str(R.randint(100_000_000, 9_999_999_999)))


def g_tag(ctx: Ctx, suffix: str) -> Val:
    return keep(str(R.randint(10_000, 4_000_000_000)))


EMAIL_DOMAINS = [
    "qq.com",
    "163.com",
    "gmail.com",
    "outlook.com",
    "yahoo.com.hk",
    "icloud.com",
    "hotmail.com",
    "126.com",
    "netvigator.com",
]


def g_email(ctx: Ctx, suffix: str) -> Val:
    user = R.choice(PINYIN).lower() + R.choice(
        ["", str(R.randint(1, 99)), str(R.randint(1970, 2005))]
    )
    return keep(f"{user}@{R.choice(EMAIL_DOMAINS)}")


def g_user(ctx: Ctx, suffix: str) -> Val:
    return keep(
        R.choice(
            [
                "lee_otc",
                "hodl_mama",
                "ahfai",
                "trader.wong",
                "kk_bot",
                "mingming",
                "tw_sunny",
                "cryptodad",
            ]
        )
        + str(R.randint(1, 999))
    )


ERRORS = [
    "-2015",
    "-1021",
    "-2010",
    "-1013",
    "E1005",
    "E40012",
    "WITHDRAW_ADDRESS_INVALID",
    "ERR_INSUFFICIENT_BALANCE",
    "AML_RISK_HOLD",
    "10007",
    "429",
    "RISK_CONTROL_7003",
    "KYC_LEVEL_REQUIRED",
]


def g_err(ctx: Ctx, suffix: str) -> Val:
    return keep(R.choice(ERRORS))


def g_xpub(ctx: Ctx, suffix: str) -> Val:
    _, pub, _ = make_extended(R.choice(["xprv", "yprv", "zprv"]), True)
    return keep(pub)


def g_wid(ctx: Ctx, suffix: str) -> Val:
    return keep(R.randbytes(16).hex())


def g_ref(ctx: Ctx, suffix: str) -> Val:
    return keep(
        "".join(R.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(R.choice([6, 8])))
    )


def g_hexsig(ctx: Ctx, suffix: str) -> Val:
    return keep(hex64())


def g_ticket(ctx: Ctx, suffix: str) -> Val:
    return keep(f"LD-{R.randint(100000, 999999)}")


def g_ip(ctx: Ctx, suffix: str) -> Val:
    return keep(R.choice(["203.0.113.", "198.51.100.", "192.0.2."]) + str(R.randint(2, 254)))


def g_num(ctx: Ctx, suffix: str) -> Val:
    return keep(str(R.randint(10**9, 10**11)))


def g_ts(ctx: Ctx, suffix: str) -> Val:
    return keep(str(1767225600000 + R.randint(0, 10**10)))


def g_apikey(ctx: Ctx, suffix: str) -> Val:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return Val("".join(R.choice(alphabet) for _ in range(64)), "neutral")


def g_infura(ctx: Ctx, suffix: str) -> Val:
    return Val(R.randbytes(16).hex(), "neutral")


def g_name(ctx: Ctx, suffix: str) -> Val:
    return Val(
        R.choice(
            [
                "Chan Tai Man",
                "Li Wei",
                "Maria Santos",
                "Tom Becker",
                "Wong Ka Ming",
                "Lin Yu-Ting",
                "Zhang Min",
                "Priya N.",
            ]
        ),
        "plain",
    )


def g_chain(ctx: Ctx, suffix: str) -> Val:
    return Val(R.choice(["Arbitrum", "BSC", "Polygon", "Base", "Optimism", "mainnet"]), "plain")


GENERATORS: dict[str, Gen] = {
    "seed": seed_field("seed"),
    "seedline": seed_field("seedline"),
    "seedmulti": seed_field("seedmulti"),
    "seedspace": seed_field("seedspace"),
    "seedjson": seed_field("seedjson"),
    "pk": g_pk,
    "pkx": g_pkx,
    "pkaddr": g_pkaddr,
    "wif": g_wif,
    "wift": g_wift,
    "wifaddr": g_wifaddr,
    "xprv": g_xprv,
    "tprv": g_tprv,
    "xprvpub": g_xprvpub,
    "path": g_path,
    "pw": g_pw,
    "pwn": g_pwn,
    "otp": g_otp,
    "otpsp": g_otpsp,
    "otpd": g_otpd,
    "ethtx": g_ethtx,
    "btctx": g_btctx,
    "trontx": g_btctx,
    "soltx": g_soltx,
    "ethurl": g_ethurl,
    "bscurl": g_bscurl,
    "btcurl": g_btcurl,
    "tronurl": g_tronurl,
    "solurl": g_solurl,
    "txurl": g_txurl,
    "eth": g_eth,
    "btc": g_btc,
    "trx": g_trx,
    "sol": g_sol,
    "atom": g_atom,
    "addr": g_addr,
    "order": g_order,
    "uid": g_uid,
    "usdt": g_usdt,
    "amt": g_amt,
    "btcamt": g_btcamt,
    "cny": g_cny,
    "hkd": g_hkd,
    "twd": g_twd,
    "price": g_price,
    "date": g_date,
    "cdate": g_cdate,
    "time": g_time,
    "phone": g_phone,
    "memo": g_memo,
    "tag": g_tag,
    "email": g_email,
    "user": g_user,
    "err": g_err,
    "xpub": g_xpub,
    "wid": g_wid,
    "ref": g_ref,
    "hexsig": g_hexsig,
    "ticket": g_ticket,
    "ip": g_ip,
    "num": g_num,
    "ts": g_ts,
    "apikey": g_apikey,
    "infura": g_infura,
    "name": g_name,
    "chain": g_chain,
}
# Fields that other fields read from ctx.store are generated first.
PRIMARY = ("seed", "pk", "wif", "xprv", "tprv")
DEPENDENT = ("pkaddr", "wifaddr", "xprvpub", "path")

PLACEHOLDER = re.compile(r"\{([a-z]+)([0-9]*)\}")

# --------------------------------------------------------------------------------------------
# Templates. Groups: "en", "zh" (simplified), "zht" (traditional / Cantonese), "mix" (中英).
# --------------------------------------------------------------------------------------------

SEED_TPL: dict[str, list[str]] = {
    "en": [
        "Hi, I think my wallet got drained overnight. I restored it on a new phone with {seedline} and the balance is zero. Can you trace where the funds went? UID {uid}",
        "found my old backup card from 2017!! here it is:\n{seedmulti}\nis there still BTC on it? I don't remember which wallet app it was",
        "Your 'support agent' on Telegram told me to paste this to verify my account: {seedline} — right after that everything was gone 😭😭 please help",
        'MNEMONIC="{seedspace}"\nRPC_URL=https://mainnet.infura.io/v3/{infura}\nCHAIN_ID=1\n\nbot refuses to start, says invalid mnemonic??',
        'config.json:\n{"wallet": {"mnemonic": "{seedspace}", "hdPath": "m/44\'/60\'/0\'/0/0"}, "gasLimit": 210000}\nthe deposit to {eth} never showed up',
        "Restore keeps failing with 'invalid checksum'. I typed the words exactly as written: {seedline}. What am I doing wrong?",
        "my dad wrote these on paper, can you check if they are ok?\n{seedmulti}\nhe is 71 and doesn't remember anything else about it",
        "Recovery phrase for the account under {email}: {seedline}",
        "Forwarding the chat with the guy who robbed me:\n[14:02] Support Team ✅: to unlock your withdrawal send the recovery words\n[14:05] me: {seedline}\n[14:06] Support Team ✅: verifying...\nafter that {amt} left my wallet to {eth}",
        "pls delete this after reading. seed is {seedline}. I need to know if my tokens are stuck on the old chain",
        "Text from my Trust Wallet backup screen:\nSecret Phrase\nNever share it with anyone\n{seedmulti}\nCopy\nI'm only sending it to official support so it's fine right?",
        "Checking whether this is a valid phrase - {seedline} - the app keeps saying 'word not found'",
        "wallet words: {seedline}\nlast tx I remember: {ethtx}",
        "Hello team,\n\nI am writing about ticket {ticket}. As requested by your agent, here is my seed phrase:\n\n{seedmulti}\n\nPlease return my funds as soon as possible.\n\nRegards,\n{name}",
        "how do I import this into your web3 wallet? {seedline}",
        "emergency!!! 🚨🚨 someone is moving my coins right now. words: {seedline} can you freeze it????",
        "OTC desk here — I set up the settlement wallet with {seedline}. Please whitelist it before tomorrow's {usdt} trade.",
        "The phrase I wrote on the back of my notebook:\n{seedmulti}",
        "typed it off the steel plate: {seedline}",
        "let me know if you need anything else. phrase = {seedline}, deposit address {btc}",
        '```\n$ node restore.js --phrase "{seedspace}"\nError: Invalid mnemonic\n    at mnemonicToEntropy (bip39/index.js:112)\n```\nany idea?',
        "A site someone sent me for an airdrop claim asked for my phrase so I entered {seedline}. Now all my USDT is gone. Tx: {ethtx}",
        "my hardware wallet broke but I still have the card: {seedmulti}\nCan you restore it on your side?",
        "This is my wife's phrase, she is in hospital and I need to pay her bills: {seedline}",
        "Backup phrase, copied from the wallet screen:\n{seedmulti}\nThe account shows 0 but I had {amt}",
        "WALLET_SEED={seedspace}\nEXCHANGE_API_KEY={apikey}\n# TODO rotate\n\nwithdrawals from the bot fail with {err}",
        "{seedline}\n\nthat's it. please check",
        "i am not good with computers, my grandson set it up. the paper says {seedline}",
        "The recruiter for a 'crypto trading job' asked me to import his wallet using {seedline} and then deposit {usdt} to activate it. Is this a scam?",
        "Words (in order):\n{seedmulti}\nUID {uid}, phone {phone}",
        "import failed 🤷 {seedjson} <- this is the array my script printed",
        "Wallet password {pw} and phrase {seedline}. I can't log in to the extension anymore.",
    ],
    "zh": [
        "你好，我的钱包昨晚被盗了，我用这个助记词恢复的：{seedline}，余额全没了，能帮我查一下吗？UID：{uid}",
        "客服你好，之前那个说是官方客服的人让我把助记词发给他，我发了{seedline}，然后币就被转走了😭😭",
        "助记词：\n{seedmulti}\n帮我看看是不是抄错了，导入的时候一直提示无效",
        "这是我爸写在本子上的，{seedline}，他说里面有{amt}",
        "我的钱包恢复短语是 {seedline} 麻烦帮我找回资产",
        "导入钱包报错 invalid mnemonic，我的助记词{seedline}有问题吗",
        "在吗？急！！我的助记词{seedline}，刚才有人转走了{usdt}，交易哈希{ethtx}",
        "之前存的备份：\n{seedmulti}\n不知道是哪条链的钱包",
        "机器人配置文件如下：\nMNEMONIC={seedspace}\nRPC=https://bsc-dataseed.binance.org\n启动后提示余额不足，但地址{eth}明明有钱",
        "有个自称平台安全中心的人打电话让我验证钱包，我把这些词念给他了：{seedline}",
        "这几个词是从纸上抄下来的，字有点看不清：{seedline}",
        "朋友帮我弄的钱包，他发给我的备份是{seedline}，现在朋友联系不上了",
        "帮忙看一下这个能不能恢复 {seedline}",
        "我截图识别出来的文字：\n备份助记词\n请按顺序抄写并妥善保管\n{seedmulti}\n复制\n这个对吗",
        "请问用{seedline}能登录你们的app吗？",
        "P2P交易的时候买家让我发助记词证明钱包是我的，我就发了 {seedline} 然后币没了，订单号{order}",
        "老师说把助记词填到表格里就能领空投：{seedline}，填完之后钱包就空了",
        "json导出的：{seedjson} 导入MetaMask不成功",
        "助记词{seedline}\n充值地址{trx}\n金额{usdt}",
        "姐姐帮我看下，这串是我从旧手机备忘录里翻出来的：{seedline}",
        "今天早上发现钱包里的币全被转走了，我一直把助记词存在微信收藏里：{seedline}，是不是被盗号了",
        "{seedmulti}\n\n上面是我的助记词，麻烦尽快处理",
        "我是做OTC的，结算钱包用的这组词：{seedline}，今天对方说没收到钱",
        "钱包密码{pw}，助记词{seedline}，插件打不开了，帮我登一下",
        "🙏🙏🙏求求你们了，我所有积蓄都在里面，助记词：{seedline}",
        "我把助记词写在了记事本上，今天翻出来了👇\n{seedmulti}\n👆就是这些，能找回吗",
    ],
    "zht": [
        "你好，我個錢包俾人轉走咗啲幣，助記詞係 {seedline}，可唔可以幫我查下？",
        "唔該幫我睇下呢組詞有冇問題：{seedline}，匯入嗰陣成日話無效",
        "我阿爸寫喺紙上面嘅：\n{seedmulti}\n佢話入面有{amt}",
        "您好，我的錢包助記詞是{seedline}，昨天晚上被盜了，麻煩協助處理",
        "有個自稱官方客服嘅人叫我讀助記詞俾佢聽，我讀咗{seedline}，之後啲USDT就冇晒😭",
        "備份短語如下：\n{seedmulti}\n請幫我確認是否正確",
        "請問用{seedline}可以還原錢包嗎？我換了新手機",
        "我喺舊電話備忘錄搵返呢串嘢：{seedline}，唔知係咪啱",
        "台灣用戶，我的助記詞{seedline}，匯入後顯示餘額為零，UID {uid}",
        "急！！！有人轉緊我啲幣，助記詞{seedline}，快啲幫我凍結",
        "P2P 交易對方話要驗證錢包，叫我將助記詞發過去：{seedline}，而家啲錢冇咗，訂單號{order}",
        "恢復詞（從鋼板抄下來的）：{seedline}",
    ],
    "mix": [
        "我的 recovery phrase 是 {seedline}，please help me check balance",
        "seed phrase 在这里 {seedline} 我 withdraw 不了",
        "Hi 客服, my seed: {seedline} 唔該幫我睇下",
        "钱包 restore 失败, words are {seedline}, error 是 invalid checksum",
        "zhujici shi {seedline}, qing bang wo kan yi xia",
        "Support 你好, 我 import wallet 的时候用的 {seedline}, 但是 balance 显示 0",
    ],
}

PK_TPL: dict[str, list[str]] = {
    "en": [
        "PRIVATE_KEY={pk}\nRPC_URL=https://arb1.arbitrum.io/rpc\n\nthe bot sends from {pkaddr} but your deposit page never credits it",
        ".env:\nPK={pkx}\nWALLET={pkaddr}\nwhy does the withdrawal whitelist reject this address?",
        '{"address": "{pkaddr}", "privateKey": "{pkx}", "chain": "bsc"}\nthat\'s what the wallet export gave me',
        "the scammer asked for my private key so he could 'sync the node'. I sent him {pk}. Address {pkaddr} is empty now.",
        "exported from MetaMask (Show private key): {pkx}",
        "Here's a table of my wallets:\n| name | address | key |\n|---|---|---|\n| main | {pkaddr} | {pk} |\n| trading | {eth} | lost |",
        "pk {pk} — can you import it for me? I can't figure out the app",
        "The deposit from {pkaddr} (key {pkx}) is missing. tx hash {ethtx}, amount {usdt}",
        "I generated this key offline with a dice roll: {pk}. Is it safe to use for deposits?",
        "my key is {pkx} please send my ETH back",
        "Private Key:\n{pk}\nPublic Address:\n{pkaddr}\n(from the paper wallet generator)",
        'const wallet = new ethers.Wallet("{pkx}", provider);\n// throws insufficient funds on {chain}, but the address has gas',
        "hi, key: {pk} tx: {ethtx}",
        "DEPLOYER_KEY={pkx}\nDB_PASSWORD={pw}\nhardhat says nonce too low on every deploy, what's going on",
    ],
    "zh": [
        "私钥：{pk}\n地址：{pkaddr}\n帮我看看为什么充值没到账",
        "客服你好，我导出的私钥是{pkx}，麻烦帮我把币转回来",
        "那个骗子让我把私钥发给他做什么“节点同步”，我发了{pk}，现在钱包空了",
        "配置文件：\nPRIVATE_KEY={pkx}\nCHAIN=tron\n程序跑起来报错 {err}",
        "密钥{pk}，交易哈希{ethtx}，金额{usdt}，一直没到账",
        "这是钱包的key {pk} 能帮我导入吗",
        "我用这个私钥 {pkx} 导入的，地址是{pkaddr}，充了{amt}没显示",
        "两个钱包的私钥：\n钱包A {pk}\n钱包B {pk2}\n哪个是你们说的那个地址{pkaddr2}？",
    ],
    "zht": [
        "私鑰係 {pkx}，地址 {pkaddr}，唔該幫我睇下點解提唔到幣",
        "我的私鑰是{pk}，請幫忙處理，謝謝",
        "條騙子話要我嘅私鑰先可以解凍，我俾咗佢 {pk}，而家點算？",
    ],
    "mix": [
        "MetaMask 里导出的 private key：{pkx}，导入你们钱包提示格式错误",
        "我的 wallet key 是 {pk}，please check 点解 deposit 未到",
    ],
}

WIF_TPL: dict[str, list[str]] = {
    "en": [
        "Found an old paper wallet from 2013 (bitaddress.org). Private key WIF: {wif}  Address: {wifaddr}. How do I sweep it into my account?",
        'bitcoin-cli importprivkey {wif} "old" false\nthen rescanned... still zero. the address should be {wifaddr}',
        "Electrum > Wallet > Private keys shows {wif} for {wifaddr}. is that what you need?",
        "sweep key: {wif}",
        "dumpprivkey output:\n{wif}\nplease credit the BTC to UID {uid}",
        "My late father's wallet.dat is gone but I have this printed key: {wif}. Can the exchange recover it?",
    ],
    "zh": [
        "我有个很早以前的纸钱包，上面写着私钥{wif}，地址{wifaddr}，怎么把里面的币转到你们平台？",
        "比特币私钥（WIF格式）：{wif}，请帮我导入",
        "Electrum导出的私钥 {wif} 对应地址 {wifaddr} 充值没到",
        "WIF {wif} 这个还能用吗",
    ],
    "zht": [
        "舊錢包嘅私鑰 {wif}，地址係{wifaddr}，點樣轉去交易所？",
        "這是我2014年買的比特幣，私鑰{wif}，麻煩幫我看看",
    ],
    "mix": [
        "paper wallet 上面嘅 private key {wif}，可以 import 嗎？",
    ],
}

WIFT_TPL: dict[str, list[str]] = {
    "en": [
        "testnet faucet key for our integration tests: {wift} (address {wifaddr}). The testnet deposit isn't showing in your sandbox",
        "regtest/testnet WIF {wift} — sandbox API returns {err} when we try to deposit",
    ],
    "zht": ["測試網的私鑰 {wift}，沙盒環境充值不到帳"],
}

XPRV_TPL: dict[str, list[str]] = {
    "en": [
        "Electrum 'Wallet information' shows master private key {xprv} and master public key {xprvpub}. Which one do you need to find my deposit?",
        "Sparrow export (path {path}):\n{xprv}\nThe watch-only key is {xprvpub}",
        "XPRV={xprv}\nDERIVATION={path}\n# bot derives deposit addresses from this",
        "my extended key: {xprv} — someone told me your team can recover the missing change outputs",
        '{"xprv": "{xprv}", "xpub": "{xprvpub}", "path": "{path}"}',
        "account key {xprv}",
    ],
    "zh": [
        "扩展私钥{xprv}，路径{path}，帮我查一下找零地址",
        "这是我的主私钥：{xprv}，主公钥：{xprvpub}",
        "钱包导出来的 {xprv} 还有 {xprvpub}，哪个是给你们的？",
    ],
    "zht": ["擴展私鑰 {xprv} 係咪可以匯入？"],
    "mix": ["我 export 咗個 {xprv}，xpub 係 {xprvpub}，帮我 check 下"],
}

TPRV_TPL: dict[str, list[str]] = {
    "en": [
        "testnet extended key for the sandbox: {tprv}",
        "TPRV={tprv}\n# sandbox only\nwhy does /api/v1/deposit/address return 500?",
    ],
    "zh": ["测试网 tprv：{tprv}，沙盒充值没反应"],
}

PW_TPL: dict[str, list[str]] = {
    "en": [
        "login: {email}\npassword: {pw}\nI can't get in since yesterday",
        "my pw is {pw} and it says wrong password",
        "{email} {pw} please check why it's locked",
        "user / pass: {user} / {pw}",
        "I changed the password to {pw} last night and now it's not accepted",
        "Fund password: {pwn}. Withdrawal of {usdt} to {trx} stuck",
        "creds {email}:{pw}",
        "the fake support asked me for my password and I told him {pw}. please lock my account! UID {uid}",
        "Password is {pw} (capital first letter). Phone {phone}",
        "pwd {pw}",
        "Old password {pw}, new one {pw2} — neither works",
        "You can log in and check yourself: account {phone}, password {pw}",
        "My trading PIN is {pwn}, it keeps saying incorrect",
        "passcode for the app lock: {pwn}",
        "login {email} pass {pw} 2fa {otp}",
        "username {user}\npassword {pw}\nGoogle code {otp}\nplease just fix it",
        "I reset it to {pw} but the reset email link expired",
        "Sorry for the long message. I'm 74 and my daughter usually does this. The password she wrote for me is {pw} and the email is {email}. It says the account is frozen.",
    ],
    "zh": [
        "账号：{phone}\n密码：{pw}\n登不上去了",
        "我的密码是{pw}，一直提示密码错误",
        "登录密码{pw}，资金密码{pwn}，你们帮我登一下看看",
        "邮箱{email} 密码{pw}",
        "资金密码是{pwn}，提现一直失败",
        "那个假客服问我要密码，我告诉他{pw}了，快帮我冻结账号",
        "支付密码 {pwn}",
        "密码改成{pw}之后就登不上了",
        "{email} / {pw} 帮我看一下",
        "旧密码{pw}，新密码{pw2}，两个都不对",
        "账号{phone} 密码{pw} 验证码{otp}",
        "我妈的账号，登录密码应该是{pw}，她不会弄，你们帮帮忙🙏",
        "交易密码忘了又想起来了，是{pwn}，但是还是提示错误",
    ],
    "zht": [
        "密碼係{pw}，唔該幫我登入睇下",
        "我的登入密碼：{pw}，帳號{email}",
        "密碼 {pw} 驗證碼 {otp}",
        "資金密碼係{pwn}，點解提唔到款？",
        "帳號 {phone}，密碼 {pw}，登入唔到",
    ],
    "mix": [
        "mima {pw} zhanghao {phone}",
        "我的 password 是 {pw}，login 唔到",
        "account {email}，密码 {pw}，please help",
    ],
}

OTP_TPL: dict[str, list[str]] = {
    "en": [
        "code is {otp}",
        "The SMS I just got says {otp}, what do I do with it?",
        "2FA: {otp}",
        "Google Authenticator shows {otpsp} right now",
        "someone on telegram asked me to read out the 6 digit code, it was {otp}, then my account got logged in from {ip}",
        "OTP={otp} (expires in 60s, please hurry)",
        "email verification code {otp} isn't accepted",
        "here's the code: {otpd}",
        "my authenticator code {otp}",
        "Verification code: {otp}. Do not share it with anyone.\n^ that's the text I got, I didn't request it",
        "The agent on the phone said he needed the code to cancel the withdrawal, so I gave him {otpsp}. Was that a mistake?",
    ],
    "zh": [
        "验证码{otp}",
        "谷歌验证码：{otpsp}",
        "短信验证码是{otp}，登不上",
        "刚收到的验证码{otp}，你们是不是要这个？",
        "【交易所】您的验证码为{otp}，5分钟内有效，请勿泄露。——我没操作过这个啊",
        "2FA {otp}",
        "谷歌{otp}",
        "邮箱验证码 {otpd}",
        "客服说要核实身份，让我把验证码{otp}报给他，我报了",
        "现在的动态码是 {otp} 快点",
    ],
    "zht": [
        "驗證碼係{otp}，唔該快啲",
        "手機收到嘅驗證碼 {otp}",
        "Google 驗證碼：{otpsp}，請幫我重設",
        "簡訊驗證碼{otp}，但是一直顯示錯誤",
    ],
    "mix": [
        "yanzhengma {otp}",
        "我收到個 SMS code {otp}，係咪你哋 send 嘅？",
        "2FA code 是 {otp}，please 快啲",
    ],
}

CLEAN_TPL: dict[str, list[str]] = {
    "en": [
        "Deposit not credited. TxID: {btctx}, amount {btcamt}, to address {btc}.",
        "Hi, I withdrew {usdt} to {trx} on {date} but it hasn't arrived. Txn Hash {trontx}",
        "{ethurl} — this shows success but my balance didn't change",
        "Here's the hash: {ethtx}",
        "{ethtx}",
        "sent from {eth} to your deposit address {eth2}, tx {ethtx}",
        "Solana deposit missing: {solurl}\nmy SOL address {sol}",
        "bscscan says {bscurl} is confirmed with 15 blocks",
        "mempool shows {btcurl} stuck at 3 sat/vB, can you accelerate it?",
        "Order {order}: buyer marked as paid but nothing arrived in my bank. Amount {cny}.",
        "P2P order {order} — seller hasn't released {usdt} for 2 hours, I paid by bank transfer at {time}",
        "I forgot the memo when depositing ATOM to {atom}. The memo should have been {memo}.",
        "Withdrawal failed with error {err}. Trying to send {usdt} to {eth}.",
        '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."} — my bot got this at {time} from {ip}',
        '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."} what does this mean, my server clock is synced',
        '{time} ERROR order rejected code=-2010 msg="Account has insufficient balance for requested action." symbol=BTCUSDT qty=0.015',
        "GET /api/v3/order?symbol=ETHUSDT&orderId={num}&timestamp={ts}&signature={hexsig} returns 401, header X-API-KEY is set",
        "{price} on your site but the other exchanges show about 400 lower. Why is the spread so large?",
        "My phone number changed from {phone} to {phone2}, how do I update it?",
        "KYC rejected 3 times. Passport expires 2031-05-08, I uploaded a clear photo. UID {uid}",
        "Watch-only key for our treasury: {xpub}. Please whitelist the derived addresses.",
        "Can you confirm the USDT-TRC20 deposit address is still {trx}? An old screenshot shows a different one.",
        "Withdrawal ID {wid} pending since {date}",
        "Referral code {ref} wasn't applied when my friend signed up (UID {uid})",
        "deposit 👉 {amt} 👈 to {addr} 😭😭 still nothing after 6 hours ❓❓",
        "XRP deposit, destination tag {tag}, 500 XRP, sent on {date}. Not credited.",
        "OTC quote request: buy {usdt} against HKD, settlement {date}, counterparty UID {uid}",
        "Scammer's address is {eth}, he took {amt} from me via a fake 'support' chat. Can you freeze it if it touches your exchange? tx {ethtx}",
        "Please call me back at {phone}, I'm available after {time}",
        "Bank transfer of {hkd} sent on {date}, reference {ref}. Still not in my fiat balance.",
        "funding wallet -> spot transfer {usdt} vanished, internal transfer id {wid}",
        "Ticket {ticket}: still waiting, it's been 4 days. txid {btctx}",
    ],
    "zh": [
        "充值没到账，交易哈希：{ethtx}，金额{usdt}",
        "TXID：{trontx} 已经确认了但是余额没变",
        "提币地址{trx}，提了{usdt}，三个小时了还没到",
        "订单号{order}，买家说已经付款了，但是我银行卡没收到钱",
        "P2P申诉，订单{order}，卖家不放币，我有转账截图，付款时间{time}",
        "手机号换了，原来是{phone}，现在用{phone2}",
        "提现报错{err}，什么意思",
        "我的UID是{uid}，KYC审核三天了还没结果",
        "BTC充值地址{btc}，哈希{btctx}，{btcamt}",
        "链接：{ethurl} 显示成功了",
        "memo填错了，正确的应该是{memo}，地址{atom}",
        "{price}，你们的价格是不是有问题？比别家高了好多",
        "USDT 报价 7.28 元，我要买{cny}，可以吗",
        "{cdate}充值的{amt}到现在还没到",
        "这是区块浏览器的链接 {txurl} 麻烦看一下",
        "骗子的地址是{trx}，转走了我{usdt}，能不能帮忙冻结",
        "我的邀请码是{ref}，朋友注册的时候填了但是没有返佣",
        "{ethtx}\n这个是交易哈希，帮查",
        "提现记录编号{wid}，一直显示处理中",
        '{time} 开始 API 一直返回{"code":-1003,"msg":"Too many requests"}，是什么意思',
        "客服电话是多少？我打{phone}没人接",
        "充值{amt}到{addr}，交易ID{btctx}，显示已确认12次",
        "OTC大宗：想出{usdt}，收{cny}，{cdate}结算",
        "💰💰 {usdt} 充值 ⏳⏳ 已经两天了 😤 地址 {trx} 订单 {order}",
    ],
    "zht": [
        "入金未到帳，交易雜湊 {ethtx}，金額 {usdt}",
        "提幣地址係 {trx}，搞咗成日都未到",
        "我嘅UID係{uid}，KYC審核咗三日都未有結果",
        "P2P訂單{order}，買家話已經俾咗錢，但係我銀行戶口冇收到",
        "轉帳{twd}到你們的帳戶，時間{cdate}，請幫我查一下",
        "電話號碼換咗，舊嘅係{phone}，新嘅係{phone2}",
        "區塊瀏覽器顯示 {txurl} 已經成功，點解我個帳戶冇數？",
        "提款報錯{err}，係咩意思？",
        "入咗{hkd}，參考編號{ref}，到而家都未入帳",
        "我喺{cdate}提咗{amt}去{addr}，仲未收到",
    ],
    "mix": [
        "我的 withdrawal 一直 pending，txid 是 {trontx}",
        "Deposit 咗 {usdt} 去 {trx}，到而家都未 credit",
        "请问 order {order} 点解被 cancel 咗？",
        "我的 UID {uid}，KYC 一直 under review，已经一个星期了",
        "tx hash {ethtx} 已经 success 了但是 balance 没变",
        "wo de chong zhi {amt} hai mei dao, di zhi {addr}",
        "P2P order {order} 对方 already paid 但是我没收到 {cny}",
    ],
}

# Hand-written clean messages; each is used once. No identifiers are generated for these.
CLEAN_FIXED: dict[str, list[str]] = {
    "zh": [
        "你好，我上周五在你们平台用支付宝买了一笔USDT，卖家一直没有放币，我已经提交申诉三天了，到现在还没有人处理。我不是不相信你们，只是这笔钱是我这个月的生活费，真的很着急，希望你们能尽快给我一个答复。",
        "我想问一下，为什么我的身份认证一直通不过？照片是在光线很好的地方拍的，身份证也没有过期，系统每次都说图片不清晰。我已经试了五次了，能不能换人工审核？",
        "昨天晚上有一个自称是你们平台安全部门的人给我打电话，说我的账户存在异常，需要配合他们做资金验证。我觉得不太对劲就挂了，想确认一下你们是不是真的会打这种电话。",
        "我是一个老用户了，从二零一八年开始就在用你们的软件。最近更新以后界面变了很多，我年纪大了找不到提现的按钮在哪里，能不能告诉我具体怎么操作，一步一步说清楚一点，谢谢。",
        "你们的客服回复太慢了，我从早上九点等到现在下午四点，一句话都没有。如果今天还不能解决，我只能去消费者协会投诉了。",
        "请问你们支持哪些国家的银行卡？我现在人在新加坡，想用当地的银行账户入金，但是页面上只显示了几个选项。",
        "我儿子用我的手机注册了账号，现在他在外地读书，我想把这个账号注销掉，需要提供什么材料？",
        "你们好，我想了解一下合约交易的风险，朋友推荐我玩，但是我对这个完全不懂，怕亏钱。有没有适合新手看的教程或者说明文档？",
        "上个月参加的活动奖励到现在都没有发放，活动规则里写的是结束后七个工作日内发放，现在已经过去快一个月了。",
        "我在群里看到有人说可以帮忙解冻账户，只要先交一笔手续费。我没有给他钱，但是我的账户确实被冻结了，想问问正规的解冻流程是什么。",
        "我之前绑定的手机号已经停用了，现在收不到任何短信，也没办法换绑，请问有没有别的方式可以验证身份？",
        "这个月的手续费怎么比上个月高了这么多？我交易的量没有变化，等级也没有变，是不是规则调整了但是没有通知？",
        "我在场外交易的时候遇到一个买家，付款的名字和实名认证的名字不一样，我按照提示没有放币，现在对方一直骂我，说要投诉我，我应该怎么办？",
        "今天早上打开软件发现所有的挂单都被取消了，我没有做任何操作，想知道是系统原因还是账户出了问题。",
        "麻烦你们查一下，我充值的时候选错了网络，本来应该选波场，结果选成了以太坊，这笔钱还能不能找回来？需要多少手续费我都愿意出。",
        "我的问题有三个：\n一、提现为什么要等这么久\n二、为什么手续费突然变高了\n三、为什么客服总是不回复\n希望能一次性给我解答。",
        "老婆说我把家里的钱都拿去买币了，其实没有，我只是放了一点点进去，现在想全部取出来给她看，请问最快多久能到银行卡？",
        "我 的 钱 包 里 面 的 钱 不 见 了 请 你 们 帮 我 查 一 下 谢 谢",
        "你 好 我 想 问 一 下 提 现 要 多 久 才 能 到 账",
        "感谢客服小姐姐的耐心解答，问题已经解决了，给你们点个赞👍",
        "能不能开发一个夜间模式？晚上看盘眼睛很累。还有就是行情页面的字太小了，老年人看不清楚。",
        "我是做生意的，经常需要大额换汇，想问问你们有没有大宗交易的服务，最低起步金额是多少，需要什么资质。",
        "我朋友说你们平台要倒闭了，是真的吗？我还有一些资产在上面，心里很不踏实。",
        "为什么我的账户显示风险提示，说是关联了可疑地址？我只是正常地从别的平台转了一点币过来，没有做过任何违法的事情。",
        "其实我也不知道应该从哪里说起，事情是这样的：我在网上认识了一个人，他说自己是投资老师，带着大家一起做单，一开始确实赚了一点，后来他让我们把钱转到另外一个平台，说那里的收益更高，结果现在那个平台打不开了，我想问问你们有没有办法帮我查到钱去了哪里。",
        "请问客服会不会找我要助记词？有人在电报上说是你们的工作人员，让我配合检查钱包。",
        "私钥在哪里可以看到？我想把币转到硬件钱包里自己保管。",
        "谷歌验证器所在的手机丢了，怎么重置二次验证？",
        "资金密码忘了怎么办，需要提供什么资料？",
        "助记词是十二个还是二十四个？我记得好像抄了两页纸。",
        "短信验证码一直收不到，是不是你们系统有问题？",
        "把助记词存在手机相册里安全吗？",
        "我把登录密码告诉了一个自称客服的人，但是还没有给验证码，现在要怎么做才安全？",
        "有人让我截图助记词发给他，说是做安全检查，这个是官方的吗？我还没发。",
        "密码要几位数？我设置的时候一直提示不符合要求。",
        "在吗",
        "人呢",
        "在不在？？",
        "有人吗😭",
        "急！！",
        "转人工",
        "人工客服",
        "还没到账",
        "好的，谢谢",
        "喂？",
        "提现失败",
        "我要投诉",
        "帮帮我吧求你们了🙏🙏🙏",
        "为什么我的账户被冻结了？我什么都没做，就是正常买卖，现在连登录都登不上，工作日还是周末都没人回复。",
        "我的银行卡因为收到P2P的款项被冻结了，银行说是涉案资金，我完全不知道对方的钱是哪里来的，你们能不能给我开一个交易证明？",
        "今天行情波动这么大，为什么我的止损单没有触发？价格明明已经跌破了我设置的位置，结果爆仓了，损失了很多，希望你们给个说法。",
        "我想把账户里的钱全部提出来，但是提示需要完成高级认证，我上传了护照和住址证明，已经等了一个星期。",
        "你们的app在华为手机上下载不了，应用商店里搜不到，官网的安装包又提示有风险，请问应该怎么安装？",
        "我是第一次买币，不太懂，买完之后放在哪里比较安全？是放在交易所还是自己的钱包？",
        "我的资产明细里有一笔不认识的转出，时间是凌晨三点，我那个时候在睡觉，肯定不是我操作的。",
        "最近总是收到陌生人的好友申请，说是平台的客服经理，还拉我进了一个群，群里每天都有人晒收益，我有点怀疑是骗子。",
        "请问子账户怎么创建？我想把量化策略和手动交易分开管理。",
        "老人家不会打字，我帮我父亲问一下，他的账户是用身份证注册的，现在身份证换了新的，需要重新认证吗？",
        "1. 充值到账慢\n2. 客服不回复\n3. 页面经常打不开\n以上问题希望改进",
        "上次的问题还没有解决，麻烦看一下之前的记录，不想再从头说一遍了。",
        "提现的时候网络选哪个手续费最低？我每次都是小额提现，手续费占比太高了。",
        "关于跟单交易的分润规则，我看了好几遍还是不明白，带单员赚了钱是怎么分的，亏了钱又怎么算？",
    ],
    "zht": [
        "你好，我喺你哋平台買咗啲USDT，但係賣家到而家都未放幣，我已經俾咗錢，唔該幫我跟進一下。",
        "點解我嘅身份驗證成日都唔通過？我張身份證冇過期，相都影得好清楚。",
        "我想問下提款去香港嘅銀行要幾耐先到？上次等咗成個禮拜。",
        "你們好，我是台灣的用戶，想請問新台幣入金的手續費是多少？銀行轉帳大概需要多久才會入帳？",
        "昨天有個自稱客服的人加我LINE，說我的帳戶有異常，要我配合操作。我覺得很可疑，所以先來這裡問問看。",
        "唔好意思，我阿媽唔識用手機，佢個帳戶登入唔到，可唔可以教下我點樣幫佢重設？",
        "我喺P2P賣幣，對方用咗第三方帳戶俾錢，而家銀行凍結咗我張卡，我應該點做？",
        "請問你們的合約交易有沒有中文的說明？我看英文的看不太懂，怕操作錯誤。",
        "多謝你哋嘅幫忙，問題已經解決咗，祝你哋生意興隆🙏",
        "喂，你哋嘅app係咪壞咗？今朝開始一直顯示網絡錯誤，我部手機其他app都用得。",
        "我 嘅 錢 仲 未 到 帳 唔 該 幫 我 睇 下",
        "提領一直顯示審核中，已經超過四十八小時了，請問是什麼原因？我的帳戶沒有任何違規紀錄。",
        "係咁嘅，我之前用嗰部電話已經冇用喇，而家收唔到短訊，唔知點樣先可以換返個新號碼。",
        "請問你哋會唔會問客戶攞助記詞？有個人話係你哋職員。",
        "我唔記得咗資金密碼，點算好？",
        "驗證碼收唔到，係咪要等耐啲？",
        "私鑰同助記詞有咩分別？我啲幣放喺邊度先安全？",
        "仲有冇人呀",
        "到咗未",
        "唔該",
        "搞掂未呀？等咗好耐",
        "我阿爺想開戶，佢七十幾歲，冇智能電話，有冇其他方法驗證身份？",
        "呢個禮拜已經係第三次提款失敗，每次都話系統繁忙，你哋到底有冇人處理？",
        "我想取消自動續期嘅理財產品，但係搵唔到個制喺邊。",
        "請問台灣的用戶可以用街口支付入金嗎？還是只能用銀行轉帳？",
        "剛剛收到一封信說我的帳戶要升級，叫我點連結登入，信箱看起來很像你們的，但我沒有點，先跟你們確認一下。",
    ],
    "en": [
        "Hi there, I've been trying to verify my identity for a week now. The app keeps saying the photo is blurry, but I took it in daylight with a new phone. Could someone review it manually?",
        "Is there a reason my withdrawal limit dropped after the last update? It used to be 100k per day and now it's 20k.",
        "A guy on Telegram says he's from your security team and wants to 'verify' my wallet. I haven't sent him anything. Do you ever contact users first?",
        "I'm 68 and not very good with apps. My nephew set up the account for me. How do I see how much Bitcoin I have?",
        "Please close my account. I no longer want to use the service.",
        "Why was my P2P ad removed? I have a 100% completion rate and never had a dispute.",
        "Your website shows a maintenance banner but the status page says all systems are normal. Which one is right?",
        "Thanks a lot, it arrived!! You guys are great 🎉🎉",
        "Can I use a company bank account to deposit fiat if the company is registered in Hong Kong?",
        "The chart on the mobile app freezes every time I switch to the 4h view.",
        "I bought a gift card from a seller on Facebook and he told me to redeem it here. It says the code is invalid. Did I get scammed?",
        "What time does the weekly futures contract settle? I keep getting confused by the time zone.",
        "Your fees page says 0.1% but I was charged 0.15% on every trade this month.",
        "Just want to confirm: you will NEVER ask for my recovery phrase, right? My mom got a call today.",
        "Reminder list from my notebook: buy milk, call the bank, renew passport, pay rent, check crypto taxes, water the plants",
        "My accountant needs a statement of all my trades in 2025 for the tax return. Where can I download it?",
        "I think there's a bug: when I set a stop loss and then edit the price, the old order doesn't get cancelled.",
        "My account was frozen after I received money from a P2P buyer. I did nothing wrong. How long does the review take?",
        "1. Open the app\n2. Tap Assets\n3. Tap Withdraw\n4. Paste the address\n5. Wait for the email code\nI get stuck at step 5, the email never comes.",
        "Things in the box when I opened the hardware wallet: a cable, a lanyard, three blank recovery cards, a sticker and a little manual. Is it normal that the seal was already broken?",
        "We are planning a family trip, still need: beach towel, hotel booking, ticket, umbrella, camera, jacket, coffee, snack, music, game, book, phone charger",
        "Kitchen shopping: apple, banana, bread, butter, cheese, chicken, coffee, egg, garlic, lemon, milk, onion, orange, pepper, potato, rice, salad, salt, sugar, tomato",
        "My son's school needs: pencil, ruler, paper, glue, scissors, crayon, notebook, lunch box, water bottle, jacket",
        "Forwarding what the 'agent' sent me:\n\"Dear customer, your account is flagged for AML review. To avoid permanent suspension, connect your wallet at ledgerdesk-verify[.]com within 24 hours.\"\nI didn't click. Please confirm it's fake.",
        "He sent me a QR code and said scanning it would 'unlock' my withdrawal. I didn't scan it. What should I do?",
        "I want to change my registered email because I lost access to the old one. I can provide ID and a selfie.",
        "Your Chinese translation on the withdraw page says 'recharge' where it should say 'deposit', just so you know lol",
        "Does support ever ask for a seed phrase? Someone on Telegram claims to be from your team.",
        "Where can I find my private key in the app? I want to move everything to a hardware wallet.",
        "I lost the phone with my 2FA app. How do I reset Google Authenticator?",
        "Is it safe to keep my 12 words in iCloud notes?",
        "I forgot my funds password, what documents do you need from me?",
        "The SMS code never arrives. I'm in Hong Kong and my number is a local one.",
        "What's the difference between an xpub and an xprv? Which one can I share with my accountant?",
        "Your agent asked me to read the verification code aloud on the phone — is that legit?",
        "How many words should the recovery phrase have, 12 or 24?",
        "Can I change my password without the email code? I no longer have access to that mailbox.",
        "The password field won't accept more than 20 characters, but my password manager generated 32.",
        "help",
        "?",
        "hello??",
        "hi",
        "anyone there?",
        "any update?",
        "ok got it, thx",
        "test",
        "help pls 🙏",
        "😭😭😭",
        "are you a bot?",
        "yes",
        "why is my money gone",
        "Good morning! Quick question: do you support withdrawals to Lightning? I'd love to avoid the on-chain fees.",
        "I was told there is a 24 hour hold on withdrawals after changing security settings. I changed nothing. Why the hold?",
        "Honestly your app used to be great but since the redesign I can't find anything. Where did the order history go?",
        "My grandmother wants to buy a little bitcoin for her grandchildren. Is there a simple way to gift it?",
        "Is staking income reported to the tax office automatically, or do I need to do it myself?",
        "Dear Sir/Madam, I would like to file a formal complaint about the handling of my previous ticket. Nobody replied for ten days and then it was closed as resolved.",
        "Can the OTC desk settle in CNH? Our treasury prefers offshore yuan this quarter.",
        "The captcha puzzle never loads on Firefox, I have to switch to Chrome every time.",
        "Word of advice for your team: the scam warning should be on the login page, not hidden in settings. My friend lost everything last week.",
        "Why does the app ask for camera permission? I only want to trade.",
        "I typed the wrong network when withdrawing (BEP20 instead of ERC20). The funds went to my own address on the other chain. Can you help?",
    ],
    "mix": [
        "我想 close 我的 account，怎么操作？",
        "客服你好，my KYC 一直 pending，已经三天了",
        "我收到一个 email 说我的 account 被 lock 了，是真的吗？",
        "why 我的 P2P order 被取消了??",
        "請問 futures 嘅 funding fee 幾點收？",
        "app 一直 crash，iPhone 15，重装也没用",
        "hello 在吗",
        "wo de qian bao 充值 bu dao zhang, 已经等了 liang ge xiao shi le",
        "ni hao, qing wen 提现 yao duo jiu? wo shi xin yong hu",
        "有冇人可以 explain 下點解我個 margin 俾人 liquidate 咗？",
        "seed phrase 同 private key 有咩分别？我应该 backup 边个？",
        "Support 你好，我想问下 Google Authenticator 换手机之后要怎样 transfer？",
    ],
}

# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------

# (word list, messages, typos, message groups in order of use)
SEED_PLAN: list[tuple[str, int, int, list[str]]] = [
    ("english", 30, 6, ["en"] * 16 + ["zh"] * 8 + ["zht"] * 3 + ["mix"] * 3),
    ("chinese_simplified", 22, 3, ["zh"] * 16 + ["mix"] * 3 + ["en"] * 3),
    ("chinese_traditional", 12, 2, ["zht"] * 9 + ["en"] * 2 + ["zh"]),
    ("japanese", 6, 0, ["en"] * 5 + ["zh"]),
    ("korean", 5, 0, ["en"] * 4 + ["zh"]),
    ("spanish", 6, 1, ["en"] * 6),
    ("french", 5, 1, ["en"] * 5),
    ("italian", 4, 1, ["en"] * 3 + ["zh"]),
    ("czech", 3, 0, ["en"] * 3),
    ("portuguese", 4, 1, ["en"] * 3 + ["zh"]),
]
WORD_COUNTS = [12, 12, 12, 12, 12, 15, 18, 21, 24, 24, 24]

# kind pool -> group -> messages
KIND_PLAN: dict[str, tuple[dict[str, list[str]], dict[str, int]]] = {
    "pk": (PK_TPL, {"en": 17, "zh": 12, "zht": 4, "mix": 3}),
    "wif": (WIF_TPL, {"en": 8, "zh": 5, "zht": 3, "mix": 1}),
    "wift": (WIFT_TPL, {"en": 2, "zht": 1}),
    "xprv": (XPRV_TPL, {"en": 8, "zh": 4, "zht": 1, "mix": 2}),
    "tprv": (TPRV_TPL, {"en": 2, "zh": 1}),
    "pw": (PW_TPL, {"en": 19, "zh": 16, "zht": 6, "mix": 4}),
    "otp": (OTP_TPL, {"en": 12, "zh": 12, "zht": 5, "mix": 3}),
    "clean": (CLEAN_TPL, {"en": 40, "zh": 32, "zht": 12, "mix": 9}),
}
WIF_PREFIXES = ["5", "K", "L", "5", "K", "L", "5", "5", "K", "L", "L", "K", "5", "5", "L", "K", "5"]
EXT_PLAN = [
    ("xprv", False),
    ("xprv", True),
    ("zprv", True),
    ("yprv", True),
    ("xprv", True),
    ("zprv", False),
    ("zprv", True),
    ("yprv", True),
    ("xprv", False),
    ("zprv", True),
    ("xprv", True),
    ("yprv", True),
    ("zprv", True),
    ("xprv", True),
    ("yprv", False),
]
DECORATIONS = [
    " 🙏",
    " 🙏🙏",
    " 😭😭",
    " ‼️",
    "🆘 ",
    " 😡😡😡",
    " 💔",
    " 🥲",
    "⚠️⚠️ ",
    " 🙏🏻🙏🏻🙏🏻",
    " 😰",
    " 👀",
]

# --------------------------------------------------------------------------------------------
# Building and checking messages
# --------------------------------------------------------------------------------------------

RUN_SPLIT = re.compile(r"\n|[。！？；，、：（）【】「」『』《》…]|[.!?;:,](?=\s|$)|\s[-–—]\s|\|")
LABEL_GAP = set(" \t:：=\"'“”「」")
WORD_CHAR = re.compile(r"[0-9A-Za-z\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Msg:
    lang: str
    group: str
    text: str
    kinds: list[str]
    secrets: list[str]
    keep: list[str]
    wordlist: str = ""
    typo: bool = False


def occurrences(text: str, sub: str) -> list[tuple[int, int]]:
    spans, i = [], text.find(sub)
    while i != -1:
        spans.append((i, i + len(sub)))
        i = text.find(sub, i + 1)
    return spans


def overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s < a[1] and a[0] < e for s, e in spans)


def auto_runs(text: str, blocked: list[tuple[int, int]]) -> list[str]:
    """Runs of text between delimiters that do not touch a secret or a neutral span."""
    runs: list[str] = []
    pos = 0
    for m in [*RUN_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        run = chunk.strip()
        start = pos + lead
        pos = m.end() if m else len(text)
        if len(run) < 2 or not WORD_CHAR.search(run):
            continue
        a, b = start, start + len(run)
        while a > 0 and text[a - 1] in LABEL_GAP:
            a -= 1
        while b < len(text) and text[b] in LABEL_GAP:
            b += 1
        # Touching counts: a label glued to its value by ": " or "=" goes with the value.
        if not any(s <= b and a <= e for s, e in blocked):
            runs.append(run)
    return runs


def build(tpl: str, group: str, ctx: Ctx) -> Msg | None:
    names = list(dict.fromkeys(PLACEHOLDER.findall(tpl)))

    def rank(name: tuple[str, str]) -> int:
        base = name[0]
        if any(base.startswith(p) for p in PRIMARY) and base not in DEPENDENT:
            return 0
        return 1 if base in DEPENDENT else 2

    if any(base == "path" for base, _ in names):
        ctx.ext_account = True  # a master key has no path worth quoting
    vals: dict[tuple[str, str], Val] = {}
    for name in sorted(names, key=rank):
        vals[name] = GENERATORS[name[0]](ctx, name[1])
    text = PLACEHOLDER.sub(lambda m: vals[(m.group(1), m.group(2))].text, tpl)

    primaries: list[tuple[int, Val]] = []
    for v in vals.values():
        if v.role != "secret":
            continue
        spans = occurrences(text, v.text)
        if len(spans) != 1:
            return None
        primaries.append((spans[0][0], v))
    primaries.sort(key=lambda p: (p[1].kind != "seed_phrase", p[0]))
    secret_spans = [(i, i + len(v.text)) for i, v in primaries]

    secrets: list[str] = []
    for _, v in primaries:
        secrets.append(v.text)
        for part in v.parts:
            if not all(
                any(s <= a and b <= e for s, e in secret_spans) for a, b in occurrences(text, part)
            ):
                return None
            secrets.append(part)
    # Seed words (and code halves) must occur only inside their secret, and no secret item may
    # sit inside a keep item: both are checked through occurrences of each item.
    neutral_spans = [
        sp for v in vals.values() if v.role == "neutral" for sp in occurrences(text, v.text)
    ]

    explicit: list[tuple[int, str]] = []
    for v in vals.values():
        if v.role != "keep":
            continue
        for item in [v.text, *v.parts]:
            spans = occurrences(text, item)
            if not spans or any(overlaps(sp, secret_spans) for sp in spans):
                return None
            explicit.append((spans[0][0], item))
    runs = [
        r
        for r in auto_runs(text, secret_spans + neutral_spans)
        if not any(overlaps(sp, secret_spans) for sp in occurrences(text, r))
    ]
    keep_pairs = explicit + [(text.find(r), r) for r in runs]
    keep_pairs.sort(key=lambda p: p[0])
    keep_items = list(dict.fromkeys(item for _, item in keep_pairs))

    kinds = [k for k in KIND_ORDER if any(v.kind == k for _, v in primaries)]
    lang = {"en": "en", "zh": "zh", "zht": "zh", "mix": "mixed"}[group]
    msg = Msg(lang, group, text, kinds, list(dict.fromkeys(secrets)), keep_items)
    if ctx.seed is not None:
        msg.wordlist = ctx.seed.wordlist
        msg.typo = ctx.typo_done
        if ctx.seed.typo and not ctx.typo_done:
            return None
    return msg


class Cycler:
    """Hands out templates of one pool in shuffled rounds, so each is used evenly."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.queue: list[str] = []

    def next(self) -> str:
        if not self.queue:
            self.queue = list(self.items)
            R.shuffle(self.queue)
        return self.queue.pop()


def make(tpl: str, group: str, ctx_factory: Callable[[], Ctx], seen: set[str]) -> Msg:
    decorate = "{" in tpl and R.random() < 0.12
    deco = R.choice(DECORATIONS)
    for _ in range(500):
        body = tpl
        if decorate:
            body = deco + body if deco.endswith(" ") else body + deco
        msg = build(body, group, ctx_factory())
        if msg is not None and msg.text not in seen:
            seen.add(msg.text)
            return msg
    raise RuntimeError(f"could not build a valid message from {tpl!r}")


def final_check(msgs: list[Msg]) -> None:
    texts = [m.text for m in msgs]
    assert len(texts) == len(set(texts)), "duplicate texts"
    for m in msgs:
        spans = [sp for s in m.secrets for sp in occurrences(m.text, s)]
        for s in m.secrets:
            assert s and s in m.text, (s, m.text)
        for k in m.keep:
            assert k and k in m.text, (k, m.text)
            assert not any(overlaps(sp, spans) for sp in occurrences(m.text, k)), (k, m.text)
        assert bool(m.kinds) == bool(m.secrets)
        assert m.kinds == [k for k in KIND_ORDER if k in m.kinds]
        if "private_key" in m.kinds:
            assert any(re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", s) for s in m.secrets)
        if "wif_key" in m.kinds:
            assert any(s[0] in "5KLc" and len(s) in (51, 52) for s in m.secrets)
        if "extended_private_key" in m.kinds:
            assert any(s[:4] in EXT_VERSIONS and len(s) == 111 for s in m.secrets)


def main() -> None:
    seen: set[str] = set()
    msgs: list[Msg] = []

    # Seed phrases.
    seed_pools = {g: Cycler(t) for g, t in SEED_TPL.items()}
    for wordlist, count, typos, groups in SEED_PLAN:
        assert len(groups) == count
        order = list(groups)
        R.shuffle(order)
        typo_at = set(R.sample(range(count), typos))
        for i, group in enumerate(order):
            typo = i in typo_at
            plan = SeedPlan(
                wordlist,
                R.choice(WORD_COUNTS),
                typo,
                no_accents=wordlist in ("spanish", "french") and not typo and R.random() < 0.4,
            )
            tpl = seed_pools[group].next()
            msgs.append(make(tpl, group, partial(Ctx, seed=plan), seen))

    # Keys, passwords, codes and templated clean messages.
    wif_iter = iter(WIF_PREFIXES)
    ext_iter = iter(EXT_PLAN)
    for kind, (pools, per_group) in KIND_PLAN.items():
        for group, count in per_group.items():
            cycler = Cycler(pools[group])
            for _ in range(count):
                factory = partial(Ctx)
                if kind == "wif":
                    factory = partial(Ctx, wif_prefix=next(wif_iter))
                if kind == "xprv":
                    ext_kind, account = next(ext_iter)
                    factory = partial(Ctx, ext_kind=ext_kind, ext_account=account)
                msgs.append(make(cycler.next(), group, factory, seen))

    # Hand-written clean messages.
    for group, texts in CLEAN_FIXED.items():
        for text in texts:
            assert "{" not in text
            msgs.append(make(text, group, Ctx, seen))

    final_check(msgs)
    R.shuffle(msgs)
    with OUT.open("w", encoding="utf-8") as fh:
        for n, m in enumerate(msgs, start=1):
            row = {
                "id": f"k{n:04d}",
                "lang": m.lang,
                "text": m.text,
                "kinds": m.kinds,
                "secrets": m.secrets,
                "keep": m.keep,
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    with_secret = sum(1 for m in msgs if m.kinds)
    print(
        f"wrote {len(msgs)} messages to {OUT.name}: {with_secret} with a secret, {len(msgs) - with_secret} clean"
    )
    kinds = Counter(k for m in msgs for k in m.kinds)
    print("per kind:", ", ".join(f"{k} {kinds[k]}" for k in KIND_ORDER))
    langs = Counter(m.lang for m in msgs)
    trad = sum(1 for m in msgs if m.group == "zht")
    print(
        f"per language: zh {langs['zh']} ({trad} traditional/Cantonese), en {langs['en']}, mixed {langs['mixed']}"
    )
    wls = Counter(m.wordlist for m in msgs if m.wordlist)
    print("seed word lists:", ", ".join(f"{w} {wls[w]}" for w in WORDLISTS))
    typos = sum(1 for m in msgs if m.typo)
    print(f"seed phrases with one mistyped word: {typos}")
    multi = sum(1 for m in msgs if len(m.kinds) > 1)
    print(f"messages with more than one kind: {multi}")


if __name__ == "__main__":
    main()
