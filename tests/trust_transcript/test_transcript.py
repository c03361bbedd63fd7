"""Transcripts: built from the log, verified offline by the CLI and by the standalone script
(run without ledgerdesk importable), and any flipped byte fails both with the same verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.core.errors import NotFound
from ledgerdesk.trust import log
from ledgerdesk.trust.transcript import NotLoggedYet, build
from ledgerdesk.trust.transcript_cli import register
from ledgerdesk.trust.transcript_html import render
from tests.conftest import make_customer, make_ticket
from tests.trust_transcript.helpers import (
    AGENT_TEXT,
    CUSTOMER_TEXT,
    NOTE_TEXT,
    SCRIPT,
    both_verdicts,
    bundle_for,
    logged_ticket,
    public_key,
    standalone,
)

OTHER_KEY = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"


def _cli(path: Path, key: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a group of two, as `verify` will be
    result = CliRunner().invoke(app, ["transcript", str(path), "--public-key", key])
    return result.exit_code, result.output


def _script(path: Path, key: str, tmp: Path) -> tuple[int, str]:
    """The standalone script as a third party runs it: isolated, in a directory with no
    ledgerdesk, and an environment that could not import it."""
    copy = tmp / "verify_transcript.py"
    copy.write_bytes(SCRIPT.read_bytes())
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(copy), str(path), key],
        capture_output=True,
        text=True,
        cwd=tmp,
        env=env,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_portal_transcript_verifies_with_both_verifiers(
    db_session: Session, tmp_path: Path
) -> None:
    desk = logged_ticket(db_session)
    bundle = bundle_for(db_session, desk.customer_actor, desk.ticket.id)
    assert bundle.filename == f"transcript-{desk.ticket.id}.html"
    path = tmp_path / bundle.filename
    path.write_bytes(bundle.content)
    key = public_key()
    size = bundle.evidence["head"]["tree_size"]

    code, out = _cli(path, key)
    assert code == 0, out
    assert out.startswith(f"transcript verified: {len(bundle.evidence['items'])} items, tree head")
    assert f"of size {size} signed at " in out
    assert _script(path, key, tmp_path) == (code, out)

    text = bundle.content.decode()
    sources = [i["source"] for i in bundle.evidence["items"]]
    assert sources.count("message") == 3 and "attachment" in sources
    assert NOTE_TEXT not in text  # customers never see internal notes
    assert "Deposit &lt;missing&gt;" in text and "Pending" in text and "on_hold" not in text
    assert "&lt;b&gt;an hour ago&lt;/b&gt;" in text  # a message's markup is text, not HTML
    actions = [i["leaf"]["action"] for i in bundle.evidence["items"] if i["source"] == "event"]
    assert actions[0] == "ticket.created" and len(actions) >= 2  # and the agent's: open, pending
    assert set(actions[1:]) == {"ticket.status_changed"}
    assert "<" not in text.split('id="ledgerdesk-evidence">')[1].split("</script>")[0]


def test_console_transcript_holds_notes_and_every_event(db_session: Session) -> None:
    desk = logged_ticket(db_session)
    bundle = bundle_for(db_session, desk.agent_actor, desk.ticket.id)
    text = bundle.content.decode()
    assert NOTE_TEXT in text and AGENT_TEXT in text and "Internal note" in text
    actions = {i["leaf"]["action"] for i in bundle.evidence["items"] if i["source"] == "event"}
    assert {"ticket.created", "ticket.status_changed", "message.note"} <= actions
    assert standalone().verify(bundle.content, bytes.fromhex(public_key()))[0] == []


def test_chinese_reader_gets_chinese_labels(db_session: Session) -> None:
    desk = logged_ticket(db_session)
    zh = bundle_for(db_session, desk.customer_actor, desk.ticket.id, "zh-CN").content.decode()
    assert (
        '<html lang="zh-CN">' in zh
        and "工单记录" in zh
        and "等待客户" in zh
        and "Pending" not in zh
    )
    assert CUSTOMER_TEXT.replace("<", "&lt;").replace(">", "&gt;") in zh
    en = bundle_for(db_session, desk.customer_actor, desk.ticket.id).content.decode()
    assert "Transcript of ticket" in en and "工单记录" not in en


@pytest.mark.parametrize("audience", ["portal", "console"])
def test_any_flipped_byte_fails_both_alike(db_session: Session, audience: str) -> None:
    desk = logged_ticket(db_session)
    actor = desk.customer_actor if audience == "portal" else desk.agent_actor
    data = bundle_for(db_session, actor, desk.ticket.id).content
    key, script = public_key(), standalone()
    ours, theirs = both_verdicts(data, key, script)
    assert ours == theirs == (True, [])
    text = data.decode()
    evidence_at = text.index('id="ledgerdesk-evidence">')
    targets = {
        "message shown": data.index(AGENT_TEXT.encode()),
        "message recorded": data.index(AGENT_TEXT[:20].encode(), evidence_at),
        "time shown": data.index(b'<span class="t">') + 25,
        "status shown": data.index(b"Pending"),
        "css": data.index(b"max-width"),
        "json": data.index(b'"tree_size"', evidence_at) + 13,
        "signature": data.index(b'"signature":"', evidence_at) + 20,
        "salt": data.index(b'"salt":"', evidence_at) + 10,
    }
    offsets = list(targets.items()) + [(f"sweep {i}", i) for i in range(0, len(data), 97)]
    for what, at in offsets:
        ours, theirs = both_verdicts(_flip(data, at), key, script)
        assert ours[0] is False, what
        assert ours == theirs, what
    shown = both_verdicts(_flip(data, targets["message shown"]), key, script)[0][1]
    assert shown == [f"the readable page differs from the evidence at message 3 ({_when(data, 2)})"]
    recorded = both_verdicts(_flip(data, targets["message recorded"]), key, script)[0][1]
    assert recorded[0].endswith("the text shown differs from the one recorded")
    signature = both_verdicts(_flip(data, targets["signature"]), key, script)[0][1]
    assert "the tree head's signature does not verify with this key" in signature


def _when(data: bytes, message: int) -> str:
    """The time of the transcript's ``message``-th message (0-based), as verdicts write it."""
    text = data.decode()
    evidence = json.loads(text.split('id="ledgerdesk-evidence">')[1].split("</script>")[0])
    stamp = [i for i in evidence["items"] if i["source"] == "message"][message]["leaf"]["at"]
    return stamp[:10] + " " + stamp[11:19] + " UTC"


