"""``ledgerdesk guard scan`` as a real process: one output line per input line, in order."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.guard.evm_node import EvmNode, serve
from tests.guard.factory import hex64, phrase
from tests.test_cli import BIN


def run(tmp_path: Path, data: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    environ.update({"LEDGERDESK_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [str(BIN), "guard", "scan"],
        input=data,
        capture_output=True,
        env=environ,
        timeout=120,
        check=False,
    )


def lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_scan_redacts_and_reports_in_order(tmp_path: Path) -> None:
    words = phrase("english", 12, seed=301)
    inputs = [
        {"text": "mnemonic: " + " ".join(words)},
        {"text": "deposit txid 0x" + hex64(302) + " not credited"},
        {"text": "验证码 482913"},
        {"text": ""},
    ]
    data = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in inputs).encode()
    result = run(tmp_path, data)
    assert result.returncode == 0, result.stderr.decode()
    out = lines(result)
    assert len(out) == 4
    assert out[0] == {
        "redacted": "mnemonic: [removed: seed phrase]",
        "findings": [{"kind": "seed_phrase", "start": 10, "end": len(inputs[0]["text"])}],
    }
    assert out[1] == {"redacted": inputs[1]["text"], "findings": []}
    assert out[2] == {
        "redacted": "验证码 [已删除：验证码]",
        "findings": [{"kind": "otp_code", "start": 4, "end": 10}],
    }
    assert out[3] == {"redacted": "", "findings": []}


def test_bad_lines_get_an_error_in_place_and_exit_2(tmp_path: Path) -> None:
    key = hex64(303)
    data = (
        b'{"text": "fine"}\n'
        b"not json\n"
        b'{"text": 5}\n'
        b"\n"
        b'{"text": "private key ' + key.encode() + b' \xff\xfe"}\n'
        b'{"text": "last"}\n'
    )
    result = run(tmp_path, data)
    assert result.returncode == 2
    out = lines(result)
    assert len(out) == 6
    assert out[0] == {"redacted": "fine", "findings": []}
    assert "line 2: not JSON" in str(out[1]["error"])
    assert 'line 3: expected an object with a string "text"' in str(out[2]["error"])
    assert "line 4: empty line" in str(out[3]["error"])
    assert "line 5: not valid UTF-8" in str(out[4]["error"])
    assert key not in result.stdout.decode()  # the bad line is still redacted
    assert out[5] == {"redacted": "last", "findings": []}
    assert "could not be scanned" in result.stderr.decode()


def test_scan_asks_the_configured_chain(tmp_path: Path) -> None:
    node = EvmNode()
    tx_hash = node.send()
    unknown = "0x" + hex64(304)
    data = (json.dumps({"text": tx_hash}) + "\n" + json.dumps({"text": unknown}) + "\n").encode()
    with serve(node) as url:
        result = run(tmp_path, data, LEDGERDESK_GUARD_CHAIN_RPC_URLS=url)
    assert result.returncode == 0, result.stderr.decode()
    out = lines(result)
    assert out[0] == {"redacted": tx_hash, "findings": []}
    assert out[1]["findings"] == [{"kind": "private_key", "start": 0, "end": 66}]


def test_bad_chain_setting_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, b'{"text": "x"}\n', LEDGERDESK_GUARD_CHAIN_RPC_URLS="ftp://nope")
    assert result.returncode == 2
    assert "not an http(s) JSON-RPC URL" in result.stderr.decode()
