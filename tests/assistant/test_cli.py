"""``ledgerdesk assistant ask`` as a real process: the fixed JSON-lines contract, the bundled
knowledge base on a fresh data folder, and the configured one when it has articles."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.cli import ask_stream
from ledgerdesk.ai.assistant.types import Context, Reply
from ledgerdesk.core.settings import get_settings
from tests.test_cli import run

KEYS = {"action", "reply", "citations", "confidence"}


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _ask(
    home: Path, *messages: str, customer: str | None = None
) -> tuple[int, list[dict[str, object]], str]:
    extra = ["--customer", customer] if customer else []
    result = run(home, "assistant", "ask", *extra, stdin="".join(m + "\n" for m in messages))
    return result.returncode, _lines(result.stdout), result.stderr


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with no database at all."""
    return tmp_path_factory.mktemp("assistant-fresh")


def test_fresh_desk_answers_from_the_bundled_knowledge_base(fresh: Path) -> None:
    messages = [
        {"text": "how many confirmations does a btc deposit need"},
        {"text": "BTC充值需要多少个确认"},
        {"text": "BTC充值需要多少個確認"},
        {"text": "转人工"},
        {"text": "someone is withdrawing my funds"},
        {"text": "我要投诉，要求赔偿"},
        {"text": "cancel my withdrawal"},
        {"text": "质押收益是多少"},
        {"text": "what's the weather in paris tomorrow"},
    ]
    code, out, err = _ask(fresh, *(json.dumps(m, ensure_ascii=False) for m in messages))
    assert code == 0, err
    assert "bundled knowledge base" in err
    assert len(out) == len(messages) and all(set(line) == KEYS for line in out)
    en, hans, hant, person, hacked, complaint, staff, uncovered, weather = out
    for line in (en, hans, hant):
        assert line["action"] == "answer" and line["citations"] == ["deposit-confirmations"]
        assert "/help/articles/deposit-confirmations" in str(line["reply"])
        assert re.search(r"BTC\)?: 2\n", str(line["reply"])) and "{{" not in str(line["reply"])
        assert 0.5 <= float(line["confidence"]) <= 1.0  # type: ignore[arg-type]
    assert "Did this solve it?" in str(en["reply"])
    assert "这解决您的问题了吗" in str(hans["reply"])
    assert "這解決您的問題了嗎" in str(hant["reply"])
    for line in (person, hacked, complaint, staff, uncovered, weather):
        assert line["action"] == "handover"
    assert hacked["citations"] == ["account-hacked-first-steps"]
    assert "lock your account" not in str(hacked["reply"])  # no customer: nothing to lock
    assert "人工客服" in str(person["reply"])
    assert float(weather["confidence"]) < 0.5  # type: ignore[arg-type]


def test_bad_lines_are_reported_and_the_rest_answered(fresh: Path) -> None:
    code, out, err = _ask(
        fresh,
        json.dumps({"text": "转人工"}, ensure_ascii=False),
        "not json",
        json.dumps({"message": "hi"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": "agent please"}),
    )
    assert code == 2
    assert [line.get("action") for line in out] == ["handover", None, None, None, "handover"]
    assert out[1] == {"error": "line 2: not valid JSON"}
    assert out[2] == {"error": 'line 3: expected an object with a string "text"'}
    assert out[3] == {"error": 'line 4: "text" is empty'}
    assert "line 2: not valid JSON" in err and "3 line(s) could not be answered" in err
    assert "answering from the bundled knowledge base" in err  # built once, then reused


def test_a_known_customer_is_offered_the_lock(fresh: Path) -> None:
    code, out, err = _ask(
        fresh, json.dumps({"text": "有人在提我的币"}, ensure_ascii=False), customer="u-42"
    )
    assert code == 0, err
    assert out[0]["action"] == "handover" and "锁定" in str(out[0]["reply"])


def test_each_text_passes_the_guard_before_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_answer(session: object, text: str, context: Context, settings: object) -> Reply:
        seen.append(text)
        return Reply(action="handover", reply="-", reason="low_confidence")

    monkeypatch.setattr(engine, "answer", fake_answer)
    seed = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    source = io.BytesIO(json.dumps({"text": f"my seed is {seed} is my wallet safe?"}).encode())
    out = io.StringIO()
    bad = ask_stream(None, source, out, Context(), get_settings())  # type: ignore[arg-type]
    assert bad == 0 and len(seen) == 1
    assert "abandon" not in seen[0] and "[removed: seed phrase]" in seen[0]
    assert json.loads(out.getvalue()) == {
        "action": "handover",
        "reply": "-",
        "citations": [],
        "confidence": 0.0,
    }


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
]


def test_the_configured_knowledge_base_is_used_when_it_has_articles(tmp_path: Path) -> None:
    faq = tmp_path / "faq.jsonl"
    faq.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in FAQ) + "\n")
    assert run(tmp_path, "migrate").returncode == 0
    imported = run(tmp_path, "kb", "import", str(faq))
    assert imported.returncode == 0, imported.stderr
    assert run(tmp_path, "worker", "--once").returncode == 0
    code, out, err = _ask(
        tmp_path,
        json.dumps({"text": "I forgot my password, how do I reset it"}),
        json.dumps({"text": "忘記密碼怎麼辦"}, ensure_ascii=False),
    )
    assert code == 0, err
    assert "bundled" not in err and "search index" not in err
    assert [line["citations"] for line in out] == [["reset-password"], ["reset-password"]]
    assert "Forgot password" in str(out[0]["reply"]) and "忘記密碼" in str(out[1]["reply"])
    with sqlite3.connect(tmp_path / "ledgerdesk.db") as db:  # as if the index job had not run
        db.execute("DELETE FROM search_documents")
    code, out, err = _ask(tmp_path, json.dumps({"text": "I forgot my password"}))
    assert code == 0 and "not in the search index yet" in err
    assert out[0]["action"] == "handover"
