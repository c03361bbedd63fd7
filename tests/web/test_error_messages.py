"""Every message a service raises for a person (a ``DomainError``) reads in Chinese on a
zh-CN page: the test finds each ``raise SomeError("…")`` / ``raise SomeError(f"…{x}…")`` in
the modules behind the pages, fills its values and asks ``translate_message`` for it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import ledgerdesk
from ledgerdesk.core import errors, i18n
from ledgerdesk.web.messages import translate_message
from tests.tickets.test_views import console_login

ROOT = Path(ledgerdesk.__file__).parent
# Modules whose errors reach a console or portal page (CLI-only modules are left out).
PAGE_MODULES = (
    "account_security/console.py",
    "account_security/reset.py",
    "account_security/services.py",
    "account_security/views.py",
    "accounts/anti_phishing.py",
    "accounts/portal_codes.py",
    "accounts/services.py",
    "accounts/tokens.py",
    "accounts/views.py",
    "ai/assistant/ask.py",
    "ai/assistant/assist.py",
    "ai/assistant/views.py",
    "cases/complaints.py",
    "cases/complaints_lifecycle.py",
    "cases/complaints_queries.py",
    "cases/console.py",
    "cases/deadlines.py",
    "cases/letters.py",
    "cases/portal.py",
    "cases/register.py",
    "cases/register_export.py",
    "cases/register_views.py",
    "cases/watchlist.py",
    "cases/watchlist_console.py",
    "cases/watchlist_csv.py",
    "chain/api.py",
    "chain/panel.py",
    "chain/views.py",
    "cases/export.py",
    "cases/export_views.py",
    "cases/scam.py",
    "cases/scam_facts.py",
    "cases/scam_hashes.py",
    "cases/scam_views.py",
    "core/outbound.py",
    "core/ratelimit.py",
    "kb/console.py",
    "kb/deflection.py",
    "kb/feedback.py",
    "kb/services.py",
    "kb/views.py",
    "portal/views.py",
    "routing/console.py",
    "routing/services.py",
    "tickets/attachments.py",
    "tickets/checks.py",
    "tickets/merge.py",
    "tickets/services.py",
    "tickets/tags.py",
    "tickets/views.py",
    "trust/console.py",
    "trust/services.py",
    "trust/views.py",
    "web/deps.py",
)
ERROR_NAMES = frozenset(
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
)


def _sample(node: ast.expr) -> str | None:
    """The message as it reads with each ``{value}`` filled with "7"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return left + right if left is not None and right is not None else None
    return None


def raised_messages() -> Iterator[tuple[str, str]]:
    for module in PAGE_MODULES:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ERROR_NAMES and node.exc.args:
                text = _sample(node.exc.args[0])
                if text:
                    yield f"{module}:{node.lineno}", text


def test_every_raised_message_reads_in_chinese() -> None:
    found = list(raised_messages())
    assert len(found) > 80  # the walk finds the services' messages
    i18n.set_locale("zh-CN")
    try:
        missing = [f"{where}: {text}" for where, text in found if translate_message(text) == text]
    finally:
        i18n.set_locale("en")
    assert not missing, "add zh-CN msgids (with %(name)s placeholders):\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("Body is longer than 50000 characters", "正文超过 50000 个字符"),
        ("Ticket #12 not found", "找不到工单 #12"),
        (
            "Tag 'a b' is not valid: use letters, digits, '-', '_', '.', ':' (at most 64)",
            "标签“a b”无效",
        ),
        ("Subject must not be empty", "主题不能为空"),
        ("Something only English knows", "Something only English knows"),
        (  # a sentence carried inside a sentence is translated too, with its own values
            "The desk cannot send to this URL: hooks.example resolves to 10.0.0.5, a private, "
            "loopback or reserved address; allow private addresses for this endpoint if that "
            "is intended",
            "服务台无法向此 URL 发送：hooks.example 解析到 10.0.0.5，这是私有、回环或保留地址",
        ),
    ],
)
def test_messages_are_matched_with_their_values(message: str, chinese: str) -> None:
    i18n.set_locale("zh-CN")
    try:
        assert chinese in translate_message(message)
    finally:
        i18n.set_locale("en")
    assert translate_message(message) == message  # English stays as it is


def test_error_page_in_chinese(client: TestClient, seeded: dict[str, object]) -> None:
    agent = seeded["agent"]
    console_login(client, agent.email)  # type: ignore[attr-defined]
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    page = client.get("/console/tickets/999999999")
    assert page.status_code == 404 and "找不到工单 #999999999" in page.text
    assert "not found" not in page.text
