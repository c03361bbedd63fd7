"""The verification page and the console pages over HTTP (test_pages.py drives /verify in
Chromium): the answer cards, translations, bad input answered in the page, and who may see
and change the registry."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.trust.models import CheckSource, OfficialChannel, VerificationCheck
from tests.conftest import PASSWORD
from tests.trust.conftest import Brand, brand_name


def console_login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_form_without_a_query(client: TestClient, brand: Brand) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert 'id="verify-form"' in page.text and 'id="verify-result"' not in page.text
    assert "How to reach us safely" in page.text and brand.domain in page.text
    assert f"@{brand.telegram}" in page.text
    assert 'href="/help"' in page.text and 'href="/portal"' in page.text


def test_official_answer(client: TestClient, app: Any, brand: Brand) -> None:
    page = client.get("/verify", params={"q": f"help.{brand.domain}"})
    assert page.status_code == 200
    assert 'data-result="official"' in page.text and "✓ Official" in page.text
    assert f"This is an official ledgerdesk channel: {brand.domain}" in page.text
    with app.state.sessionmaker() as session:
        row = session.scalars(
            select(VerificationCheck).where(VerificationCheck.query == f"help.{brand.domain}")
        ).one()
    assert row.source == CheckSource.web and row.channel_id == brand.ids[0]


def test_lookalike_answer_explains_and_never_links_the_fake(
    client: TestClient, brand: Brand
) -> None:
    fake = f"https://{brand.name}-verify.com/login"
    page = client.get("/verify", params={"q": fake})
    assert page.status_code == 200
    assert 'data-result="not_official"' in page.text and "NOT official" in page.text
    assert "It adds other words to our name" in page.text and brand.domain in page.text
    assert f'href="{fake}' not in page.text and f'https://{brand.name}-verify.com"' not in page.text
    assert 'id="official-channels"' in page.text


def test_page_in_chinese(client: TestClient, brand: Brand) -> None:
    page = client.get(
        "/verify", params={"q": f"{brand.domain}.co"}, headers={"Accept-Language": "zh-CN"}
    )
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "非官方" in page.text and "如何安全地联系我们" in page.text
    assert f"它使用了我们的名称，但后缀与 {brand.domain} 不同" in page.text


def test_bad_input_is_answered_in_the_page(client: TestClient) -> None:
    empty = client.get("/verify", params={"q": " "})
    assert empty.status_code == 422 and "Enter a link, domain" in empty.text
    huge = client.get("/verify", params={"q": "z" * 2000})
    assert huge.status_code == 422 and "longer than 500 characters" in huge.text
    assert 'value="' + "z" * 600 + '"' in huge.text  # what was typed stays (capped)
    invalid = client.get("/verify", params={"q": "020 7946 0958"})
    assert invalid.status_code == 200 and 'data-result="invalid"' in invalid.text
    assert "Include the country code" in invalid.text


def test_console_needs_an_agent(client: TestClient) -> None:
    for path in ("/console/trust/channels", "/console/trust/checks", "/console/trust"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/login")
    posted = client.post(
        "/console/trust/channels",
        data={"kind": "domain", "value": "x.com", "label": "X"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/console/login")


def test_agents_see_the_registry_but_cannot_change_it(
    client: TestClient, seeded: dict[str, Any], brand: Brand
) -> None:
    console_login(client, seeded["agent"].email)
    page = client.get("/console/trust/channels")
    assert page.status_code == 200 and brand.domain in page.text
    assert 'id="add-channel"' not in page.text and "Deactivate" not in page.text
    refused = client.post(
        "/console/trust/channels",
        data={"kind": "domain", "value": f"{brand_name()}.com", "label": "Mine"},
    )
    assert refused.status_code == 403 and "Only an admin can do this" in refused.text
    gone = client.post(f"/console/trust/channels/{brand.ids[0]}/deactivate")
    assert gone.status_code == 403


def test_admin_adds_and_deactivates_a_channel(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["admin"].email)
    domain = f"{brand_name()}.com"
    added = client.post(
        "/console/trust/channels",
        data={"kind": "domain", "value": f"https://{domain.upper()}/", "label": "Main site"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/console/trust/channels"
    page = client.get("/console/trust/channels")
    assert f"Official channel added: {domain}" in page.text and 'id="add-channel"' in page.text
    assert client.get("/api/v1/verify", params={"q": domain}).json()["official"] is True
    again = client.post(
        "/console/trust/channels", data={"kind": "domain", "value": domain, "label": "Again"}
    )
    assert again.status_code == 409 and "already an official domain channel" in again.text
    assert 'value="Again"' in again.text  # what the admin typed is kept
    bad = client.post(
        "/console/trust/channels", data={"kind": "phone", "value": "0123 456", "label": "Tel"}
    )
    assert bad.status_code == 422 and "Include the country code" in bad.text
    with app.state.sessionmaker() as session:
        channel = session.scalars(
            select(OfficialChannel).where(OfficialChannel.value == domain)
        ).one()
    done = client.post(f"/console/trust/channels/{channel.id}/deactivate", follow_redirects=False)
    assert done.status_code == 303
    assert "No longer official" in client.get("/console/trust/channels").text
    assert client.get("/api/v1/verify", params={"q": domain}).json()["official"] is False
    missing = client.post("/console/trust/channels/999999999/deactivate")
    assert missing.status_code == 404


def test_check_log_newest_first_with_filter(
    client: TestClient, seeded: dict[str, Any], brand: Brand
) -> None:
    fake, real = f"{brand.name}-airdrop.com", f"www.{brand.domain}"
    client.get("/api/v1/verify", params={"q": fake})
    client.get("/verify", params={"q": real})
    console_login(client, seeded["lead"].email)
    page = client.get("/console/trust/checks")
    assert page.status_code == 200
    rows = re.findall(
        r'<tr data-result="(\w+)">\s*<td[^>]*>[^<]*</td>\s*<td><code[^>]*>([^<]*)<', page.text
    )
    assert rows[:2] == [("official", real), ("not_official", fake)]
    only = client.get("/console/trust/checks", params={"only": "not_official"})
    assert fake in only.text and f">{real}<" not in only.text
    assert 'data-result="official"' not in only.text
