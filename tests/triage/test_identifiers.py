"""Transaction hashes and wallet addresses do not drown a message's words: they are removed
before featurising, in training and in classification alike."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from ledgerdesk.ai.triage import DEFAULT_MODEL_DIR, Triager, load_triager
from ledgerdesk.ai.triage.model import FeatureConfig, mask_identifiers, prepare
from ledgerdesk.core.settings import Settings

HEX = "0123456789abcdef"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
rng = random.Random(11)


def txid(prefix: str = "") -> str:
    return prefix + "".join(rng.choice(HEX) for _ in range(64))


def tron() -> str:
    return "T" + "".join(rng.choice(BASE58) for _ in range(33))


def evm() -> str:
    return "0x" + "".join(rng.choice(HEX) for _ in range(40))


@pytest.fixture(scope="module")
def triager() -> Triager:
    return load_triager(Settings(triage_model=None))


def test_hashes_and_addresses_are_removed_and_the_rest_stays() -> None:
    hashes = [txid(), txid("0x"), tron(), evm(), "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"]
    text = (
        f"USDT 充值没到账 1500 USDT TRC20 txid {hashes[0]}，地址 {hashes[2]}; ERC20 {hashes[1]} "
        f"to {hashes[3]}; BTC {hashes[4]}, UID 48213977, order 4471663064992808728, "
        "ExampleExchangeSupport"
    )
    masked = mask_identifiers(text)
    assert not any(h in masked for h in hashes)
    for kept in ("充值没到账", "txid", "地址", "1500", "48213977", "4471663064992808728"):
        assert kept in masked
    assert "ExampleExchangeSupport" in masked and "TRC20" in masked
    assert prepare(text, 2000, mask=False) == prepare(text, 2000)  # older models: raw text
    assert "txid" in prepare(text, 2000, mask=True) and hashes[0] not in prepare(
        text, 2000, mask=True
    )


def test_the_bundled_model_masks_and_older_models_do_not(tmp_path: Path) -> None:
    meta = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text(encoding="utf-8"))
    assert meta["features"]["mask_identifiers"] is True
    assert FeatureConfig().mask_identifiers is True
    older = tmp_path / "older"
    shutil.copytree(DEFAULT_MODEL_DIR, older)
    del meta["features"]["mask_identifiers"]
    (older / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    model = load_triager(Settings(triage_model=older)).intent_model
    assert model.featurizer.config.mask_identifiers is False


DEPOSITS = [
    f"USDT 充值没到账\n您好，我充值了 1500 USDT，网络 TRC20，txid {txid()}，还没到账。",
    f"USDT 充值没到账\n1500 USDT TRC20 txid {txid()} 地址 {tron()}",
    f"充值未到账,交易哈希:{txid('0x')},充值地址 {evm()}",
    f"USDT deposit not credited\n1500 USDT ERC20 txid {txid('0x')} to {evm()}",
    f"Deposit missing\nI sent 1500 USDT via TRC20 to {tron()}, txid {txid()}. Not arrived.",
    f"1500 USDT，TRC20，txid: {txid()}，充值地址 {tron()}",
]


@pytest.mark.parametrize("text", DEPOSITS)
def test_deposit_messages_with_hashes_are_confident_deposits(triager: Triager, text: str) -> None:
    (result,) = triager.classify([text])
    assert result.intent == "deposit_missing", (result.label, result.confidence, text)


def test_a_pasted_hash_changes_nothing(triager: Triager) -> None:
    """Before, a bare hash pulled towards account_compromised (4 of the 14 training messages
    holding one were about stolen accounts)."""
    for text in ("1500 USDT TRC20", "我的提现还没到", "My withdrawal is still pending"):
        (plain,) = triager.classify([text])
        (pasted,) = triager.classify([f"{text} {txid()} {tron()}"])
        assert pasted.label == plain.label, text
        assert abs(pasted.confidence - plain.confidence) < 0.1, text
