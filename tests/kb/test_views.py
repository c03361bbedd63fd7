"""Help-center and console pages over HTTP (test_help_pages.py drives them in Chromium):
what readers see, feedback, logged searches, bad input answered in the page, and the agent
editor with versions, diff, restore and the lead-only actions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ledgerdesk.kb.models import Article, ArticleStatus, Feedback, SearchClick, SearchLog
from tests.conftest import PASSWORD
from tests.kb.conftest import commit_article, nonsense_word, wait_until_found

HTMX = {"HX-Request": "true"}


def count(app: Any, model: Any, *where: Any) -> int:
    with app.state.sessionmaker() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def console_login(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def published(app: Any) -> Article:
    return commit_article(app, title=f"Deposit {nonsense_word()} missing")


def test_home_and_category_show_published_articles(app: Any, client: TestClient) -> None:
    live = commit_article(app, title=f"Live {nonsense_word()}")
    draft = commit_article(app, ArticleStatus.draft, title=f"Draft {nonsense_word()}")
    home = client.get("/help")
    assert home.status_code == 200
    assert live.translations[0].title in home.text and draft.translations[0].title not in home.text
    assert 'hx-get="/help/search/suggest"' in home.text
    category = client.get(f"/help/categories/{live.section.category.slug}")
    assert category.status_code == 200 and live.translations[0].title in category.text
    assert client.get("/help/categories/nope").status_code == 404


def test_article_page_in_the_readers_language(client: TestClient, app: Any) -> None:
    article = commit_article(app, zh=True)
    page = client.get(f"/help/articles/{article.slug}")
    assert page.status_code == 200
    assert '<h1 id="article-title">My deposit has not arrived</h1>' in page.text
    assert "Wait for 2 confirmations." in page.text and "fallback-note" not in page.text
    assert 'href="/help/categories/' in page.text  # breadcrumbs
    zh = client.get(f"/help/articles/{article.slug}", headers={"Accept-Language": "zh-CN"})
    assert "充值未到账怎么办" in zh.text and 'lang="zh-CN"' in zh.text

    english_only = commit_article(app)
    client.post("/lang", data={"lang": "zh-CN", "next": "/help"})
    fallback = client.get(f"/help/articles/{english_only.slug}")
    assert 'id="fallback-note"' in fallback.text and "My deposit has not arrived" in fallback.text


def test_hidden_articles_are_not_found(client: TestClient, app: Any) -> None:
    draft = commit_article(app, ArticleStatus.draft)
    assert client.get(f"/help/articles/{draft.slug}").status_code == 404
    assert client.get("/help/articles/" + "x" * 5000).status_code == 404


def test_feedback_with_htmx_and_without(client: TestClient, app: Any, published: Article) -> None:
    url = f"/help/articles/{published.slug}/feedback"
    before = count(app, Feedback, Feedback.article_id == published.id)
    thanks = client.post(url, data={"lang": "en", "helpful": "yes"}, headers=HTMX)
    assert thanks.status_code == 200 and "Thank you for your feedback!" in thanks.text
    form = {"lang": "en", "helpful": "no", "reason": "unclear", "comment": "Step 2?"}
    plain = client.post(url, data=form, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("#feedback")
    assert count(app, Feedback, Feedback.article_id == published.id) == before + 2

    refused = client.post(url, data={**form, "reason": "boring"}, headers=HTMX)
    assert refused.status_code == 422 and "Choose one of the listed reasons" in refused.text
    assert 'id="feedback"' in refused.text and "Step 2?" in refused.text
    too_long = client.post(url, data={**form, "comment": "x" * 1001})
    assert too_long.status_code == 422 and "longer than 1000" in too_long.text
    assert client.post(url, data={"lang": "en"}, headers=HTMX).status_code == 422
    assert count(app, Feedback, Feedback.article_id == published.id) == before + 2


def test_results_page_logs_searches_and_suggest_does_not(
    client: TestClient, app: Any, published: Article
) -> None:
    word = published.translations[0].title.split()[1]
    wait_until_found(app, word, published.id)
    logged = count(app, SearchLog, SearchLog.query == word)
    suggest = client.get("/help/search/suggest", params={"q": word})
    assert suggest.status_code == 200 and f'data-slug="{published.slug}"' in suggest.text
    assert count(app, SearchLog, SearchLog.query == word) == logged

    results = client.get("/help/search", params={"q": word})
    assert results.status_code == 200 and published.translations[0].title in results.text
    assert count(app, SearchLog, SearchLog.query == word) == logged + 1
    link = re.search(rf'href="(/help/articles/{published.slug}\?sq=\d+&amp;pos=1)"', results.text)
    assert link is not None
    clicks = count(app, SearchClick, SearchClick.article_id == published.id)
    assert client.get(link.group(1).replace("&amp;", "&")).status_code == 200
    assert count(app, SearchClick, SearchClick.article_id == published.id) == clicks + 1

    go = client.get(
        "/help/search/go", params={"q": word, "article": published.id}, follow_redirects=False
    )
    assert go.status_code == 303 and go.headers["location"] == f"/help/articles/{published.slug}"
    assert count(app, SearchLog, SearchLog.query == word) == logged + 2
    assert count(app, SearchClick, SearchClick.article_id == published.id) == clicks + 2


@pytest.mark.parametrize(
    "params",
    [{"sq": "abc", "pos": "-1"}, {"sq": "999999999999", "pos": "1"}, {"sq": "1", "pos": "x" * 50}],
)
def test_stale_click_links_still_open_the_article(
    client: TestClient, published: Article, params: dict[str, str]
) -> None:
    assert client.get(f"/help/articles/{published.slug}", params=params).status_code == 200


def test_search_pages_answer_bad_input_in_place(client: TestClient, app: Any) -> None:
    empty = client.get("/help/search", params={"q": "  "})
    assert empty.status_code == 200 and 'id="no-results"' not in empty.text
    huge = client.get("/help/search", params={"q": "x" * 10_000})
    assert huge.status_code == 422 and "longer than 500" in huge.text
    assert (
        client.get("/help/search/suggest", params={"q": "x" * 10_000}, headers=HTMX).status_code
        == 422
    )
    control = client.get("/help/search", params={"q": "usdt\x00\x1b"})
    assert control.status_code == 200
    nothing = client.get("/help/search", params={"q": "xylophone orchestra rehearsal schedule"})
    assert nothing.status_code == 200 and 'id="no-results"' in nothing.text
    assert 'href="/portal/tickets/new"' in nothing.text
    assert client.get("/help/search/suggest", params={"q": ""}).text.strip() == ""
    go = client.get("/help/search/go", params={"q": "usdt", "article": "x"}, follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"].startswith("/help/search?q=usdt")


# --- console ---------------------------------------------------------------------------


def test_console_pages_need_an_agent(client: TestClient) -> None:
    response = client.get("/console/kb", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


def test_agent_writes_a_draft_and_edits_it(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["agent"].email)
    article = commit_article(app, ArticleStatus.draft)
    listing = client.get("/console/kb", params={"text": article.slug})
    assert listing.status_code == 200 and article.slug in listing.text
    assert 'id="nav-kb"' in listing.text
    new = client.get("/console/kb/new")
    assert new.status_code == 200 and 'name="intents" value="deposit_missing"' in new.text

    slug = "kb-view-" + nonsense_word()
    form = {
        "slug": slug,
        "lang": "en",
        "title": "How to find your TxID",
        "body": "Open **History**.",
        "section_id": str(article.section_id),
        "intents": ["how_to", "deposit_missing"],
        "tags": "txid, history",
    }
    created = client.post("/console/kb/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    editor_url = created.headers["location"]
    page = client.get(editor_url)
    assert "Draft created" in page.text and "How to find your TxID" in page.text
    assert 'id="status-form"' not in page.text  # agents cannot publish

    again = client.post("/console/kb/new", data=form)
    assert again.status_code == 409 and "already exists" in again.text
    assert "How to find your TxID" in again.text  # the draft is kept
    bad = client.post("/console/kb/new", data={**form, "slug": "x2", "body": "{{ nope }}"})
    assert bad.status_code == 422 and "{{ nope }}" in bad.text

    article_id = int(editor_url.split("/")[-1].split("?")[0])
    base = f"/console/kb/articles/{article_id}"
    saved = client.post(
        f"{base}/translations/zh-CN", data={"title": "如何查找 TxID", "body": "打开**历史记录**。"}
    )
    assert saved.status_code == 200 and "Saved as version 1" in saved.text
    same = client.post(
        f"{base}/translations/zh-CN", data={"title": "如何查找 TxID", "body": "打开**历史记录**。"}
    )
    assert "No changes to save" in same.text
    refused = client.post(f"{base}/translations/en", data={"title": "Kept title", "body": " "})
    assert refused.status_code == 422 and "Kept title" in refused.text
    assert (
        client.post(f"{base}/translations/fr", data={"title": "t", "body": "b"}).status_code == 422
    )

    props = client.post(
        f"{base}/properties", data={"lang": "en", "intents": ["how_to"], "tags": "txid"}
    )
    assert props.status_code == 200 and "Article updated" in props.text
    denied = client.post(f"{base}/status", data={"status": "published", "lang": "en"})
    assert denied.status_code == 403 and "Only a team lead or an admin can do this" in denied.text
    assert client.get("/console/kb/analytics").status_code == 403

    preview = client.post(
        "/console/kb/preview", data={"body": "## Hi\n\n{{ confirmations.BTC }} {{ nope }}"}
    )
    assert '<h2 id="hi">Hi</h2>' in preview.text and "<code>{{ nope }}</code>" in preview.text


def test_lead_publishes_compares_and_restores(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["lead"].email)
    article = commit_article(app, ArticleStatus.draft, body="Alpha line\nBeta line")
    base = f"/console/kb/articles/{article.id}"
    client.post(f"{base}/translations/en", data={"title": "New", "body": "Alpha line\nGamma line"})
    published = client.post(f"{base}/status", data={"status": "published", "lang": "en"})
    assert published.status_code == 200 and "Status changed" in published.text
    assert client.get(f"/help/articles/{article.slug}").status_code == 200

    history = client.get(f"{base}/versions", params={"lang": "en"})
    assert history.status_code == 200
    assert '<span class="del">- Beta line</span>' in history.text
    assert '<span class="add">+ Gamma line</span>' in history.text
    with app.state.sessionmaker() as session:
        first = session.scalar(select(func.min(Article.id)).where(Article.id == article.id))
        assert first == article.id
    version_ids = [int(v) for v in re.findall(r'name="a" value="(\d+)"', history.text)]
    restored = client.post(f"{base}/versions/{min(version_ids)}/restore", data={"lang": "en"})
    assert restored.status_code == 200 and "Restored as version 3" in restored.text
    again = client.post(f"{base}/versions/{min(version_ids)}/restore", data={"lang": "en"})
    assert again.status_code == 409 and "already the current text" in again.text
    assert client.post(f"{base}/versions/999999999/restore").status_code == 404

    analytics = client.get("/console/kb/analytics", params={"days": 7})
    assert analytics.status_code == 200 and 'id="kb-totals"' in analytics.text
    assert client.get(f"{base}/feedback").status_code == 200
    assert client.get(f"{base}/versions", params={"a": "x"}).status_code == 422
