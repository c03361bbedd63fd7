"""What transaction hashes and addresses look like on each chain family, and finding them in text.

Families: ``evm`` (0x + 64 hex hashes, 0x + 40 hex addresses), ``bitcoin`` (64 hex hashes,
base58 ``1…``/``3…`` and bech32 ``bc1…`` addresses, with their testnet forms) and ``tron``
(64 hex hashes like Bitcoin, base58check ``T…`` addresses). Checks are offline and exact:
a checksum that does not match makes a string not an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import base58
from eth_utils.address import is_address as _eth_is_address
from eth_utils.address import to_checksum_address

FAMILIES = ("evm", "bitcoin", "tron")

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_EVM_HASH = re.compile(r"0[xX][0-9a-fA-F]{64}")
_EVM_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_TRON_ADDRESS = re.compile(rf"T[{_B58}]{{33}}")
_BTC_BASE58 = re.compile(rf"[13mn2][{_B58}]{{25,34}}")
_BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32 = re.compile(r"(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}")

# Base58check version bytes: Bitcoin mainnet P2PKH / P2SH, testnet P2PKH / P2SH, Tron.
_BTC_VERSIONS = {0x00: False, 0x05: False, 0x6F: True, 0xC4: True}  # version -> testnet
_TRON_VERSION = 0x41


class FormatError(ValueError):
    """Text that is not what was asked for. ``code`` (stable, for messages and tests):
    ``empty``, ``not_a_hash``, ``evm_hash_on_non_evm`` (0x + 64 hex given for Bitcoin/Tron),
    ``non_evm_hash_on_evm`` (64 hex without 0x given for an EVM chain), ``address_not_hash``
    (an address where a transaction hash was asked for), ``not_an_address``,
    ``unknown_family``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise FormatError("unknown_family", f"'{family[:20]}' is not a chain family")


def normalize_tx_hash(family: str, text: str) -> str:
    """The canonical form of a transaction hash: EVM ``0x`` + 64 lower-case hex; Bitcoin and
    Tron 64 lower-case hex without ``0x``. Surrounding white space is ignored."""
    _check_family(family)
    value = text.strip()
    if not value:
        raise FormatError("empty", "no transaction hash was given")
    if family == "evm":
        if _EVM_HASH.fullmatch(value):
            return value.lower()
        if _HEX64.fullmatch(value):
            raise FormatError(
                "non_evm_hash_on_evm",
                "a 64-hex hash without 0x is a Bitcoin or Tron hash, not an EVM one",
            )
    else:
        if _HEX64.fullmatch(value):
            return value.lower()
        if _EVM_HASH.fullmatch(value):
            raise FormatError(
                "evm_hash_on_non_evm",
                f"a 0x-prefixed hash is an EVM hash; {family} hashes have no 0x",
            )
    if any(is_address(f, value) for f in FAMILIES):
        raise FormatError("address_not_hash", "this is an address, not a transaction hash")
    raise FormatError("not_a_hash", f"not a {family} transaction hash")


def is_address(family: str, text: str) -> bool:
    """Whether ``text`` (exactly, no white space) is a valid address of ``family``."""
    _check_family(family)
    if family == "evm":
        return bool(_EVM_ADDRESS.fullmatch(text)) and _evm_address_ok(text)
    if family == "tron":
        return bool(_TRON_ADDRESS.fullmatch(text)) and _base58_version(text) == _TRON_VERSION
    return bitcoin_network_of(text) is not None


def normalize_address(family: str, text: str) -> str:
    """EVM: the EIP-55 checksummed form; Bitcoin and Tron: unchanged (white space trimmed).
    Raises FormatError(``not_an_address``) for anything else."""
    value = text.strip()
    if not value:
        raise FormatError("empty", "no address was given")
    if not is_address(family, value):
        raise FormatError("not_an_address", f"not a {family} address")
    if family == "evm":
        return to_checksum_address("0x" + value[2:].lower())
    return value


def is_testnet_address(family: str, text: str) -> bool:
    """True for Bitcoin testnet/signet/regtest-style addresses (``tb1…``, ``m…``, ``n…``,
    ``2…``); EVM and Tron addresses look the same on every network."""
    return family == "bitcoin" and bitcoin_network_of(text) == "testnet"


