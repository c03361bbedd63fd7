"""The inbound mail hook (POST /api/v1/inbound/mail) and the admins' inbound-mail log page,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.core.settings import get_settings
from tests.channels.mail_in_helpers import mail
from tests.conftest import unique
from tests.tickets.test_views import console_login

TOKEN = "inbound-" + "k" * 32
URL = "/api/v1/inbound/mail"
RFC822 = {"Content-Type": "message/rfc822"}


@pytest.fixture
def hook(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app with an inbound token and a small size limit (app settings and the
    environment the services read, as a deployment sets both from the same variables)."""
    values = {"mail_inbound_token": TOKEN, "mail_max_bytes": 64 * 1024}
    original = app.state.settings
    app.state.settings = original.model_copy(update=values)
    monkeypatch.setenv("LEDGERDESK_MAIL_MAX_BYTES", str(64 * 1024))
    monkeypatch.setenv("LEDGERDESK_MAIL_FROM", "Example Support <support@example.test>")
    get_settings.cache_clear()
    try:
        yield
    finally:
        app.state.settings = original
        get_settings.cache_clear()


def post(client: TestClient, body: bytes, token: str | None = TOKEN, **headers: str) -> Any:
    sent = {**RFC822, **headers}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    return client.post(URL, content=body, headers=sent)


@pytest.mark.usefixtures("hook")
def test_hook_files_a_mail_once(client: TestClient) -> None:
    raw = mail(f"{unique('hook')}@example.com", "Hook ticket", "Posted by the provider.")
    first = post(client, raw)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "ticket" and first.json()["ticket_id"] > 0
    again = post(client, raw, **{"Content-Type": "application/octet-stream"})
    assert again.status_code == 200
    assert again.json() == {
        **first.json(),
        "outcome": "duplicate",
        "ticket_id": None,
        "detail": "already received",
    }


@pytest.mark.usefixtures("hook")
@pytest.mark.parametrize("token", [None, "wrong", TOKEN[:-1], TOKEN + "x"])
def test_hook_refuses_a_bad_token(client: TestClient, token: str | None) -> None:
    response = post(client, mail("x@example.com"), token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.usefixtures("hook")
def test_hook_refuses_oversized_and_garbage(client: TestClient) -> None:
    big = post(client, mail("big@example.com", body="x" * (70 * 1024)))
    assert big.status_code == 413 and "limit" in big.json()["error"]["message"]
    for body in (b"", b"\x00\xff" * 100, b"just some words, no headers"):
        response = post(client, body)
        assert response.status_code == 422, body
        assert "RFC 5322" in response.json()["error"]["message"]


@pytest.mark.usefixtures("hook")
def test_hook_parses_broken_mime_as_well_as_it_can(client: TestClient) -> None:
    sender = f"{unique('broken')}@example.com"
    raw = (
        f"From: {sender}\r\nSubject: =?utf-8?B?broken\r\nContent-Type: multipart/mixed; "
        'boundary="nope"\r\n\r\nno boundary ever comes\r\n'
    ).encode()
    response = post(client, raw)
    assert response.status_code == 200 and response.json()["outcome"] == "ticket"


def test_hook_is_off_without_a_token(client: TestClient) -> None:
    assert not client.app.state.settings.mail_inbound_token  # type: ignore[attr-defined]
    response = post(client, mail("x@example.com"))
    assert response.status_code == 404


def test_openapi_describes_the_hook(client: TestClient) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "message/rfc822",
        "application/octet-stream",
    }
    assert {"200", "401", "404", "413", "422"} <= set(operation["responses"])


@pytest.mark.usefixtures("hook")
def test_inbound_log_page_for_admins_in_both_languages(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    sender = f"{unique('log')}@example.com"
    ticket_id = post(client, mail(sender, "Logged")).json()["ticket_id"]
    console_login(client, seeded["agent"].email)
    assert client.get("/console/admin/mail").status_code == 403
    client.post("/console/logout")
    console_login(client, seeded["admin"].email)
    page = client.get("/console/admin/mail", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert sender in page.text and f'href="/console/tickets/{ticket_id}"' in page.text
    assert "Inbound e-mail" in page.text and "New ticket" in page.text
    filtered = client.get("/console/admin/mail?outcome=loop").text
    assert sender not in filtered
    client.post("/lang", data={"lang": "zh_CN", "next": "/console/admin/mail"})
    zh = client.get("/console/admin/mail")
    assert "收到的邮件" in zh.text and "新工单" in zh.text
