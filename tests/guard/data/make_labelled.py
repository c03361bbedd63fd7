#!/usr/bin/env python3
"""Generate ``labelled.jsonl``, the labelled evaluation set for the ticket secret guard.

Run from the repository root::

    .venv/bin/python tests/guard/data/make_labelled.py

Every random choice comes from one ``random.Random(SEED)``; nothing reads the clock or the
network, so two runs write byte-identical files. All keys, addresses and hashes are freshly
made from that generator (real encodings, random material); none belongs to anybody.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import base58
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from mnemonic import Mnemonic

SEED = 20241121
OUT_PATH = Path(__file__).resolve().parent / "labelled.jsonl"
KINDS = (
    "seed_phrase",
    "private_key",
    "wif_key",
    "extended_private_key",
    "password",
    "otp_code",
)
LANGS = ("zh", "en", "mixed")
MAX_TRIES = 3000
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------


@dataclass
class SecretGroup:
    """One secret in a message: ``value`` is its exact text, ``parts`` its words (seed phrases)."""

    kind: str
    value: str
    parts: list[str] = field(default_factory=list)
    placed: int = 0  # how many times render() put ``value`` into the text


@dataclass
class Slot:
    """The text that fills one ``{name}`` in a template, with what it adds to the labels."""

    text: str
    keep: list[str] = field(default_factory=list)
    secret: SecretGroup | None = None


@dataclass
class Sample:
    lang: str
    text: str
    groups: list[SecretGroup]
    keep: list[str]
    tag: str = ""

    def kinds(self) -> list[str]:
        present = {g.kind for g in self.groups}
        return [k for k in KINDS if k in present]

    def secrets(self) -> list[str]:
        ordered = [g for g in self.groups if g.kind == "seed_phrase"]
        ordered += [g for g in self.groups if g.kind != "seed_phrase"]
        out: list[str] = []
        for g in ordered:
            for item in [g.value, *g.parts]:
                if item not in out:
                    out.append(item)
        return out

    def record(self, ident: str) -> dict[str, object]:
        return {
            "id": ident,
            "lang": self.lang,
            "text": self.text,
            "kinds": self.kinds(),
            "secrets": self.secrets(),
            "keep": self.keep,
        }


# ---------------------------------------------------------------------------------------------
# Key material: addresses, hashes, WIF, BIP32
# ---------------------------------------------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", sha256(data)).digest()


def b58check(payload: bytes) -> str:
    return base58.b58encode_check(payload).decode("ascii")


def rand_scalar(rng: random.Random) -> bytes:
    while True:
        raw = rng.randbytes(32)
        if 0 < int.from_bytes(raw, "big") < SECP256K1_N:
            return raw


def pub_compressed(secret: bytes) -> bytes:
    return PrivateKey(secret).public_key.to_compressed_bytes()


def pub_uncompressed(secret: bytes) -> bytes:
    return b"\x04" + PrivateKey(secret).public_key.to_bytes()


def eth_address_of(secret: bytes) -> str:
    return str(PrivateKey(secret).public_key.to_checksum_address())


BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values: Sequence[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ value
        for i, gen in enumerate(generator):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def bech32_hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def to_5bit(data: bytes) -> list[int]:
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
    """BIP173 (v0, bech32) / BIP350 (v1+, bech32m) address."""
    data = [version, *to_5bit(program)]
    const = 1 if version == 0 else 0x2BC830A3
    polymod = bech32_polymod([*bech32_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(polymod >> (5 * (5 - i))) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def btc_legacy(h160: bytes) -> str:
    return b58check(b"\x00" + h160)


def btc_p2sh(h160: bytes) -> str:
    return b58check(b"\x05" + h160)


def btc_bech32(h160: bytes) -> str:
    return segwit_address("bc", 0, h160)


def btc_taproot(xonly: bytes) -> str:
    return segwit_address("bc", 1, xonly)


def tron_address(rng: random.Random) -> str:
    return b58check(b"\x41" + rng.randbytes(20))


def wif_encode(secret: bytes, compressed: bool, testnet: bool = False) -> str:
    version = b"\xef" if testnet else b"\x80"
    return b58check(version + secret + (b"\x01" if compressed else b""))


XPRV_VERSIONS = {"xprv": 0x0488ADE4, "yprv": 0x049D7878, "zprv": 0x04B2430C, "tprv": 0x04358394}
XPUB_VERSIONS = {"xpub": 0x0488B21E, "ypub": 0x049D7CB2, "zpub": 0x04B24746, "tpub": 0x043587CF}
PUBLIC_OF = {"xprv": "xpub", "yprv": "ypub", "zprv": "zpub", "tprv": "tpub"}
PRIVATE_OF = {v: k for k, v in PUBLIC_OF.items()}
PURPOSE = {"xprv": 44, "yprv": 49, "zprv": 84, "tprv": 84}
HARDENED = 0x80000000


@dataclass
class ExtKey:
    secret: bytes
    chain: bytes
    depth: int = 0
    parent_fp: bytes = b"\x00\x00\x00\x00"
    child: int = 0


def bip32_master(seed: bytes) -> ExtKey:
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    return ExtKey(secret=digest[:32], chain=digest[32:])


def bip32_hardened_child(parent: ExtKey, index: int) -> ExtKey:
    child = index | HARDENED
    data = b"\x00" + parent.secret + child.to_bytes(4, "big")
    digest = hmac.new(parent.chain, data, hashlib.sha512).digest()
    scalar = (
        int.from_bytes(digest[:32], "big") + int.from_bytes(parent.secret, "big")
    ) % SECP256K1_N
    return ExtKey(
        secret=scalar.to_bytes(32, "big"),
        chain=digest[32:],
        depth=parent.depth + 1,
        parent_fp=hash160(pub_compressed(parent.secret))[:4],
        child=child,
    )


def bip32_serialise(ext: ExtKey, prefix: str) -> str:
    if prefix in XPRV_VERSIONS:
        version, keydata = XPRV_VERSIONS[prefix], b"\x00" + ext.secret
    else:
        version, keydata = XPUB_VERSIONS[prefix], pub_compressed(ext.secret)
    payload = (
        version.to_bytes(4, "big")
        + bytes([ext.depth])
        + ext.parent_fp
        + ext.child.to_bytes(4, "big")
        + ext.chain
        + keydata
    )
    return b58check(payload)


def random_bip32(rng: random.Random, private_prefix: str, account_level: bool) -> ExtKey:
    """A master key from a (BIP39 or raw) seed, or its m/purpose'/coin'/0' account key."""
    while True:
        if rng.random() < 0.5:
            words = MNEMO["english"].to_mnemonic(rng.randbytes(16))
            seed = Mnemonic.to_seed(words)
        else:
            seed = rng.randbytes(64)
        ext = bip32_master(seed)
        if 0 < int.from_bytes(ext.secret, "big") < SECP256K1_N:
            break
    if account_level:
        coin = 1 if private_prefix == "tprv" else 0
        for index in (PURPOSE[private_prefix], coin, 0):
            ext = bip32_hardened_child(ext, index)
    return ext


# ---------------------------------------------------------------------------------------------
# BIP39 phrases
# ---------------------------------------------------------------------------------------------

MNEMO: dict[str, Mnemonic] = {
    name: Mnemonic(name)
    for name in (
        "english",
        "chinese_simplified",
        "chinese_traditional",
        "spanish",
        "french",
        "italian",
        "portuguese",
        "czech",
        "japanese",
        "korean",
    )
}
WORDSETS: dict[str, set[str]] = {
    name: {unicodedata.normalize("NFC", w) for w in m.wordlist} for name, m in MNEMO.items()
}
CJK_LISTS = ("chinese_simplified", "chinese_traditional")
LATIN_LISTS = ("english", "spanish", "french", "italian", "portuguese", "czech")

# Look-alike characters: (a character of the word list, a similar one a user might type instead).
# Only pairs whose replacement is NOT in the target word list are used.
SIMILAR_PAIRS = (
    "已己 大犬 天夭 千干 失矢 候侯 免兔 兵乒 狠狼 待侍 睛晴 密蜜 又叉 享亨 子孑 酒洒 喝渴 "
    "署暑 棉绵 拒柜 峰蜂 滚衮 拍柏 抬枱 么幺 候喉 休体 拔拨 辨辩 竟竞 清请 未末 土士 日曰"
).split()


def similar_map(wordlist: str) -> dict[str, list[str]]:
    words = WORDSETS[wordlist]
    out: dict[str, list[str]] = {}
    for pair in SIMILAR_PAIRS:
        orig, repl = pair[0], pair[1]
        if orig in words and repl not in words:
            out.setdefault(orig, []).append(repl)
    return out


SIMILAR = {name: similar_map(name) for name in CJK_LISTS}


