"""The error page's "Go back" link is a plain same-site link (our CSP blocks ``javascript:``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.tickets.test_views import console_login


def _back(html: str) -> str:
    match = re.search(r'<a href="([^"]*)" id="go-back">', html)
    assert match, "no Go back link"
    return match.group(1)


def test_go_back_is_a_real_link(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["agent"].email)
    came_from = {"Referer": "http://testserver/console/inbox?view=all"}
    page = client.get("/console/tickets/999999999", headers=came_from)
    assert page.status_code == 404 and "javascript:" not in page.text
    assert _back(page.text) == "/console/inbox?view=all"
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_go_back_never_leaves_the_site(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["agent"].email)
    for referer in ("https://evil.example/phish", "http://testserver//evil.example/x", ""):
        page = client.get("/console/tickets/999999999", headers={"Referer": referer})
        assert _back(page.text) == "/console", referer
    assert _back(client.get("/help/articles/no-such-article").text) == "/help"
    assert _back(client.get("/nowhere").text) == "/"
