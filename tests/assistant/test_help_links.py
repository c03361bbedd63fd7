"""The assistant's citation links on the server-rendered ticket pages: article links on this
desk become anchors; anything else stays text."""

from __future__ import annotations

from markupsafe import escape

from ledgerdesk.web.templating import _help_links


def test_citations_on_this_desk_become_links_and_nothing_else_does() -> None:
    body = escape(
        "From our help center: Confirmations – /help/articles/deposit-confirmations\n"
        "Also https://desk.example/help/articles/deposit-not-credited and "
        "https://evil.example/help/articles/deposit-not-credited <b>x</b>"
    )
    shown = str(_help_links(body, "https://desk.example/"))
    assert '<a href="/help/articles/deposit-confirmations" target="_blank"' in shown
    assert '<a href="https://desk.example/help/articles/deposit-not-credited"' in shown
    assert 'href="https://evil.example' not in shown
    assert "https://evil.example/help/articles/deposit-not-credited" in shown
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "<b>" not in shown


def test_without_a_public_url_only_relative_links_are_made() -> None:
    shown = str(_help_links(escape("see https://desk.example/help/articles/a-b"), ""))
    assert "<a " not in shown
