"""The knowledge-base JSON API: who sees what, search input checking, feedback; every bad
input answers a 4xx in the error envelope, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.kb.models import ArticleStatus
from tests.conftest import bearer
from tests.kb.conftest import commit_article, nonsense_word, wait_until_found


@pytest.fixture
def trio(app: Any) -> dict[str, Any]:
    """A published article (English and Chinese), a draft and an internal one."""
    word = nonsense_word()
    return {
        "word": word,
        "published": commit_article(app, zh=True, title=f"Deposit {word} missing"),
        "draft": commit_article(app, ArticleStatus.draft, title=f"Draft {word}"),
        "internal": commit_article(app, ArticleStatus.internal, title=f"Internal {word}"),
    }


def test_readers_list_published_articles_agents_all(
    client: TestClient, seeded: dict[str, Any], trio: dict[str, Any]
) -> None:
    def slugs(headers: dict[str, str] | None = None) -> set[str]:
        response = client.get(
            "/api/v1/kb/articles", params={"q": trio["word"], "per_page": 100}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {item["slug"] for item in response.json()["items"]}

    assert slugs() == {trio["published"].slug}
    assert slugs(bearer(seeded["agent_token"])) == {
        trio[k].slug for k in ("published", "draft", "internal")
    }
    only_drafts = client.get(
        "/api/v1/kb/articles",
        params={"status": "draft", "q": trio["word"]},
        headers=bearer(seeded["agent_token"]),
    ).json()
    assert [i["slug"] for i in only_drafts["items"]] == [trio["draft"].slug]


def test_get_article_with_rendered_html(
    client: TestClient, seeded: dict[str, Any], trio: dict[str, Any]
) -> None:
    slug = trio["published"].slug
    body = client.get(f"/api/v1/kb/articles/{slug}").json()
    assert body["status"] == "published" and body["languages"] == ["en", "zh-CN"]
    en = next(t for t in body["translations"] if t["lang"] == "en")
    assert "Wait for 2 confirmations." in en["body"] and "{{" not in en["body"]
    assert '<h2 id="check-the-network">' in en["html"] and "<strong>Assets</strong>" in en["html"]
    zh = client.get(f"/api/v1/kb/articles/{slug}", params={"lang": "zh"}).json()
    assert [t["lang"] for t in zh["translations"]] == ["zh-CN"]
    assert zh["title"] == "充值未到账怎么办" and zh["url"] == f"/help/articles/{slug}"

    for key in ("draft", "internal"):
        hidden = client.get(f"/api/v1/kb/articles/{trio[key].slug}")
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
        seen = client.get(
            f"/api/v1/kb/articles/{trio[key].slug}", headers=bearer(seeded["agent_token"])
        )
        assert seen.status_code == 200
    assert client.get("/api/v1/kb/articles/" + "x" * 81).status_code == 422


def test_search_finds_published_articles_only(client: TestClient, trio: dict[str, Any]) -> None:
    word = trio["word"]
    wait_until_found(client.app, word, trio["internal"].id)
    wait_until_found(client.app, word, trio["published"].id)
    response = client.get("/api/v1/kb/search", params={"q": word, "lang": "en", "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [i["slug"] for i in body["items"]] == [trio["published"].slug]
    assert body["search_id"] and body["lang"] == "en" and body["query"] == word
    assert body["items"][0]["title"] == f"Deposit {word} missing"


def test_agents_search_internal_articles_too(
    client: TestClient, seeded: dict[str, Any], trio: dict[str, Any]
) -> None:
    wait_until_found(client.app, trio["word"], trio["internal"].id)
    found = client.get(
        "/api/v1/kb/search", params={"q": trio["word"]}, headers=bearer(seeded["agent_token"])
    ).json()
    assert trio["internal"].slug in {i["slug"] for i in found["items"]}
    assert trio["draft"].slug not in {i["slug"] for i in found["items"]}


@pytest.mark.parametrize(
    ("params", "status", "needle"),
    [
        ({"q": ""}, 200, None),
        ({"q": "   \t "}, 200, None),
        ({"q": "x" * 10_000}, 422, "longer than 500"),
        ({"q": "usdt", "lang": "fr"}, 422, "'en', 'zh' or 'zh-CN'"),
        ({"q": "usdt", "limit": 0}, 422, "limit"),
        ({"q": "usdt", "limit": 51}, 422, "limit"),
        ({"q": "usdt", "limit": "many"}, 422, "limit"),
    ],
)
def test_search_input_is_checked(
    client: TestClient, params: dict[str, Any], status: int, needle: str | None
) -> None:
    response = client.get("/api/v1/kb/search", params=params)
    assert response.status_code == status, response.text
    if needle is None:
        assert response.json() == {"query": "", "lang": None, "search_id": None, "items": []}
    else:
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and needle in error["message"]


def test_search_with_control_characters_is_answered(client: TestClient) -> None:
    response = client.get("/api/v1/kb/search", params={"q": "usdt\x00\x1b deposit\x7f"})
    assert response.status_code == 200 and response.json()["query"] == "usdt deposit"


def test_feedback(client: TestClient, trio: dict[str, Any]) -> None:
    url = f"/api/v1/kb/articles/{trio['published'].slug}/feedback"
    ok = client.post(url, json={"lang": "zh", "helpful": False, "reason": "outdated"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["lang"] == "zh-CN" and ok.json()["reason"] == "outdated"
    assert client.post(url, json={"lang": "en", "helpful": True}).status_code == 201
    bad = [
        ({"lang": "en", "helpful": True, "reason": "outdated"}, 422),
        ({"lang": "en", "helpful": False, "reason": "boring"}, 422),
        ({"lang": "en", "helpful": False, "comment": "x" * 1001}, 422),
        ({"lang": "xx", "helpful": False}, 422),
        ({"lang": "en"}, 422),
        ({"lang": "en", "helpful": False, "extra": 1}, 422),
    ]
    for payload, status in bad:
        response = client.post(url, json=payload)
        assert response.status_code == status, (payload, response.text)
        assert response.json()["error"]["code"] == "invalid_input"
    malformed = client.post(url, content=b"{", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    hidden = client.post(
        f"/api/v1/kb/articles/{trio['draft'].slug}/feedback", json={"lang": "en", "helpful": True}
    )
    assert hidden.status_code == 404
