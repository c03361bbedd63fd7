"""Inbound e-mail parsing: the corpus (one case per message), the ``ledgerdesk mail parse``
contract, and hostile input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledgerdesk.channels.mail_html import html_to_text
from ledgerdesk.channels.mail_parse import clean_id, decode_bytes, ids_in, parse_message
from ledgerdesk.channels.mail_quotes import trim
from ledgerdesk.cli import app

CORPUS = Path(__file__).parent / "mail_corpus"
ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = [
    "message_id",
    "in_reply_to",
    "references",
    "from",
    "subject",
    "body",
    "auto",
    "attachments",
]


SETS = (CORPUS, CORPUS / "holdout", CORPUS / "holdout2")  # holdouts: see bench/RESULTS.md


def _expected(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [
        json.loads(line) | {"path": folder / json.loads(line)["file"]} for line in lines if line
    ]


EXPECTED = _expected(CORPUS)
ALL = [case for folder in SETS for case in _expected(folder)]


def _norm(text: str) -> str:
    return " ".join(text.split())


def test_corpus_is_complete() -> None:
    assert len(ALL) >= 60
    for folder in SETS:  # every message has its expectation, and only those
        expected = sorted(e["file"] for e in _expected(folder))
        assert expected == sorted(p.name for p in folder.glob("*.eml"))
    kinds = {e["auto"] for e in ALL}
    assert kinds == {None, "auto_reply", "bounce", "feedback_report"}


@pytest.mark.parametrize("case", ALL, ids=[str(e["path"].relative_to(CORPUS)) for e in ALL])
def test_corpus_message(case: dict[str, Any]) -> None:
    parsed = parse_message(case["path"].read_bytes())
    got = parsed.contract()
    assert list(got) == CONTRACT_KEYS
    for key in ("message_id", "in_reply_to", "references", "from", "subject", "auto"):
        assert got[key] == case[key], key
    assert _norm(got["body"]) == _norm(case["body"])
    assert got["attachments"] == case["attachments"]
    assert parsed.forwarded is case["forwarded"]
    assert parsed.failed_recipients == case["failed_recipients"]


def test_attachment_data_is_decoded() -> None:
    parsed = parse_message((CORPUS / "new_attachments_gbk_names.eml").read_bytes())
    png, pdf = parsed.attachments
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert pdf.data.startswith(b"%PDF-1.7") and pdf.data.endswith(b"%%EOF\n")


def test_loop_headers_are_kept() -> None:
    parsed = parse_message((CORPUS / "outlook_desktop_en.eml").read_bytes())
    assert parsed.headers["x-auto-response-suppress"] == "All"
    assert parsed.auto is None
    assert "support@ledgerdesk.example" in parsed.to


# Pieces ------------------------------------------------------------------------------------


def test_html_to_text_is_safe() -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body onload='x()'>"
        "<script>document.write('evil')</script><p>Hello <b>there</b></p>"
        "<div style='display: none'>hidden</div><span hidden>also hidden</span>"
        "<a href='https://a.example/x'>label</a> <a href='https://b.example/'>https://b.example/</a>"
        " <a href='javascript:alert(1)'>js</a><!-- a comment --><p>&lt;script&gt; stays text</p>"
    )
    text = html_to_text(html)
    assert "evil" not in text and "hidden" not in text and "comment" not in text
    assert "<b>" not in text and "p{}" not in text
    assert "label (https://a.example/x)" in text
    assert "https://b.example/ (" not in text  # label equal to the address: once
    assert "js" in text and "javascript" not in text
    assert "<script> stays text" in text


def test_broken_html_never_raises() -> None:
    for html in ("<div><p>open", "</div></span>text", "<a href=>x", "<<<>>>", "<table><td>1"):
        assert isinstance(html_to_text(html), str)


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("喆".encode("gbk"), "gb2312", "喆"),  # GBK text declared GB2312
        ("充值".encode("gbk"), "utf-8", "充值"),  # declared UTF-8, written in GBK
        ("提幣".encode("big5"), "big5", "提幣"),
        ("出金".encode("iso-2022-jp"), "iso-2022-jp", "出金"),
        ("Grüße".encode(), "no-such-charset", "Grüße"),
        (b"\xff\xfe\xfa", None, None),  # undecodable: replaced, never raises
    ],
)
def test_decode_bytes(data: bytes, charset: str | None, text: str | None) -> None:
    decoded = decode_bytes(data, charset)
    if text is not None:
        assert decoded == text
    else:
        assert isinstance(decoded, str)


def test_ids() -> None:
    assert clean_id(" <abc@x.example> ") == "abc@x.example"
    assert clean_id("abc@x.example") == "abc@x.example"
    assert clean_id("") == ""
    assert ids_in("<a@x> <b@y>\r\n <c@z>") == ["a@x", "b@y", "c@z"]


def test_trim_keeps_a_person_text_that_looks_like_markers() -> None:
    text = "From: my Ledger wallet\nTo: your exchange\nI sent it from my iPhone wallet app.\nThanks"
    assert trim(text).body == text  # one header-like line is not a quoted block
    assert trim("Sent from Electrum, tx 0xabc").body == "Sent from Electrum, tx 0xabc"


def test_trim_bottom_posting() -> None:
    text = "On Sun, Dec 6, 2026 at 10:00 AM Desk <d@x> wrote:\n> old question\n\nmy answer\n"
    assert trim(text).body == "my answer"


@pytest.mark.parametrize(
    ("subject", "auto"),
    [
        ("休假回来发现账户被锁", None),
        ("On vacation and locked out of my account", None),
        ("Out of office: back on Monday", "auto_reply"),
        ("自动回复：您的来信已收到", "auto_reply"),
        ("Automatic reply", "auto_reply"),
        ("Undeliverable: my withdrawal", None),  # a bounce subject from a person's address
    ],
)
def test_subject_alone(subject: str, auto: str | None) -> None:
    raw = (
        f"From: Someone <someone@example.com>\r\nSubject: {subject}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHello"
    ).encode()
    assert parse_message(raw).auto == auto


# Hostile input -----------------------------------------------------------------------------

HOSTILE: dict[str, bytes] = {
    "binary": bytes(range(256)) * 400,
    "empty": b"",
    "header_bomb": b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 40) for i in range(50_000)) + b"\r\nbody",
    "long_subject": b"Subject: " + b"=?utf-8?B?5L2g?=" * 100_000 + b"\r\n\r\nbody",
    "deep_nesting": b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(2000)
    )
    + b"Content-Type: text/plain\r\n\r\nhi\r\n",
    "nul_bytes": b"From: a@b\x00c\r\nSubject: \x00\xff\xfe\r\n\r\n\x00\x01 text",
    "bad_encoded_word": b"Subject: =?utf-8?B?####?= =?no-such?Q?x?= =?utf-8?Q?=FF?=\r\n\r\nx",
    "bad_rfc2231": b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
    b"Content-Type: application/pdf\r\nContent-Disposition: attachment; "
    b"filename*=no-such''%FF%FE.pdf\r\n\r\nAAAA\r\n--x--\r\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_gives_a_result(name: str) -> None:
    parsed = parse_message(HOSTILE[name])
    line = json.dumps(parsed.contract(), ensure_ascii=False)
    line.encode("utf-8")  # no lone surrogates: printable as UTF-8
    assert "\x00" not in line


@pytest.mark.parametrize(
    "text",
    [
        "-" * 20_000 + "x",  # once took 47 s: overlapping quantifiers in the separator pattern
        "=" * 20_000 + "Original",
        "From:" + " " * 20_000 + "x\n" + (" " * 20_000 + "Sent: y\n") * 5,
        "\n".join(["2026 " + "a " * 140 + "<" + "b" * 60] * 2000),
    ],
    ids=["dashes", "equals", "spaces", "attribution-like"],
)
def test_trim_time_is_linear_on_hostile_lines(text: str) -> None:
    started = time.perf_counter()
    trim(text)
    assert time.perf_counter() - started < 2.0


def test_unreadable_mime_tree_keeps_the_headers() -> None:
    head = b"From: A <a@example.com>\r\nSubject: deep\r\nMessage-ID: <d@x>\r\n"
    parsed = parse_message(head + HOSTILE["deep_nesting"])
    assert parsed.from_address == "a@example.com"
    assert (parsed.subject, parsed.message_id) == ("deep", "d@x")


def test_header_bomb_keeps_the_body_and_a_cut_subject() -> None:
    assert parse_message(HOSTILE["header_bomb"]).body == "body"
    assert len(parse_message(HOSTILE["long_subject"]).subject) <= 16_384


# The command -------------------------------------------------------------------------------


def test_cli_prints_one_line_per_file_in_order(tmp_path: Path) -> None:
    files = [CORPUS / e["file"] for e in EXPECTED[:6]]
    result = CliRunner().invoke(app, ["mail", "parse", *map(str, files)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(files)
    for line, case in zip(lines, EXPECTED[:6], strict=True):
        obj = json.loads(line)
        assert list(obj) == CONTRACT_KEYS
        assert obj["message_id"] == case["message_id"]
        assert all(list(a) == ["filename", "content_type", "size"] for a in obj["attachments"])


def test_cli_prints_chinese_as_written() -> None:
    result = CliRunner().invoke(app, ["mail", "parse", str(CORPUS / "gmail_zh_alt.eml")])
    assert "充值未到账" in result.stdout and "\\u" not in result.stdout


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = "from ledgerdesk.cli import app; app(prog_name='ledgerdesk')"
    return subprocess.run(
        [sys.executable, "-c", code, "mail", "parse", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_cli_missing_file_exit_2_others_printed(tmp_path: Path) -> None:
    good = CORPUS / "gmail_en_alt.eml"
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.eml"
    garbage.write_bytes(HOSTILE["binary"])
    bomb = tmp_path / "bomb.eml"
    bomb.write_bytes(HOSTILE["header_bomb"])
    missing = tmp_path / "nope.eml"
    done = _run(str(good), str(missing), str(empty), str(tmp_path), str(garbage), str(bomb))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "nope.eml" in done.stderr and str(tmp_path) in done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 4  # good, empty, garbage, bomb; nothing for the missing file or folder
    assert lines[0]["message_id"] == "gmail.en.alt.1201@gmail.com"
    assert lines[1] == {
        "message_id": "",
        "in_reply_to": "",
        "references": [],
        "from": "",
        "subject": "",
        "body": "",
        "auto": None,
        "attachments": [],
    }
    assert lines[3]["body"] == "body"


def test_cli_all_good_exit_0() -> None:
    done = _run(str(CORPUS / "bounce_postfix_dsn.eml"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["auto"] == "bounce"


def test_trim_reply_of_the_first_version_still_answers() -> None:
    from ledgerdesk.channels.mail_parse import trim_reply

    assert trim_reply("ok\n\n在 2026年12月6日周日 10:00，A <a@x> 写道：\n> q") == "ok"
