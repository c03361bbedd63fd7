"""Hash and address formats of each chain family, and finding them in customers' text."""

from __future__ import annotations

import re

import pytest
from eth_utils.address import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from ledgerdesk.chain.formats import (
    FormatError,
    bitcoin_network_of,
    find_chain_refs,
    is_address,
    is_testnet_address,
    normalize_address,
    normalize_tx_hash,
)

USDT_ETH = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
USDT_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
BTC_P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block's address
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
BTC_P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 example
BTC_TAPROOT = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"  # BIP-350
TB_P2WSH = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"  # BIP-173
TB_P2PKH = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
HEX = "9f" * 32

hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)


@given(hex64, st.booleans(), st.sampled_from(["", " ", "\n", "\t "]))
def test_evm_hash_normalises_to_lower_case_with_0x(value: str, upper: bool, pad: str) -> None:
    text = ("0X" if upper else "0x") + (value.upper() if upper else value)
    assert normalize_tx_hash("evm", pad + text + pad) == "0x" + value


@given(hex64, st.sampled_from(["bitcoin", "tron"]))
def test_bitcoin_and_tron_hashes_are_64_lower_hex(value: str, family: str) -> None:
    assert normalize_tx_hash(family, value.upper()) == value
    with pytest.raises(FormatError) as caught:
        normalize_tx_hash(family, "0x" + value)
    assert caught.value.code == "evm_hash_on_non_evm"


@given(hex64)
def test_a_hash_without_0x_is_not_an_evm_hash(value: str) -> None:
    with pytest.raises(FormatError) as caught:
        normalize_tx_hash("evm", value)
    assert caught.value.code == "non_evm_hash_on_evm"


