"""Build ``holdout3.jsonl``, the fourth evaluation set for the secret guard.

Run with ``.venv/bin/python tests/guard/data/make_holdout3.py``.

The script is deterministic: one ``random.Random(31337042)``, no clock, no network. Keys,
addresses and hashes are made here from that generator with real encodings (secp256k1, BIP32,
base58check, bech32/bech32m) and belong to nobody. Edit the templates below and regenerate;
never edit the JSONL by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import base58
from eth_keys.datatypes import PrivateKey
from eth_utils.address import to_checksum_address
from mnemonic import Mnemonic

SEED = 31337042
OUT = Path(__file__).with_name("holdout3.jsonl")
KIND_ORDER = (
    "seed_phrase",
    "private_key",
    "wif_key",
    "extended_private_key",
    "password",
    "otp_code",
)
VARIANT_LANG = {"zh_s": "zh", "zh_t": "zh", "en": "en", "mixed": "mixed"}
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class Retry(Exception):
    """A draw broke a labelling rule; the caller draws again."""


# --------------------------------------------------------------------------- encodings


def ripemd160(data: bytes) -> bytes:
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError:  # OpenSSL without the legacy provider
        from Crypto.Hash import RIPEMD160

        return RIPEMD160.new(data).digest()


def hash160(data: bytes) -> bytes:
    return ripemd160(hashlib.sha256(data).digest())


def b58check(payload: bytes, alphabet: bytes = base58.BITCOIN_ALPHABET) -> str:
    return str(base58.b58encode_check(payload, alphabet=alphabet).decode("ascii"))


def b58(payload: bytes) -> str:
    return str(base58.b58encode(payload).decode("ascii"))


BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= gen[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to_5bit(data: bytes) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    for value in data:
        acc = (acc << 8) | value
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append((acc >> bits) & 31)
    if bits:
        out.append((acc << (5 - bits)) & 31)
    return out


def segwit_address(hrp: str, version: int, program: bytes) -> str:
    data = [version, *_to_5bit(program)]
    const = 1 if version == 0 else 0x2BC830A3
    mod = _polymod([*_hrp_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def rand_key(rng: random.Random) -> bytes:
    while True:
        k = rng.randbytes(32)
        if 0 < int.from_bytes(k, "big") < SECP_N:
            return k


def pub_compressed(k: bytes) -> bytes:
    return bytes(PrivateKey(k).public_key.to_compressed_bytes())


def pub_uncompressed(k: bytes) -> bytes:
    return b"\x04" + bytes(PrivateKey(k).public_key.to_bytes())


def eth_address_of(k: bytes) -> str:
    return str(PrivateKey(k).public_key.to_checksum_address())


def p2pkh(pub: bytes, testnet: bool = False) -> str:
    return b58check((b"\x6f" if testnet else b"\x00") + hash160(pub))


def p2wpkh(pub: bytes, testnet: bool = False) -> str:
    return segwit_address("tb" if testnet else "bc", 0, hash160(pub))


def wif_of(k: bytes, compressed: bool, testnet: bool) -> str:
    payload = (b"\xef" if testnet else b"\x80") + k + (b"\x01" if compressed else b"")
    return b58check(payload)


# BIP32 version bytes: private, public, public prefix
BIP32_VERSIONS: dict[str, tuple[int, int, str]] = {
    "xprv": (0x0488ADE4, 0x0488B21E, "xpub"),
    "yprv": (0x049D7878, 0x049D7CB2, "ypub"),
    "zprv": (0x04B2430C, 0x04B24746, "zpub"),
    "tprv": (0x04358394, 0x043587CF, "tpub"),
}


@dataclass
class ExtKey:
    prv: str
    pub: str
    path: str


def _bip32_ser(version: int, depth: int, fpr: bytes, child: int, chain: bytes, data: bytes) -> str:
    raw = version.to_bytes(4, "big") + bytes([depth]) + fpr + child.to_bytes(4, "big")
    return b58check(raw + chain + data)


def _ckd_hardened(k: bytes, chain: bytes, index: int) -> tuple[bytes, bytes]:
    idx = index | 0x80000000
    i = hmac.new(chain, b"\x00" + k + idx.to_bytes(4, "big"), hashlib.sha512).digest()
    il = int.from_bytes(i[:32], "big")
    child = (il + int.from_bytes(k, "big")) % SECP_N
    if il >= SECP_N or child == 0:
        raise Retry
    return child.to_bytes(32, "big"), i[32:]


def bip32_key(seed: bytes, prefix: str, path: Sequence[int]) -> ExtKey:
    i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    k, chain = i[:32], i[32:]
    if not 0 < int.from_bytes(k, "big") < SECP_N:
        raise Retry
    fpr = b"\x00\x00\x00\x00"
    child = 0
    for index in path:
        fpr = hash160(pub_compressed(k))[:4]
        k, chain = _ckd_hardened(k, chain, index)
        child = index | 0x80000000
    vprv, vpub, _ = BIP32_VERSIONS[prefix]
    depth = len(path)
    prv = _bip32_ser(vprv, depth, fpr, child, chain, b"\x00" + k)
    pub = _bip32_ser(vpub, depth, fpr, child, chain, pub_compressed(k))
    text_path = "m" + "".join(f"/{n}'" for n in path)
    return ExtKey(prv, pub, text_path)


def self_test() -> None:
    """BIP32 test vector 1, so the serialisation is known to be real."""
    vec = bip32_key(bytes(range(16)), "xprv", [])
    assert vec.prv == (
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVv"
        "vNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
    ), vec.prv
    child = bip32_key(bytes(range(16)), "xprv", [0])
    assert child.prv == (
        "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rG"
        "L5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7"
    ), child.prv
    assert segwit_address("bc", 0, bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")) == (
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    )


# --------------------------------------------------------------------------- pieces


@dataclass
class Piece:
    """One run of message text with its label role.

    role is ``text`` (plain prose), ``secret``, ``keep`` (an identifier) or ``neutral``
    (in neither list, e.g. an exchange API secret). ``parts`` are the words of a seed
    phrase or the halves of a split code (secret), or extra keep items inside an identifier.
    """

    role: str
    value: str
    kind: str = ""
    parts: tuple[str, ...] = ()


@dataclass
class Msg:
    variant: str
    text: str
    kinds: list[str]
    secrets: list[str]
    keep: list[str]
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return VARIANT_LANG[self.variant]


def text(value: str) -> Piece:
    return Piece("text", value)


def keep(value: str, *parts: str) -> Piece:
    return Piece("keep", value, parts=parts)


def neutral(value: str) -> Piece:
    return Piece("neutral", value)


def secret(kind: str, value: str, *parts: str) -> Piece:
    return Piece("secret", value, kind=kind, parts=parts)


# --------------------------------------------------------------------------- identifiers

HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rhex(rng: random.Random, n: int) -> str:
    return rng.randbytes(n).hex()


def rdigits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def ralnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(n))


def eth_addr(rng: random.Random) -> str:
    raw = "0x" + rhex(rng, 20)
    return raw if rng.random() < 0.25 else str(to_checksum_address(raw))


def btc_addr(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.25:
        return b58check(b"\x00" + rng.randbytes(20))
    if pick < 0.45:
        return b58check(b"\x05" + rng.randbytes(20))
    if pick < 0.85:
        return segwit_address("bc", 0, rng.randbytes(20))
    return segwit_address("bc", 1, rng.randbytes(32))


def tron_addr(rng: random.Random) -> str:
    return b58check(b"\x41" + rng.randbytes(20))


def xrp_addr(rng: random.Random) -> str:
    return b58check(b"\x00" + rng.randbytes(20), alphabet=base58.RIPPLE_ALPHABET)


def amount(rng: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: f"{rng.randint(2, 48) * 250:,} USDT",
        lambda: f"{rng.randint(1, 900) / 100:.2f} ETH",
        lambda: f"{rng.randint(5, 400) / 1000:.3f} BTC",
        lambda: f"{rng.randint(3, 90) * 100}U",
        lambda: f"¥{rng.randint(4, 120) * 500:,}",
        lambda: f"HK${rng.randint(2, 60) * 1000:,}",
        lambda: f"RM {rng.randint(5, 80) * 100:,}",
        lambda: f"S${rng.randint(3, 70) * 100:,}",
        lambda: f"NT${rng.randint(2, 40) * 5000:,}",
        lambda: f"{rng.randint(100, 99999)} TRX",
        lambda: f"{rng.randint(10, 4000)}.{rng.randint(10, 99)} USDC",
    ]
    return rng.choice(forms)()


def cny(rng: random.Random) -> str:
    return rng.choice(["{:,}元", "¥{:,}", "{:,} RMB", "{:,} CNY"]).format(rng.randint(3, 300) * 100)


def date(rng: random.Random) -> str:
    y = rng.choice([2023, 2024, 2025])
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    forms = [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}/{m}/{d}",
        f"{d} {months[m - 1]} {y}",
        f"{m}月{d}日",
        f"{d:02d}/{m:02d}/{y}",
    ]
    return rng.choice(forms)


def phone(rng: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: "1" + rng.choice("3456789") + rdigits(rng, 9),
        lambda: f"+852 {rng.choice('569')}{rdigits(rng, 3)} {rdigits(rng, 4)}",
        lambda: f"+65 {rng.choice('89')}{rdigits(rng, 3)} {rdigits(rng, 4)}",
        lambda: f"+60 1{rng.randint(0, 9)}-{rdigits(rng, 3)} {rdigits(rng, 4)}",
        lambda: f"09{rng.randint(10, 89)}-{rdigits(rng, 3)}-{rdigits(rng, 3)}",
        lambda: f"+86 1{rng.choice('3589')}{rdigits(rng, 1)} {rdigits(rng, 4)} {rdigits(rng, 4)}",
    ]
    return rng.choice(forms)()


def email(rng: random.Random) -> str:
    names = [
        "kelvin.wong",
        "xiaoming",
        "ahtan",
        "lily_chen",
        "mr.lim",
        "jackyho",
        "wangfang",
        "siti.aminah",
        "nicholas.goh",
        "cryptomama",
        "hodl.andy",
        "yuki.lam",
    ]
    domains = ["gmail.com", "qq.com", "163.com", "yahoo.com.hk", "outlook.com", "hotmail.sg"]
    return f"{rng.choice(names)}{rng.randint(1, 999)}@{rng.choice(domains)}"


def order_no(rng: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: rdigits(rng, 19),
        lambda: "P2P" + rdigits(rng, 16),
        lambda: (
            f"OTC-{rng.randint(23, 25)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            + f"-{rng.randint(1, 999):04d}"
        ),
        lambda: "#" + rdigits(rng, 11),
        lambda: "C2C" + rdigits(rng, 12),
    ]
    return rng.choice(forms)()


def explorer_url(rng: random.Random) -> Piece:
    pick = rng.randrange(5)
    if pick == 0:
        h = "0x" + rhex(rng, 32)
        return keep("https://etherscan.io/tx/" + h, h)
    if pick == 1:
        h = "0x" + rhex(rng, 32)
        return keep("https://bscscan.com/tx/" + h, h)
    if pick == 2:
        h = rhex(rng, 32)
        return keep("https://tronscan.org/#/transaction/" + h, h)
    if pick == 3:
        h = rhex(rng, 32)
        return keep("https://mempool.space/tx/" + h, h)
    h = b58(rng.randbytes(64))
    return keep("https://solscan.io/tx/" + h, h)


def api_secret(rng: random.Random) -> str:
    return ralnum(rng, 64)


ERROR_CODES = ["-1021", "-1022", "-2010", "-2015", "-1013", "50113", "51008", "10006", "170131"]
PHISH = [
    "wallet-sync-support.net",
    "metamask-restore.io",
    "dapp-validate.org",
    "secure-walletconnect.app",
    "ledgerdesk-helpcenter.com",
    "trustwallet-rectify.net",
]
RPCS = [
    "https://rpc.ankr.com/eth",
    "https://bsc-dataseed.binance.org",
    "https://polygon-rpc.com",
    "https://arb1.arbitrum.io/rpc",
    "http://127.0.0.1:8545",
    "https://mainnet.base.org",
]
WALLETS = ["MetaMask", "Trust Wallet", "imToken", "TokenPocket", "OKX Wallet", "Exodus", "Bitget"]


def _ts(rng: random.Random) -> str:
    return str(rng.randint(1_700_000_000_000, 1_760_000_000_000))


IDENT: dict[str, Callable[[random.Random], Piece]] = {
    "eth": lambda r: keep(eth_addr(r)),
    "tx": lambda r: keep("0x" + rhex(r, 32)),
    "btctx": lambda r: keep(rhex(r, 32)),
    "trontx": lambda r: keep(rhex(r, 32)),
    "xrptx": lambda r: keep(rhex(r, 32).upper()),
    "btc": lambda r: keep(btc_addr(r)),
    "trx": lambda r: keep(tron_addr(r)),
    "xrp": lambda r: keep(xrp_addr(r)),
    "sol": lambda r: keep(b58(r.randbytes(32))),
    "solsig": lambda r: keep(b58(r.randbytes(64))),
    "tag": lambda r: keep(rdigits(r, r.randint(6, 9))),
    "memo": lambda r: keep(rdigits(r, r.randint(7, 10))),
    "uid": lambda r: keep(rdigits(r, r.randint(8, 9))),
    "order": lambda r: keep(order_no(r)),
    "oid": lambda r: keep(rdigits(r, 11)),
    "amt": lambda r: keep(amount(r)),
    "cny": lambda r: keep(cny(r)),
    "date": lambda r: keep(date(r)),
    "phone": lambda r: keep(phone(r)),
    "email": lambda r: keep(email(r)),
    "err": lambda r: keep(r.choice(ERROR_CODES)),
    "sig": lambda r: keep(hmac.new(r.randbytes(32), r.randbytes(40), hashlib.sha256).hexdigest()),
    "esig": lambda r: keep("0x" + rhex(r, 65)),
    "b64sig": lambda r: keep(base64.b64encode(r.randbytes(32)).decode("ascii")),
    "ts": lambda r: keep(_ts(r)),
    "nonce": lambda r: keep(_ts(r) + str(r.randint(100, 999))),
    "iso": lambda r: keep(
        f"2025-0{r.randint(1, 9)}-{r.randint(10, 28)}T0{r.randint(0, 9)}:{r.randint(10, 59)}:"
        f"{r.randint(10, 59)}.{r.randint(100, 999)}Z"
    ),
    "wid": lambda r: keep(rhex(r, 16)),
    "ref": lambda r: keep("".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))),
    "case": lambda r: keep(f"CS-{r.randint(100000, 999999)}"),
    "coid": lambda r: keep("x-" + ralnum(r, 14)),
    "price": lambda r: keep(f"{r.randint(1500, 98000)}.{r.randint(1, 9)}"),
    "qty": lambda r: keep(f"0.{r.randint(1, 99):02d}"),
    "url": explorer_url,
    "rpc": lambda r: keep(r.choice(RPCS)),
    "chain": lambda r: keep(r.choice(["56", "137", "42161", "8453", "97", "11155111"])),
    "phish": lambda r: keep(r.choice(PHISH)),
    "xpub": lambda r: keep(
        bip32_key(r.randbytes(32), r.choice(["xprv", "zprv"]), [84, 0, r.randint(0, 2)]).pub
    ),
    "path": lambda r: keep(r.choice(["m/84'/0'/0'", "m/44'/0'/0'", "m/49'/0'/1'"])),
    "apikey": lambda r: neutral(ralnum(r, 64)),
    "apisecret": lambda r: neutral(api_secret(r)),
    "okkey": lambda r: neutral(f"{rhex(r, 4)}-{rhex(r, 2)}-{rhex(r, 2)}-{rhex(r, 2)}-{rhex(r, 6)}"),
    "lk": lambda r: neutral(ralnum(r, 60)),
    "wallet": lambda r: text(r.choice(WALLETS)),
    "mins": lambda r: text(str(r.choice([15, 20, 30, 40, 45, 90]))),
}


# --------------------------------------------------------------------------- secret values


def password(rng: random.Random) -> str:
    surnames = ["zhang", "li", "wang", "chen", "liu", "huang", "lam", "tan", "ng", "lim", "chan"]
    given = ["wei", "jie", "fang", "min", "hui", "kaiming", "meiling", "junhao", "xiaoyu", "siew"]
    words = ["Moon", "Tiger", "Lambo", "Hodl", "Dragon", "Kopi", "Durian", "Panda", "Rocket"]
    forms: list[Callable[[], str]] = [
        lambda: rng.choice(surnames) + rng.choice(given) + str(rng.randint(1960, 2005)),
        lambda: (
            rng.choice(surnames).capitalize()
            + rng.choice(given)
            + f"{rng.randint(1, 12):02d}"
            + f"{rng.randint(1, 28):02d}"
        ),
        lambda: rng.choice(["1qaz2wsx", "Qaz@", "zxcvbnm", "qwer", "Asdf!"]) + rdigits(rng, 4),
        lambda: (
            rng.choice(words)
            + rng.choice(["Soon", "2Moon", "4ever", "King"])
            + rng.choice("!@#$%&*")
            + str(rng.randint(10, 99))
        ),
        lambda: (
            "".join(rng.choice(ALNUM + "!@#$%^&*") for _ in range(rng.randint(10, 16)))
            + rng.choice("0123456789")
        ),
        lambda: (
            rng.choice(["woaini", "facai", "wodemima", "jiayou", "aini"])
            + rng.choice(["1314", "520", "888", "666", "168"])
            + rng.choice(["", "", "!", "abc", "Ab"])
        ),
        lambda: f"Aa{rng.randint(1970, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        lambda: (
            rng.choice(["Kopi-O-", "Teh-C-", "Char-Siu-", "Nasi-Lemak-"]) + str(rng.randint(10, 99))
        ),
        lambda: (
            rng.choice(["dimsum", "boba", "hotpot", "xiaolongbao"])
            + rng.choice(["_", ".", ""])
            + str(rng.randint(2015, 2025))
            + rng.choice(["!", "?", "#"])
        ),
    ]
    while True:
        pw = rng.choice(forms)()
        if 6 <= len(pw) <= 20 and not pw.endswith((".", ",")) and "'" not in pw:
            return pw


def otp_piece(rng: random.Random, split_ok: bool = True) -> Piece:
    code = f"{rng.randint(0, 999999):06d}"
    if split_ok and rng.random() < 0.2:
        a, b = code[:3], code[3:]
        return secret("otp_code", f"{a} {b}", a, b)
    return secret("otp_code", code)


def pk_string(rng: random.Random, k: bytes) -> str:
    h = k.hex()
    pick = rng.random()
    if pick < 0.5:
        return "0x" + h
    if pick < 0.85:
        return h
    if pick < 0.93:
        return h.upper()
    return "0x" + h.upper()


# --------------------------------------------------------------------------- seed phrases

MNEMO: dict[str, Mnemonic] = {}


def mnemo(lang: str) -> Mnemonic:
    if lang not in MNEMO:
        MNEMO[lang] = Mnemonic(lang)
    return MNEMO[lang]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def wordset(lang: str) -> set[str]:
    return {nfc(str(w)) for w in mnemo(lang).wordlist}


def seed_words(rng: random.Random, lang: str, count: int) -> list[str]:
    nbytes = {12: 16, 15: 20, 18: 24, 21: 28, 24: 32}[count]
    phrase = str(mnemo(lang).to_mnemonic(rng.randbytes(nbytes)))
    assert mnemo(lang).check(phrase), lang
    words = [nfc(w) for w in phrase.split()]
    assert len(words) == count
    return words


LOOKALIKE_PAIRS = (
    "已己 己已 己巳 未末 末未 未朱 大犬 太犬 天夭 人入 入人 土士 士土 日曰 王玉 玉王 白自 自白 "
    "千干 干千 午牛 牛午 刀刁 力刀 贝见 见贝 乌鸟 鸟乌 母毋 免兔 兔免 折拆 拆折 候侯 侯候 "
    "辨辩 辩辨 即既 既即 采釆 休体 体休 准淮 问间 间问 拔拨 拨拔 洒酒 酒洒 历厉 厉历 治冶 "
    "幕暮 暮幕 崇祟 撤撒 撒撤 特持 持特 师帅 帅师 享亨 貝見 見貝 鳥烏 烏鳥 問間 間問 師帥 "
    "帥師 今令 令今 八人 仓仑 微徽 外处 找伐 清请 请清 晴睛 喝渴 渴喝 壁璧 密蜜 蜜密 编遍 "
    "遍编 綠緣 緣綠 麥夌 賣買 買賣 讀續 續讀 爭淨 員貝 東柬 柬東 車東 兩雨 雨兩 田由 由甲 "
    "甲申 申由 太大 犬太"
)
KEYBOARD_NEAR = {
    "a": "sq",
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


def lookalikes(lang: str) -> dict[str, list[str]]:
    words = wordset(lang)
    out: dict[str, list[str]] = {}
    for pair in LOOKALIKE_PAIRS.split():
        src, dst = pair[0], pair[1]
        if src in words and dst not in words:
            out.setdefault(src, []).append(dst)
    return out


def typo_word(rng: random.Random, lang: str, words: list[str]) -> tuple[list[str], int]:
    """Return the phrase with one mistyped word and its index."""
    valid = wordset(lang)
    out = list(words)
    if lang.startswith("chinese"):
        table = lookalikes(lang)
        spots = [i for i, w in enumerate(words) if w in table]
        if not spots:
            raise Retry
        i = rng.choice(spots)
        out[i] = rng.choice(table[words[i]])
        return out, i
    alphabet = sorted({c for w in valid for c in w if c.isalpha()})
    for _ in range(50):
        i = rng.randrange(len(words))
        w = words[i]
        op = rng.choice(["change", "drop", "double", "swap"])
        j = rng.randrange(len(w))
        if op == "change":
            near = KEYBOARD_NEAR.get(w[j], "") if lang == "english" else ""
            repl = rng.choice(near or "".join(alphabet))
            new = w[:j] + repl + w[j + 1 :]
        elif op == "drop":
            new = w[:j] + w[j + 1 :]
        elif op == "double":
            new = w[: j + 1] + w[j] + w[j + 1 :]
        else:
            if j + 1 >= len(w) or w[j] == w[j + 1]:
                continue
            new = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        if len(new) >= 3 and new != w and new not in valid:
            out[i] = new
            return out, i
    raise Retry


def strip_accents(word: str) -> str:
    return nfc(
        "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    )


def script_of(lang: str) -> str:
    if lang.startswith("chinese"):
        return "cjk"
    if lang == "japanese":
        return "ja"
    if lang == "korean":
        return "ko"
    return "latin"


def _grid(cells: list[str], per_row: int, pad: int) -> str:
    rows = []
    for start in range(0, len(cells), per_row):
        row = cells[start : start + per_row]
        rows.append("".join(c.ljust(pad) for c in row[:-1]) + row[-1])
    return "\n".join(rows)


def layout_seed(rng: random.Random, words: list[str], script: str, mode: str) -> tuple[str, str]:
    """Lay a phrase out the way a customer would type it. Returns (block, layout name)."""
    n = len(words)
    if mode == "code":
        return (
            "\u3000".join(words) if script == "ja" and rng.random() < 0.5 else " ".join(words)
        ), "code"
    if script == "latin":
        names = ["space", "space", "double", "num_dot", "num_dot_sp", "num_paren", "comma"]
        names += ["comma_tight", "slash", "upper", "cap_first"]
        if mode == "any":
            names += ["lines", "lines_num", "lines_word", "lines_zero", "grid3", "grid4", "rows4"]
            names += ["dash", "hash_num"]
    elif script == "cjk":
        names = [
            "space",
            "tight",
            "tight",
            "num_dun",
            "num_dun_tight",
            "dun",
            "fullcomma",
            "group4",
        ]
        names += ["num_dot"]
        if mode == "any":
            names += ["lines", "lines_num", "grid4", "rows_tight", "paren_full"]
    elif script == "ja":
        names = ["ideo", "ideo", "space"] + (["lines_num"] if mode == "any" else [])
    else:
        names = ["space", "space", "num_dot_sp"] + (["lines", "lines_num"] if mode == "any" else [])
    name = rng.choice(names)
    w = list(words)
    if name == "upper":
        return " ".join(x.upper() for x in w), name
    if name == "cap_first":
        return " ".join([w[0].capitalize(), *w[1:]]), name
    if name == "space":
        return " ".join(w), name
    if name == "ideo":
        return "\u3000".join(w), name
    if name == "tight":
        return "".join(w), name
    if name == "double":
        seps = [rng.choice([" ", " ", "  "]) for _ in range(n - 1)]
        seps[rng.randrange(n - 1)] = "  "
        return "".join(a + b for a, b in zip(w, [*seps, ""], strict=True)), name
    if name == "num_dot":
        return " ".join(f"{i}.{x}" for i, x in enumerate(w, 1)), name
    if name == "num_dot_sp":
        return " ".join(f"{i}. {x}" for i, x in enumerate(w, 1)), name
    if name == "num_paren":
        return " ".join(f"{i}) {x}" for i, x in enumerate(w, 1)), name
    if name == "hash_num":
        return " ".join(f"#{i} {x}" for i, x in enumerate(w, 1)), name
    if name == "comma":
        return ", ".join(w), name
    if name == "comma_tight":
        return ",".join(w), name
    if name == "slash":
        return " / ".join(w), name
    if name == "dash":
        return "-".join(w), name
    if name == "lines":
        return "\n".join(w), name
    if name == "lines_num":
        return "\n".join(f"{i}. {x}" for i, x in enumerate(w, 1)), name
    if name == "lines_word":
        return "\n".join(f"Word {i}: {x}" for i, x in enumerate(w, 1)), name
    if name == "lines_zero":
        return "\n".join(f"{i:02d} {x}" for i, x in enumerate(w, 1)), name
    if name in ("grid3", "grid4"):
        per = 3 if name == "grid3" else 4
        cells = [f"{i}. {x}" for i, x in enumerate(w, 1)]
        return _grid(cells, per, max(len(c) for c in cells) + 3), name
    if name == "rows4":
        return "\n".join(" ".join(w[i : i + 4]) for i in range(0, n, 4)), name
    if name == "num_dun":
        return " ".join(f"{i}、{x}" for i, x in enumerate(w, 1)), name
    if name == "num_dun_tight":
        return "".join(f"{i}、{x}" for i, x in enumerate(w, 1)), name
    if name == "dun":
        return "、".join(w), name
    if name == "fullcomma":
        return "，".join(w), name
    if name == "group4":
        size = rng.choice([3, 4])
        return " ".join("".join(w[i : i + size]) for i in range(0, n, size)), name
    if name == "grid4":
        cells = [f"{i}.{x}" for i, x in enumerate(w, 1)]
        return _grid(cells, 4, 6), name
    if name == "rows_tight":
        return "\n".join("".join(w[i : i + 4]) for i in range(0, n, 4)), name
    if name == "paren_full":
        return " ".join(f"（{i}）{x}" for i, x in enumerate(w, 1)), name
    raise AssertionError(name)


def cased_words(block_name: str, words: list[str]) -> list[str]:
    if block_name == "upper":
        return [w.upper() for w in words]
    if block_name == "cap_first":
        return [words[0].capitalize(), *words[1:]]
    return list(words)


# --------------------------------------------------------------------------- templates
# Placeholders: {seed} any layout, {seedline} one-line layouts, {seedcode} plain spaces,
# {pk}/{addr}, {wif}/{btcaddr}/{etype}, {xprv}/{xpubm}/{xpath}, {pw}/{pw2}/{pwnum}, {otp},
# and the identifiers in IDENT. {{ and }} are literal braces.

T: dict[str, list[str]] = {}

T["seed/zh_s"] = [
    "救命！！钱包里的币全没了，我把助记词发给你们，看看是不是被盗了：\n{seed}\n"
    "地址 {eth} 里面现在只剩 {amt}",
    "客服你好，我是老用户了。之前抄在本子上的助记词是 {seedline} ，为什么导进去余额是 0 呢？",
    "刚才有个自称官方客服的人加了我电报，说账户异常要验证助记词，我已经发给他了😭\n{seed}\n"
    "是不是被骗了啊",
    "帮我爸问的，他年纪大看不清，我照着纸上念：{seedline}。麻烦查一下钱还在不在",
    "导入钱包一直提示助记词无效，检查好几遍了\n{seed}\n是不是哪个字抄错了？",
    "在吗在吗 急急急!!! {seedline} 这是我的{n}个助记词 帮我看看币还在不在",
    "UID {uid}，昨晚冷钱包被转走 {amt}，转出哈希 {tx}。助记词只存在手机备忘录里：\n{seed}\n"
    "会不会是手机中毒了",
    "你们那个插件让我重新输入助记词，我就输了\n{seed}\n然后币就没了，网址是 {phish}",
    "助记词：{seed}\n钱包地址：{eth}\n麻烦帮忙冻结一下转出去的币，谢谢",
    "这是我截图里的助记词，手打的，可能有错字\n{seed}",
    "请问助记词是这个顺序吗？{seedline} 我怕抄反了",
    "p2p的卖家说要帮我验资，让我把钱包助记词给他，我给了：{seedline}，现在usdt没了怎么办呢",
    "我的{wallet}恢复不了，{n}个词如下\n{seed}\n客服帮我看下吧",
    "你好我想问一下就是我那个助记词是 {seedline} 然后我导进去以后看不到我的币了是不是链选错了呀",
    "我把助记词存成了txt文件，内容是：\n```\n{seed}\n```\n今天发现这个文件被人打开过",
    "昨天群里那个技术员说要帮我升级钱包，问我要助记词，我就给了：{seedline} 。"
    "然后 {amt} 就被转到 {eth} 了",
]
T["seed/zh_t"] = [
    "你好，我部電話壞咗，用新手機匯入錢包，助記詞係：\n{seed}\n但係入面一個幣都冇，點算好？",
    "救命呀！我啲幣全部唔見咗，啱啱有個客服叫我喺網站輸入助記詞 {seedline} ，之後就俾人轉走晒",
    "請問我的助記詞這樣寫對嗎？\n{seed}\n是照紙本抄下來的",
    "我阿媽嘅錢包，佢寫低咗喺簿仔度：{seedline}，麻煩幫手睇下仲有冇得救",
    "匯入錢包一直顯示助記詞錯誤：{seedline}，係咪有個字寫錯咗？",
    "您好，我在台灣，上週被假客服騙走 {amt}，他要我提供助記詞，我給了：\n{seed}\n"
    "請問還追得回來嗎？",
    "唔該幫我查下 UID {uid}，我個錢包助記詞 {seedline} 係咪已經洩漏咗",
    "我的錢包被盜了，幣被轉到 {eth}，助記詞如下\n{seed}\n拜託你們了🙏",
]
T["seed/en"] = [
    "URGENT!!! wallet drained 20 min ago. here's my recovery phrase so you can check: {seedline}. "
    "please freeze {eth} asap",
    "Hi team, I'm restoring an old wallet from a paper backup. The words are:\n{seed}\n"
    "But the balance shows zero. Did I copy something wrong?",
    "A guy called 'Mike from Support' on Telegram told me to verify my wallet by typing my "
    "seed words into a form. I did:\n{seed}\nWas that really you guys??",
    "my seed freeze is {seedline} i cant get into my wallet pls help",
    "Hello, my dad wrote this down before he passed away. We think it is his wallet backup:\n"
    "{seed}\nCan you tell us what is in it?",
    "Import fails with 'invalid mnemonic'.\nPhrase: {seedline}\nWallet app: {wallet}\nAny idea?",
    "hey so the recovery words are {seedline} and the app keeps saying checksum error, "
    "is one of them wrong?",
    "Forwarding what the 'agent' asked me for. I already sent it to him 😢\n\n"
    "> Please provide your secret words for wallet synchronization\n\n{seed}",
    "bot config below, wallet won't load\n\n"
    'MNEMONIC="{seedcode}"\nRPC_URL={rpc}\nCHAIN_ID={chain}',
    'const wallet = ethers.Wallet.fromPhrase("{seedcode}");\n// throws: invalid mnemonic\n'
    "can someone look",
    "ok so i wrote the words down like this\n{seed}\nand now {wallet} says the phrase is wrong",
    "I'm a P2P seller. The buyer said he needed my wallet words to release escrow, and I gave "
    "him: {seedline} — now order {order} shows completed but I never got paid",
    "Is this phrase compromised? {seedline}. I typed it on {phish} yesterday.",
    "Hi can help me check or not, my recovery phrase is {seedline}, wallet empty already leh",
    "Boss, my wallet kena hacked. Phrase is {seedline}. Please help lah",
    "Backup card from the drawer says:\n{seed}\n"
    "That's all I have, no idea if there was a passphrase",
]
T["seed/mixed"] = [
    "我的 seed phrase 是 {seedline}，import 去 {wallet} 之后 balance 是 0，can you check？",
    "Hi 客服, wallet 被 hack 了!! recovery phrase:\n{seed}\n麻烦帮我 check 一下 {eth}",
    "Sorry 我中文唔太好, my mnemonic 係 {seedline}, 唔該幫我睇下",
    "hello 想问下 zhu ji ci 是不是这个 {seedline} 我 import 不了",
]
T["seedpw/zh_s"] = ["钱包密码 {pw}，助记词：\n{seed}\n帮我恢复一下，谢谢"]
T["seedpw/zh_t"] = ["錢包密碼係 {pw}，助記詞係 {seedline} ，唔該幫我還原"]
T["seedpw/en"] = [
    "Wallet password is {pw} and the backup words are\n{seed}\nplease restore it for me"
]

T["pk/zh_s"] = [
    "我的私钥是 {pk}，对应地址 {addr}，为什么在你们网页钱包导入不了？",
    "刚才有人说帮我解冻账户需要导出私钥，我就把 {pk} 发过去了。我的地址 {addr}，"
    "币被转走了，交易是 {tx}",
    "小狐狸导出的私钥：{pk}\n地址：{addr}\n能不能帮我把币追回来",
    "客服，我用私钥导入提示格式错误，私钥 {pk} 是64位的没错吧？",
    "跑量化机器人的时候日志把私钥打出来了：{pk} 是不是要马上换钱包啊",
    "密钥 {pk}（地址 {addr}），麻烦看看有没有泄露",
    "我在群里手滑发了私钥 {pk} ，撤回了但可能被人看到了，{addr} 还安全吗",
    "这个是私钥吗 {pk} 我不太懂，朋友发我的，说里面有 {amt}",
]
T["pk/zh_t"] = [
    "我嘅私鑰係 {pk}，地址 {addr}，點解匯入唔到？",
    "請幫我確認這把私鑰 {pk} 是不是對應 {addr}，謝謝",
    "被詐騙集團騙走私鑰 {pk}，錢包 {addr} 的資產已經被轉走，交易雜湊 {tx}",
    "我由 MetaMask 匯出咗私鑰：{pk}，想轉去你哋錢包用",
]
T["pk/en"] = [
    ".env:\nPRIVATE_KEY={pk}\nRPC={rpc}\n\nbot says insufficient funds but {addr} has balance",
    'Traceback (most recent call last):\n  File "sniper.py", line 57, in buy\n'
    '    signed = w3.eth.account.sign_transaction(tx, "{pk}")\n'
    "ValueError: {{'code': -32000, 'message': 'nonce too low'}}",
    'module.exports = {{\n  networks: {{\n    bsc: {{ url: "{rpc}", accounts: ["{pk}"] }},\n'
    "  }},\n}};\n\ndeploy keeps failing with 'replacement fee too low'",
    "my private key is {pk} can u move the coins from {addr} to my exchange account, uid {uid}",
    "exported pk from metamask: {pk}. address {addr}. is it safe to paste here?",
    "key = '{pk}'  # TODO move to vault\nacct = Account.from_key(key)\n"
    "-> web3 error {{'code': -32010}} when sending from {addr}",
    "The scammer's 'recovery tool' asked for the raw key. I gave: {pk}\nwallet {addr}\n"
    "drain tx {tx}",
    "privet key {pk} (sorry autocorrect lol) - wallet {addr}",
    "PRIVATE KEY: {pk}\nPUBLIC ADDRESS: {addr}\n\nplease help me recover funds, the attacker "
    "sent everything out in {tx}",
    "ledger live won't take this, is it the wrong format? {pk}",
    "Tx {tx} went through but the tokens never arrived. Signing key was {pk} if that helps",
    'hi, i\'m using python web3 and get "invalid sender". from_key("{pk}") then chain id {chain}',
]
T["pk/mixed"] = [
    "我的 private key 是 {pk}，address {addr}，can help 转出来吗",
    "Bot 报错 invalid sender，PRIVATE_KEY={pk}，chainId {chain}",
    "私钥 {pk} 我 import 进 {wallet} 了，但 balance 唔啱",
    "请帮我 check 下 {addr}，pk 是 {pk}，thanks",
]

T["wif/zh_s"] = [
    "旧的比特币钱包导出的私钥是 {wif}，地址 {btcaddr}，怎么导入到你们这边？",
    "我的WIF私钥 {wif} 是不是泄露了？地址 {btcaddr} 的余额从 {amt} 变成了 0",
    "2013年的纸钱包，上面印着私钥 {wif} 和地址 {btcaddr}，现在还能用吗",
    "Electrum 导出的结果是这样的：\n{btcaddr}  {etype}:{wif}\n要怎么扫到交易所账户？",
    "测试网的 WIF 是 {wif}，地址 {btcaddr}，水龙头的币一直没到",
]
T["wif/zh_t"] = [
    "紙錢包上面寫住私鑰 {wif}，地址係 {btcaddr}，請問點樣提取？",
    "這是我以前的比特幣私鑰 {wif}，對應地址 {btcaddr}，可以匯入嗎？",
]
T["wif/en"] = [
    "Found a paper wallet from 2014. Public: {btcaddr} Private: {wif}. How do I sweep it?",
    'bitcoin-cli importprivkey "{wif}" "old" false\nerror code: -4\n'
    "error message: Wallet is currently rescanning. Abort existing rescan or wait.",
    "testnet faucet bot: WIF {wif} -> {btcaddr}, coins not showing",
    "is this a private key? {wif} my uncle left it on a usb stick with the address {btcaddr}",
    "Electrum export:\n{btcaddr}\t{etype}:{wif}\nwhat do I do with this",
    "sweep failed for {wif} (address {btcaddr}), says no UTXOs",
]
T["wif/mixed"] = ["我有一个 WIF key {wif}，address 是 {btcaddr}，点 import 啊？"]

T["xprv/zh_s"] = [
    "扩展私钥 {xprv} 导入后地址对不上，派生路径用的是 {xpath}",
    "这个是我的主私钥 {xprv}，对应的公钥是 {xpubm}，哪个可以给记账软件用？",
    "从 iancoleman 页面复制的 BIP32 根密钥：{xprv}，能不能帮我看看余额",
    "我在老钱包里导出了 {xprv} ，是不是就等于把钱包给别人了？",
    "测试网的扩展私钥 {xprv}，路径 {xpath}，地址生成的不对",
]
T["xprv/zh_t"] = [
    "延伸私鑰 {xprv}，請問可以匯入你們的錢包嗎？",
    "我個 xprv 係 {xprv}，xpub 係 {xpubm}，邊個可以俾人睇？",
]
T["xprv/en"] = [
    "I exported the account key from my wallet: {xprv}\npath {xpath}\nbalance is missing",
    "xpub: {xpubm}\nxprv: {xprv}\nwhich one do I give to the accountant?",
    "BIP32 root key (from iancoleman): {xprv}",
    'config.yaml\nwallet:\n  xprv: {xprv}\n  derivation: "{xpath}"\n  network: testnet\n\n'
    "the daemon derives the wrong change addresses",
    "zprv for my watch-only?? {xprv} sorry think i pasted the wrong one, the zpub is {xpubm}",
    "Sparrow shows master key {xprv} - is it safe to import into your app?",
]
T["xprv/mixed"] = ["我的 xprv 是 {xprv}，import 之后 address 全部唔同"]
T["xprvpw/en"] = ["Electrum wallet password is {pw}, master private key {xprv}, please recover it"]

T["pw/zh_s"] = [
    "我的登录密码是 {pw}，邮箱 {email}，一直登不上去",
    "资金密码忘了，我记得可能是 {pw}，能帮我重置一下吗",
    "账号 {phone} 密码 {pw} 你们帮我登进去看看吧",
    "mima 是 {pw}，账号是 {email}，帮我看看为啥登录不了",
    "我把密码改成 {pw} 了，还是提示错误",
    "假客服让我提供支付密码，我说了 {pw}，后来账户里的 {amt} 就被提走了",
    "登录密码：{pw}\n资金密码：{pw2}\n都是对的，就是进不去",
    "密码{pw}，UID {uid}，急！！",
    "我老婆帮我设置的密码好像是 {pw}，也可能大小写不对",
    "交易密码是六位数 {pwnum} 吗？我试了好几次都锁住了",
]
T["pw/zh_t"] = [
    "我個密碼係 {pw}，登入唔到呀",
    "密碼：{pw}　帳號：{email}　麻煩幫我看看",
    "登入密碼我剛改成 {pw}，但還是被鎖住",
    "資金密碼應該係 {pw}，但係話我錯咗五次",
]
T["pw/en"] = [
    "Login: {email}\nPassword: {pw}\nplease just log in and fix it",
    "my pwd is {pw} and it still says incorrect credentials",
    "the password I set yesterday was {pw} and today it doesn't work??",
    "Hi, I can't log in. Email {email} / pass {pw}. Thanks",
    "pass word is {pw} (i think the app capitalised the first letter)",
    "EXCHANGE_USER={email}\nEXCHANGE_PASS={pw}\nAPI_KEY={apikey}\n"
    "the login step of my script fails with 403",
    "my password {pw} correct one leh but cannot login",
    "Your agent asked me for my account password and I gave it: {pw}. Then my {amt} was "
    "withdrawn to {eth}",
    "trading PIN: {pwnum}\nis 6 digits enough? it keeps locking me out",
    "I changed it to {pw} after the breach notice, still locked out. UID {uid}",
]
T["pw/mixed"] = [
    "我的 password 是 {pw}，login 不到",
    "pwd: {pw}，帮我 check 下，account 是 {email}",
    "個 password 係 {pw}，但 app 話 wrong",
]

T["otp/zh_s"] = [
    "验证码 {otp}，你们刚发给我的",
    "谷歌验证码是 {otp}，可以帮我操作提现吗",
    "客服说要我把短信验证码发给他，我发了 {otp}，是不是被骗了",
    "yanzhengma {otp} 收到了 然后呢",
    "邮箱验证码：{otp}",
    "刚收到的验证码{otp}，帮我解绑一下旧手机 {phone}",
    "2FA 验证码是 {otp}，UID {uid}，麻烦快点",
]
T["otp/zh_t"] = [
    "驗證碼係 {otp}，唔該幫我開返個戶口",
    "Google 驗證碼：{otp}",
    "剛剛收到簡訊驗證碼 {otp}，請問要填在哪裡？",
]
T["otp/en"] = [
    "Got the SMS code: {otp}. what now?",
    "2FA: {otp}",
    "google authenticator says {otp} but the app says invalid code",
    "the agent on whatsapp asked for the 6 digit code, I gave him {otp}",
    "OTP {otp} — expires in 60s, quick!",
    "code from the email is {otp}, order {order} still frozen",
    "verification code {otp} sent to {phone}",
]
T["otp/mixed"] = [
    "我收到 OTP 了，{otp}，please help withdraw",
    "SMS code 係 {otp}，幫我 verify 下",
]

T["pwotp/zh_s"] = [
    "账号 {email} 密码 {pw} 谷歌验证码 {otp}，麻烦帮我登录看看为什么提现一直失败",
    "手机号 {phone}\n登录密码 {pw}\n短信验证码 {otp}\n快帮我把币转出来",
]
T["pwotp/zh_t"] = ["帳號 {phone}，密碼 {pw}，驗證碼 {otp}，拜託幫我睇下"]
T["pwotp/en"] = [
    "Email: {email}\nPassword: {pw}\n2FA: {otp}\nplease hurry",
    "user {email} pw {pw} otp {otp}",
    "He asked for my password and the code, I sent '{pw}' and then '{otp}'",
]
T["pwotp/mixed"] = ["login 唔到, password {pw}, Google Auth {otp}"]

# Clean messages with identifiers (hard negatives).
T["clean/zh_s"] = [
    "充值还没到账，TXID：{tx}，金额 {amt}，UID {uid}，麻烦查一下",
    "{tx}\n就是这一笔，转过来好几个小时了还没到",
    "这笔转账 {btctx} 已经有6个确认了，为什么还显示待入账呢？",
    "{url} 你们看一下这个，明明已经成功了",
    "提币到 {eth} 一直在审核，订单号 {order}，提了 {amt}",
    "我的 UID 是 {uid}，绑定的手机 {phone}，换号了想改一下",
    "P2P订单 {order}，我已经付了 {cny}，卖家不放币，已经过了 {mins} 分钟了",
    "XRP 充值忘记填 tag 了，地址 {xrp}，哈希 {xrptx}，正确的 tag 应该是 {tag}",
    "错误码 {err}，下单的时候一直弹出来，是什么意思啊",
    "我要把 {amt} 提到这个地址：{btc}，但是提示地址格式错误",
    "波场地址 {trx} 收到了一笔陌生转账 {amt}，是不是诈骗的",
    "我的 xpub 是 {xpub}，能不能在你们这里设置只读钱包？",
    "邀请码 {ref} 填了但是返佣没有到账",
    "{date} 那天我买了 {amt}，成交价 {price}，为什么账单上不一样",
    "提现编号 {wid}，状态一直是处理中",
    '机器人下单报错：{{"code":{err},"msg":"Timestamp for this request is outside of the '
    'recvWindow."}}',
    "签名一直不对：signature={sig}，timestamp={ts}，请问参数是不是要按字母排序",
    "这个 {tx} 是我转的吗？我不记得了",
    "转账哈希 {trontx}，转到你们的地址 {trx} 已经一天了",
    "{btctx}",
    "验证码发到 {phone} 了吗？我这边一直没收到",
    "订单 {order} 的客服工单号是 {case}，三天了都没人理",
    "我在 {date} 被扣了 {amt} 的手续费，能解释一下吗",
    "充值地址是不是 {trx}？我怕转错了先问问",
    "钱包地址 {eth}\n交易 {tx}\n金额 {amt}\n麻烦查收",
    "USDT 从别的平台转过来了，链上显示成功 {url}",
    "{date} 那根针打到了 {price}，我的止损单没触发，订单号 {oid}",
    "我用的手机号是 {phone}，UID {uid}，人脸一直过不了",
    "Solana 充值签名 {solsig}，到现在都没上账",
    "客服工单 {case} 说让我补充材料，补什么呀？",
]
T["clean/zh_t"] = [
    "我充咗 {amt} 入去，交易哈希 {tx}，到而家都未入帳",
    "訂單編號 {order}，買家話已經俾咗錢，但我戶口冇收到",
    "請問地址 {eth} 是不是你們的充值地址？",
    "提幣去 {btc} 卡咗喺審核中，UID {uid}",
    "錯誤代碼 {err} 係咩意思？",
    "我在 {date} 提領了 {amt}，交易序號 {btctx}，到現在還沒收到",
    "我嘅 UID 係 {uid}，電話 {phone}，想改返電郵",
    "交易 {url} 已經成功，但係錢包未見到",
    "P2P 訂單 {order}，賣家收咗 {cny} 都唔放幣",
    "請問 {xrp} 要不要填標籤？我的標籤是 {tag}",
]
T["clean/en"] = [
    "Deposit of {amt} not credited. Hash: {tx}. UID {uid}.",
    "{btctx}\nthat's the txid, sent 2 hours ago, still nothing",
    "sent to {trx} from another exchange, tx {trontx}, please check",
    "Withdrawal {wid} stuck since {date}. Destination {btc}",
    'Getting {{"code":{err},"msg":"Signature for this request is not valid."}}\nquery: '
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity={qty}&price={price}&timestamp={ts}"
    "&signature={sig}",
    'curl -H "X-MBX-APIKEY: {apikey}" -X DELETE '
    "'https://api.example-exchange.com/api/v3/order?symbol=ETHUSDT&orderId={oid}"
    "&timestamp={ts}&signature={sig}'\n=> 401",
    ".env for my grid bot (I rotated these already):\nAPI_KEY={apikey}\nAPI_SECRET={apisecret}\n"
    "SYMBOL=SOLUSDT\nGRID_LEVELS=40\nwhy does it place only half the orders?",
    'Traceback (most recent call last):\n  File "grid.py", line 88, in place\n'
    "    ex.create_order('BTC/USDT', 'limit', 'buy', {qty}, {price})\n"
    'ccxt.base.errors.InvalidNonce: binance {{"code":-1021,"msg":"Timestamp for this request '
    'is outside of the recvWindow."}}',
    "websocket keeps dropping every 10 min. listenKey={lk} last nonce={nonce}",
    "My xpub {xpub} shows different addresses than your deposit page. Is the path {path}?",
    "Memo {memo} was included, address {eth}, still not credited. tx {tx}",
    "P2P order {order}: buyer paid {cny} to the wrong bank account, his ref {ref}",
    "Solana deposit: signature {solsig}, to {sol}",
    "Ownership proof as requested.\nsignature: {esig}\nmessage: I own {eth} on {date}",
    "Please whitelist these addresses: {btc}, {eth}",
    "[{iso}] ERROR order rejected code={err} clientOrderId={coid} ts={ts}",
    "OK-ACCESS-KEY: {okkey}\nOK-ACCESS-SIGN: {b64sig}\nOK-ACCESS-TIMESTAMP: {iso}\n"
    "response 50113 Invalid Sign",
    "{url}\n^ this one. been 3 hours",
    "Case {case} — you asked for the hash again: {tx}",
    "recvWindow=5000&timestamp={ts}&signature={sig} returns {err}, clock is synced via ntp",
    "verification code goes to {phone}? that number is old, can I update it",
    "Hi, ticket {case}. Order {oid} filled at {price} but my limit was lower",
    "deposit address you gave me: {trx}\nmy tx: {trontx}\namount {amt}",
    "so i sent {amt} on {date} and the hash is {tx} can u check pls",
    "Error {err} when placing order, clientOrderId {coid}",
    "Referral code {ref} didn't apply when I signed up on {date}",
    "Why is my withdrawal to {sol} rejected? amount {amt}",
    "nonce: {nonce}\nsignature: {sig}\nresponse: 'invalid signature'",
]
T["clean/mixed"] = [
    "我的 deposit {tx} 还没 credit，UID {uid}",
    "API 一直 return {err}，signature={sig} nonce={nonce}",
    "P2P order {order} 嘅 seller 唔 release，已經 {mins} 分鐘",
    "withdraw 去 {btc} 好耐都未到，txid {btctx}",
    "请问 {trx} 是不是你们的 hot wallet？收到 {amt} 不知道是谁转的",
    "我 send 咗 {amt} 去 {eth}，hash {tx}，幫我 check",
    "error {err} 一直出，clientOrderId {coid}",
]

# Hand-written clean messages, no identifiers: all of the text must survive.
CLEAN_FIXED: dict[str, list[str]] = {}
CLEAN_FIXED["zh_s"] = [
    "你好，我昨天充的币到现在还没到账呢，是不是你们系统出问题了？",
    "怎么又要重新认证啊，上个月不是刚做过吗",
    "客服在吗？我想问一下提币手续费为什么突然涨了这么多",
    "我是做小生意的，平时就用你们这个平台买点U，今天突然说我的账户有风险，不让我卖了，"
    "我也没干什么啊，到底怎么回事呢？",
    "好的，谢谢你了，我再等等看吧",
    "人呢？？？半小时了都没人回我",
    "为什么我的银行卡被冻结了，跟你们平台有没有关系，我上周在C2C卖了一笔，买家的钱是不是有问题啊",
    "我妈不会用手机，我帮她问一下，她的账户能不能加个紧急联系人",
    "行吧，那我明天再试试",
    "你们这个App更新以后K线图老是卡，手机是华为的，系统也是最新的",
    "请问一下合约爆仓了还能申诉吗？当时明明没到强平价格就被平了",
    "我不是机器人，验证的那个滑块一直拖不过去，怎么办呢",
    "这个活动的奖励什么时候发呀，我邀请了五个朋友了",
    "我刚注册，不太懂，想先买一点点试试，最少要买多少呢",
    "身份证过期了，要不要重新上传？",
    "麻烦快一点好吗，我这边急着用钱",
    "我在外地出差，换了个手机登录就被限制提币了，说是要等二十四小时，这个能不能提前解除啊",
    "昨天晚上你们是不是在维护？我下的单一直没成交",
    "不好意思刚才发错了，忽略上一条吧",
    "我觉得你们的客服态度真的很差，问了三次都是机器人回复",
    "能不能开个发票？公司报销要用的",
    "家里老人问我比特币是不是传销，我该怎么跟他解释呢，哈哈",
    "充值页面上写的是最少充多少来着？我好像看错了",
    "请问你们有没有线下门店？我想当面办",
    "我的账户名字写错了一个字，能改吗",
    "今天行情这么好，为什么提现一直排队呢",
    "上次你们说三个工作日处理，现在已经第五天了",
    "朋友推荐我来的，说你们平台比较安全，是真的吗",
    "我不小心把币转到了另一条链上，这个还能找回来吗？",
    "好的明白了，那就先这样吧，有问题我再来问",
    "事情是这样的：上个月我在你们平台上跟一个商家做了一笔交易，当时他说可以先放币再付款，"
    "我就信了。结果到现在钱也没收到，人也联系不上了。我手上有聊天记录和转账截图，"
    "想问一下你们能不能帮忙处理，或者至少把这个人的账户封掉，不要让他再去骗别人了。",
    "我今年六十多了，眼睛不好，字太小看不清，能不能把字体调大一点？",
    "你好呀，想问问新手有没有什么教程可以看的",
    "为什么要人脸识别？我在地下室信号不好，老是失败",
    "我的邀请码填错了，还能改过来吗",
    "你们这个理财产品是保本的吗？年化是多少呢",
    "其实我也不知道该问什么，就是觉得最近账户里的钱好像少了一点",
    "刚才那个问题解决了，谢谢啦👍",
    "可以用支付宝付款吗？还是只能银行卡",
    "我想注销账户，需要什么手续呢",
    "老公说让我别再炒币了，可是我已经亏了一半，想把剩下的取出来，要怎么操作呢",
    "哎呀又卡住了，点了好几次都没反应，是不是网不好啊",
    "我看新闻说有交易所跑路了，你们不会也这样吧？心里有点慌",
    "说实话我真不懂这些，儿子给我装的软件，他出国了我问不了他",
]
CLEAN_FIXED["zh_t"] = [
    "你好，我想問下點解我嘅提款一直未到？已經等咗成日喇",
    "唔該晒，我聽日再試下",
    "點解要我再上傳一次身份證？上個禮拜咪上傳咗囉",
    "請問台灣的銀行可以直接入金嗎？",
    "客服你好，我的帳戶被凍結了，可以告訴我原因嗎？",
    "咁即係要等幾耐先得呀？",
    "我阿爸唔識用手機，我幫佢問下可唔可以改返個電話號碼",
    "你們的App在我的iPhone上一直閃退，已經重新安裝過了",
    "好呀，冇問題，等你哋消息",
    "呢個活動嘅獎勵幾時派呀？",
    "我係香港用戶，想問下可唔可以用轉數快入錢",
    "請問手續費是怎麼計算的？我看不太懂",
    "其實我都唔係好明，點解我個單會俾人取消咗",
    "謝謝你的耐心解答，我再研究一下",
    "我在新加坡，可以用 PayNow 嗎？",
    "做咗三次人臉識別都唔得，係咪系統有問題呀",
    "上次那筆交易到底處理好了沒有啊？",
    "我想問一下，如果我搬去馬來西亞住，帳戶仲用唔用得？",
    "今日個市好亂，我嘅單成交唔到，係咪你哋個系統慢咗？",
]
CLEAN_FIXED["en"] = [
    "hi, my withdrawal has been pending for 3 hours, is there maintenance?",
    "Why was my account restricted? I didn't do anything wrong",
    "ok thanks, I'll wait",
    "Can you please tell me the minimum deposit for USDT on TRC20?",
    "hello yes so i was trying to buy some bitcoin on the app this morning and it kept saying "
    "payment failed and then my bank called me asking if i made a purchase and i said yes and "
    "now the card is blocked can you tell me what happened",
    "Is there a fee for internal transfers between accounts?",
    "I am a bit confused about the difference between the spot and funding wallet",
    "wah the app so slow today, cannot even load the chart leh",
    "Can help check why my KYC still pending? Already 5 days liao",
    "My grandma wants to open an account, is there an age limit?",
    "Thanks for the quick reply, problem solved!",
    "How long does a bank transfer usually take to arrive?",
    "The price on the chart and the price in the order book are different, why?",
    "boss why my P2P order kena cancelled automatically ah",
    "I think someone is impersonating your support team on Telegram, please warn users",
    "Please close my account, I don't want to use the service anymore",
    "Where do I download the monthly statement for tax purposes?",
    "Can I change the email address linked to my account?",
    "the verification email never arrives, i checked spam too",
    "Do you have a referral program for businesses?",
    "Hello, is the staking reward paid daily or weekly?",
    "I'm travelling to Japan next week, will logging in from there trigger a lock?",
    "why does it say 'region not supported' when I'm in Malaysia",
    "hey just wanted to say your support team helped me a lot last time, thank you",
    "Before the appointment I need: passport, bank letter, phone bill, pen, photo, folder",
    "Please check the account balance again, the total was wrong after the system update and "
    "the price alert also failed",
    "Column names in my tax sheet: amount, price, coin, fee, profit, total, market, order, "
    "balance, account, note, office, history",
    "lol wrong chat, that was my shopping list: milk, bread, egg, rice, onion, garlic, butter, "
    "lemon, sugar, salt, apple, cheese",
    "todo\nverify email\nenable 2FA\nadd bank card\nbuy first BTC",
    "my son set this up for me and now I don't remember which app it was, can you find my "
    "account by phone number only?",
    "Can I use the same authenticator app on two phones?",
    "Names of my trading bots: tiger, panda, rocket, ocean, garden, music, travel, family, "
    "coffee, orange, school, sport",
    "so sorry for the long message but i am really stressed my husband doesn't know i put our "
    "savings in here and now the app shows a loss and i just want to understand what happened",
]
CLEAN_FIXED["mixed"] = [
    "我的 withdrawal 一直 pending，can 帮我 check 一下吗",
    "Hi 客服，请问 KYC 要多久 approve 啊",
    "App 一直 crash，我用的是 Android 14",
    "今日個 market 好亂，我個 order 成交唔到",
    "Sorry 我 English 不好，可以中文吗",
    "这个 staking 的 APY 是 fixed 还是 floating 的？",
    "我想 upgrade 到 VIP，需要 trading volume 多少",
    "P2P 的 seller 一直唔 release，點算",
    "lah 我已经 upload 了 passport，why still rejected",
    "我 transfer 去 funding wallet 了但是 balance 没变",
    "can 用 支付宝 pay 吗",
    "麻烦 escalate 一下，我等了 two days 了",
    "Account 被 lock 了 because 我 login 太多次 wrong password 吗",
    "收到 email 说 new device login，但那个不是我",
]
# Questions about secrets that carry no value.
CLEAN_ASK: dict[str, list[str]] = {}
CLEAN_ASK["zh_s"] = [
    "请问你们客服会问我要助记词吗？刚才有个人私聊说是官方的",
    "私钥和助记词有什么区别呀？我应该备份哪个",
    "助记词丢了还能找回钱包吗",
    "忘记资金密码了，怎么重置？",
    "谷歌验证码一直提示错误，手机时间是自动的",
    "短信验证码收不到，换了好几次了",
    "密码要求必须有大写字母和符号吗？我设置了好几次都不行",
    "有人让我把私钥发给他帮我解冻，这个是不是骗子",
    "导出私钥的按钮在哪里？我找不到",
    "我把十二个助记词抄在纸上了，放在保险柜里安全吗",
    "扩展公钥和扩展私钥哪个可以给别人看啊",
]
CLEAN_ASK["zh_t"] = [
    "請問助記詞要點樣備份先安全？",
    "驗證碼一直收唔到，係咪電話號碼有問題",
    "我忘記咗登入密碼，可以點重設？",
    "有人話係官方客服，叫我俾私鑰佢，係咪呃人㗎？",
]
CLEAN_ASK["en"] = [
    "Will your staff ever ask for my seed phrase? Someone DM'd me claiming to be support",
    "How do I reset 2FA after losing my phone?",
    "Where do I find my recovery phrase in the app?",
    "what's the difference between the xpub and xprv? which one is safe to share",
    "Is it ok to store the private key in a password manager?",
    "the OTP arrives after it expires every single time",
    "Password reset link says expired, can you resend?",
    "Do I need the 24 words or is the PIN enough to restore?",
    "my too factor code never works, is it the time on my phone",
]
CLEAN_ASK["mixed"] = [
    "我的 2FA code 一直 invalid，device time 是 auto 的",
    "seed phrase 要不要 backup 在 cloud？",
    "WIF 係咩嚟？同 private key 有咩分別？",
]
# Ordinary Chinese typed with a space between characters.
SPACED_SOURCES = [
    "我的账户怎么被冻结了",
    "为什么提现一直在审核中呢",
    "你们的客服电话是多少",
    "我想把钱转到银行卡上",
    "请问今天还能到账吗",
    "手机换了登不上去了怎么办",
    "我的钱包里面的币不见了",
    "麻烦帮我看一下为什么下单失败",
    "我已经等了一个多小时了",
    "這個月的手續費為什麼那麼高",
    "我老人家唔識打字你哋慢慢睇",
    "帮我查一下昨天那笔交易好吗",
]


# --------------------------------------------------------------------------- assembly

TOKEN = re.compile(r"\{\{|\}\}|\{(\w+)\}")
DELIM = re.compile(r"\n|[。！？；，、…]|[,;!?.](?=\s|$)")
LABEL_GAP = re.compile(r"[ \t:：=\"'`\u3000]*")
LABEL_GAP_NL = re.compile(r"[\s:：=\"'`>*\-]*")
HAN = re.compile(r"[\u3400-\u9fff]")


def render(
    rng: random.Random, template: str, fills: dict[str, Piece], cache: dict[str, Piece]
) -> list[Piece]:
    pieces: list[Piece] = []
    pos = 0
    for m in TOKEN.finditer(template):
        if m.start() > pos:
            pieces.append(text(template[pos : m.start()]))
        tok = m.group(0)
        if tok == "{{":
            pieces.append(text("{"))
        elif tok == "}}":
            pieces.append(text("}"))
        else:
            name = m.group(1)
            if name in fills:
                pieces.append(fills[name])
            else:
                if name not in cache:
                    cache[name] = IDENT[name.rstrip("0123456789")](rng)
                pieces.append(cache[name])
        pos = m.end()
    if pos < len(template):
        pieces.append(text(template[pos:]))
    return pieces


def find_all(hay: str, needle: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = hay.find(needle)
    while start >= 0:
        out.append((start, start + len(needle)))
        start = hay.find(needle, start + 1)
    return out


def overlaps(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def inside(a: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= a[0] and a[1] <= e for s, e in spans)


def segments(msg: str) -> list[tuple[int, int]]:
    raw: list[tuple[int, int]] = []
    pos = 0
    for m in DELIM.finditer(msg):
        raw.append((pos, m.start()))
        pos = m.end()
    raw.append((pos, len(msg)))
    out: list[tuple[int, int]] = []
    for a, b in raw:
        while a < b and msg[a].isspace():
            a += 1
        while b > a and msg[b - 1].isspace():
            b -= 1
        if b - a >= 2 and any(ch.isalnum() for ch in msg[a:b]):
            out.append((a, b))
    return out


def finalize(variant: str, pieces: list[Piece]) -> Msg:
    pieces = [Piece(p.role, nfc(p.value), p.kind, tuple(nfc(x) for x in p.parts)) for p in pieces]
    msg = ""
    spans: list[tuple[int, int]] = []
    for p in pieces:
        spans.append((len(msg), len(msg) + len(p.value)))
        msg += p.value
    low = msg.lower()
    if len(low) != len(msg):
        raise Retry
    secret_spans = [sp for p, sp in zip(pieces, spans, strict=True) if p.role == "secret"]
    blocked = secret_spans + [
        sp for p, sp in zip(pieces, spans, strict=True) if p.role == "neutral"
    ]

    # Each secret value occurs exactly as often as it was placed; its words/halves only inside it.
    placed = Counter(p.value for p in pieces if p.role == "secret")
    for value, count in placed.items():
        if len(find_all(msg, value)) != count:
            raise Retry
    for p in pieces:
        if p.role != "secret":
            continue
        own = [s for q, s in zip(pieces, spans, strict=True) if q.role == "secret" and q == p]
        fold = p.kind == "seed_phrase"
        for part in p.parts:
            hits = find_all(low, part.lower()) if fold else find_all(msg, part)
            if not all(inside(o, own) for o in hits):
                raise Retry

    # Identifiers: never touch a secret or a neutral value.
    keep_items: list[tuple[int, str]] = []
    for p in pieces:
        if p.role != "keep":
            continue
        for item in (p.value, *p.parts):
            occ = find_all(msg, item)
            if any(overlaps(o, blocked) for o in occ):
                raise Retry
            keep_items.append((occ[0][0], item))

    # Ordinary text: each run between delimiters that neither overlaps a secret or neutral
    # value nor is tied to one by a label gap.
    for a, b in segments(msg):
        if overlaps((a, b), blocked):
            continue
        after = [s for s, _ in blocked if s >= b]
        if after:
            gap = msg[b : min(after)]
            if LABEL_GAP.fullmatch(gap):
                continue
            if msg[b - 1] in ":：=" and LABEL_GAP_NL.fullmatch(gap):
                continue
        before = [e for _, e in blocked if e <= a]
        if before and LABEL_GAP.fullmatch(msg[max(before) : a]):
            continue
        item = msg[a:b]
        if any(overlaps(o, blocked) for o in find_all(msg, item)):
            continue
        keep_items.append((a, item))

    keep_out: list[str] = []
    for _, item in sorted(keep_items, key=lambda t: t[0]):
        if item not in keep_out:
            keep_out.append(item)

    secrets_out: list[str] = []
    kinds: set[str] = set()
    ordered = sorted(
        (pz for pz in zip(pieces, spans, strict=True) if pz[0].role == "secret"),
        key=lambda pz: (pz[0].kind != "seed_phrase", pz[1][0]),
    )
    for p, _ in ordered:
        kinds.add(p.kind)
        for item in (p.value, *p.parts):
            if item not in secrets_out:
                secrets_out.append(item)
    return Msg(variant, msg, [k for k in KIND_ORDER if k in kinds], secrets_out, keep_out)


def validate(m: Msg) -> None:
    """The checks the brief asks for, run on the finished record."""
    sec_occ: list[tuple[int, int]] = []
    for s in m.secrets:
        assert s and s in m.text, (s, m.text)
        sec_occ += find_all(m.text, s)
    for k in m.keep:
        assert k and k in m.text, (k, m.text)
        for o in find_all(m.text, k):
            assert not overlaps(o, sec_occ), (k, m.secrets, m.text)
    assert m.lang in ("zh", "en", "mixed")
    assert all(k in KIND_ORDER for k in m.kinds)
    assert bool(m.kinds) == bool(m.secrets)


# --------------------------------------------------------------------------- builders


class Deck:
    """Draw templates in shuffled rounds so that every template gets used."""

    def __init__(self, rng: random.Random, items: Sequence[str]) -> None:
        self.rng = rng
        self.items = list(items)
        self.pool: list[str] = []

    def draw(self) -> str:
        if not self.pool:
            self.pool = list(self.items)
            self.rng.shuffle(self.pool)
        return self.pool.pop()


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.msgs: list[Msg] = []
        self.seen: set[str] = set()
        self.decks: dict[str, Deck] = {}
        self.prefixes = Deck(rng, ["yprv", "zprv", "xprv", "yprv", "zprv", "yprv"])

    def deck(self, key: str) -> Deck:
        if key not in self.decks:
            self.decks[key] = Deck(self.rng, T[key])
        return self.decks[key]

    def add(self, make: Callable[[], Msg]) -> Msg:
        for _ in range(3000):
            try:
                m = make()
            except Retry:
                continue
            if m.text in self.seen:
                continue
            validate(m)
            self.seen.add(m.text)
            self.msgs.append(m)
            return m
        raise RuntimeError("could not draw a message")

    # ---- seed phrases

    def seed_msg(self, wordlist: str, variant: str, typo: bool, with_pw: bool = False) -> None:
        key = ("seedpw/" if with_pw else "seed/") + variant
        template = self.deck(key).draw()
        rng = self.rng

        def make() -> Msg:
            count = rng.choice([12, 12, 12, 12, 12, 15, 18, 21, 24, 24, 24])
            words = seed_words(rng, wordlist, count)
            tags = {"wordlist": wordlist, "typo": ""}
            if typo:
                words, idx = typo_word(rng, wordlist, words)
                tags["typo"] = words[idx]
            elif wordlist in ("spanish", "french", "portuguese", "czech") and rng.random() < 0.3:
                stripped = [strip_accents(w) for w in words]
                if stripped != words:
                    words = stripped
                    tags["unaccented"] = "1"
            script = script_of(wordlist)
            fills: dict[str, Piece] = {}
            for slot, mode in (("seed", "any"), ("seedline", "line"), ("seedcode", "code")):
                if "{" + slot + "}" in template:
                    block, name = layout_seed(rng, words, script, mode)
                    shown = cased_words(name, words)
                    fills[slot] = secret("seed_phrase", block, *dict.fromkeys(shown))
                    tags["layout"] = name
            fills["n"] = text(str(count))
            if with_pw:
                fills["pw"] = secret("password", password(rng))
            m = finalize(variant, render(rng, template, fills, {}))
            m.tags = tags
            return m

        self.add(make)

    # ---- keys

    def pk_msg(self, variant: str) -> None:
        template = self.deck("pk/" + variant).draw()
        rng = self.rng

        def make() -> Msg:
            k = rand_key(rng)
            fills = {
                "pk": secret("private_key", pk_string(rng, k)),
                "addr": keep(
                    eth_address_of(k) if rng.random() < 0.8 else eth_address_of(k).lower()
                ),
            }
            return finalize(variant, render(rng, template, fills, {}))

        self.add(make)

    def wif_msg(self, variant: str, kind: str) -> None:
        """kind: uncompressed, compressed or testnet."""
        key = "wif/" + variant
        while True:
            template = self.deck(key).draw()
            needs_test = "testnet" in template or "测试网" in template
            if needs_test == (kind == "testnet"):
                break
        rng = self.rng

        def make() -> Msg:
            k = rand_key(rng)
            testnet = kind == "testnet"
            compressed = kind != "uncompressed"
            pub = pub_compressed(k) if compressed else pub_uncompressed(k)
            segwit = compressed and (rng.random() < 0.5 or "p2wpkh" in template)
            if "{etype}" in template and not compressed:
                segwit = False
            addr = p2wpkh(pub, testnet) if segwit else p2pkh(pub, testnet)
            fills = {
                "wif": secret("wif_key", wif_of(k, compressed, testnet)),
                "btcaddr": keep(addr),
                "etype": text("p2wpkh" if segwit else "p2pkh"),
            }
            return finalize(variant, render(rng, template, fills, {}))

        self.add(make)

    def xprv_msg(self, variant: str, with_pw: bool = False) -> None:
        template = self.deck(("xprvpw/" if with_pw else "xprv/") + variant).draw()
        rng = self.rng

        bare = TOKEN.sub("", template)
        if "testnet" in bare or "测试网" in bare:
            prefix = "tprv"
        elif "zprv" in bare or "zpub" in bare or "Electrum" in bare:
            prefix = "zprv"
        elif "xprv" in bare or "xpub" in bare or "BIP32" in bare:
            prefix = "xprv"
        else:
            prefix = self.prefixes.draw()

        def make() -> Msg:
            master = ("{xpath}" not in template and rng.random() < 0.4) or "root" in template
            master = master or "主私钥" in template or "master" in template
            coin = 1 if prefix == "tprv" else 0
            purpose = {"xprv": 44, "yprv": 49, "zprv": 84}.get(prefix, rng.choice([44, 84]))
            path = [] if master else [purpose, coin, rng.choice([0, 0, 0, 1])]
            ext = bip32_key(rng.randbytes(rng.choice([16, 32, 64])), prefix, path)
            fills = {
                "xprv": secret("extended_private_key", ext.prv),
                "xpubm": keep(ext.pub),
                "xpath": keep(ext.path if path else f"m/{purpose}'/{coin}'/0'"),
            }
            if with_pw:
                fills["pw"] = secret("password", password(rng))
            return finalize(variant, render(rng, template, fills, {}))

        self.add(make)

    # ---- passwords and codes

    def pw_otp_msg(self, key: str, variant: str) -> None:
        template = self.deck(key + "/" + variant).draw()
        rng = self.rng

        def make() -> Msg:
            fills: dict[str, Piece] = {
                "pw": secret("password", password(rng)),
                "pw2": secret("password", password(rng)),
                "pwnum": secret("password", f"{rng.randint(0, 999999):06d}"),
                "otp": otp_piece(rng),
            }
            return finalize(variant, render(rng, template, fills, {}))

        self.add(make)

    # ---- clean

    def clean_template_msg(self, variant: str) -> None:
        template = self.deck("clean/" + variant).draw()
        rng = self.rng
        self.add(lambda: finalize(variant, render(rng, template, {}, {})))

    def clean_fixed_msg(self, variant: str, value: str) -> None:
        self.add(lambda: finalize(variant, [text(value)]))


def spaced(sentence: str) -> str:
    return " ".join(sentence)


def plan_seed(g: Generator) -> None:
    # (word list, variants, how many with one mistyped word)
    plan: list[tuple[str, list[str], int]] = [
        ("english", ["zh_s"] * 8 + ["zh_t"] * 3 + ["en"] * 10 + ["mixed"] * 3, 4),
        ("chinese_simplified", ["zh_s"] * 16 + ["mixed"] * 2, 3),
        ("chinese_traditional", ["zh_t"] * 10, 2),
        ("japanese", ["en"] * 3 + ["zh_s", "mixed"], 0),
        ("korean", ["en"] * 5, 0),
        ("spanish", ["en"] * 6, 1),
        ("french", ["en"] * 5, 1),
        ("italian", ["en"] * 4, 1),
        ("portuguese", ["en"] * 4, 1),
        ("czech", ["en"] * 4, 0),
    ]
    for wordlist, variants, typos in plan:
        flags = [True] * typos + [False] * (len(variants) - typos)
        g.rng.shuffle(flags)
        for variant, typo in zip(variants, flags, strict=True):
            g.seed_msg(wordlist, variant, typo)
    g.seed_msg("chinese_simplified", "zh_s", False, with_pw=True)
    g.seed_msg("chinese_traditional", "zh_t", False, with_pw=True)
    g.seed_msg("english", "en", False, with_pw=True)


def plan_keys(g: Generator) -> None:
    for variant, n in (("zh_s", 12), ("zh_t", 5), ("en", 14), ("mixed", 5)):
        for _ in range(n):
            g.pk_msg(variant)
    wif_plan = [
        ("zh_s", "uncompressed"),
        ("zh_s", "compressed"),
        ("zh_s", "compressed"),
        ("zh_s", "uncompressed"),
        ("zh_s", "testnet"),
        ("zh_t", "uncompressed"),
        ("zh_t", "compressed"),
        ("zh_t", "compressed"),
        ("en", "uncompressed"),
        ("en", "compressed"),
        ("en", "compressed"),
        ("en", "compressed"),
        ("en", "uncompressed"),
        ("en", "compressed"),
        ("en", "compressed"),
        ("en", "testnet"),
        ("en", "compressed"),
        ("mixed", "compressed"),
        ("mixed", "uncompressed"),
        ("en", "compressed"),
    ]
    for variant, kind in wif_plan:
        g.wif_msg(variant, kind)
    for variant, n in (("zh_s", 6), ("zh_t", 3), ("en", 8), ("mixed", 2)):
        for _ in range(n):
            g.xprv_msg(variant)
    g.xprv_msg("en", with_pw=True)


def plan_pw_otp(g: Generator) -> None:
    for variant, n in (("zh_s", 11), ("zh_t", 5), ("en", 11), ("mixed", 3)):
        for _ in range(n):
            g.pw_otp_msg("pw", variant)
    for variant, n in (("zh_s", 9), ("zh_t", 4), ("en", 11), ("mixed", 4)):
        for _ in range(n):
            g.pw_otp_msg("otp", variant)
    for variant, n in (("zh_s", 4), ("zh_t", 2), ("en", 4), ("mixed", 2)):
        for _ in range(n):
            g.pw_otp_msg("pwotp", variant)


def plan_clean(g: Generator) -> None:
    for variant, items in CLEAN_FIXED.items():
        for value in items:
            g.clean_fixed_msg(variant, value)
    for variant, items in CLEAN_ASK.items():
        for value in items:
            g.clean_fixed_msg(variant, value)
    for sentence in SPACED_SOURCES:
        g.clean_fixed_msg(
            "zh_t" if re.search("[們這個麼為帳們唔哋]", sentence) else "zh_s", spaced(sentence)
        )
    for variant, n in (("zh_s", 40), ("zh_t", 12), ("en", 42), ("mixed", 10)):
        for _ in range(n):
            g.clean_template_msg(variant)


def main() -> None:
    self_test()
    rng = random.Random(SEED)
    g = Generator(rng)
    plan_seed(g)
    plan_keys(g)
    plan_pw_otp(g)
    plan_clean(g)
    msgs = g.msgs
    rng.shuffle(msgs)
    texts = [m.text for m in msgs]
    assert len(set(texts)) == len(texts), "duplicate texts"
    with OUT.open("w", encoding="utf-8") as fh:
        for i, m in enumerate(msgs, 1):
            rec = {
                "id": f"m{i:04d}",
                "lang": m.lang,
                "text": m.text,
                "kinds": m.kinds,
                "secrets": m.secrets,
                "keep": m.keep,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    with_secret = [m for m in msgs if m.kinds]
    print(f"wrote {OUT.name}: {len(msgs)} messages, {len(with_secret)} with a secret")
    kinds = Counter(k for m in msgs for k in m.kinds)
    print("per kind:", ", ".join(f"{k} {kinds[k]}" for k in KIND_ORDER))
    langs = Counter(m.lang for m in msgs)
    trad = sum(1 for m in msgs if m.variant == "zh_t")
    print(
        "per lang:", ", ".join(f"{k} {langs[k]}" for k in ("zh", "en", "mixed")), f"(zh_t {trad})"
    )
    seeds = [m for m in msgs if "seed_phrase" in m.kinds]
    lists = Counter(m.tags.get("wordlist", "") for m in seeds)
    typos = sum(1 for m in seeds if m.tags.get("typo"))
    print("seed word lists:", ", ".join(f"{k} {v}" for k, v in sorted(lists.items())))
    print(f"seed phrases with one mistyped word: {typos}")
    multi = sum(1 for m in msgs if len(m.kinds) > 1)
    print(f"messages with more than one kind: {multi}; clean: {len(msgs) - len(with_secret)}")


if __name__ == "__main__":
    main()
