"""The asset and network registry: the shipped files, overlays, the process-wide cache, and
every kind of bad entry answered with the file and line that holds it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import rlp
import typer
from eth_utils.address import to_canonical_address, to_checksum_address
from eth_utils.crypto import keccak
from typer.testing import CliRunner

from ledgerdesk.chain.registry import (
    RegistryError,
    configured_paths,
    devnet_registry_file,
    get_registry,
    load_registry,
    reset_registry,
    shipped_registry_file,
)
from ledgerdesk.chain.registry_cli import exit_on_bad_registry, registry_check
from ledgerdesk.core.settings import Settings, get_settings

SHIPPED = shipped_registry_file()
DEVNET = devnet_registry_file()


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    reset_registry()
    yield
    reset_registry()


def test_shipped_defaults_cover_the_networks_the_issue_names() -> None:
    registry = load_registry(SHIPPED)
    ids = {n.id for n in registry.networks}
    assert {"bitcoin", "ethereum", "bsc", "tron", "polygon", "arbitrum"} <= ids
    assert {"bitcoin-testnet", "sepolia", "bsc-testnet", "tron-nile"} <= ids
    for network in registry.networks:
        assert network.node is None  # operators add their own nodes
        assert not network.memo_required
        assert network.explorer_tx and network.explorer_address
        assert network.confirmations.credit <= network.confirmations.unlock
        assert network.final_after >= network.confirmations.unlock
        assert (network.chain_id is not None) == (network.family == "evm")
    ethereum, bsc, tron = (registry.network(i) for i in ("ethereum", "bsc", "tron"))
    assert ethereum and bsc and tron
    assert ethereum.chain_id == 1 and bsc.chain_id == 56
    usdt_eth, usdt_bsc, usdt_tron = (n.asset("usdt") for n in (ethereum, bsc, tron))
    assert usdt_eth and usdt_eth.decimals == 6 and usdt_eth.standard == "ERC-20"
    assert usdt_bsc and usdt_bsc.decimals == 18 and usdt_bsc.standard == "BEP-20"
    assert usdt_tron and usdt_tron.contract == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert usdt_tron.standard == "TRC-20" and usdt_tron.decimals == 6
    assert ethereum.asset_by_contract("0xdac17f958d2ee523a2206206994597c13d831ec7") == usdt_eth
    assert tron.asset_by_contract("tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t") is None  # base58: exact
    native = ethereum.asset("ETH")
    assert native and native.contract is None and native.standard is None
    bitcoin = registry.network("bitcoin")
    assert bitcoin and bitcoin.confirmations.credit == 1 and bitcoin.confirmations.unlock == 2
    assert bitcoin.tx_url("ab" * 32) == f"https://mempool.space/tx/{'ab' * 32}"
    assert bsc.name("zh-CN") == "BNB 智能链 (BSC)" and bsc.name("en") == "BNB Smart Chain"
    assert {"USDT", "USDC", "BTC", "ETH", "TRX", "BNB"} <= set(registry.asset_symbols())
    assert {n.id for n in registry.networks_for_asset("USDT")} == {
        "ethereum",
        "bsc",
        "tron",
        "polygon",
        "arbitrum",
    }
    assert [n.id for n in registry.family("bitcoin")] == ["bitcoin", "bitcoin-testnet"]


def test_devnet_overlay_and_its_deterministic_token_address() -> None:
    registry = load_registry(SHIPPED, DEVNET)
    devnet, memo = registry.network("devnet"), registry.network("devnet-memo")
    assert devnet and memo
    assert devnet.chain_id == 131277322940537 and memo.chain_id == 1337
    assert devnet.node and devnet.node.url == "http://127.0.0.1:8545" and devnet.node.allow_private
    assert devnet.confirmations.credit == 3 and devnet.confirmations.unlock == 6
    assert devnet.final_after == 12 and devnet.block_time_seconds == 12
    assert memo.memo_required and [a.symbol for a in memo.assets] == ["ETH"]
    assert memo.node and memo.node.host == "127.0.0.1:8547"
    # The token eth-tester's first account deploys as its first transaction.
    sender = to_canonical_address("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
    expected = to_checksum_address(keccak(rlp.encode([sender, 0]))[12:])
    usdt = devnet.asset("USDT")
    assert usdt and usdt.contract == expected and usdt.decimals == 6
    assert usdt.min_deposit == Decimal(1)
    eth = devnet.asset("ETH")
    assert eth and eth.min_deposit == Decimal("0.001")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_later_file_replaces_a_network_in_place_and_adds_new_ones(tmp_path: Path) -> None:
    mine = _write(
        tmp_path,
        "mine.yaml",
        """networks:
  - id: ethereum
    name_en: Ethereum (ours)
    name_zh: 以太坊（自定义）
    family: evm
    chain_id: 1
    native: {symbol: ETH, decimals: 18, min_deposit: 0.05}
    block_time_seconds: 12
    confirmations: {credit: 30, unlock: 30}
    node: {kind: evm, url: "https://user:pw@eth.example.com/key/abc", timeout: 3}
    tokens:
      - symbol: USDT
        contract: "0xdac17f958d2ee523a2206206994597c13d831ec7"
        decimals: 6
        min_deposit: "10"
        confirmations: {credit: 40, unlock: 50}
  - id: litecoin-like
    name_en: Another UTXO chain
    name_zh: 另一条 UTXO 链
    family: bitcoin
    native: {symbol: LTC, decimals: 8, min_deposit: "0.01"}
    block_time_seconds: 150
    confirmations: {credit: 6, unlock: 12}