def phrase_words(rng: random.Random, wordlist: str, strength: int) -> list[str]:
    m = MNEMO[wordlist]
    phrase = m.to_mnemonic(rng.randbytes(strength // 8))
    return [unicodedata.normalize("NFC", w) for w in phrase.split(m.delimiter)]


def latin_typo(rng: random.Random, word: str, wordset: set[str]) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(200):
        op = rng.choice(("change", "drop", "double", "swap"))
        i = rng.randrange(len(word))
        if op == "change":
            typed = word[:i] + rng.choice(letters.replace(word[i], "")) + word[i + 1 :]
        elif op == "drop":
            typed = word[:i] + word[i + 1 :]
        elif op == "double":
            typed = word[:i] + word[i] + word[i:]
        else:
            if i == len(word) - 1 or word[i] == word[i + 1]:
                continue
            typed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typed != word and len(typed) >= 3 and typed not in wordset:
            return typed
    raise RuntimeError(f"no typo found for {word!r}")


def apply_typo(rng: random.Random, words: list[str], wordlist: str) -> list[str] | None:
    """Mistype one word; None when this phrase offers no look-alike (caller draws again)."""
    out = list(words)
    if wordlist in CJK_LISTS:
        table = SIMILAR[wordlist]
        candidates = [i for i, w in enumerate(words) if w in table]
        if not candidates:
            return None
        i = rng.choice(candidates)
        out[i] = rng.choice(table[words[i]])
    else:
        i = rng.randrange(len(words))
        out[i] = latin_typo(rng, words[i], WORDSETS[wordlist])
    return out


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


MULTILINE_STYLES = {"lines", "num_lines", "num_lines_cn", "grid3", "grid4", "grid_unspaced"}


def format_phrase(words: list[str], style: str) -> tuple[str, list[str]]:
    """Lay the words out the way a user might type them; returns (block, words as typed)."""
    typed = list(words)
    if style == "upper":
        typed = [w.upper() for w in words]
    elif style == "first_cap":
        typed = [words[0].capitalize(), *words[1:]]
    numbered = list(enumerate(typed, start=1))
    if style in ("space", "upper", "first_cap"):
        block = " ".join(typed)
    elif style == "double_space":
        block = "  ".join(typed)
    elif style == "unspaced":
        block = "".join(typed)
    elif style == "ideographic":
        block = "\u3000".join(typed)
    elif style == "num_dot":
        block = " ".join(f"{i}.{w}" for i, w in numbered)
    elif style == "num_dot_space":
        block = " ".join(f"{i}. {w}" for i, w in numbered)
    elif style == "num_paren":
        block = " ".join(f"{i}) {w}" for i, w in numbered)
    elif style == "num_cn":
        block = " ".join(f"{i}、{w}" for i, w in numbered)
    elif style == "num_cn_tight":
        block = "".join(f"{i}、{w}" for i, w in numbered)
    elif style == "lines":
        block = "\n".join(typed)
    elif style == "num_lines":
        block = "\n".join(f"{i}. {w}" for i, w in numbered)
    elif style == "num_lines_cn":
        block = "\n".join(f"{i}、{w}" for i, w in numbered)
    elif style == "comma":
        block = ", ".join(typed)
    elif style == "comma_tight":
        block = ",".join(typed)
    elif style == "cn_comma":
        block = "，".join(typed)
    elif style == "dunhao":
        block = "、".join(typed)
    elif style in ("grid3", "grid4"):
        width = 3 if style == "grid3" else 4
        block = "\n".join(" ".join(typed[i : i + width]) for i in range(0, len(typed), width))
    elif style == "grid_unspaced":
        block = "\n".join("".join(typed[i : i + 4]) for i in range(0, len(typed), 4))
    else:
        raise ValueError(style)
    parts: list[str] = []
    for w in typed:
        if w not in parts:
            parts.append(w)
    return block, parts


# ---------------------------------------------------------------------------------------------
# Slot factories: identifiers to keep, and secrets
# ---------------------------------------------------------------------------------------------


def kept(text: str, *more: str) -> Slot:
    return Slot(text=text, keep=[text, *more])


def plain(text: str) -> Slot:
    return Slot(text=text)


def secret(kind: str, value: str, parts: Iterable[str] = ()) -> Slot:
    return Slot(text=value, secret=SecretGroup(kind=kind, value=value, parts=list(parts)))


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def f_uid(rng: random.Random) -> Slot:
    return kept(str(rng.randint(10_000_000, 999_999_999)))


def f_order(rng: random.Random) -> Slot:
    style = rng.randrange(5)
    if style == 0:
        return kept(str(rng.randint(10**12, 10**13 - 1)))
    if style == 1:
        return kept(f"2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{digits(rng, 8)}")
    if style == 2:
        return kept("18" + digits(rng, 17))
    if style == 3:
        return kept("2" + digits(rng, 19))
    return kept(str(rng.randint(10**17, 10**18 - 1)))


def f_memo(rng: random.Random) -> Slot:
    return kept(str(rng.randint(100_000, 999_999_999)))


def f_tag(rng: random.Random) -> Slot:
    return kept(str(rng.randint(1_000_000, 4_000_000_000)))


def _decimal(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def f_amount_btc(rng: random.Random) -> Slot:
    return kept(_decimal(rng.uniform(0.001, 2.5), rng.choice((2, 3, 4))) + " BTC")


def f_amount_eth(rng: random.Random) -> Slot:
    return kept(_decimal(rng.uniform(0.01, 12), rng.choice((1, 2, 3))) + " ETH")


def f_amount_usdt(rng: random.Random) -> Slot:
    value = rng.choice((50, 100, 200, 300, 500, 800, 1000, 1200, 1500, 2000, 3000, 5000, 12000))
    style = rng.randrange(5)
    if style == 0:
        return kept(f"{value:,} USDT")
    if style == 1:
        return kept(f"{value + rng.randint(1, 99) / 100:,.2f} USDT")
    if style == 2:
        return kept(f"{value}U")
    if style == 3:
        return kept(f"{value} USDT")
    return kept(f"{value:,} USDC")


def f_amount(rng: random.Random) -> Slot:
    pick = rng.randrange(6)
    if pick == 0:
        return f_amount_btc(rng)
    if pick == 1:
        return f_amount_eth(rng)
    if pick == 2:
        return kept(f"{rng.randint(1, 60) * 500:,} TRX")
    if pick == 3:
        return kept(f"{rng.randint(2, 90) * 10} SOL")
    return f_amount_usdt(rng)


def f_price(rng: random.Random) -> Slot:
    return kept(f"${rng.randint(30_000, 99_000):,}.{rng.randint(0, 99):02d}")


def f_eth_addr_lc(rng: random.Random) -> Slot:
    return kept("0x" + rng.randbytes(20).hex())


def f_eth_addr_cs(rng: random.Random) -> Slot:
    return kept(str(to_checksum_address(rng.randbytes(20))))


def f_eth_addr(rng: random.Random) -> Slot:
    return f_eth_addr_cs(rng) if rng.random() < 0.6 else f_eth_addr_lc(rng)


def f_btc_legacy(rng: random.Random) -> Slot:
    return kept(btc_legacy(rng.randbytes(20)))


def f_btc_p2sh(rng: random.Random) -> Slot:
    return kept(btc_p2sh(rng.randbytes(20)))


def f_btc_bech32(rng: random.Random) -> Slot:
    return kept(btc_bech32(rng.randbytes(20)))


def f_btc_taproot(rng: random.Random) -> Slot:
    return kept(btc_taproot(rng.randbytes(32)))


def f_btc_addr(rng: random.Random) -> Slot:
    return rng.choice((f_btc_legacy, f_btc_p2sh, f_btc_bech32, f_btc_bech32, f_btc_taproot))(rng)


def f_tron_addr(rng: random.Random) -> Slot:
    return kept(tron_address(rng))


def f_eth_tx(rng: random.Random) -> Slot:
    return kept("0x" + rng.randbytes(32).hex())


def f_btc_tx(rng: random.Random) -> Slot:
    return kept(rng.randbytes(32).hex())


def f_eth_url(rng: random.Random) -> Slot:
    tx = "0x" + rng.randbytes(32).hex()
    host = rng.choice(
        ("https://etherscan.io/tx/", "https://etherscan.io/tx/", "https://arbiscan.io/tx/")
    )
    return kept(host + tx, tx)


def f_bsc_url(rng: random.Random) -> Slot:
    tx = "0x" + rng.randbytes(32).hex()
    return kept("https://bscscan.com/tx/" + tx, tx)


def f_tron_url(rng: random.Random) -> Slot:
    tx = rng.randbytes(32).hex()
    return kept("https://tronscan.org/#/transaction/" + tx, tx)


def f_btc_url(rng: random.Random) -> Slot:
    tx = rng.randbytes(32).hex()
    host = rng.choice(
        ("https://mempool.space/tx/", "https://www.blockchain.com/explorer/transactions/btc/")
    )
    return kept(host + tx, tx)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def f_date(rng: random.Random) -> Slot:
    year, month, day = rng.choice((2023, 2024, 2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.randrange(6)
    if style == 0:
        return kept(f"{year}-{month:02d}-{day:02d}")
    if style == 1:
        return kept(f"{year}/{month:02d}/{day:02d}")
    if style == 2:
        return kept(f"{day} {MONTHS[month - 1]} {year}")
    if style == 3:
        return kept(f"{MONTHS[month - 1]} {day}")
    if style == 4:
        return kept(f"{year}年{month}月{day}日")
    return kept(f"{month}月{day}日")


def f_datetime(rng: random.Random) -> Slot:
    year, month, day = rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    if rng.random() < 0.5:
        return kept(f"{year}-{month:02d}-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}")
    return kept(f"{year}-{month:02d}-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z")


def f_ms(rng: random.Random) -> Slot:
    return kept(str(rng.randint(1_700_000_000_000, 1_760_000_000_000)))


def f_wid(rng: random.Random) -> Slot:
    return kept(rng.randbytes(16).hex())


def f_num(rng: random.Random) -> Slot:
    return kept(_decimal(rng.uniform(10, 5000), 2))


def f_sig(rng: random.Random) -> Slot:
    return kept(rng.randbytes(32).hex())


def f_block(rng: random.Random) -> Slot:
    return kept(str(rng.randint(18_000_000, 21_900_000)))


def f_errcode(rng: random.Random) -> Slot:
    return kept(
        rng.choice(("100402", "-4026", "50113", "E1002", "-2010", "58207", "10030", "40014"))
    )


def f_refcode(rng: random.Random) -> Slot:
    if rng.random() < 0.5:
        return kept(digits(rng, 8))
    return kept("".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)))


def _ext_pub(rng: random.Random, prefix: str) -> Slot:
    ext = random_bip32(rng, PRIVATE_OF[prefix], account_level=rng.random() < 0.7)
    return kept(bip32_serialise(ext, prefix))


def f_xpub(rng: random.Random) -> Slot:
    return _ext_pub(rng, "xpub")


def f_ypub(rng: random.Random) -> Slot:
    return _ext_pub(rng, "ypub")


def f_zpub(rng: random.Random) -> Slot:
    return _ext_pub(rng, "zpub")


NAMES_EN = ("Daniel Moore", "Priya", "Tom K.", "Maria Gonzalez", "Ahmed", "Lukas", "J. Smith")
PINYIN = ("zhangwei", "lihua", "wangfang", "liuyang", "chenjie", "xiaoming", "huangli", "zhaolei")


def f_name(rng: random.Random) -> Slot:
    return plain(rng.choice(NAMES_EN))


def f_phone(rng: random.Random) -> Slot:
    prefix = rng.choice(("138", "139", "186", "159", "177"))
    if rng.random() < 0.5:
        return plain(f"{prefix}****{digits(rng, 4)}")
    return plain(prefix + digits(rng, 8))


def f_user(rng: random.Random) -> Slot:
    return plain(rng.choice(PINYIN) + digits(rng, rng.choice((0, 2, 3))))


def f_email(rng: random.Random) -> Slot:
    domain = rng.choice(("gmail.com", "qq.com", "163.com", "outlook.com", "proton.me"))
    return plain(f"{rng.choice(PINYIN)}{digits(rng, 2)}@{domain}")


# --- secrets ---------------------------------------------------------------------------------

PW_WORDS = (
    "hunter", "dragon", "sunshine", "monkey", "shadow", "summer", "winter", "bitcoin",
    "moon", "tiger", "lucky", "Password", "Welcome", "Crypto", "Satoshi", "football",
)  # fmt: skip
PW_PINYIN = ("woaini", "zhang", "wang", "liu", "chen", "lihua", "baobei", "jiayou", "xingfu")
PW_SYMBOLS = "!@#$%&*_-+"


def make_password(rng: random.Random) -> str:
    style = rng.randrange(9)
    if style == 0:
        word = rng.choice(PW_WORDS).capitalize()
        return word + str(rng.randint(1, 2025)) + rng.choice(PW_SYMBOLS) * rng.randint(1, 2)
    if style == 1:
        return rng.choice(PW_PINYIN) + rng.choice(("520", "1314", "888", "666", digits(rng, 4)))
    if style == 2:
        return rng.choice(("P@ssw0rd", "Qwerty@", "Adm1n#", "L0ve$", "Passw0rd!")) + digits(rng, 4)
    if style == 3:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789" + PW_SYMBOLS
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(10, 16)))
    if style == 4:
        initials = rng.choice(("Lx", "Zw", "wh", "CJ", "ly"))
        return (
            f"{initials}{rng.randint(1975, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        )
    if style == 5:
        return rng.choice(("qq", "aa", "abc", "zxc")) + digits(rng, rng.randint(6, 8))
    if style == 6:
        return rng.choice(("1qaz@WSX", "Qaz123!@#", "zaq1@WSX", "1q2w3e4r!"))
    if style == 7:
        return rng.choice(PW_WORDS).lower() + digits(rng, 1) + rng.choice(PW_SYMBOLS) * 2
    words = rng.sample(("correct", "horse", "battery", "staple", "river", "cloud", "orange"), 3)
    return "-".join(words) + "-" + digits(rng, 2)


def f_pw(rng: random.Random) -> Slot:
    return secret("password", make_password(rng))


def f_pin(rng: random.Random) -> Slot:
    """A numeric trading / fund password, as many Chinese exchanges require."""
    if rng.random() < 0.25:
        pin = rng.choice(("520520", "888888", "147258", "131415", "112233", "666999"))
    else:
        pin = digits(rng, 6)
    return secret("password", pin)


def f_otp(rng: random.Random) -> Slot:
    return secret("otp_code", digits(rng, 6))


def f_sms(rng: random.Random) -> Slot:
    """SMS / e-mail codes: mostly six digits, sometimes four."""
    return secret("otp_code", digits(rng, rng.choice((6, 6, 4))))


def f_otp_spaced(rng: random.Random) -> Slot:
    first, second = digits(rng, 3), digits(rng, 3)
    return secret("otp_code", f"{first} {second}", (first, second))


def f_p(rng: random.Random) -> Slot:
    """A default seed phrase for templates that mix several secrets."""
    wordlist = rng.choice(("english", "english", "chinese_simplified"))
    words = phrase_words(rng, wordlist, rng.choice((128, 128, 256)))
    block, parts = format_phrase(words, "space")
    return secret("seed_phrase", block, parts)


def hex_key_text(rng: random.Random, raw: bytes) -> str:
    style = rng.randrange(10)
    body = raw.hex()
    if style < 4:
        return "0x" + body
    if style < 8:
        return body
    if style == 8:
        return body.upper()
    return "0x" + body.upper()


def b_pk(rng: random.Random) -> dict[str, Slot]:
    raw = rand_scalar(rng)
    address = eth_address_of(raw)
    if rng.random() < 0.25:
        address = address.lower()
    return {"pk": secret("private_key", hex_key_text(rng, raw)), "key_addr": kept(address)}


def b_wif(rng: random.Random) -> dict[str, Slot]:
    raw = rand_scalar(rng)
    compressed = rng.random() < 0.6
    if compressed:
        h160 = hash160(pub_compressed(raw))
        address = btc_bech32(h160) if rng.random() < 0.4 else btc_legacy(h160)
    else:
        address = btc_legacy(hash160(pub_uncompressed(raw)))
    return {"wif": secret("wif_key", wif_encode(raw, compressed)), "wif_addr": kept(address)}


def b_wif_testnet(rng: random.Random) -> dict[str, Slot]:
    raw = rand_scalar(rng)
    address = segwit_address("tb", 0, hash160(pub_compressed(raw)))
    return {
        "wif": secret("wif_key", wif_encode(raw, True, testnet=True)),
        "wif_addr": kept(address),
    }


def b_xprv(
    rng: random.Random, prefix: str | None = None, master: bool | None = None
) -> dict[str, Slot]:
    if prefix is None:
        prefix = rng.choice(("xprv", "xprv", "xprv", "zprv", "zprv", "yprv"))
    if master is None:
        master = rng.random() < 0.5
    ext = random_bip32(rng, prefix, account_level=not master)
    return {
        "xprv": secret("extended_private_key", bip32_serialise(ext, prefix)),
        "xprv_pub": kept(bip32_serialise(ext, PUBLIC_OF[prefix])),
    }


FACTORIES: dict[str, Callable[[random.Random], Slot]] = {
    "uid": f_uid,
    "order": f_order,
    "memo": f_memo,
    "tag": f_tag,
    "amount": f_amount,
    "amount_btc": f_amount_btc,
    "amount_eth": f_amount_eth,
    "amount_usdt": f_amount_usdt,
    "price": f_price,
    "eth_addr": f_eth_addr,
    "eth_addr_lc": f_eth_addr_lc,
    "eth_addr_cs": f_eth_addr_cs,
    "btc_addr": f_btc_addr,
    "btc_legacy": f_btc_legacy,
    "btc_p2sh": f_btc_p2sh,
    "btc_bech32": f_btc_bech32,
    "btc_taproot": f_btc_taproot,
    "tron_addr": f_tron_addr,
    "eth_tx": f_eth_tx,
    "bsc_tx": f_eth_tx,
    "btc_tx": f_btc_tx,
    "tron_tx": f_btc_tx,
    "eth_url": f_eth_url,
    "bsc_url": f_bsc_url,
    "tron_url": f_tron_url,
    "btc_url": f_btc_url,
    "date": f_date,
    "datetime": f_datetime,
    "ms": f_ms,
    "wid": f_wid,
    "num": f_num,
    "sig": f_sig,
    "block": f_block,
    "errcode": f_errcode,
    "refcode": f_refcode,
    "xpub": f_xpub,
    "ypub": f_ypub,
    "zpub": f_zpub,
    "name": f_name,
    "phone": f_phone,
    "user": f_user,
    "email": f_email,
    "pw": f_pw,
    "pin": f_pin,
    "otp": f_otp,
    "sms": f_sms,
    "otp_spaced": f_otp_spaced,
    "p": f_p,
}
BUNDLES: dict[str, Callable[[random.Random], dict[str, Slot]]] = {
    "pk": b_pk,
    "key_addr": b_pk,
    "wif": b_wif,
    "wif_addr": b_wif,
    "xprv": b_xprv,
    "xprv_pub": b_xprv,
}


# ---------------------------------------------------------------------------------------------
# Rendering and checking
# ---------------------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}|\[\[(.+?)\]\]", re.DOTALL)


def render(
    rng: random.Random,
    lang: str,
    template: str,
    preset: dict[str, Slot] | None = None,
    tag: str = "",
) -> Sample:
    """Fill ``{name}`` slots (fresh values unless preset) and mark ``[[text]]`` as keep."""
    slots: dict[str, Slot] = dict(preset or {})
    for match in TOKEN_RE.finditer(template):
        name = match.group(1)
        if not name or name in slots:
            continue
        if name in BUNDLES:
            for key, slot in BUNDLES[name](rng).items():
                slots.setdefault(key, slot)
        else:
            base = name if name in FACTORIES else name.rstrip("0123456789")
            slots[name] = FACTORIES[base](rng)
    pieces: list[str] = []
    keep: list[str] = []
    groups: list[SecretGroup] = []
    seen: set[str] = set()
    pos = 0
    for match in TOKEN_RE.finditer(template):
        pieces.append(template[pos : match.start()])
        pos = match.end()
        name, literal = match.group(1), match.group(2)
        if name:
            slot = slots[name]
            pieces.append(slot.text)
            if slot.secret is not None:
                slot.secret.placed += 1
            if name in seen:
                continue
            seen.add(name)
            keep.extend(k for k in slot.keep if k not in keep)
            if slot.secret is not None:
                groups.append(slot.secret)
        else:
            pieces.append(literal)
            if literal not in keep:
                keep.append(literal)
    pieces.append(template[pos:])
    return Sample(lang=lang, text="".join(pieces), groups=groups, keep=keep, tag=tag)


def spans(text: str, sub: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = text.find(sub)
    while start != -1:
        out.append((start, start + len(sub)))
        start = text.find(sub, start + 1)
    return out


def problem(sample: Sample) -> str | None:
    """Why this sample cannot be used, or None. Generators draw again on a problem."""
    text = sample.text
    if sample.lang not in LANGS:
        return f"bad lang {sample.lang}"
    secrets = sample.secrets()
    for item in secrets + sample.keep:
        if not item.strip():
            return "empty label"
        if item not in text:
            return f"not a substring: {item!r}"
    # a secret occurs only where it was placed; its words occur only inside it
    for g in sample.groups:
        homes = spans(text, g.value)
        if len(homes) != g.placed:
            return f"secret {g.value!r} occurs {len(homes)} times, placed {g.placed}"
        for part in g.parts:
            for a, b in spans(text, part):
                if not any(h0 <= a and b <= h1 for h0, h1 in homes):
                    return f"secret part {part!r} also occurs outside its secret"
    secret_spans = [s for item in secrets for s in spans(text, item)]
    for item in sample.keep:
        for a, b in spans(text, item):
            for c, d in secret_spans:
                if a < d and c < b:
                    return f"keep {item!r} overlaps a secret"
    return None


def realise(rng: random.Random, make: Callable[[], Sample | None]) -> Sample:
    """Draw until ``make`` gives a usable sample (None means: draw again)."""
    last = "nothing drawn"
    for _ in range(MAX_TRIES):
        sample = make()
        if sample is None:
            continue
        issue = problem(sample)
        if issue is None:
            return sample
        last = issue
    raise RuntimeError(f"could not realise a sample; last problem: {last}")


FRAGMENT_RE = re.compile(r"[，。！？；：、,!?;:\n（）()「」“”\"…]+|(?<!\d)\.|\.(?!\d)")


def auto_keep(text: str) -> list[str]:
    out: list[str] = []
    for piece in FRAGMENT_RE.split(text):
        piece = piece.strip(" -*>\t")
        if len(piece) >= 2 and piece not in out:
            out.append(piece)
    return out


def fixed(lang: str, text: str, tag: str) -> Sample:
    """A hand-written clean message: every phrase of it must survive."""
    return Sample(lang=lang, text=text, groups=[], keep=auto_keep(text), tag=tag)


def templated(rng: random.Random, lang: str, template: str, tag: str) -> Sample:
    return realise(rng, lambda: render(rng, lang, template, tag=tag))


def spread(rng: random.Random, items: Sequence[str], n: int) -> list[str]:
    """n items: every item once (in random order), then random repeats."""
    out = list(items)
    rng.shuffle(out)
    while len(out) < n:
        out.append(rng.choice(items))
    return out[:n]


# ---------------------------------------------------------------------------------------------
# Seed phrase messages
# ---------------------------------------------------------------------------------------------

SEED_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "my wallet recovery phrase is {p}, please restore my funds",
        "Hi, I can't open my wallet anymore after the update. My {n} words are: {p}\n"
        "[[Can you please help me get my coins back?]]",
        "{p}\n\n[[this is my seed phrase from Trust Wallet]], balance shows 0 since yesterday",
        "URGENT!!! someone drained my wallet {eth_addr}. seed: {p} what do I do??",
        "Hello support, I imported {p} into the app but [[my USDT is not showing]]. UID {uid}",
        "Here is my mnemonic as you asked: {p}.",
        "Please check, I wrote my backup phrase down like this:\n{p}\n[[Thanks in advance]]",
        "hey my phrase {p} gives a different address than before ({eth_addr}) why",
        "I am trying to restore my wallet with {p} but it says invalid mnemonic. "
        "[[Is one of the words wrong?]]",
        "Your agent on Telegram asked for my recovery words so here they are: {p} — when will "
        "withdrawal {order} be released?",
        "secret recovery phrase: {p}\nwallet address: {eth_addr}\n[[please help, funds missing]]",
        "I'm panicking. I think I got scammed. My seed words: {p}!!! [[Please freeze everything]]",
        "Dear team,\n\nI lost access to my wallet after changing phone. For verification, my "
        "backup words are {p}. My UID is {uid}.\n\nKind regards,\n{name}",
        "{p} <- is this a valid phrase? [[my Ledger shows a checksum error]]",
        "can u check my wallet pls\n{p}\nthx",
        "words: {p}",
        "I forgot which wallet app I used. Phrase: {p} — [[I think it was MetaMask]].",
        "Withdrawal {order} of {amount} is stuck. Here is my recovery phrase in case you need "
        "it to verify ownership: {p}",
        "{p}",
        "Good morning. I bought {amount} on {date} and moved it to my own wallet. Now the "
        "wallet shows nothing. The {n}-word backup is {p}. [[I really need this money back]].",
        "restore phrase = {p}",
        "So I typed these words in the exact order from the backup card:\n{p}\nand the app "
        "says 'invalid phrase'. [[What am I doing wrong?]]",
        "Please help!! {p} is my phrase and my {amount} disappeared on {date}",
        "Backup sheet:\n{p}\n[[Device broke, need to move coins to my exchange account]] {uid}",
        "hi\n\nmy seed is\n\n{p}\n\nthe address should be {btc_addr}",
    ],
    "zh": [
        "这是我的助记词，帮我看看为什么余额不对：{p}",
        "你好，我的钱包打不开了，助记词是{p}，[[麻烦帮我恢复一下]]",
        "{p}\n这是我的助记词，[[导入后资产显示为零]]",
        "客服您好！我的钱包被盗了！！助记词：{p} 地址 {eth_addr} [[求求你们帮我冻结]]",
        "我用助记词 {p} 恢复钱包，提示助记词无效，[[是不是哪个词写错了]]？",
        "请帮我查一下，我的备份助记词：\n{p}\n[[谢谢]]",
        "急！！！刚才有人说是官方客服让我把助记词发过去，我发了：{p}。[[现在怎么办]]",
        "UID：{uid}\n助记词：{p}\n[[问题：充值的USDT一直没到账]]",
        "恢复短语是 {p} ，换了手机之后[[登录不上了]]",
        "我的助记词{p}，是不是被别人导入了？",
        "麻烦看下 {p} 这组词对应的地址是不是 {eth_addr}",
        "老师，我把钱包的{n}个词抄下来了：{p}，[[帮我看看对不对]]",
        "您好，提币订单{order}一直没到账，我的钱包助记词是：{p}",
        "这是我备份的单词 {p}",
        "助记词如下\n{p}\n请尽快处理",
        "{p}\n\n上面是我imToken的助记词，[[麻烦帮忙看一下资产去哪了]]",
        "我在{date}转了 {amount} 进钱包，今天全没了。助记词 {p} 你们能查到是谁转走的吗",
        "钱包助记词：{p}！！！",
        "帮我恢复钱包 助记词 {p} 谢谢",
        "我的TP钱包助记词是这些：\n{p}\n[[余额不见了，求助]]",
    ],
    "zht": [
        "你好，這是我的助記詞，請幫我看看為什麼餘額不對：{p}",
        "我的錢包打不開了，助記詞是{p}，[[麻煩幫我恢復]]",
        "{p}\n以上是我的助記詞，[[匯入後資產顯示為零]]",
        "請問用助記詞 {p} 還原錢包時顯示無效，[[是哪個字打錯了嗎]]？",
        "客服您好，我的帳戶 UID {uid}，助記詞：{p}，[[出金一直沒有到帳]]",
        "急！！剛剛有人冒充官方客服要我的助記詞，我已經給他了：{p}。[[現在該怎麼辦]]",
        "還原短語：{p}",
        "我嘅錢包冇咗啲USDT，助記詞係 {p}，[[幫手睇下]]",
        "助記詞如下：\n{p}\n[[謝謝你們]]",
        "幫我查一下 {p} 這組詞對應的地址是不是 {eth_addr}",
        "{p}\n\n這是我備份的助記詞，換手機以後[[錢包裡的幣都不見了]]",
    ],
    "mixed": [
        "我的wallet的seed phrase是 {p}，please help 恢复",
        "hi 客服, 我 import 了 {p} 但是 balance 是 0",
        "助记词 recovery phrase: {p} ，[[谢谢 thanks]]",
        "MetaMask 里面导出的 secret recovery phrase：{p}，帮忙 check 一下",
        "我的 mnemonic 是\n{p}\n为什么 restore 之后 address 不一样",
        "seed words 如下: {p}. [[急，在线等]]",
        "Hello，我的 Trust Wallet 被盗了，助记词 {p}，address {tron_addr}",
        "{p}\n\n这个是我的 seed phrase，[[import 之后 balance 是 0]]",
    ],
}


def block_friendly(template: str) -> bool:
    before, _, after = template.partition("{p}")
    return (before == "" or before.endswith("\n")) and (after == "" or after.startswith("\n"))


@dataclass
class SeedSpec:
    wordlist: str
    style: str
    prose: str  # en | zh | zht | mixed
    typo: bool = False
    accentless: bool = False


# (wordlist, style, prose, count, typo, accentless)
SEED_PLAN: tuple[tuple[str, str, str, int, bool, bool], ...] = (
    ("english", "space", "en", 8, False, False),
    ("english", "space", "en", 3, True, False),
    ("english", "space", "zh", 3, False, False),
    ("english", "space", "zh", 1, True, False),
    ("english", "space", "mixed", 2, False, False),
    ("english", "space", "mixed", 1, True, False),
    ("english", "num_dot", "en", 2, False, False),
    ("english", "num_dot", "en", 1, True, False),
    ("english", "num_dot", "zh", 1, False, False),
    ("english", "num_dot_space", "en", 2, False, False),
    ("english", "num_paren", "en", 2, False, False),
    ("english", "lines", "en", 2, False, False),
    ("english", "lines", "en", 1, True, False),
    ("english", "lines", "zh", 1, False, False),
    ("english", "num_lines", "en", 2, False, False),
    ("english", "comma", "en", 2, False, False),
    ("english", "comma", "en", 1, True, False),
    ("english", "comma_tight", "en", 1, False, False),
    ("english", "cn_comma", "zh", 1, False, False),
    ("english", "upper", "en", 1, False, False),
    ("english", "first_cap", "en", 1, False, False),
    ("english", "grid3", "en", 1, False, False),
    ("english", "grid4", "mixed", 1, False, False),
    ("english", "double_space", "en", 1, False, False),
    ("chinese_simplified", "space", "zh", 5, False, False),
    ("chinese_simplified", "space", "zh", 2, True, False),
    ("chinese_simplified", "space", "mixed", 2, False, False),
    ("chinese_simplified", "space", "en", 1, False, False),
    ("chinese_simplified", "unspaced", "zh", 5, False, False),
    ("chinese_simplified", "unspaced", "zh", 2, True, False),
    ("chinese_simplified", "unspaced", "mixed", 1, False, False),
    ("chinese_simplified", "num_cn", "zh", 2, False, False),
    ("chinese_simplified", "num_cn_tight", "zh", 1, False, False),
    ("chinese_simplified", "num_dot", "zh", 2, False, False),
    ("chinese_simplified", "num_paren", "en", 1, False, False),
    ("chinese_simplified", "lines", "zh", 2, False, False),
    ("chinese_simplified", "num_lines_cn", "zh", 1, False, False),
    ("chinese_simplified", "cn_comma", "zh", 2, False, False),
    ("chinese_simplified", "cn_comma", "zh", 1, True, False),
    ("chinese_simplified", "dunhao", "zh", 2, False, False),
    ("chinese_simplified", "comma", "mixed", 1, False, False),
    ("chinese_simplified", "grid_unspaced", "zh", 1, False, False),
    ("chinese_traditional", "space", "zht", 3, False, False),
    ("chinese_traditional", "space", "zht", 1, True, False),
    ("chinese_traditional", "unspaced", "zht", 3, False, False),
    ("chinese_traditional", "unspaced", "zht", 1, True, False),
    ("chinese_traditional", "num_cn", "zht", 1, False, False),
    ("chinese_traditional", "lines", "zht", 1, False, False),
    ("chinese_traditional", "dunhao", "zht", 1, False, False),
    ("chinese_traditional", "cn_comma", "zht", 1, False, False),
    ("chinese_traditional", "comma", "zht", 1, False, False),
    ("chinese_traditional", "grid_unspaced", "zht", 1, False, False),
    ("chinese_traditional", "space", "en", 1, False, False),
    ("spanish", "space", "en", 2, False, False),
    ("spanish", "space", "en", 1, False, True),
    ("spanish", "num_dot", "en", 1, False, False),
    ("french", "space", "en", 1, False, False),
    ("french", "lines", "en", 1, False, True),
    ("french", "comma", "en", 1, False, False),
    ("italian", "space", "en", 1, False, False),
    ("italian", "num_lines", "en", 1, False, False),
    ("portuguese", "space", "en", 1, False, False),
    ("portuguese", "num_dot", "zh", 1, False, False),
    ("french", "space", "en", 1, False, True),
    ("czech", "space", "en", 1, False, False),
    ("czech", "num_dot_space", "en", 1, False, False),
    ("japanese", "ideographic", "en", 1, False, False),
    ("japanese", "ideographic", "zh", 1, False, False),
    ("japanese", "lines", "en", 1, False, False),
    ("korean", "space", "en", 1, False, False),
    ("korean", "space", "zh", 1, False, False),
    ("korean", "lines", "en", 1, False, False),
)
STRENGTH_CYCLE = (128, 256, 128, 160, 128, 192, 256, 224, 128, 256, 128, 192)


def seed_sample(rng: random.Random, spec: SeedSpec, strength: int) -> Sample:
    multiline = spec.style in MULTILINE_STYLES
    pool = [t for t in SEED_TEMPLATES[spec.prose] if block_friendly(t) or not multiline]
    if spec.wordlist not in ("english", *CJK_LISTS):
        pool = [t for t in pool if t != "{p}"]  # a bare Korean phrase has no en/zh prose
    template = rng.choice(pool)
    lang = {"en": "en", "zh": "zh", "zht": "zh", "mixed": "mixed"}[spec.prose]
    if lang == "en" and spec.wordlist in CJK_LISTS:
        lang = "zh" if template == "{p}" else "mixed"
    tag = f"seed/{spec.wordlist}/{spec.style}" + ("/typo" if spec.typo else "")
    tag += "/accentless" if spec.accentless else ""

    def make() -> Sample | None:
        words = phrase_words(rng, spec.wordlist, strength)
        if spec.accentless:
            words = [strip_accents(w) for w in words]
        if spec.typo:
            typed = apply_typo(rng, words, spec.wordlist)
            if typed is None:
                return None
            words = typed
        block, parts = format_phrase(words, spec.style)
        preset = {"p": secret("seed_phrase", block, parts), "n": plain(str(len(words)))}
        return render(rng, lang, template, preset, tag=tag)

    return realise(rng, make)


def seed_samples(rng: random.Random) -> list[Sample]:
    out: list[Sample] = []
    i = 0
    for wordlist, style, prose, count, typo, accentless in SEED_PLAN:
        for _ in range(count):
            spec = SeedSpec(wordlist, style, prose, typo, accentless)
            out.append(seed_sample(rng, spec, STRENGTH_CYCLE[i % len(STRENGTH_CYCLE)]))
            i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Key, password and code messages
# ---------------------------------------------------------------------------------------------

PK_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "my private key is {pk}, please import it and send my {amount} back",
        "I exported the private key from MetaMask: {pk}\naddress {key_addr}",
        "Here is the key for my deposit address {key_addr}: {pk} [[can you sweep it manually?]]",
        "export private key -> {pk}",
        "The agent said I must provide my key to unlock the withdrawal, so: {pk}",
        "my key {pk} (wallet {key_addr})",
        "Private Key: {pk}\nPublic address: {key_addr}\nNetwork: BEP20",
        "I sent USDT via BSC, tx {bsc_tx}. In case you need it, my wallet's private key is {pk}",
        "{pk}\n^ that's the private key of the wallet I sent from. [[Funds never arrived]].",
        "Can you check which address belongs to this private key {pk}? I think I deposited "
        "from it on {date}",
        "hello, I used 'export private key' in the app and got {pk}. Is it safe? "
        "[[The app said never share it]]",
        "pk = {pk}",
        "deposit {eth_tx} is missing!! wallet {key_addr}, private key {pk} - check it yourself",
    ],
    "zh": [
        "私钥：{pk}",
        "我的私钥是{pk}，[[帮我把币转出来]]",
        "这是我导出的私钥 {pk} 对应地址 {key_addr}",
        "密钥 {pk} 麻烦你们帮我导入看看",
        "充值交易哈希：{eth_tx}\n私钥：{pk}\n[[为什么没有上账]]",
        "我把私钥导出来了{pk}，TP钱包里看不到币",
        "你好，钱包地址 {key_addr}，私钥 {pk}，[[被盗了能追回吗]]",
        "导出私钥：{pk}",
        "客服说要验证身份，这是我的私钥{pk}。订单号{order}",
        "錢包私鑰：{pk}，[[請協助處理]]",
        "我的私鑰是 {pk}，地址 {key_addr}，[[幣不見了]]",
        "钱包的密钥是 {pk} ，你们帮我看下余额",
    ],
    "mixed": [
        "我的 private key 是 {pk}，please help",
        "export 出来的 key：{pk}，地址是 {key_addr}",
        "私钥 private key: {pk} 麻烦 check 一下 balance",
        "MetaMask 导出 private key {pk}，address {key_addr}，为什么 USDT 不显示",
    ],
}