def bitcoin_network_of(text: str) -> Literal["mainnet", "testnet"] | None:
    """``mainnet`` or ``testnet`` for a valid Bitcoin address, else None."""
    if _BECH32.fullmatch(text):
        hrp = _segwit_hrp(text)
        return None if hrp is None else ("mainnet" if hrp == "bc" else "testnet")
    if _BTC_BASE58.fullmatch(text):
        version = _base58_version(text)
        if version in _BTC_VERSIONS:
            return "testnet" if _BTC_VERSIONS[version] else "mainnet"
    return None


def _evm_address_ok(text: str) -> bool:
    body = text[2:]
    if body.lower() == body or body.upper() == body:
        return True
    return bool(_eth_is_address("0x" + body)) and to_checksum_address("0x" + body) == "0x" + body


def _base58_version(text: str) -> int | None:
    """The version byte of a base58check string of 21 payload bytes, or None."""
    try:
        raw = base58.b58decode_check(text)
    except ValueError:
        return None
    return raw[0] if len(raw) == 21 else None


# --- bech32 / bech32m (BIP-173, BIP-350) ----------------------------------------------------

_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_GENERATOR):
            if (top >> i) & 1:
                check ^= generator
    return check


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to_bytes(data: list[int]) -> list[int] | None:
    """Regroup 5-bit values into bytes; None when the padding is not zero."""
    acc, bits, out = 0, 0, []
    for value in data:
        acc = (acc << 5) | value
        bits += 5
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits >= 5 or (acc << (8 - bits)) & 0xFF:
        return None
    return out


def _segwit_hrp(text: str) -> str | None:
    """The human-readable part (``bc``/``tb``) of a valid segwit address, else None."""
    if text.lower() != text and text.upper() != text:
        return None  # mixed case is invalid bech32
    lowered = text.lower()
    hrp, _, rest = lowered.rpartition("1")
    if hrp not in ("bc", "tb") or len(rest) < 7 or len(lowered) > 90:
        return None
    data = [_BECH32_CHARS.index(c) for c in rest]
    const = _polymod(_expand_hrp(hrp) + data)
    version, program = data[0], _to_bytes(data[1:-6])
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0:
        ok = const == _BECH32_CONST and len(program) in (20, 32)
    else:
        ok = const == _BECH32M_CONST
    return hrp if ok else None


# --- finding hashes and addresses in text ---------------------------------------------------


@dataclass(frozen=True)
class ChainRef:
    """A hash or address found in text at ``text[start:end]``. A 64-hex hash without ``0x``
    is reported with family ``bitcoin``: Tron hashes look the same, and only the words around
    it can tell them apart (see ``chain.links``)."""

    kind: Literal["tx", "address"]
    family: str
    value: str
    start: int
    end: int


_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_CANDIDATES = re.compile(
    _EDGE_BEFORE
    + "(?:"
    + "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (
            ("evm_tx", _EVM_HASH),
            ("evm_address", _EVM_ADDRESS),
            ("hex_tx", _HEX64),
            ("tron_address", _TRON_ADDRESS),
            ("bech32", _BECH32),
            ("btc_base58", _BTC_BASE58),
        )
    )
    + ")"
    + _EDGE_AFTER
)


def find_chain_refs(text: str) -> list[ChainRef]:
    """Every valid transaction hash and address in ``text``, in order, not overlapping.
    Candidates whose checksum fails (a typo) are left out."""
    refs: list[ChainRef] = []
    for match in _CANDIDATES.finditer(text):
        name, value = match.lastgroup or "", match.group()
        ref = _classify(name, value)
        if ref is not None:
            refs.append(ChainRef(ref[0], ref[1], value, match.start(), match.end()))
    return refs


def _classify(name: str, value: str) -> tuple[Literal["tx", "address"], str] | None:
    if name == "evm_tx":
        return "tx", "evm"
    if name == "hex_tx":
        return "tx", "bitcoin"
    if name == "evm_address":
        return ("address", "evm") if is_address("evm", value) else None
    if name == "tron_address":
        return ("address", "tron") if is_address("tron", value) else None
    return ("address", "bitcoin") if is_address("bitcoin", value) else None
