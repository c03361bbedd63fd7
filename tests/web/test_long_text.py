"""The knowledge-base editor keeps an over-long draft and says its limits (the console and
portal forms are covered in tests/tickets/test_views.py and tests/portal/test_pages.py)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.kb import services as kb
from tests.kb.conftest import make_article, make_section
from tests.tickets.test_views import _maxlength, console_login


def test_kb_editor_keeps_an_over_long_draft(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    with app.state.sessionmaker() as session:
        section = make_section(session)
        article = make_article(session, section, SYSTEM)
        session.commit()
        section_id, article_id = section.id, article.id
    console_login(client, seeded["lead"].email)
    editor = client.get(f"/console/kb/articles/{article_id}?lang=en").text
    assert _maxlength(editor, "textarea", "body") == kb.MAX_BODY
    assert _maxlength(editor, "input", "title") == kb.MAX_TITLE
    draft = "## Steps\n\n" + "w" * (kb.MAX_BODY * 2 + 10)  # past the old form limit too
    saved = client.post(
        f"/console/kb/articles/{article_id}/translations/en",
        data={"title": "Deposit help", "body": draft},
    )
    assert saved.status_code == 422 and draft in saved.text
    new = client.get("/console/kb/new").text
    assert _maxlength(new, "textarea", "body") == kb.MAX_BODY
    title = "T" * 1500
    created = client.post(
        "/console/kb/new",
        data={"slug": "long-title", "title": title, "body": "Body", "section_id": section_id},
    )
    assert created.status_code == 422 and title in created.text and "Body" in created.text
