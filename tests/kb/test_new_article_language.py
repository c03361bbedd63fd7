"""A new help article starts in the language the agent uses the console in."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.tickets.test_views import console_login


def _chosen_language(client: TestClient) -> list[str]:
    page = client.get("/console/kb/new")
    assert page.status_code == 200
    select = re.search(r'<select id="lang" name="lang">.*?</select>', page.text, re.S)
    assert select is not None, page.text
    return re.findall(r'<option value="([^"]+)" selected>', select.group(0))


def test_new_article_defaults_to_the_console_language(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["agent"].email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/console"})
    assert _chosen_language(client) == ["zh-CN"]
    client.post("/lang", data={"lang": "en", "next": "/console"})
    assert _chosen_language(client) == ["en"]
