"""``ledgerdesk kb search`` / ``kb reindex`` / ``worker`` as real processes on a real SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run

FAQ = [
    {
        "id": "reset-password",
        "lang": "en",
        "title": "How to reset your password",
        "body": "Open the sign-in page, choose Forgot password and follow the e-mail link.",
    },
    {
        "id": "reset-password",
        "lang": "zh-CN",
        "title": "如何重置登录密码",
        "body": "在登录页点击忘记密码，按邮件中的链接设置新密码。",
    },
    {
        "id": "deposit-late",
        "lang": "en",
        "title": "Why is my deposit late?",
        "body": "Deposits are credited after the network confirms them.",
    },
    {
        "id": "card-declined",
        "lang": "en",
        "title": "My card was declined",
        "body": "Your bank may block payments to exchanges; ask it to allow the payment.",
    },
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("kbcli")
    faq = home / "faq.jsonl"
    faq.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in FAQ) + "\n")
    assert run(home, "migrate").returncode == 0
    imported = run(home, "kb", "import", str(faq))
    assert imported.returncode == 0, imported.stderr
    return home


def _hits(desk: Path, *args: str) -> list[dict[str, object]]:
    result = run(desk, "kb", "search", *args, "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_search_prints_one_json_line_per_hit(desk: Path) -> None:
    hits = _hits(desk, "forgot my password", "--limit", "2")
    assert 1 <= len(hits) <= 2
    assert set(hits[0]) == {"id", "title", "score"}
    assert hits[0]["id"] == "reset-password"
    assert _hits(desk, "忘记密码怎么办", "--lang", "zh")[0]["title"] == "如何重置登录密码"
    assert _hits(desk, "bank blocked my card payment")[0]["id"] == "card-declined"


def test_search_bad_input_is_a_clear_error(desk: Path) -> None:
    assert _hits(desk, "") == []
    assert _hits(desk, "   ") == []
    long = run(desk, "kb", "search", "x" * 10_240, "--json")
    assert long.returncode == 2 and "limit is 500" in long.stderr
    lang = run(desk, "kb", "search", "deposit", "--lang", "klingon")
    assert lang.returncode == 2 and "unknown language" in lang.stderr
    limit = run(desk, "kb", "search", "deposit", "--limit", "0")
    assert limit.returncode == 2 and "limit" in limit.stderr


def test_reindex_and_worker(desk: Path) -> None:
    result = run(desk, "kb", "reindex")
    assert result.returncode == 0 and "Reindexed 3 articles" in result.stderr
    once = run(desk, "worker", "--once")
    assert once.returncode == 0 and "Ran" in once.stderr
    assert _hits(desk, "deposit confirmations")[0]["id"] == "deposit-late"


def test_search_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path, "kb", "search", "deposit")
    assert result.returncode == 1 and "ledgerdesk migrate" in result.stderr
