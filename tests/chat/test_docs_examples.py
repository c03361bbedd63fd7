"""The chat docs' examples run, and what they produce is what the desk accepts.

docs/chat-widget.md prints two complete programs that sign a chat identity token: Python with
PyJWT and Node with node:crypto only. They are run here exactly as printed (the blocks after
an ``<!-- example: NAME -->`` marker) and their tokens are checked against the rules of the
signed identity (HS256 only, ``sub``/``email``/``iat``/``exp`` required, ``aud`` checked when
present, at most 24 hours between ``iat`` and ``exp``, 30 s of leeway) and then signed in with
the desk's own ``identify_signed``. The business-hours example is parsed by the desk, every
chat setting must be in the widget doc, and every close and error code of the websocket in
the protocol doc. Change the docs or the code, and this fails until the other follows.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.chat import frames, limits
from ledgerdesk.chat import services as chat
from ledgerdesk.chat.hours import BusinessHours
from ledgerdesk.core.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    RateLimited,
    TicketClosed,
    TooLarge,
)
from ledgerdesk.core.settings import Settings
from tests.chat.support import chat_settings
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DOC = ROOT / "docs" / "chat-widget.md"
PROTOCOL_DOC = ROOT / "docs" / "chat-protocol.md"
# The refusals a send can meet, one per error code of the protocol.
ERROR_CLASSES = (InvalidInput, TooLarge, NotFound, TicketClosed, RateLimited, NotPermitted)
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


@pytest.mark.parametrize("name", ["jwt-python", "jwt-node"])
def test_token_example_signs_the_customer_in_on_the_desk(
    name: str, tmp_path: Path, db_session: Session
) -> None:
    """The real check, not only the rules above: the desk's own identify_signed."""
    secret = secrets.token_urlsafe(48)
    token = run_example(name, tmp_path, secret)
    with chat_settings(LEDGERDESK_CHAT_JWT_SECRET=secret):
        visitor, visitor_token = chat.identify_signed(db_session, token)
        assert chat.visitor_from_token(db_session, visitor_token) == visitor
    assert visitor.identity == "signed" and visitor.verified
    customer = db_session.get_one(Customer, visitor.customer_id)
    assert (customer.external_id, customer.email, customer.name, customer.locale) == (
        EXPECTED["sub"],
        EXPECTED["email"],
        EXPECTED["name"],
        EXPECTED["locale"],
    )
    with (
        chat_settings(LEDGERDESK_CHAT_JWT_SECRET=secrets.token_urlsafe(48)),
        pytest.raises(NotAuthenticated, match="signature does not match"),
    ):
        chat.identify_signed(db_session, token)


def _env_block(name: str) -> dict[str, str]:
    """``KEY=value`` lines of a marked sh example (quotes removed)."""
    lang, code = examples()[name]
    assert lang == "sh"
    pairs = (line.split("=", 1) for line in code.splitlines() if "=" in line)
    return {key.strip(): value.strip().strip("\"'") for key, value in pairs}


def test_business_hours_example_is_valid_and_means_what_the_doc_says() -> None:
    env = _env_block("chat-hours")
    settings = Settings(
        chat_hours=env["LEDGERDESK_CHAT_HOURS"],
        chat_timezone=env["LEDGERDESK_CHAT_TIMEZONE"],
        chat_holidays=env["LEDGERDESK_CHAT_HOLIDAYS"],  # type: ignore[arg-type]
    )
    hours = BusinessHours.parse(settings.chat_hours, settings.chat_timezone, settings.chat_holidays)
    shanghai = ZoneInfo("Asia/Shanghai")

    def at(day: int, hour: int, minute: int = 0) -> datetime:  # February 2027, Shanghai time
        return datetime(2027, 2, day, hour, minute, tzinfo=shanghai)

    assert hours.is_open(at(1, 9))  # Monday morning
    assert not hours.is_open(at(1, 12, 45))  # lunch break
    assert hours.is_open(at(1, 17, 59)) and not hours.is_open(at(1, 18))
    assert hours.is_open(at(13, 11)) and not hours.is_open(at(13, 14))  # Saturday
    assert not hours.is_open(at(14, 11))  # Sunday
    assert not hours.is_open(at(8, 10))  # a Monday listed as a holiday
    assert hours.next_open(at(7, 20)) == at(9, 9).astimezone(UTC)  # holidays skipped


def test_every_chat_setting_is_in_the_widget_doc() -> None:
    text = WIDGET_DOC.read_text(encoding="utf-8")
    names = [f"LEDGERDESK_{n.upper()}" for n in Settings.model_fields if n.startswith("chat_")]
    assert len(names) >= 12
    assert [n for n in names if n not in text] == []


def test_every_close_and_error_code_is_in_the_protocol_doc() -> None:
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    closes = [v for k, v in vars(frames).items() if k.startswith("CLOSE_")]
    assert len(closes) >= 6
    assert [c for c in closes if f"`{c}`" not in text] == []
    errors = {frames.error_code(cls("x")) for cls in ERROR_CLASSES}
    assert [e for e in sorted(errors) if f"`{e}`" not in text] == []
    assert f"{limits.MAX_FRAME_BYTES // 1024} KiB" in text
    assert f"every {frames.HEARTBEAT_SECONDS}" in text or f"({frames.HEARTBEAT_SECONDS}," in text