WIF_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "my bitcoin private key (WIF) is {wif}",
        "Electrum exported this key: {wif} — the balance was {amount_btc}",
        "I found an old paper wallet. Private key {wif}, address {wif_addr}. "
        "[[Can you help me sweep it into my exchange account?]]",
        "WIF: {wif}",
        "import this key please {wif}",
        "bitcoin-cli dumpprivkey gave me {wif}. how do I get the coins into my account {uid}",
        "Here's my BTC key {wif} for address {wif_addr}, deposit never arrived",
        "private key:\n{wif}",
    ],
    "zh": [
        "私钥 {wif} 是我老钱包的，[[里面有比特币]]",
        "纸钱包上的私钥是 {wif}，地址是 {wif_addr}",
        "WIF格式私钥：{wif}，[[请帮忙导入]]",
        "我的比特幣私鑰：{wif}",
        "比特币私钥{wif}，地址{wif_addr}，充值没到账",
    ],
    "mixed": [
        "这个 WIF key {wif} 还能用吗？address {wif_addr}",
    ],
}

XPRV_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "my master private key: {xprv}",
        "Here's the xprv from Electrum (Wallet > Information): {xprv}. The xpub is {xprv_pub}",
        "I exported the account extended private key {xprv} from Sparrow, "
        "[[please check why coins are missing]]",
        "{xprv}\nthis is the extended private key of my hardware wallet backup, "
        "can you restore it?",
        "Extended private key: {xprv}",
        "testnet key for your dev team to reproduce the bug: {xprv}",
        "root key {xprv} — [[addresses start with bc1]]",
    ],
    "zh": [
        "扩展私钥：{xprv}",
        "主私钥 {xprv}，主公钥 {xprv_pub}",
        "这是我从钱包导出的 {xprv} ，[[麻烦帮我看看里面的比特币]]",
        "擴展私鑰：{xprv}，[[請幫忙恢復]]",
    ],
    "mixed": [
        "我的 xprv 是 {xprv}，xpub 是 {xprv_pub}，为什么 balance 不对",
        "extended private key 导出来了：{xprv}，帮我 check 一下",
    ],
}