""",
    )
    registry = load_registry(SHIPPED, mine)
    ids = [n.id for n in registry.networks]
    assert ids.index("ethereum") == 2 and ids[-1] == "litecoin-like"
    ethereum = registry.network("ethereum")
    assert ethereum and ethereum.name_en == "Ethereum (ours)" and ethereum.final_after == 30
    assert ethereum.explorer_tx is None and ethereum.aliases == ()  # replaced whole
    assert ethereum.node and ethereum.node.host == "eth.example.com" and ethereum.node.timeout == 3
    usdt = ethereum.asset("USDT")
    assert usdt and usdt.contract == "0xdAC17F958D2ee523a2206206994597C13D831ec7"
    assert usdt.min_deposit == Decimal(10) and usdt.confirmations.credit == 40
    eth = ethereum.asset("ETH")
    assert eth and eth.min_deposit == Decimal("0.05")  # exact, not a binary float
    assert eth.confirmations.credit == 30  # the network's own


def test_get_registry_reads_the_settings_and_caches(tmp_path: Path) -> None:
    settings = Settings(demo_services=True)
    assert configured_paths(settings) == [SHIPPED, DEVNET]
    first = get_registry(settings)
    assert first.network("devnet") is not None
    assert get_registry() is first and get_registry(settings) is first
    own = _write(tmp_path, "own.yaml", SHIPPED.read_text(encoding="utf-8"))
    custom = Settings(chain_registry=f" {own} , {DEVNET}")
    assert configured_paths(custom) == [own, DEVNET]
    second = get_registry(custom)
    assert second is not first and second.network("devnet") is not None
    reset_registry()
    plain = get_registry(Settings())
    assert plain.network("devnet") is None and get_registry() is plain


NETWORK = """  - id: {id}
    name_en: Test chain
    name_zh: 测试链
    family: evm
    chain_id: {chain_id}
    native:
      symbol: ETH
      decimals: 18
      min_deposit: "0.01"
    block_time_seconds: 2
    confirmations: {{credit: 2, unlock: 4}}
"""


def _file(*extra: str, chain_id: int = 5) -> str:
    return "networks:\n" + NETWORK.format(id="good", chain_id=chain_id) + "".join(extra)


# Each case: the file's text, with "#<" marking the line the error must name, and words the
# message must contain.
BAD: dict[str, tuple[str, str]] = {
    "duplicate id": (
        _file(
            NETWORK.format(id="good", chain_id=6)
            .replace("- id:", "- id:", 1)
            .replace("  - id: good", "  - id: good #<")
        ),
        "used twice",
    ),
    "unknown family": (
        _file("""  - id: other
    name_en: X
    name_zh: X
    family: solana #<
    native: {symbol: SOL, decimals: 9, min_deposit: "0.1"}
    block_time_seconds: 1
    confirmations: {credit: 1, unlock: 1}