@pytest.mark.parametrize(
    ("family", "text", "code"),
    [
        ("evm", "", "empty"),
        ("bitcoin", "   \n", "empty"),
        ("evm", "0x" + "a" * 63, "not_a_hash"),
        ("evm", "0x" + "a" * 65, "not_a_hash"),
        ("evm", "0x" + "g" * 64, "not_a_hash"),
        ("bitcoin", "a" * 63, "not_a_hash"),
        ("tron", "交易哈希", "not_a_hash"),
        ("evm", USDT_ETH, "address_not_hash"),
        ("tron", USDT_TRON, "address_not_hash"),
        ("bitcoin", BTC_P2WPKH, "address_not_hash"),
        ("evm", USDT_TRON, "address_not_hash"),  # an address of any chain is not a hash
        ("solana", HEX, "unknown_family"),
    ],
)
def test_what_is_not_a_hash_says_why(family: str, text: str, code: str) -> None:
    with pytest.raises(FormatError) as caught:
        normalize_tx_hash(family, text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("family", "address", "valid"),
    [
        ("evm", USDT_ETH, True),
        ("evm", USDT_ETH.lower(), True),
        ("evm", "0x" + USDT_ETH[2:].upper(), True),
        ("evm", USDT_ETH.replace("dAC", "DAC"), False),  # checksum broken
        ("evm", USDT_ETH[:-1], False),
        ("evm", USDT_TRON, False),
        ("tron", USDT_TRON, True),
        ("tron", USDT_TRON[:-1] + "u", False),  # base58check checksum broken
        ("tron", "T" + "1" * 33, False),
        ("tron", BTC_P2PKH, False),  # base58check, but Bitcoin's version byte
        ("bitcoin", BTC_P2PKH, True),
        ("bitcoin", BTC_P2SH, True),
        ("bitcoin", BTC_P2WPKH, True),
        ("bitcoin", BTC_P2WPKH.upper(), True),
        ("bitcoin", BTC_TAPROOT, True),
        ("bitcoin", TB_P2WSH, True),
        ("bitcoin", TB_P2PKH, True),
        ("bitcoin", BTC_P2WPKH[:-1] + "5", False),  # bech32 checksum broken
        ("bitcoin", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", False),  # mixed case
        ("bitcoin", USDT_TRON, False),
        ("bitcoin", "", False),
    ],
)
def test_addresses(family: str, address: str, valid: bool) -> None:
    assert is_address(family, address) is valid


CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _segwit(hrp: str, version: int, program: bytes, const: int) -> str:
    """A segwit address with the checksum of the given constant (1: bech32, else bech32m)."""
    bits = "".join(f"{b:08b}" for b in program)
    bits += "0" * (-len(bits) % 5)
    data = [version] + [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            check ^= g if (top >> i) & 1 else 0
    check ^= const
    checksum = [(check >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


BECH32M = 0x2BC830A3


def test_the_encoder_below_makes_the_bip173_example() -> None:
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert _segwit("bc", 0, program, 1) == BTC_P2WPKH


@given(st.binary(min_size=32, max_size=32), st.sampled_from(["bc", "tb"]))
def test_witness_v0_needs_bech32_and_v1_needs_bech32m(program: bytes, hrp: str) -> None:
    assert is_address("bitcoin", _segwit(hrp, 0, program, 1))
    assert is_address("bitcoin", _segwit(hrp, 1, program, BECH32M))
    assert not is_address("bitcoin", _segwit(hrp, 0, program, BECH32M))
    assert not is_address("bitcoin", _segwit(hrp, 1, program, 1))
    assert not is_address("bitcoin", _segwit(hrp, 0, program[:25], 1))  # v0: 20 or 32 bytes
    assert not is_address("bitcoin", _segwit("ltc", 0, program, 1))
    assert is_testnet_address("bitcoin", _segwit(hrp, 1, program, BECH32M)) is (hrp == "tb")


def test_bitcoin_networks_and_testnets() -> None:
    assert bitcoin_network_of(BTC_TAPROOT) == "mainnet"
    assert bitcoin_network_of(TB_P2PKH) == "testnet"
    assert is_testnet_address("bitcoin", TB_P2WSH)
    assert not is_testnet_address("bitcoin", BTC_P2SH)
    assert not is_testnet_address("evm", USDT_ETH)


@given(st.binary(min_size=20, max_size=20))
def test_evm_addresses_normalise_to_their_checksum(raw: bytes) -> None:
    lower = "0x" + raw.hex()
    checksummed = normalize_address("evm", lower)
    assert checksummed == to_checksum_address(lower)
    assert normalize_address("evm", " " + checksummed.lower() + " ") == checksummed
    letters = [i for i, c in enumerate(checksummed) if i > 1 and c.isalpha()]
    if letters:  # flipping the case of one letter breaks the checksum
        i = letters[0]
        flipped = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1 :]
        body = flipped[2:]
        if body not in (body.lower(), body.upper()):
            assert not is_address("evm", flipped)


def test_other_addresses_normalise_unchanged() -> None:
    assert normalize_address("tron", f"  {USDT_TRON}\n") == USDT_TRON
    assert normalize_address("bitcoin", BTC_P2WPKH.upper()) == BTC_P2WPKH.upper()
    for family, text, code in [("tron", "T123", "not_an_address"), ("evm", " ", "empty")]:
        with pytest.raises(FormatError) as caught:
            normalize_address(family, text)
        assert caught.value.code == code


def test_refs_found_in_chinese_and_english_text() -> None:
    evm_tx = "0x" + "ab" * 32
    text = (
        f"哈希是{evm_tx}，充到 {USDT_ETH} 了。BTC txid: {HEX}\n"
        f"TRC20 地址({USDT_TRON}) 和 {BTC_P2WPKH}, {TB_P2PKH}."
    )
    refs = find_chain_refs(text)
    assert [(r.kind, r.family, r.value) for r in refs] == [
        ("tx", "evm", evm_tx),
        ("address", "evm", USDT_ETH),
        ("tx", "bitcoin", HEX),
        ("address", "tron", USDT_TRON),
        ("address", "bitcoin", BTC_P2WPKH),
        ("address", "bitcoin", TB_P2PKH),
    ]
    assert all(text[r.start : r.end] == r.value for r in refs)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 65,  # longer than a hash
        "x" + HEX,  # part of a longer word
        HEX + "z",
        "0x" + "ab" * 33,  # 66 hex digits
        USDT_ETH + "0",  # 41 hex digits
        USDT_TRON[:-1] + "u",  # checksum broken: a typo, not linked
        USDT_ETH.replace("dAC", "DAC"),
        "order 12345678901234567890123456",  # digits that look like base58 but fail the check
    ],
)
def test_near_misses_are_not_refs(text: str) -> None:
    assert find_chain_refs(text) == []


@given(st.text(alphabet=st.sampled_from("0123456789abcdefxT13bc q中\n"), max_size=300))
def test_refs_always_point_at_their_text(text: str) -> None:
    refs = find_chain_refs(text)
    ends = [0]
    for ref in refs:
        assert text[ref.start : ref.end] == ref.value and ref.start >= ends[-1]
        ends.append(ref.end)
        if ref.kind == "tx":
            assert re.fullmatch(r"(0x)?[0-9a-f]{64}", ref.value)