PW_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "password: {pw}",
        "my pwd = {pw}, [[still can't log in]]",
        "login password is {pw} and fund password is {pw2}",
        "pass: {pw}",
        'my password is "{pw}" and it says incorrect every time',
        "Username: {user}\nPassword: {pw}\n[[please unlock my account]]",
        "I reset my password to {pw} but [[the app still shows error 1002]]",
        "the password I set was {pw} i'm 100% sure",
        "pw {pw}",
        "Hi, to speed things up my login is {email} / password {pw}. UID {uid}",
        "My trading password: {pin}. [[Why does the withdrawal say wrong password?]]",
        "Tried the password {pw} like 5 times, now account {uid} is locked",
        "New password: {pw}\nConfirm password: {pw}\n[[the button stays grey]]",
        "Can you log in and check for me? acc {email} pwd: {pw}",
        "PASSWORD={pw}",
        "My old password was {pw} and I changed it to {pw2} yesterday, [[neither works now]]",
    ],
    "zh": [
        "密码是{pw}",
        "登录密码：{pw}，[[一直提示密码错误]]",
        "资金密码 {pin} 忘了是不是这个",
        "我的账号{phone}，密码{pw}，[[帮我登一下看看]]",
        "交易密码是{pin}",
        "支付密码：{pin}，[[提币的时候说错误]]",
        "帐号：{email}\n密码：{pw}\n[[麻烦帮我看看资产]]",
        "我改过密码了，新密码{pw}，还是登不上",
        "登录密码{pw} 资金密码{pin}",
        "登入密碼：{pw}，[[一直顯示錯誤]]",
        "資金密碼是{pin}，[[請幫我重設]]",
        "密碼 {pw} 試了好幾次都不對",
        "你好，我忘记是哪个密码了，可能是{pw}也可能是{pw2}，[[能帮我查一下吗]]",
        "我的密码：{pw}\nUID：{uid}",
    ],
    "mixed": [
        "我的 password 是 {pw}，login 不了",
        "login 密码 {pw}，2FA 已经关了",
        "pwd：{pw} 帮我 check 下 account {uid}",
        "资金 password {pin} 一直 wrong",
    ],
}

