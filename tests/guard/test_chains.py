"""An ambiguous 64-hex string is settled by asking a real local EVM chain over JSON-RPC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledgerdesk.ai.guard import scan
from ledgerdesk.ai.guard.chains import EvmTxLookup
from tests.guard.evm_node import EvmNode, serve
from tests.guard.factory import hex64


@pytest.fixture(scope="module")
def node() -> EvmNode:
    return EvmNode()


@pytest.fixture(scope="module")
def rpc_url(node: EvmNode) -> Iterator[str]:
    with serve(node) as url:
        yield url


def test_a_real_transaction_hash_is_kept(node: EvmNode, rpc_url: str) -> None:
    tx_hash = node.send()
    lookup = EvmTxLookup([rpc_url])
    result = scan(tx_hash, lookup=lookup)
    assert result.findings == ()
    assert result.redacted == tx_hash
    # the same hash without 0x (how TRON and some wallets show it) is found too
    assert scan(tx_hash[2:], lookup=lookup).findings == ()


def test_a_hash_no_chain_knows_is_redacted(node: EvmNode, rpc_url: str) -> None:
    unknown = "0x" + hex64(201)
    (finding,) = scan(unknown, lookup=EvmTxLookup([rpc_url])).findings
    assert finding.kind == "private_key"
    assert finding.detail == {"ambiguous": True, "on_chain": False}


def test_answers_are_cached(node: EvmNode, rpc_url: str) -> None:
    tx_hash = node.send()
    lookup = EvmTxLookup([rpc_url])
    before = len(node.calls)
    assert lookup(tx_hash) is True
    assert lookup(tx_hash) is True
    assert len(node.calls) == before + 1


def test_second_chain_is_asked_when_the_first_does_not_know(node: EvmNode, rpc_url: str) -> None:
    tx_hash = node.send()
    with serve(EvmNode()) as empty_chain:
        assert EvmTxLookup([empty_chain, rpc_url])(tx_hash) is True


def test_a_chain_that_does_not_answer_means_redact(rpc_url: str) -> None:
    lookup = EvmTxLookup(["http://127.0.0.1:9"], timeout=0.5)
    value = "0x" + hex64(202)
    assert lookup(value) is None
    (finding,) = scan(value, lookup=lookup).findings
    assert finding.detail == {"ambiguous": True, "on_chain": None}