def test_flips_and_a_wrong_key_fail_the_programs(db_session: Session, tmp_path: Path) -> None:
    desk = logged_ticket(db_session)
    data = bundle_for(db_session, desk.customer_actor, desk.ticket.id).content
    key = public_key()
    for name, content, with_key in [
        ("status.html", data.replace(b"Pending", b"Solved!", 1), key),
        ("body.html", data.replace(b"screenshot", b"screenshoT"), key),
        ("good.html", data, OTHER_KEY),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        code, out = _cli(path, with_key)
        assert code == 1, out
        assert _script(path, with_key, tmp_path) == (code, out)
    assert "but the key given is" in out
    assert _cli(tmp_path / "missing.html", key)[0] == 2
    assert _cli(tmp_path / "good.html", "not-a-key")[0] == 2
    assert _script(tmp_path / "good.html", "abcd", tmp_path)[0] == 2


def test_rendering_is_the_same_in_the_standalone_script(db_session: Session) -> None:
    desk = logged_ticket(db_session)
    script = standalone()
    for actor in (desk.customer_actor, desk.agent_actor):
        for locale in ("en", "zh-CN"):
            bundle = bundle_for(db_session, actor, desk.ticket.id, locale)
            again = "".join(c for _, c in script.parts(bundle.evidence)).encode()
            assert again == render(bundle.evidence) == bundle.content
    assert len(SCRIPT.read_text().splitlines()) < 200


def test_only_logged_entries_and_how_many_are_waiting(db_session: Session) -> None:
    desk = logged_ticket(db_session)
    from ledgerdesk.tickets import services as tickets

    tickets.do_agent_reply(db_session, desk.agent_actor, desk.ticket, "Found it, crediting now.")  # type: ignore[arg-type]
    db_session.flush()
    bundle = bundle_for(db_session, desk.customer_actor, desk.ticket.id)
    assert bundle.evidence["pending"] >= 1
    assert "still being recorded" in bundle.content.decode()
    assert b"crediting now" not in bundle.content

    fresh = make_ticket(db_session, make_customer(db_session))
    db_session.flush()
    if log.latest_head(db_session) is not None:
        with pytest.raises(NotLoggedYet):
            build(db_session, customer_actor(fresh.requester), fresh.id)


def test_a_customer_cannot_build_another_customers_transcript(db_session: Session) -> None:
    desk = logged_ticket(db_session)
    stranger = customer_actor(make_customer(db_session))
    with pytest.raises(NotFound):
        build(db_session, stranger, desk.ticket.id)


def test_a_transcript_proves_against_the_head_anchored_on_chain(
    db_session: Session, tmp_path: Path
) -> None:
    """When a head covering the conversation was anchored, the transcript proves against that
    head (anyone can then find its root on chain) and names the anchor; it still verifies."""
    from ledgerdesk.trust.anchoring_models import CONFIRMED, Anchor

    desk = logged_ticket(db_session)
    anchored = log.latest_head(db_session)
    assert anchored is not None
    db_session.add(
        Anchor(
            tree_size=anchored.tree_size,
            root_hash=anchored.root_hash,
            chain_id=1337,
            network="devnet",
            contract="0x" + "ab" * 20,
            tx_hash="0x" + "cd" * 32,
            block_number=42,
            status=CONFIRMED,
        )
    )
    make_ticket(db_session)  # the log grows past the anchored head
    log.append_pending(db_session)
    latest = log.sign_head(db_session)
    assert latest is not None and latest.tree_size > anchored.tree_size

    bundle = bundle_for(db_session, desk.customer_actor, desk.ticket.id)
    assert bundle.evidence["head"]["tree_size"] == anchored.tree_size
    assert bundle.evidence["anchor"]["block_number"] == 42
    path = tmp_path / bundle.filename
    path.write_bytes(bundle.content)
    code, out = _cli(path, public_key())
    assert code == 0, out
    code, out = _script(path, public_key(), tmp_path)
    assert code == 0, out