OTP_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "2FA code is {otp}, [[it keeps failing]]",
        "Google Authenticator code: {otp}",
        "SMS code {sms} [[already expired]]",
        "OTP {otp}",
        "here is the verification code you sent me: {otp}",
        "my authenticator shows {otp} but the app says invalid",
        "email verification code {otp}, please confirm my withdrawal {order}",
        "The code is {otp}. [[Please hurry, the price is dropping]]",
        "2fa: {otp}",
        "I just received {sms} by SMS, can you use it to unlock account {uid}?",
        "Verification code: {otp}\n[[Withdrawal still not processing]]",
        "authenticator code {otp_spaced} does not work, I typed it twice",
    ],
    "zh": [
        "验证码 {otp}",
        "谷歌验证码：{otp}",
        "短信验证码是{sms}，[[为什么提示错误]]",
        "邮箱验证码{otp}",
        "我刚收到的验证码 {otp}，你们帮我登录吧",
        "谷歌验证器上显示的是{otp}，[[但是一直提示验证失败]]",
        "验证码：{otp}，UID {uid}",
        "手机收到的动态码 {otp}",
        "驗證碼：{otp}",
        "簡訊驗證碼 {sms}，[[請幫我確認]]",
        "谷歌验证码：{otp_spaced}",
        "提币要验证码，我收到的是{otp}，订单 {order}",
    ],
    "mixed": [
        "我的 2FA code 是 {otp}，一直 invalid",
        "OTP 验证码 {otp} 过期了吗",
        "Google 验证码 {otp} 不对",
        "SMS code 收到了：{sms}，[[帮我操作一下]]",
    ],
}

COMBO_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "login: {email}\npassword: {pw}\n2FA: {otp}\n[[please withdraw everything to my wallet]]",
        "my recovery phrase {p} and the wallet password is {pw}",
        "seed: {p}\n2FA code {otp}",
        "WIF {wif} / password {pw}",
        "xprv: {xprv}\nwallet file password: {pw}",
        "Email code {otp}, google code {otp2}, login password {pw}",
    ],
    "zh": [
        "账号 {phone} 密码 {pw} 验证码 {sms}",
        "助记词：{p}\n钱包密码：{pw}",
        "私钥 {pk}\n谷歌验证码 {otp}",
        "登录密码 {pw}，短信验证码 {sms}，资金密码 {pin}",
    ],
    "mixed": [
        "account {email} 密码 {pw}，2FA code {otp}，帮我 login 看看",
    ],
}


def secret_samples(
    rng: random.Random, family: str, templates: dict[str, list[str]], counts: dict[str, int]
) -> list[Sample]:
    out: list[Sample] = []
    for prose, n in counts.items():
        for template in spread(rng, templates[prose], n):
            out.append(templated(rng, prose, template, tag=f"{family}/{prose}"))
    return out


def testnet_wif_samples(rng: random.Random) -> list[Sample]:
    out: list[Sample] = []
    for lang, template in (
        ("en", "testnet WIF for the regtest bug report: {wif} (address {wif_addr})"),
        ("zh", "测试网私钥 {wif}，地址 {wif_addr}，[[测试网提币一直失败]]"),
    ):

        def make(lang: str = lang, template: str = template) -> Sample:
            return render(rng, lang, template, b_wif_testnet(rng), tag=f"wif/{lang}/testnet")

        out.append(realise(rng, make))
    return out


def xprv_samples(rng: random.Random) -> list[Sample]:
    out: list[Sample] = []
    plan: list[tuple[str, str]] = []
    for prose, n in (("en", 9), ("zh", 5), ("mixed", 2)):
        plan += [(prose, t) for t in spread(rng, XPRV_TEMPLATES[prose], n)]
    for prose, template in plan:
        prefix: str | None = None
        master: bool | None = None
        if "testnet" in template:
            prefix = "tprv"
        elif "master" in template or "root" in template or "主私钥" in template:
            master = True
        if "bc1" in template:
            prefix = "zprv"

        def make(
            prose: str = prose,
            template: str = template,
            prefix: str | None = prefix,
            master: bool | None = master,
        ) -> Sample:
            preset = b_xprv(rng, prefix, master)
            return render(rng, prose, template, preset, tag=f"xprv/{prose}")

        out.append(realise(rng, make))
    # one plain tprv and yprv so every version byte appears at least twice
    for prefix in ("tprv", "yprv"):

        def make_one(prefix: str = prefix) -> Sample:
            template = (
                "extended key from my test wallet: {xprv}"
                if prefix == "tprv"
                else ("BIP49 钱包的扩展私钥 {xprv}，[[地址是3开头的]]")
            )
            lang = "en" if prefix == "tprv" else "zh"
            return render(rng, lang, template, b_xprv(rng, prefix), tag=f"xprv/{lang}")

        out.append(realise(rng, make_one))
    return out


# ---------------------------------------------------------------------------------------------
# Clean messages
# ---------------------------------------------------------------------------------------------

TX_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "Deposit not credited. txid: {eth_tx}, amount {amount_usdt}, from {eth_addr}",
        "Hi, my BTC deposit is missing. TXID: {btc_tx}",
        "tx hash {eth_tx} shows success on chain but my balance is still 0",
        "Withdrawal {order} says completed but I didn't receive it. hash: {tron_tx}, "
        "to address {tron_addr}",
        "TxID {btc_tx} has 6 confirmations already, why is it still pending on your side?",
        "I sent {amount_usdt} on TRC20 to {tron_addr}. Transaction hash: {tron_tx}",
        "Please check transaction {eth_tx} — I forgot to add the memo {memo}",
        "Sent {amount_btc} to {btc_addr} on {date}, txid {btc_tx}",
        "BEP20 USDT deposit, tx: {bsc_tx}, my UID {uid}",
        "Txn Hash: {eth_tx}\nFrom: {eth_addr_lc}\nTo: {eth_addr_cs}\nValue: {amount_eth}",
        "I never shared my private key with anyone. Here is the deposit tx: {eth_tx}",
        "Key info for you: deposit hash {eth_tx}, amount {amount}, time {datetime}",
        "The transfer hash is {btc_tx} (no 0x because it's bitcoin)",
        "block {block}, block hash {eth_tx2}, my tx {eth_tx} is in it but not credited",
    ],
    "zh": [
        "充值没到账，交易哈希：{eth_tx}，金额 {amount_usdt}",
        "提币显示成功但是我没收到，TXID：{tron_tx}，地址 {tron_addr}",
        "你好，我的比特币充值 {amount_btc} 还没到，哈希：{btc_tx}",
        "订单号 {order} 的提币一直在处理中，交易ID {eth_tx}",
        "我转了 {amount_usdt} 到 {tron_addr}，交易哈希 {tron_tx}，忘记填备注了，备注应该是 {memo}",
        "交易哈希 {eth_tx} 在区块浏览器上显示成功，为什么没有上账",
        "UID {uid}，充值 {amount} ，hash: {bsc_tx}",
        "入金的交易ID是 {btc_tx}，已经等了三个小时。",
        "充值交易哈希：{eth_tx}，請幫我查詢",
        "提幣記錄顯示已完成，TXID：{tron_tx}，但錢包沒收到。",
        "我没有私钥，只有交易哈希：{eth_tx}，能查到吗？",
        "密钥我不会给你们的，交易ID是 {tron_tx}",
        "公钥地址 {eth_addr}，交易 {eth_tx}",
    ],
    "mixed": [
        "我的 deposit 还没到，txid：{eth_tx}，amount {amount_usdt}",
        "withdraw 成功了但是没收到，TXID {tron_tx}",
    ],
}