"""),
        "'evm', 'bitcoin' or 'tron'",
    ),
    "node kind of another family": (
        _file("    node:\n      kind: esplora #<\n      url: https://esplora.example.com\n"),
        "kind evm, not esplora",
    ),
    "evm without chain_id": (
        "networks:\n" + NETWORK.format(id="good #<", chain_id=5).replace("    chain_id: 5\n", ""),
        "chain_id is required",
    ),
    "chain_id on bitcoin": (
        _file("""  - id: btc
    name_en: B
    name_zh: B
    family: bitcoin
    chain_id: 7 #<
    native: {symbol: BTC, decimals: 8, min_deposit: "0.1"}
    block_time_seconds: 600
    confirmations: {credit: 1, unlock: 2}
"""),
        "evm networks only",
    ),
    "decimals too large": (
        _file(
            "    tokens:\n      - symbol: USDT\n        contract: "
            "'0xdac17f958d2ee523a2206206994597c13d831ec7'\n        decimals: 37 #<\n"
            "        min_deposit: '1'\n"
        ),
        "tokens[0] (USDT), decimals",
    ),
    "negative decimals": (_file().replace("decimals: 18", "decimals: -1 #<"), "native, decimals"),
    "credit above unlock": (
        _file().replace("{credit: 2, unlock: 4}", "{credit: 5, unlock: 4} #<"),
        "credit (5) must not exceed unlock (4)",
    ),
    "negative confirmations": (
        _file().replace(
            "confirmations: {credit: 2, unlock: 4}",
            "confirmations:\n      credit: -1 #<\n      unlock: 4",
        ),
        "greater than or equal to 0",
    ),
    "negative minimum": (_file().replace('"0.01"', '"-0.01" #<'), "0 or more"),
    "minimum not a number": (_file().replace('"0.01"', "lots #<"), "'lots' is not a decimal"),
    "explorer without {hash}": (
        _file("    explorer:\n      tx: https://scan.example.com/tx/ #<\n"),
        "must contain {hash}",
    ),
    "explorer address without {address}": (
        _file("    explorer:\n      address: https://scan.example.com/a/{hash} #<\n"),
        "must contain {address}",
    ),
    "node url not http": (
        _file("    node:\n      kind: evm\n      url: ftp://node.example.com #<\n"),
        "http:// or https://",
    ),
    "empty alias": (_file("    aliases: ['ok', ' '] #<\n"), "alias"),
    "duplicate symbol": (
        _file(
            "    tokens:\n      - {symbol: eth, contract: "
            "'0xdac17f958d2ee523a2206206994597c13d831ec7', decimals: 6, min_deposit: 1} #<\n"
        ),
        "eth is listed twice",
    ),
    "evm contract too short": (
        _file(
            "    tokens:\n      - symbol: USDT\n        contract: '0xdac17f958d2ee523a220620699"
            "4597c13d831ec' #<\n        decimals: 6\n        min_deposit: 1\n"
        ),
        "0x followed by 40 hex",
    ),
    "evm contract bad checksum": (
        _file(
            "    tokens:\n      - symbol: USDT\n        contract: '0xDac17f958D2ee523a2206206994"
            "597C13D831ec7' #<\n        decimals: 6\n        min_deposit: 1\n"
        ),
        "checksum",
    ),
    "tron contract not base58check": (
        _file().replace("family: evm", "family: tron").replace("    chain_id: 5\n", "")
        + "    tokens:\n      - symbol: USDT\n"
        "        contract: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u #<\n"
        "        decimals: 6\n        min_deposit: 1\n",
        "base58check address starting with T",
    ),
    "tokens on bitcoin": (
        _file().replace("family: evm", "family: bitcoin").replace("    chain_id: 5\n", "")
        + "    tokens: #<\n      - {symbol: X, contract: y, decimals: 1, min_deposit: 1}\n",
        "no token contracts",
    ),
    "final_after below unlock": (_file("    final_after: 3 #<\n"), "at least the unlock"),
    "misspelt field": (_file("    memo_requird: true #<\n"), "unknown field"),
    "missing field": (
        "networks:\n"
        + NETWORK.format(id="good #<", chain_id=5).replace("    block_time_seconds: 2\n", ""),
        "block_time_seconds: this field is required",
    ),
    "duplicate key": (
        _file("    testnet: true\n    testnet: false #<\n"),
        "'testnet' is given twice",
    ),
    "bad yaml": (_file("    aliases: a\n      b: c #<\n"), "not valid YAML: mapping values"),
    "alias of another network": (
        _file(
            "    aliases: [BEP20]\n",
            NETWORK.format(id="two", chain_id=6) + "    aliases: [bep20] #<\n",
        ),
        "alias 'bep20' is already used by network 'good'",
    ),
    "chain id of another network": (
        _file(NETWORK.format(id="two", chain_id=5).replace("chain_id: 5", "chain_id: 5 #<")),
        "chain_id 5 is already used by network 'good'",
    ),
    "no networks": ("networks: [] #<\n", "at least 1 item"),
}


def _expected_line(text: str) -> int:
    lines = text.splitlines()
    marked = [i for i, line in enumerate(lines) if "#<" in line]
    assert len(marked) == 1, "mark exactly one line"
    return marked[0] + 1


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_entry_names_its_file_and_line(tmp_path: Path, case: str) -> None:
    text, words = BAD[case]
    # The mark is a YAML comment except where it ends a scalar a comment cannot follow.
    path = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    error = caught.value
    assert str(error).startswith(f"{path}:{_expected_line(text)}: "), str(error)
    assert words in str(error), str(error)
    assert error.file == str(path) and error.line == _expected_line(text)


def test_an_unclosed_bracket_names_where_it_opened(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.yaml", _file("    aliases: [a, b\n"))
    with pytest.raises(RegistryError, match=r"b\.yaml:\d+: .*flow sequence started on line 13"):
        load_registry(path)


def test_the_error_names_the_network(tmp_path: Path) -> None:
    path = _write(tmp_path, "n.yaml", _file().replace("decimals: 18", "decimals: 99"))
    with pytest.raises(RegistryError, match=r"network 'good', native, decimals: .*36"):
        load_registry(path)


def test_a_clash_with_an_earlier_file_is_reported_in_the_later_file(tmp_path: Path) -> None:
    overlay = _write(tmp_path, "overlay.yaml", _file(chain_id=56))
    with pytest.raises(RegistryError) as caught:
        load_registry(SHIPPED, overlay)
    assert str(caught.value).startswith(f"{overlay}:6: ")  # the chain_id line
    assert "chain_id 56 is already used by network 'bsc'" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot be read"),
        ("", "the file is empty"),
        ("# only a comment\n", "empty"),
        ("- a\n- b\n", "Input should be a valid dictionary"),
        (b"\xff\xfe", "cannot be read"),
    ],
)
def test_unreadable_or_empty_files(tmp_path: Path, content: str | bytes | None, words: str) -> None:
    path = tmp_path / "x.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(RegistryError) as caught:
        load_registry(path)
    assert str(caught.value).startswith(f"{path}:1: ") and words in str(caught.value)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(registry_check)
    return app


def test_registry_check_prints_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), [str(SHIPPED), str(DEVNET)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 13 and lines[-1].startswith("OK: 12 networks, 24 assets from ")
    devnet = next(line for line in lines if line.startswith("devnet "))
    assert "chain 131277322940537" in devnet and "credit 3 / unlock 6" in devnet
    assert "ETH, USDT" in devnet and "node evm 127.0.0.1:8545" in devnet
    memo = next(line for line in lines if line.startswith("devnet-memo"))
    assert "memo required" in memo


def test_registry_check_reads_the_configured_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _write(tmp_path, "own.yaml", _file())
    monkeypatch.setenv("LEDGERDESK_CHAIN_REGISTRY", str(own))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(_cli(), [])
    finally:
        monkeypatch.delenv("LEDGERDESK_CHAIN_REGISTRY")
        get_settings.cache_clear()
    assert result.exit_code == 0 and result.stdout.startswith("good ")
    assert f"OK: 1 network, 1 asset from {own}" in result.stdout


def test_registry_check_exits_2_with_the_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", _file().replace("unlock: 4", "unlock: 1"))
    result = CliRunner().invoke(_cli(), [str(SHIPPED), str(bad)])
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        f"Error: {bad}:12: network 'good', confirmations, credit: credit (2) must not exceed"
        in (" ".join(result.stderr.split()))
    )
    assert "Traceback" not in result.stderr
    missing = CliRunner().invoke(_cli(), [str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "nope.yaml:1: cannot be read" in missing.stderr


def test_serve_can_refuse_a_bad_registry_before_starting(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", _file().replace("family: evm", "family: cosmos"))
    with pytest.raises(typer.Exit) as caught:
        exit_on_bad_registry(Settings(chain_registry=str(bad)))
    assert caught.value.exit_code == 2
    exit_on_bad_registry(Settings())  # the shipped registry is fine
