"""The verification API: answers for every kind of query, bad input answered with a specific
422 in the error envelope, the rate limit, the language of the message, and the public list
of official channels."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.trust.models import CheckResult, CheckSource, VerificationCheck
from tests.trust.conftest import Brand


def check(client: TestClient, query: str, **headers: str) -> dict[str, Any]:
    response = client.get("/api/v1/verify", params={"q": query}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_official_domain(client: TestClient, brand: Brand) -> None:
    body = check(client, f"https://www.{brand.domain}/login")
    assert body == {
        "query": f"https://www.{brand.domain}/login",
        "kind": "url",
        "official": True,
        "result": "official",
        "channel": {
            "id": brand.ids[0],
            "kind": "domain",
            "value": brand.domain,
            "label": "Official website",
            "url": f"https://{brand.domain}",
        },
        "lookalike_of": None,
        "reasons": [],
        "message": f"This is an official ledgerdesk channel: {brand.domain}",
        "reported": False,
        "reported_values": [],
    }


def test_official_handle_email_and_phone(client: TestClient, brand: Brand) -> None:
    bot = check(client, f"t.me/{brand.telegram}")
    assert bot["official"] and bot["kind"] == "telegram"
    assert bot["channel"]["value"] == brand.telegram and bot["channel"]["label"] == "Support bot"
    assert bot["message"].endswith(f"@{brand.telegram}")
    mail = check(client, f"Support@{brand.domain.upper()}")
    assert mail["official"] and mail["channel"]["kind"] == "email"
    phone = check(client, brand.phone)
    assert phone["official"] and phone["channel"]["url"] == f"tel:{brand.phone}"


def test_lookalikes_are_not_official_with_reasons(client: TestClient, brand: Brand) -> None:
    typo = check(client, brand.name[:5] + brand.name[5] * 2 + brand.name[6:] + ".com")
    assert typo["official"] is False and typo["result"] == "not_official"
    assert typo["lookalike_of"] == brand.domain and typo["reasons"] == ["typosquat"]
    assert typo["channel"] is None
    assert typo["message"] == (
        f"This is NOT an official ledgerdesk channel. It looks like {brand.domain}, "
        "but one letter differs."
    )
    mail = check(client, f"support@{brand.name}-help.com")
    assert mail["kind"] == "email" and mail["reasons"] == ["extra_words"]
    handle = check(client, f"@{brand.telegram}_cs")
    assert handle["lookalike_of"] == f"@{brand.telegram}" and not handle["official"]
    unknown = check(client, "etherscan.io")
    assert unknown["reasons"] == [] and unknown["lookalike_of"] is None
    assert unknown["message"].endswith("It is not on our list of official channels.")


def test_message_in_the_callers_language(client: TestClient, brand: Brand) -> None:
    body = check(client, f"{brand.domain}.co", **{"Accept-Language": "zh-CN"})
    assert body["reasons"] == ["lookalike_tld"]
    assert body["message"].startswith("这不是 ledgerdesk 的官方渠道。")
    invalid = check(client, "020 7946 0958", **{"Accept-Language": "zh-CN"})
    assert invalid["result"] == "invalid" and "国家/地区代码" in invalid["message"]


def test_bad_input_answers_422_with_a_specific_message(client: TestClient) -> None:
    cases = {
        "": "Enter a link, domain, e-mail address, @handle or phone number to check",
        "x" * 501: "That is longer than 500 characters",
        "evil.com\x00": "control characters",
    }
    for query, message in cases.items():
        response = client.get("/api/v1/verify", params={"q": query})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and message in error["message"]
        assert error["field"] == "q"
    huge = client.get("/api/v1/verify", params={"q": "y" * 5000})
    assert huge.status_code == 422 and huge.json()["error"]["code"] == "invalid_input"
    missing = client.get("/api/v1/verify")
    assert missing.status_code == 422


def test_checks_are_logged_as_api(client: TestClient, app: Any, brand: Brand) -> None:
    query = f"https://{brand.name}.com.account-verify.xyz/"
    assert check(client, query)["reasons"] == ["brand_in_subdomain"]
    with app.state.sessionmaker() as session:
        row = session.scalars(
            select(VerificationCheck).where(VerificationCheck.query == query)
        ).one()
    assert row.source == CheckSource.api and row.result == CheckResult.not_official
    assert row.lookalike_of == brand.domain


def test_rate_limited(client: TestClient, app: Any) -> None:
    settings = app.state.settings
    saved = settings.verify_rate_limit
    settings.verify_rate_limit = "3/minute"
    try:
        for _ in range(3):
            assert client.get("/api/v1/verify", params={"q": "example.org"}).status_code == 200
        limited = client.get("/api/v1/verify", params={"q": "example.org"})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
    finally:
        settings.verify_rate_limit = saved
        app.state.limiter.reset()


def test_official_channels_lists_active_ones(client: TestClient, brand: Brand) -> None:
    response = client.get("/api/v1/official-channels")
    assert response.status_code == 200
    mine = [c for c in response.json()["items"] if brand.name in c["value"]]
    assert {(c["kind"], c["value"]) for c in mine} == {
        ("domain", brand.domain),
        ("telegram", brand.telegram),
        ("email", f"support@{brand.domain}"),
    }
    assert all(c["id"] in brand.ids for c in mine)


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/verify" in paths and "/api/v1/official-channels" in paths