TX_BARE_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "deposit {eth_tx} not arrived",
        "I sent {amount_usdt} yesterday {eth_url} still nothing in my account",
        "{tron_url}\nthis is my transfer, please check",
        "here: {btc_url}",
        "{eth_tx}",
        "{btc_tx}\nsent 2 hours ago, 3 confirmations",
        "deposit from Binance {bsc_url}",
        "hello, my deposit {tron_tx} please help",
        "{eth_url}",
        "Still waiting... {btc_tx}",
    ],
    "zh": [
        "充值 {eth_tx} 还没到",
        "转账 {tron_tx} 已经过去一天了",
        "{eth_url}\n这笔转账到现在都没到账",
        "这是我的转账记录 {tron_url}",
        "{bsc_tx}",
        "我转了 {amount} 给你们，{btc_url}",
        "轉帳 {tron_tx} 怎麼還沒到",
        "充值{btc_tx}",
    ],
    "mixed": [
        "我的 deposit {eth_tx} 一直 pending",
        "USDT 转账 {tron_url} 还没到 account",
    ],
}

ID_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "Please whitelist my withdrawal address {eth_addr_cs}",
        "my deposit address is {btc_bech32}, is it correct for the BTC network?",
        "can I send USDT from {tron_addr} to {eth_addr_lc}? they are both mine",
        "order {order} was cancelled without reason",
        "XRP deposit without the destination tag, the tag should be {tag}",
        "MEMO/Tag: {memo} — I put it in the wrong field",
        "UID {uid}, I need my account unlocked",
        "I bought {amount_btc} at {price} on {date}, order {order}, but only received half",
        "Legacy address {btc_legacy} isn't accepted as a withdrawal address, why?",
        "P2SH address {btc_p2sh} — do you support sending to addresses starting with 3?",
        "Taproot address {btc_taproot} is rejected as invalid",
        "error code {errcode} when I try to withdraw {amount}",
        "my referral code is {refcode}, my friend signed up but didn't get the bonus",
        "memo [[104729]] or {memo}? I have two notes and don't remember which one is for you",
    ],
    "zh": [
        "订单号 {order}，商家一直不放币",
        "我的UID是{uid}，请帮我查一下账户状态",
        "提币地址 {eth_addr} 添加不了白名单",
        "充值EOS的时候备注填的是 {memo}，对吗？",
        "MEMO/Tag：{memo}",
        "{date} 买了 {amount_usdt}，订单 {order}，到现在还是冻结状态",
        "这个地址 {tron_addr} 是你们的充值地址吗？",
        "比特币地址 {btc_addr} 可以接收吗",
        "我的UID {uid}，訂單編號 {order}，請幫忙處理",
        "邀请码 {refcode} 填了但是没有返佣",
        "提币报错，错误码 {errcode}，订单号 {order}",
    ],
    "mixed": [
        "order {order} 一直 pending，UID {uid}",
        "我的 address {eth_addr} 为什么不能 withdraw",
    ],
}

XPUB_TEMPLATES: dict[str, list[str]] = {
    "en": [
        "I set up a watch-only wallet with my xpub {xpub}, but the balance doesn't match "
        "what your deposit page shows",
        "Our accounting tool needs the zpub: {zpub}. Is it safe to share that with the auditor?",
        "Sparrow shows this xpub {xpub} — which addresses should I deposit from?",
        "ypub {ypub} for my BIP49 wallet, addresses start with 3 like {btc_p2sh}",
    ],
    "zh": [
        "这是我的扩展公钥 {xpub}，你们可以看到余额吗？",
        "xpub：{xpub}\n[[只是公钥，没有私钥]]",
        "账户的 zpub 是 {zpub}，充值地址 {btc_bech32} 是不是从这个派生的？",
    ],
    "mixed": [
        "我的 watch-only wallet 用的是 xpub {xpub}，balance 对不上",
    ],
}

CODE_TEMPLATES: list[tuple[str, str]] = [
    (
        "en",
        "Hi, the withdraw history endpoint returns this but the coins never arrived:\n"
        "```json\n"
        '{"id":"{wid}","amount":"{num}","coin":"USDT","network":"TRX","status":6,'
        '"address":"{tron_addr}","txId":"{tron_tx}","applyTime":"{datetime}"}\n'
        "```",
    ),
    (
        "en",
        "```python\n"
        'r = client.get_deposit_history(coin="ETH", startTime={ms})\n'
        "print(r)\n"
        "```\n"
        "output: [{'amount': '0.25', 'coin': 'ETH', 'network': 'ETH', 'status': 0, "
        "'address': '{eth_addr_lc}', 'txId': '{eth_tx}'}]\n"
        "status 0 for 3 hours now, is that normal?",
    ),
    (
        "en",
        "Getting -1022 invalid signature:\n"
        "```\n"
        'curl -H "X-MBX-APIKEY: $API_KEY" '
        '"https://api.example-exchange.com/sapi/v1/capital/withdraw/history?coin=USDT'
        '&timestamp={ms}&signature={sig}"\n'
        "```\n"
        "The key is read from an env var, I checked it twice.",
    ),
    (
        "zh",
        "调用提币接口返回：\n"
        '{"code":"58207","msg":"提币地址不在白名单","data":[{"toAddr":"{eth_addr_lc}",'
        '"amt":"{num}","ccy":"USDT"}]}\n'
        "这个地址我已经加过白名单了",
    ),
    (
        "en",
        "ethers.js returns null for my deposit:\n"
        "```js\n"
        'const tx = await provider.getTransaction("{eth_tx}");\n'
        "console.log(tx); // null\n"
        "```\n"
        "but your site shows it as pending",
    ),
    (
        "en",
        "Our webhook received this payload twice:\n"
        '{"event":"deposit.confirmed","hash":"{eth_tx}","from":"{eth_addr_lc}",'
        '"to":"{eth_addr_lc2}","value":"{num}","confirmations":12}\n'
        "Is that expected or a bug on your side?",
    ),
    (
        "en",
        "log excerpt:\n"
        "{datetime} ERROR withdraw id={wid} status=FAILED reason=INSUFFICIENT_GAS tx={eth_tx}\n"
        "{datetime2} INFO retry scheduled id={wid}",
    ),
    (
        "en",
        'My order response:\n{"symbol":"BTCUSDT","orderId":{order},"status":"CANCELED",'
        '"price":"{num}","origQty":"0.5","executedQty":"0"}\nwhy was it cancelled?',
    ),
    (
        "zh",
        "用 web3.py 查询交易 w3.eth.get_transaction_receipt('{eth_tx}') 报错 "
        "TransactionNotFound，[[可是浏览器上能看到]]",
    ),
    (
        "mixed",
        "我的 watch-only 配置：\n```yaml\nwallet:\n  type: watch_only\n  xpub: {xpub}\n"
        "  gap_limit: 20\n```\n但是 deposit 地址对不上",
    ),
    (
        "zh",
        "接口返回的订单：\n"
        '{"ordId":"{order}","instId":"ETH-USDT","state":"canceled","sz":"{num}"}\n'
        "[[我没有手动撤单，为什么被取消了]]",
    ),
]

MENTIONS: dict[str, list[str]] = {
    "zh": [
        "密码错误",
        "验证码收不到",
        "客服会问我要助记词吗？",
        "我忘了资金密码怎么办？",
        "谷歌验证码一直提示错误，手机时间也校准过了。",
        "短信验证码过期太快了，还没输入就失效了。",
        "私钥丢了还能找回吗？",
        "助记词抄错了一个字怎么办？",
        "登录密码输错5次被锁了，多久能解锁？",
        "怎么关闭二次验证？我换手机了。",
        "重置密码的邮件一直收不到。",
        "助记词到底要不要告诉别人？有人说是客服要的。",
        "我把助记词弄丢了，钱包里的币还能拿回来吗？",
        "验证码发送太频繁，提示请稍后再试。",
        "谷歌验证器解绑需要提交什么资料？",
        "密碼錯誤太多次，帳戶被鎖定了。",
        "驗證碼一直收不到，請幫我看看。",
        "我從來沒有把私鑰給過任何人，為什麼錢包被盜了？",
        "有个自称客服的人问我要验证码，是你们的人吗？",
        "私钥和助记词有什么区别？",
        "验证码发了3次都没收到，等了60秒又发了一次还是没有。",
        "修改资金密码以后24小时不能提币吗？",
    ],
    "en": [
        "I forgot my password",
        "password reset not working, the link in the email says expired",
        "my 2FA code is not accepted",
        "the verification code expired before I could enter it",
        "I never receive the SMS code, I tried 4 times",
        "How do I reset Google Authenticator? I lost my old phone.",
        "I lost my seed phrase, what can I do?",
        "Do you store my private key anywhere?",
        "Where can I find the recovery phrase in the app settings?",
        "I wrote down my 12 words but the paper got wet, can I still recover the wallet?",
        "What special characters are allowed in the password? It keeps saying it must be 8 to "
        "32 characters.",
        "Someone on Telegram asked for my OTP saying he is from support. Is that you?",
        "Can I change my login password without the old one?",
        "Wrong password error even though I just reset it",
        "Is it safe to enter my seed phrase on your website to connect my wallet?",
        "After changing my password, withdrawals are locked for 24 hours. Why?",
        "my key doesn't work — the YubiKey I mean, security key login fails",
        "private key or mnemonic: which one should I back up?",
        "I entered the 6-digit code three times and now I'm locked out",
        "The gift card I bought for my sister does not work, she says the code is invalid",
        "will support ever ask me for my password or 2FA code?",
    ],
    "mixed": [
        "我的 2FA code 一直显示 invalid，怎么办",
        "password 忘了，reset 的邮件收不到",
        "seed phrase 丢了还能 recover 吗？",
        "验证码 expired 了，能再发一次吗",
    ],
}

