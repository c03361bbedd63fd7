"""The portal's security page (/portal/security) and the e-mails it causes, through the real
app on both databases, with the embedded worker sending to a real local SMTP server."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.portal_codes import do_issue_portal_code
from ledgerdesk.core.settings import Settings
from ledgerdesk.core.text import neutralise_bidi
from tests.channels.smtp import SmtpServer, first_line
from tests.conftest import PASSWORD, make_agent, make_customer

CODE_LOG = re.compile(r"portal sign-in code for (\S+): (\d{6})")


def sign_in(client: TestClient, app: Any, email: str | None = None) -> str:
    """Sign a customer in the way the portal does: issue a code, post it back."""
    email = email or f"sec-{uuid.uuid4().hex[:10]}@example.com"
    with app.state.sessionmaker() as session:
        code = do_issue_portal_code(session, email, 600)
        session.commit()
    response = client.post(
        "/portal/login/verify", data={"email": email, "code": code}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return email


def stored_code(app: Any, email: str) -> str | None:
    with app.state.sessionmaker() as session:
        customer = accounts.find_customer_by_email(session, email)
        assert customer is not None
        return customer.anti_phishing_code


def test_the_page_needs_a_signed_in_customer(client: TestClient, app: Any) -> None:
    page = client.get("/portal/security", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/portal/login?next=/portal/security"
    posted = client.post("/portal/security", data={"code": "Blue-Fox_42"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/portal/login")
    # An agent's console session is not a customer's.
    with app.state.sessionmaker() as session:
        agent = make_agent(session)
        session.commit()
    client.post("/console/login", data={"email": agent.email, "password": PASSWORD})
    assert client.get("/portal/security", follow_redirects=False).status_code == 303


def test_set_change_and_remove_the_code(client: TestClient, app: Any) -> None:
    email = sign_in(client, app)
    home = client.get("/portal")
    assert 'href="/portal/security"' in home.text and "Account security" in home.text
    page = client.get("/portal/security")
    assert "You have not set an anti-phishing code yet." in page.text
    assert 'id="clear-code"' not in page.text

    saved = client.post("/portal/security", data={"code": " Blue-Fox_42 "})
    assert str(saved.url).endswith("/portal/security")
    assert "Anti-phishing code saved. We sent you an e-mail about it." in saved.text
    assert "Bl••••••" in saved.text and "Blue-Fox_42" not in saved.text
    assert stored_code(app, email) == "Blue-Fox_42"

    again = client.post("/portal/security", data={"code": "Blue-Fox_42"})
    assert "No change: this is already your anti-phishing code." in again.text

    changed = client.post("/portal/security", data={"code": "防钓鱼-猫"})
    assert "防钓" in changed.text and "防钓鱼-猫" not in changed.text
    assert stored_code(app, email) == "防钓鱼-猫"

    removed = client.post("/portal/security/clear")
    assert "Anti-phishing code removed. We sent you an e-mail about it." in removed.text
    assert "You have not set an anti-phishing code yet." in removed.text
    assert stored_code(app, email) is None


@pytest.mark.parametrize(
    ("typed", "reason", "echoed"),
    [
        ("1234", "cannot be a run of consecutive digits (like 1234 or 4321)", True),
        ("ab\u202edc", "invisible or text-direction characters (found U+202E)", True),
        ("x" * 10_240, "at most 20 characters long; this one has 10240", False),
    ],
)
def test_a_refused_code_is_explained_next_to_the_field(
    client: TestClient, app: Any, typed: str, reason: str, echoed: bool
) -> None:
    email = sign_in(client, app)
    client.post("/portal/security", data={"code": "Kept-Code-1"})
    page = client.post("/portal/security", data={"code": typed})
    assert page.status_code == 422
    error = re.search(r'<div class="flash error" id="code-error"[^>]*>([^<]*)</div>', page.text)
    assert error is not None and reason in error.group(1)
    assert 'aria-invalid="true"' in page.text
    # shown as typed, except that a bidi control is shown as a visible marker
    assert (f'value="{neutralise_bidi(typed)}"' in page.text) is echoed
    assert stored_code(app, email) == "Kept-Code-1"


def test_chinese_page_and_reasons(client: TestClient, app: Any) -> None:
    sign_in(client, app)
    client.post("/lang", data={"lang": "zh-CN", "next": "/portal/security"})
    page = client.get("/portal/security")
    assert "<title>防钓鱼码" in page.text and "账户安全" in page.text
    refused = client.post("/portal/security", data={"code": "1111"})
    assert refused.status_code == 422
    assert "防钓鱼码不能是同一个数字的重复（如 1111）" in refused.text
    saved = client.post("/portal/security", data={"code": "蓝色狐狸"})
    assert "防钓鱼码已保存，我们已发邮件通知您。" in saved.text


def test_cross_site_posts_are_refused(client: TestClient, app: Any) -> None:
    email = sign_in(client, app)
    client.post("/portal/security", data={"code": "Mine-Only"})
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        forged = client.post("/portal/security", data={"code": "Attacker-1"}, headers=headers)
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "cross_origin"
        cleared = client.post("/portal/security/clear", headers=headers)
        assert cleared.status_code == 403
    assert stored_code(app, email) == "Mine-Only"


def test_changes_are_rate_limited(client: TestClient, app: Any) -> None:
    """Every change e-mails the customer; a session cannot turn that into a mail flood."""
    email = sign_in(client, app)
    for n in range(5):
        assert client.post("/portal/security", data={"code": f"Code-{n}a"}).status_code == 200
    limited = client.post("/portal/security", data={"code": "Code-6a"})
    assert limited.status_code == 429 and "Too many attempts" in limited.text
    assert stored_code(app, email) == "Code-4a"
    # Refusing a bad code or repeating the current one costs nothing.
    assert client.post("/portal/security", data={"code": "1234"}).status_code == 422
    assert client.post("/portal/security", data={"code": "Code-4a"}).status_code == 200


def test_e_mails_carry_the_code_end_to_end(
    client: TestClient,
    app: Any,
    smtp_server: SmtpServer,
    mail_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with app.state.sessionmaker() as session:
        email = make_customer(session).email
        session.commit()
    sign_in(client, app, email)
    (first_mail,) = smtp_server.inbox.wait_for(email)  # the sign-in code, before any code
    assert first_line(first_mail).startswith("Tip: set an anti-phishing code at ")

    client.post("/portal/security", data={"code": "River-Stone-8"})
    notice = smtp_server.inbox.wait_for(email, count=2)[1]
    assert first_line(notice) == "Anti-phishing code: River-Stone-8"
    assert notice["Subject"] == "Your ledgerdesk anti-phishing code was set"
    assert notice["From"] == mail_settings.mail_from

    with caplog.at_level(logging.WARNING, logger="ledgerdesk.portal"):
        page = client.post("/portal/login/code", data={"email": email.upper()})
    assert "We sent a 6-digit code to" in page.text
    logged = [CODE_LOG.search(r.getMessage()) for r in caplog.records]
    (code,) = [m.group(2) for m in logged if m and m.group(1) == email]
    sign_in_mail = smtp_server.inbox.wait_for(email, count=3)[2]
    assert first_line(sign_in_mail) == "Anti-phishing code: River-Stone-8"
    assert f"Your sign-in code is {code}." in sign_in_mail.get_body().get_content()  # type: ignore[union-attr]


def test_production_e_mails_the_code_and_never_logs_it(
    client: TestClient,
    app: Any,
    smtp_server: SmtpServer,
    mail_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    email = f"prod-{uuid.uuid4().hex[:8]}@example.com"
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"env": "production", "smtp_host": "127.0.0.1", "public_url": "https://x.test"}
    )
    try:
        with caplog.at_level(logging.DEBUG):
            page = client.post("/portal/login/code", data={"email": email})
            (mail,) = smtp_server.inbox.wait_for(email)
    finally:
        app.state.settings = settings
    assert page.status_code == 200 and "We sent a 6-digit code to" in page.text
    code = re.search(r"Your sign-in code is (\d{6})\.", mail.get_body().get_content())  # type: ignore[union-attr]
    assert code is not None
    # (the test SMTP server logs what it receives; the desk's own loggers must not)
    ours = [r for r in caplog.records if r.name.startswith("ledgerdesk")]
    assert not [r for r in ours if code.group(1) in r.getMessage() or email in r.getMessage()]
