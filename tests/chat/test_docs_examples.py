"""The chat docs' examples run, and what they produce is what the desk accepts.

docs/chat-widget.md prints two complete programs that sign a chat identity token: Python with
PyJWT and Node with node:crypto only. They are run here exactly as printed (the blocks after
an ``<!-- example: NAME -->`` marker) and their tokens are checked against the rules of the
signed identity: HS256 only, ``sub``/``email``/``iat``/``exp`` required, ``aud`` checked when
present, at most 24 hours between ``iat`` and ``exp``, 30 s of leeway. Change the docs or the
rules, and this fails until the other follows.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DOC = ROOT / "docs" / "chat-widget.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)\n```\n", re.S
)
AUDIENCE = "ledgerdesk-chat"
MAX_LIFETIME = 24 * 3600
LEEWAY = 30
REQUIRED = ["sub", "email", "exp", "iat"]
# What the examples' main blocks sign: the doc's example customer.
EXPECTED = {
    "sub": "UID10000001",
    "email": "chen.zihao@example.com",
    "name": "陈子豪",
    "locale": "zh-CN",
    "aud": AUDIENCE,
}


def examples() -> dict[str, tuple[str, str]]:
    """Every marked example of the widget doc: name -> (fence language, code)."""
    found: dict[str, tuple[str, str]] = {}
    for match in EXAMPLE.finditer(WIDGET_DOC.read_text(encoding="utf-8")):
        assert match["name"] not in found, f"example {match['name']} is marked twice"
        found[match["name"]] = (match["lang"], match["code"] + "\n")
    return found


def check_token(token: str, secret: str, audience: str = AUDIENCE) -> dict[str, Any]:
    """The signed-identity rules, as the desk applies them; raises jwt.InvalidTokenError."""
    if jwt.get_unverified_header(token).get("alg") != "HS256":
        raise jwt.InvalidAlgorithmError("only HS256 is accepted")
    unverified = jwt.decode(token, options={"verify_signature": False})
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        audience=audience if "aud" in unverified else None,
        leeway=LEEWAY,
        options={"require": REQUIRED, "verify_aud": "aud" in unverified},
    )
    if not 0 < claims["exp"] - claims["iat"] <= MAX_LIFETIME:
        raise jwt.InvalidTokenError("exp must be after iat and at most 24 hours later")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise jwt.InvalidTokenError("sub must be a non-empty string")
    return claims


def run_example(name: str, tmp_path: Path, secret: str) -> str:
    """Run one marked example as a script with the secret in its environment; its token."""
    lang, code = examples()[name]
    if lang == "python":
        script, command = tmp_path / "chat_token.py", [sys.executable]
    elif lang == "js":
        node = shutil.which("node")
        if node is None:
            unavailable("node", "not on PATH")
        script, command = tmp_path / "chat_token.js", [str(node)]
    else:
        raise AssertionError(f"example {name}: no runner for {lang}")
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "LEDGERDESK_CHAT_JWT_SECRET": secret}
    done = subprocess.run(
        [*command, str(script)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"example {name} failed:\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, f"example {name} should print one token, printed {done.stdout!r}"
    return lines[0]


def test_both_token_examples_are_in_the_doc() -> None:
    found = examples()
    assert found["jwt-python"][0] == "python"
    assert found["jwt-node"][0] == "js"


def test_node_example_needs_no_package() -> None:
    code = examples()["jwt-node"][1]
    required = re.findall(r"""require\(\s*["']([^"']+)["']\s*\)""", code)
    assert required == ["node:crypto"]
    assert "import " not in code


@pytest.mark.parametrize("name", ["jwt-python", "jwt-node"])
def test_token_example_is_accepted(name: str, tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(48)
    token = run_example(name, tmp_path, secret)
    claims = check_token(token, secret)
    assert {key: claims[key] for key in EXPECTED} == EXPECTED
    assert abs(claims["iat"] - time.time()) < 120
    assert claims["exp"] - claims["iat"] == 600
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize("name", ["jwt-python", "jwt-node"])
def test_token_example_is_refused_when_anything_differs(name: str, tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(48)
    token = run_example(name, tmp_path, secret)
    with pytest.raises(jwt.InvalidSignatureError):
        check_token(token, secrets.token_urlsafe(48))
    with pytest.raises(jwt.InvalidAudienceError):
        check_token(token, secret, audience="another-desk")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "UID2"}).encode())
    with pytest.raises(jwt.InvalidSignatureError):
        check_token(f"{header}.{forged.decode().rstrip('=')}.{signature}", secret)