ORDINARY_ZH: list[str] = [
    "你好，我昨天在你们平台买了一些比特币，但是资产页面一直显示冻结，请问是什么原因？",
    "实名认证提交了三天了还在审核中，能不能帮我加急处理一下，我这边着急用钱。",
    "为什么我的账户突然被限制交易了？我没有做任何违规的操作，请给我一个解释。",
    "提现到银行卡一般需要多长时间？我上午提交的申请，现在还没有到账。",
    "你们的手续费是不是调整了？我记得上个月还没有这么高。",
    "我在法币交易区买币，已经付款了，但是商家一直不放币，也不回消息，怎么办？",
    "App 更新以后打不开了，一打开就闪退，我的手机是华为的。",
    "合约爆仓了，但是我觉得价格根本没有到我的强平价，能帮我核实一下吗？",
    "理财产品到期以后本金什么时候返还到现货账户？",
    "请问你们支持哪些国家和地区的用户注册？",
    "我想注销账户，请问需要什么流程？",
    "上周参加的活动奖励到现在还没有发放，能帮我查一下吗？",
    "客服你好，我想问一下怎么修改绑定的手机号，原来的号码已经停用了。",
    "我的银行卡因为收到一笔转账被冻结了，你们能提供交易证明吗？",
    "为什么K线图和别的网站显示的价格不一样？",
    "邀请好友的返佣比例是多少？在哪里可以看到明细？",
    "你们的客服回复太慢了，我已经等了两天了，希望能尽快解决我的问题。",
    "我不小心把币转到了不支持的网络上，还能找回吗？",
    "请问现货交易和杠杆交易的区别是什么？我是新手，不太懂。",
    "身份证过期了，需要重新认证吗？",
    "账户里的小额资产怎么兑换成平台币？",
    "下单的时候一直提示余额不足，但是我账户里明明有钱。",
    "请问你们有没有中文的使用教程？我父母也想用。",
    "昨天晚上系统维护的时候我的挂单被取消了，会有补偿吗？",
    "谢谢你们的帮助，问题已经解决了，服务很好！",
    "我想了解一下你们平台的安全措施，资金是怎么保管的？",
    "为什么我不能使用信用卡购买？每次付款都失败。",
    "我的账户等级怎么才能升级？交易量要达到多少？",
    "请问节假日期间提现会延迟吗？",
    "网页版登录以后一直转圈，换了浏览器也不行。",
    "我在直播间看到一个活动，说是你们官方的，送一百个币，这是真的吗？",
    "有人冒充你们客服加我微信，让我转账，我该怎么举报？",
    "这个币下架了以后，我手里的币怎么办？还能提出来吗？",
    "请帮我开具一份最近一年的交易记录，用于报税。",
    "我家里老人不会操作，能不能电话指导一下？",
    "资产总览里显示的估值和各个账户加起来对不上。",
    "上次的问题还没有处理完，工单就被关闭了，这是什么意思？",
    "我在地铁上网络不好，下单的时候重复点了几次，结果成交了好几笔，能撤销吗？",
    "你们的网格交易机器人怎么设置止损？",
    "新用户注册送的体验金在哪里领取？",
    "为什么提币需要等待二十四小时的安全锁定期？",
    "我修改了登录密码以后，提币功能被暂时禁用了，要多久才能恢复？",
    "请问你们的平台有没有牌照？在哪个国家注册的？",
    "我的一笔充值显示已完成，但是余额没有增加。",
    "能不能把我的账户语言改成简体中文？现在是英文的看不懂。",
    "你们推送通知太多了，怎么关掉营销短信？",
    "质押的收益是每天发放还是到期一起发放？",
    "手机丢了，新手机上怎么登录账户？",
    "我想投诉一下，你们的客服态度很差，问题也没有解决。",
    "跟单交易亏损了很多，带单员是不是有问题？",
    "请问最低充值金额是多少？少于最低金额会怎么样？",
    "我昨天下午三点左右卖出的订单，成交价格和我设定的价格差了很多。",
    "打开App的时候提示网络异常，但是我其他软件都能正常上网。",
    "我的孩子用我的身份证注册了账户，我想把这个账户关掉。",
    "人脸识别一直通过不了，是不是光线的问题？",
    "现在还能参加新币认购吗？怎么算中签？",
    "请问平台币有什么用处？持有的话手续费能打折吗？",
    "我想把资金从合约账户划转到现货账户，但是划转按钮是灰色的。",
    "你们周末也有人工客服吗？",
    "这个月的账单能发到我的邮箱吗？",
    "在吗",
    "好的，谢谢",
    "还没到账",
    "人呢？怎么没人回复",
    "客服你好，事情是这样的：上个星期我在你们的平台上用法币买了一笔币，当时付款是通过银行"
    "转账的，付完款以后我也点了已付款，但是商家过了很久都没有放币，我联系他也不回复。后来订单"
    "自动取消了，钱却没有退回来。我去银行查了，钱确实已经转出去了。这件事情已经拖了一周，我每天"
    "都在问，每次都让我等。我希望你们能认真对待这个问题，给我一个明确的处理时间，不然我只能去投诉"
    "了。",
    "你好，我的账户今天早上突然被风控了，所有的资产都不能动。我回想了一下，最近唯一不一样的地方"
    "就是我出差去了外地，用酒店的网络登录过几次。我已经按照提示上传了身份证和人脸照片，但是到现在"
    "也没有任何消息。我账户里还有一些合约仓位，现在行情波动这么大，如果因为冻结导致爆仓，这个损失"
    "应该由谁承担？请你们尽快给我一个答复。",
    "我想反映一个情况：我妈妈上个月在一个群里被人拉去所谓的投资，对方让她在你们平台注册，然后买币"
    "转到一个地址。现在对方已经联系不上了，群也解散了。我知道币转出去了可能追不回来，但是想问问你们"
    "能不能提供一些记录，方便我们去派出所报案。另外能不能给她的账户加一些限制，防止以后再被骗。",
    "有几个问题想一起问一下：第一，年度交易记录在哪里导出，需要什么格式；第二，手续费返还是按天还是"
    "按月结算；第三，如果我更换了实名认证的手机号，之前的邀请关系还在不在；第四，你们有没有计划支持"
    "更多的法币。麻烦逐条回复，谢谢。",
    "我用的是苹果手机，系统是最新的版本。每次点开行情页面，再切换到交易页面，App就会卡住大概十秒，"
    "然后自动退出。我试过清理缓存、重新安装、切换网络，都没有用。我朋友用安卓手机就没有这个问题。"
    "希望技术部门能看一下，顺便问一下有没有网页版可以临时替代。",
    "用了你们平台快两年了，整体感觉不错，有几点建议：一是客服的排队时间太长，高峰期经常要等半个小时"
    "以上；二是App里的公告太多，重要的信息容易被淹没；三是希望能增加一个夜间模式。希望你们能参考一下，"
    "越做越好。",
]

ORDINARY_ZH_SPACED: list[str] = [
    "你好 我想问一下 为什么 我的 提现 一直 没有 到账",
    "充值 多久 能 到账 啊",
    "我 的 账户 被 冻结 了 怎么 解冻",
    "怎么 修改 昵称 和 头像",
    "手续费 太 高 了 能不能 便宜 点",
    "请问 客服 在 吗 有 问题 想 咨询",
    "App 打不开 一直 白屏 重装 也 没用",
    "帮 我 看看 这个 订单 为什么 取消 了",
    "你 好 我 想 问 一 下 怎 么 买 币",
    "为 什 么 我 的 钱 还 没 有 到 账 呢",
]

ORDINARY_ZH_LISTS: list[str] = [
    "需要准备的材料：\n身份证正面\n身份证反面\n手持身份证照片\n银行卡照片",
    "我遇到的问题：\n1. 提币一直审核中\n2. 客服不回复\n3. 资产页面显示异常",
    "请问支持这些地区吗？\n香港\n台湾\n新加坡\n马来西亚\n日本\n韩国\n泰国\n越南\n菲律宾\n印尼\n澳门\n澳洲",
    "我想买的币：\n比特币\n以太坊\n狗狗币\n瑞波币",
    "关闭的步骤我都试过了：\n打开\n设置\n安全\n关闭\n确认\n还是不行",
    "流程是不是这样：1、注册 2、认证 3、充值 4、交易 5、提现",
    "这几个功能找不到了：\n行情\n资产\n订单\n消息\n设置\n帮助",
    "問題如下：\n一、入金沒到帳\n二、客服沒回覆\n三、App閃退",
]

ORDINARY_ZHT: list[str] = [
    "請問入金需要多久才會到帳？我已經等了一個小時了。",
    "我的帳戶被凍結了，請問要怎麼解除？",
    "出金到銀行帳戶要收手續費嗎？",
    "為什麼我的身分驗證一直沒有通過？照片都很清楚。",
    "App更新後無法登入，一直顯示系統錯誤。",
    "請問你們有支援台幣入金嗎？",
    "我想關閉帳戶，請告訴我流程。",
    "合約被強制平倉了，但是價格根本沒有到，請幫我確認。",
    "客服你好，我想問一下如何設定價格提醒。",
    "上個月的活動獎勵還沒有發放，請幫我查詢。",
    "請問理財產品可以提前贖回嗎？會不會有損失？",
    "我在C2C交易已經付款了，賣家一直沒有放幣。",
    "你哋嘅App成日閃退，可唔可以整返好佢？",
    "我想改綁定嘅電話號碼，舊號碼已經唔用咗。",
    "請問網頁版和手機版的功能一樣嗎？",
    "謝謝你們的協助，問題已經解決了。",
    "您好，我是台灣的用戶，上週透過銀行轉帳入金了一筆台幣，銀行那邊顯示已經扣款，但是我的帳戶"
    "餘額一直沒有增加。我已經提供了轉帳收據的截圖，也等了好幾天，客服每次都說在處理中。請問到底"
    "還要多久？如果真的有問題，可以直接退款給我嗎？",
    "我想反映一下，最近幾次下單的時候，成交價格和畫面上顯示的價格差很多，尤其是在行情波動比較大"
    "的時候。我理解市價單會有滑價，但是差距實在太大了。請問你們的撮合機制是怎麼運作的？有沒有辦法"
    "設定最大滑價？",
    "請 問 客 服 在 嗎",
    "帳戶 安全 設定 在 哪裡",
]

ZH_POOLS: dict[str, list[str]] = {
    "greeting": ["客服你好，", "您好，", "你好，打扰一下，", "在吗？", "客服小姐姐你好，", ""],
    "background": [
        "我是你们平台的老用户了，用了三年多。",
        "我上个月才注册的账户，对很多功能还不太熟悉。",
        "我平时主要用手机App交易，很少用网页版。",
        "我一直在你们这里做现货交易，从来没有出过问题。",
        "我是帮我爸爸问的，他年纪大了不太会用手机。",
    ],
    "problem": [
        "这两天我发现资产页面的数字不对，少了一部分。",
        "昨天晚上开始，我的账户就不能下单了，提示风控限制。",
        "我前天提交的提现申请到现在还在审核中。",
        "我买的理财产品到期了，但是本金没有返还。",
        "我在法币区卖币，对方说已经付款了，但是我的银行卡没有收到钱。",
        "我设置的止盈单没有触发，价格明明已经到了。",
    ],
    "detail": [
        "我已经重启过手机，也重新安装了App，问题还是一样。",
        "我也联系过在线客服，但是每次都是机器人回复。",
        "我查了一下，别的用户好像也遇到了同样的问题。",
        "当时的网络是正常的，其他软件都可以用。",
        "我截了图，但是不知道在哪里上传。",
        "这笔钱对我来说很重要，是下个月的房租。",
    ],
    "request": [
        "麻烦你们帮我查一下具体是什么原因。",
        "希望你们能尽快处理，我这边比较着急。",
        "如果需要我提供什么材料，请直接告诉我。",
        "请给我一个明确的处理时间。",
    ],
    "closing": ["谢谢！", "辛苦了。", "等你们的回复。", "麻烦了，谢谢。", ""],
}

