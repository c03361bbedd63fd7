"""Bidi controls in customer text are shown as visible markers wherever text is rendered:
pages (plain values and markup alike) and e-mails. The page tests are in
tests/tickets/test_views.py and tests/portal/test_pages.py."""

from __future__ import annotations

from markupsafe import Markup

from ledgerdesk.channels.mail import compose_customer_mail, text_of
from ledgerdesk.core.text import neutralise_bidi
from ledgerdesk.web.templating import templates

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_every_reordering_control_becomes_a_visible_marker() -> None:
    shown = neutralise_bidi("a" + CONTROLS + "b\u200e\u200f\u061cc")
    assert shown == ("a[U+202A][U+202B][U+202C][U+202D][U+202E][U+2066][U+2067][U+2068][U+2069]bc")
    assert neutralise_bidi("充值 evil 0x1372") == "充值 evil 0x1372"


def test_templates_neutralise_text_and_markup() -> None:
    template = templates.env.from_string("<p>{{ text }}</p>{{ html }}<i>{{ n }}</i>")
    page = template.render(text="\u202eevil", html=Markup("<b>\u202egnp.exe</b>"), n=3)
    assert page == "<p>[U+202E]evil</p><b>[U+202E]gnp.exe</b><i>3</i>"


def test_mail_text_and_subject_are_neutralised() -> None:
    msg = compose_customer_mail(
        None, "Re: \u202eevil", "You wrote: \u2067txt.exe\u2069", to="someone@example.com"
    )
    assert msg["Subject"] == "Re: [U+202E]evil"
    assert "You wrote: [U+2067]txt.exe[U+2069]" in text_of(msg)
