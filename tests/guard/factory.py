"""Real secrets for tests: BIP39 phrases, WIF keys and BIP32 extended keys, made here."""

from __future__ import annotations

import hashlib
import hmac
import random

import base58
from mnemonic import Mnemonic


def phrase(lang: str = "english", words: int = 12, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    strength = {12: 128, 15: 160, 18: 192, 21: 224, 24: 256}[words]
    entropy = bytes(rng.getrandbits(8) for _ in range(strength // 8))
    return Mnemonic(lang).to_mnemonic(entropy).split(" " if lang != "japanese" else "\u3000")


def _b58check(payload: bytes) -> str:
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return str(base58.b58encode(payload + check).decode())


def wif(seed: int = 1, compressed: bool = True, testnet: bool = False) -> str:
    key = hashlib.sha256(f"key-{seed}".encode()).digest()
    payload = bytes([0xEF if testnet else 0x80]) + key + (b"\x01" if compressed else b"")
    return _b58check(payload)


def extended_key(seed: int = 1, version: str = "0488ade4") -> str:
    """A BIP32 master key serialised with ``version`` (xprv by default; xpub 0488b21e)."""
    digest = hmac.new(b"Bitcoin seed", f"seed-{seed}".encode(), hashlib.sha512).digest()
    key, chain = digest[:32], digest[32:]
    data = b"\x00" + key
    if version in ("0488b21e", "043587cf"):
        # a public key needs EC maths; a fixed compressed-point-shaped stand-in is enough
        # for the guard, which must only leave public keys alone
        data = b"\x02" + hashlib.sha256(key).digest()
    payload = bytes.fromhex(version) + b"\x00" + b"\x00" * 4 + b"\x00" * 4 + chain + data
    return _b58check(payload)


def hex64(seed: int = 1) -> str:
    return hashlib.sha256(f"hex-{seed}".encode()).hexdigest()
