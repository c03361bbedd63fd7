"""``ledgerdesk anchor``: deploy prints both contracts' addresses; ``now`` anchors the latest
head of a real (fresh, migrated SQLite) database; ``check`` answers 0 yes, 1 no, 2 bad input,
3 when the chain cannot be asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledgerdesk.cli import app
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import get_settings
from ledgerdesk.trust.log_models import LogHead
from tests.trust_chain.conftest import Chain

ROOT = "ab" * 32


def _anchor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["anchor", *args])
    return result.exit_code, result.output


def test_deploy_prints_the_addresses(chain_settings: Chain) -> None:
    code, output = _anchor("deploy", "--bond", "1000")
    assert code == 0, output
    lines = dict(line.split(":", 1) for line in output.splitlines() if ":" in line)
    commitment = lines["commitment contract"].strip()
    assert chain_settings.client.balance(commitment) == 1000
    anchor = lines["anchor contract"].strip()
    assert chain_settings.client.latest_anchored_size(anchor) == 0
    assert lines["owner (desk key)"].strip() == chain_settings.desk.address


def test_now_then_check(
    chain_settings: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'anchor.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        session.add(
            LogHead(tree_size=12, root_hash=ROOT, timestamp=1, key_id="k" * 16, signature="s")
        )
        session.commit()
    engine.dispose()
    monkeypatch.setenv("LEDGERDESK_DATABASE_URL", url)
    get_settings.cache_clear()

    code, output = _anchor("now")
    assert code == 0, output
    assert "tree size 12: confirmed in block" in output
    block = chain_settings.client.get_anchor(chain_settings.anchor, 12)
    assert block is not None
    code, output = _anchor("now")
    assert code == 0 and "nothing new to anchor" in output

    assert _anchor("check", "--tree-size", "12", "--root", ROOT)[0] == 0
    assert (
        _anchor(
            "check", "--tree-size", "12", "--root", "0x" + ROOT, "--block", str(block.block_number)
        )[0]
        == 0
    )
    code, output = _anchor(
        "check", "--tree-size", "12", "--root", ROOT, "--block", str(block.block_number - 1)
    )
    assert code == 1 and "after block" in output
    code, output = _anchor("check", "--tree-size", "11", "--root", ROOT)
    assert code == 1 and "never anchored" in output
    code, output = _anchor("check", "--tree-size", "12", "--root", "cd" * 32)
    assert code == 1 and "another root" in output
    monkeypatch.delenv("LEDGERDESK_DATABASE_URL")
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tree-size", "0", "--root", ROOT], "positive"),
        (["--tree-size", "3", "--root", "xyz"], "64 hex digits"),
        (["--tree-size", "3", "--root", "ab" * 31], "64 hex digits"),
        (["--tree-size", "3", "--root", ROOT, "--block", "-1"], "block number"),
    ],
)
def test_check_bad_input_exit_2(args: list[str], message: str) -> None:
    code, output = _anchor("check", *args)
    assert code == 2 and message in output


def test_check_without_configuration_exit_2() -> None:
    code, output = _anchor("check", "--tree-size", "3", "--root", ROOT)
    assert code == 2 and "LEDGERDESK_ANCHOR_CONTRACT" in output


def test_check_unreachable_chain_exit_3(
    chain_settings: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERDESK_ANCHOR_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()
    code, output = _anchor("check", "--tree-size", "3", "--root", ROOT)
    assert code == 3 and "refused" in output


def test_check_a_transcript_against_the_chain(
    chain_settings: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a third party does with a customer's transcript: the tree head it proves against
    was anchored (the transcript names the contract; ``--rpc`` asks any node), and a transcript
    whose head was changed is not."""
    from tests.trust_transcript.helpers import bundle_for, logged_ticket

    url = f"sqlite:///{tmp_path / 'desk.db'}"
    engine = make_engine(url)
    upgrade(engine)
    monkeypatch.setenv("LEDGERDESK_DATABASE_URL", url)
    get_settings.cache_clear()
    with make_sessionmaker(engine)() as session:
        desk = logged_ticket(session)
        session.commit()
    assert _anchor("now")[0] == 0
    with make_sessionmaker(engine)() as session:
        bundle = bundle_for(session, desk.customer_actor, desk.ticket.id)
    engine.dispose()
    assert bundle.evidence["anchor"]["contract"] == chain_settings.anchor
    path = tmp_path / bundle.filename
    path.write_bytes(bundle.content)
    monkeypatch.delenv("LEDGERDESK_ANCHOR_CONTRACT")
    get_settings.cache_clear()
    where = ["--rpc", chain_settings.node.url, "--allow-private"]

    code, output = _anchor("check", "--transcript", str(path), *where)
    assert code == 0 and "anchored in block" in output, output

    root = bundle.evidence["head"]["root_hash"]
    forged = tmp_path / "forged.html"
    forged.write_bytes(bundle.content.replace(root.encode(), b"0" * 64))
    code, output = _anchor("check", "--transcript", str(forged), *where)
    assert code == 1 and "another root" in output, output
    code, output = _anchor("check", "--transcript", str(tmp_path / "missing.html"), *where)
    assert code == 2 and "cannot read" in output
    monkeypatch.delenv("LEDGERDESK_DATABASE_URL")
    get_settings.cache_clear()