ORDINARY_EN: list[str] = [
    "please help me, my account balance is wrong after the market crash and I have to pay rent "
    "today",
    "I have a simple question about the trade fee, it seems too high compared to last month",
    "my brother sent me some coins from his phone but the transfer never arrived in my wallet",
    "The app crashed again when I tried to open the history page, then it asked me to update",
    "sorry to bother you again but every time I try to buy I get an error and the order is "
    "cancelled",
    "I am a student and this was all my money, please check what happened, I feel so sad and angry",
    "can you explain why the price on the chart is different from the price I got when I sold",
    "good morning, I want to know if there is any bonus for a new member who will deposit "
    "before the end of the month",
    "wrong amount arrived, I sent 500 and only got 498, where did the rest go? is it the "
    "network fee?",
    "Thank you for the quick answer yesterday. One more thing: how long does it take to verify "
    "a business account?",
    "I think someone else has access to my account because I see a login from another city",
    "Just wanted to say your service is great, the agent was very kind and patient with my father",
    "hello, is there a limit on how much I can withdraw each day without extra verification?",
    "I am trying to move my funds before I travel, will my account be blocked if I log in from "
    "another country?",
    "urgent issue: account frozen, balance wrong, support slow, please help",
    "quick question about the fee for a simple swap between two coins",
    "local bank transfer option, cash deposit, credit card, gift card, voucher: which one is "
    "fastest?",
    "basic account, gold member, super bonus, lucky draw, reward, ticket: what is all this on "
    "the home screen",
    "found bug: chart shows wrong price, then crash, then blank screen",
    "I have a small business and want to open a corporate account, what documents do you need",
    "my phone was stolen, please lock my account and cancel all open orders",
    "typo in my name during verification, can I correct it",
    "Hello? Anyone there?",
    "ok thanks",
    "still not fixed",
    "Why is my identity verification rejected again? The photo is clear, the document is valid, "
    "and it is the same passport I used last year. This is the third time and every time the "
    "reason is just 'does not meet requirements'. Please tell me exactly what is wrong so I can "
    "fix it, because right now I cannot withdraw and I have bills to pay.",
    "I want to close my account. I have already moved everything out, the balance is zero, and "
    "I do not want to receive any more marketing email. Please confirm once it is done.",
    "Is staking still available for ETH? The page says 'sold out' but the announcement says "
    "the pool was extended until the end of the year.",
    "Could you add dark mode to the desktop site? My eyes hurt after a long night of trading.",
    "I got liquidated but the mark price never touched my liquidation price according to the "
    "chart. Can you review the position and explain the calculation?",
    "Do you report to the tax office? I need a yearly statement for my accountant.",
    "The P2P seller marked the order as paid but nothing came to my bank. He is now not "
    "answering the chat. What happens next?",
    "can I use the same account on my laptop and my phone at the same time",
    "your announcement said the maintenance would end at 10 but it is now 12 and I still cannot "
    "trade",
]

ORDINARY_EN_LISTS: list[str] = [
    "Steps I tried:\n1. logout\n2. clear cache\n3. reinstall the app\n4. restart phone\n"
    "nothing works",
    "What I need:\n- invoice\n- statement for October\n- proof of address",
    "1) open app 2) tap withdraw 3) choose network 4) paste address 5) confirm -> error",
    "Coins I hold: BTC, ETH, SOL, ADA, DOT, AVAX, LINK, MATIC, ATOM, XRP, LTC, DOGE",
    "Menu items that are missing after the update:\nmarket\nwallet\norder\nhistory\nprofile\n"
    "settings\nsupport\nnews",
    "my checklist before the trip:\nphone\ncharger\nwallet\npassport\nticket\nhotel",
    "Topics of my open tickets: deposit, account, access, balance, bonus, reward, transfer, fee, "
    "limit, card, report, order, trade. Can one agent handle all of them?",
]

ORDINARY_MIXED: list[str] = [
    "我的 account 被 lock 了，怎么 unlock？",
    "请问 futures 的 funding rate 是多久结算一次",
    "App 的 dark mode 在哪里开？",
    "KYC 一直 pending，已经三天了",
    "我想 cancel 这个 order，但是按钮是灰色的",
    "USDT 从 ERC20 换到 TRC20 要多少 fee？",
    "Hi 客服，我的 withdrawal 被 reject 了，原因是什么？",
    "P2P 的 seller 不放币，please help",
    "Launchpool 的 reward 什么时候发？",
    "login 的时候一直显示 network error",
    "我的 API key 权限怎么设置成只读？不需要 withdraw 权限",
]


def composed_zh(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        parts = [rng.choice(ZH_POOLS[k]) for k in ("greeting", "background", "problem")]
        details = rng.sample(ZH_POOLS["detail"], rng.randint(1, 3))
        parts += [*details, rng.choice(ZH_POOLS["request"]), rng.choice(ZH_POOLS["closing"])]
        text = "".join(parts)
        if text not in out:
            out.append(text)
    return out


def clean_samples(rng: random.Random) -> list[Sample]:
    out: list[Sample] = []

    def from_templates(
        family: str, templates: dict[str, list[str]], counts: dict[str, int]
    ) -> None:
        for prose, n in counts.items():
            for template in spread(rng, templates[prose], n):
                out.append(templated(rng, prose, template, tag=f"clean/{family}/{prose}"))

    from_templates("tx", TX_TEMPLATES, {"en": 18, "zh": 15, "mixed": 3})
    from_templates("tx_bare", TX_BARE_TEMPLATES, {"en": 12, "zh": 9, "mixed": 3})
    from_templates("ids", ID_TEMPLATES, {"en": 16, "zh": 12, "mixed": 3})
    from_templates("xpub", XPUB_TEMPLATES, {"en": 5, "zh": 4, "mixed": 1})
    for lang, template in CODE_TEMPLATES:
        out.append(templated(rng, lang, template, tag=f"clean/code/{lang}"))
    for lang, texts in MENTIONS.items():
        out += [fixed(lang, t, f"clean/mention/{lang}") for t in texts]
    out += [fixed("zh", t, "clean/ordinary_zh") for t in ORDINARY_ZH]
    out += [fixed("zh", t, "clean/ordinary_zh/composed") for t in composed_zh(rng, 12)]
    out += [fixed("zh", t, "clean/ordinary_zh/spaced") for t in ORDINARY_ZH_SPACED]
    out += [fixed("zh", t, "clean/ordinary_zh/list") for t in ORDINARY_ZH_LISTS]
    out += [fixed("zh", t, "clean/ordinary_zh/traditional") for t in ORDINARY_ZHT]
    out += [fixed("en", t, "clean/ordinary_en") for t in ORDINARY_EN]
    out += [fixed("en", t, "clean/ordinary_en/list") for t in ORDINARY_EN_LISTS]
    out += [fixed("mixed", t, "clean/ordinary_mixed") for t in ORDINARY_MIXED]
    return out


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------


def build(rng: random.Random) -> list[Sample]:
    samples: list[Sample] = []
    samples += seed_samples(rng)
    samples += secret_samples(rng, "pk", PK_TEMPLATES, {"en": 17, "zh": 14, "mixed": 4})
    samples += secret_samples(rng, "wif", WIF_TEMPLATES, {"en": 9, "zh": 6, "mixed": 1})
    samples += testnet_wif_samples(rng)
    samples += xprv_samples(rng)
    samples += secret_samples(rng, "pw", PW_TEMPLATES, {"en": 23, "zh": 20, "mixed": 5})
    samples += secret_samples(rng, "otp", OTP_TEMPLATES, {"en": 17, "zh": 17, "mixed": 5})
    samples += secret_samples(rng, "combo", COMBO_TEMPLATES, {"en": 7, "zh": 6, "mixed": 1})
    samples += clean_samples(rng)
    rng.shuffle(samples)
    return samples


def check_all(samples: Sequence[Sample]) -> None:
    texts: set[str] = set()
    for s in samples:
        issue = problem(s)
        assert issue is None, (issue, s.text)
        assert all(item in s.text for item in s.secrets() + s.keep)
        assert bool(s.kinds()) == bool(s.secrets())
        assert s.text not in texts, f"duplicate text: {s.text!r}"
        texts.add(s.text)
    kinds = Counter(k for s in samples for k in s.kinds())
    assert all(kinds[k] > 0 for k in KINDS), kinds


def seed_word_count(block: str) -> int:
    """Words in a phrase block as laid out (numbers and separators removed)."""
    cleaned = re.sub(r"\d+[.)、]", " ", block)
    tokens = [t for t in re.split(r"[\s,，、]+", cleaned) if t]
    if len(tokens) == 1 or all(
        len(t) > 1 and all("\u4e00" <= c <= "\u9fff" for c in t) for t in tokens
    ):
        return sum(len(t) for t in tokens)  # unspaced Chinese: one character per word
    return len(tokens)


# Characters that only occur in traditional writing (their simplified forms differ).
TRAD_MARKERS = set("們這個為會說時過還號碼帳戶請問題錢幣護驗證鑰記詞麼對後沒處點錯買賣轉嘅幫")


def han_coverage(samples: Iterable[Sample]) -> float:
    words = WORDSETS["chinese_simplified"] | WORDSETS["chinese_traditional"]
    total = hits = 0
    for s in samples:
        for ch in s.text:
            if "\u4e00" <= ch <= "\u9fff":
                total += 1
                hits += ch in words
    return hits / total if total else 0.0


def summarise(samples: Sequence[Sample]) -> str:
    lines = [f"wrote {len(samples)} messages to {OUT_PATH.name}"]
    with_secret = [s for s in samples if s.groups]
    lines.append(f"  with secrets: {len(with_secret)}   clean: {len(samples) - len(with_secret)}")
    kinds = Counter(k for s in samples for k in s.kinds())
    lines.append("  per kind (messages): " + ", ".join(f"{k}={kinds[k]}" for k in KINDS))
    multi = sum(1 for s in samples if len(s.kinds()) > 1)
    lines.append(f"  messages with more than one kind: {multi}")
    langs = Counter(s.lang for s in samples)
    lines.append("  per lang: " + ", ".join(f"{lang}={langs[lang]}" for lang in LANGS))
    for lang in LANGS:
        secret_n = sum(1 for s in with_secret if s.lang == lang)
        lines.append(f"    {lang}: with secrets {secret_n}, clean {langs[lang] - secret_n}")
    trad = [s for s in samples if s.lang != "en" and TRAD_MARKERS & set(s.text)]
    trad_secret = sum(1 for s in trad if s.groups)
    lines.append(f"  with traditional characters: {len(trad)} ({trad_secret} with secrets)")
    seeds = [s for s in samples if s.tag.startswith("seed/")]
    by_list = Counter(s.tag.split("/")[1] for s in seeds)
    by_style = Counter(s.tag.split("/")[2] for s in seeds)
    lines.append(
        "  seed phrases by word list: " + ", ".join(f"{k}={v}" for k, v in sorted(by_list.items()))
    )
    lines.append(
        "  seed phrases by layout: " + ", ".join(f"{k}={v}" for k, v in sorted(by_style.items()))
    )
    sizes = Counter(
        seed_word_count(g.value) for s in samples for g in s.groups if g.kind == "seed_phrase"
    )
    lines.append(
        "  seed phrases by word count: " + ", ".join(f"{k}={v}" for k, v in sorted(sizes.items()))
    )
    typos = sum(1 for s in seeds if "/typo" in s.tag)
    lines.append(f"  seed phrases with one mistyped word: {typos}")
    ordinary = [s for s in samples if s.tag.startswith("clean/ordinary_zh")]
    lines.append(
        f"  ordinary Chinese clean messages: {len(ordinary)} "
        f"(Han characters in a BIP39 Chinese list: {han_coverage(ordinary):.0%})"
    )
    return "\n".join(lines)


def main() -> None:
    rng = random.Random(SEED)
    samples = build(rng)
    check_all(samples)
    with OUT_PATH.open("w", encoding="utf-8", newline="\n") as fh:
        for i, sample in enumerate(samples, start=1):
            fh.write(json.dumps(sample.record(f"g{i:04d}"), ensure_ascii=False) + "\n")
    print(summarise(samples))


if __name__ == "__main__":
    main()
