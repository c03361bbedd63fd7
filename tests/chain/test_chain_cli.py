"""``ledgerdesk chain tx``: the fixed JSON contract and exit codes, through typer's runner
and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ledgerdesk
from ledgerdesk.chain.devnode import DevNode
from ledgerdesk.cli import app
from tests.chain.conftest import DEV_CHAIN_ID
from tests.chain.nodes import ScriptedNode, serve

KEYS = ["found", "status", "block_number", "confirmations", "transfers"]
UNKNOWN = "0x" + "ab" * 32


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["chain", "tx", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def test_token_transfer_as_json(devnode: DevNode, token: str) -> None:
    to = devnode.accounts[1]
    tx_hash = devnode.send_token(token, to, 1_500_000)
    devnode.mine(2)
    code, out, _ = invoke(
        tx_hash,
        "--kind",
        "evm",
        "--url",
        devnode.url,
        "--allow-private",
        "--chain-id",
        str(DEV_CHAIN_ID),
        "--json",
    )
    assert code == 0
    assert out.count("\n") == 1  # exactly one JSON object, on one line
    answer = json.loads(out)
    assert list(answer) == KEYS
    assert answer == {
        "found": True,
        "status": "success",
        "block_number": devnode.head - 2,
        "confirmations": 3,
        "transfers": [
            {"asset": token, "from": devnode.accounts[0], "to": to, "amount_raw": "1500000"}
        ],
    }


def test_not_found_and_failed_exit_0(devnode: DevNode, token: str) -> None:
    code, out, _ = invoke(
        UNKNOWN, "--kind", "evm", "--url", devnode.url, "--allow-private", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "found": False,
        "status": "not_found",
        "block_number": None,
        "confirmations": None,
        "transfers": [],
    }
    failed = devnode.send_failing(token)
    code, out, _ = invoke(
        failed, "--kind", "evm", "--url", devnode.url, "--allow-private", "--json"
    )
    assert code == 0
    answer = json.loads(out)
    assert (answer["status"], answer["transfers"]) == ("failed", [])


def test_pending_native_as_json(devnode: DevNode) -> None:
    with devnode.pending_mode():
        tx_hash = devnode.send_native(devnode.accounts[2], 4242)
        code, out, _ = invoke(
            tx_hash, "--kind", "evm", "--url", devnode.url, "--allow-private", "--json"
        )
    assert code == 0
    assert json.loads(out) == {
        "found": True,
        "status": "pending",
        "block_number": None,
        "confirmations": None,
        "transfers": [
            {
                "asset": "native",
                "from": devnode.accounts[0],
                "to": devnode.accounts[2],
                "amount_raw": "4242",
            }
        ],
    }


def test_readable_summary(devnode: DevNode) -> None:
    tx_hash = devnode.send_native(devnode.accounts[3], 7, memo="hello")
    code, out, _ = invoke(tx_hash, "--kind", "evm", "--url", devnode.url, "--allow-private")
    assert code == 0
    assert "status: success" in out and "(1 confirmations)" in out
    assert f"transfer: 7 of native from {devnode.accounts[0]} to {devnode.accounts[3]}" in out
    assert "memo 'hello'" in out
    code, out, _ = invoke(UNKNOWN, "--kind", "evm", "--url", devnode.url, "--allow-private")
    assert code == 0 and out.startswith("not found")


@pytest.mark.parametrize("bad", ["0x12", "ab" * 32, "hello", "0x" + "g" * 64])
def test_bad_hash_exit_2(bad: str) -> None:
    code, out, err = invoke(bad, "--kind", "evm", "--url", "http://127.0.0.1:9", "--json")
    assert code == 2 and out == ""
    assert "invalid_hash" in err and "Traceback" not in err


def test_node_errors_exit_3(devnode: DevNode) -> None:
    cases = [
        (["--url", devnode.url], "forbidden_address"),
        (["--url", devnode.url, "--allow-private", "--chain-id", "1"], "wrong_chain"),
        (["--url", "http://127.0.0.1:9", "--allow-private"], "unreachable"),
        (["--url", "ftp://example.org"], "forbidden_address"),
    ]
    for extra, kind in cases:
        code, out, err = invoke(UNKNOWN, "--kind", "evm", *extra, "--json")
        assert code == 3 and out == "", (extra, out)
        assert err.startswith(f"Error: {kind}:") and err.count("\n") == 1, err


def test_garbage_node_exit_3() -> None:
    with serve(ScriptedNode(lambda request: (200, b"<html>hi</html>"))) as url:
        code, out, err = invoke(UNKNOWN, "--kind", "evm", "--url", url, "--allow-private", "--json")
    assert code == 3 and out == "" and "bad_response" in err


def test_unknown_kind_is_a_usage_error() -> None:
    code, out, _ = invoke(UNKNOWN, "--kind", "solana", "--url", "http://x.example", "--json")
    assert code == 2 and out == ""


def test_as_a_real_process(devnode: DevNode) -> None:
    tx_hash = devnode.send_native(devnode.accounts[4], 10**17)
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-c", "from ledgerdesk.cli import app; app()", "chain", "tx"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )

    found = run(
        tx_hash,
        "--kind",
        "evm",
        "--url",
        devnode.url,
        "--allow-private",
        "--chain-id",
        str(DEV_CHAIN_ID),
        "--json",
    )
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert list(answer) == KEYS and answer["status"] == "success"
    assert answer["transfers"] == [
        {
            "asset": "native",
            "from": devnode.accounts[0],
            "to": devnode.accounts[4],
            "amount_raw": str(10**17),
        }
    ]
    refused = run(UNKNOWN, "--kind", "evm", "--url", devnode.url, "--json")
    # The exit code of a node error, with one line on stderr (bad hashes: see above).
    assert refused.returncode == 3 and refused.stdout == ""
    assert (
        refused.stderr.startswith("Error: forbidden_address:") and "Traceback" not in refused.stderr
    )
