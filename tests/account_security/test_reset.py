"""The lost-2FA reset: identity checks per policy, the hold at the demo exchange, alerts to the
old and the new contact, and the e-mailed cancel link that stops the reset (once)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.settings import Settings
from ledgerdesk.tickets.models import Priority, Ticket
from tests.account_security.conftest import CHEN, PORTAL_EMAIL, Desk

NEW_CONTACT = "chen.new@example.org"
LINK = re.compile(r"https://support\.example\.test(/account-security/2fa-reset/cancel/\S+)")
RIGHT_DEPOSIT = {"deposit_asset": "usdt", "deposit_amount": "1500"}  # D4000000101, 340 h ago


def _start(client: TestClient, desk: Desk, new_contact: str = NEW_CONTACT) -> str:
    page = client.post(
        "/portal/security/2fa-reset", data={"email": PORTAL_EMAIL, "new_contact": new_contact}
    )
    assert page.status_code == 200 and 'id="reset-code-sent"' in page.text, page.text
    return desk.code_in_last_mail(PORTAL_EMAIL)


def _verify(client: TestClient, code: str, **deposit: str) -> Any:
    data = {"email": PORTAL_EMAIL, "code": code, **deposit}
    return client.post("/portal/security/2fa-reset/verify", data=data)


def test_a_reset_holds_withdrawals_and_the_emailed_link_cancels_it(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    page = client.get("/portal/security/2fa-reset")
    assert page.status_code == 200 and "48" in page.text
    before = {w.id: w for w in desk.state.withdrawals(CHEN)}
    code = _start(client, desk)
    wrong = _verify(client, code, deposit_asset="USDT", deposit_amount="1499")
    assert wrong.status_code == 422 and 'id="reset-failed"' in wrong.text
    assert not desk.state.two_factor_resets(CHEN)
    done = _verify(client, code, **RIGHT_DEPOSIT)
    assert done.status_code == 200 and 'id="reset-done"' in done.text, done.text
    [reset] = desk.state.two_factor_resets(CHEN)
    assert reset.status == "active" and reset.hold_until - reset.created_at == timedelta(hours=48)
    profile = desk.state.customer(CHEN)
    assert profile is not None and profile.withdrawals_held_until == reset.hold_until
    held = {w.id: w for w in desk.state.withdrawals(CHEN)}
    assert held["W7000000103"].status == "on_hold"  # was processing
    assert held["W7000000103"].hold_reason == "2fa_reset"
    assert held["W7000000103"].release_at == reset.hold_until
    assert held["W7000000102"].status == "sent"  # finished ones are untouched
    [request] = desk.requests()
    assert request.status.value == "on_hold" and request.reset_id == reset.id
    steps = desk.steps(request.id)
    for step in ("requested", "code_sent", "check_failed", "checks_passed", "reset_applied"):
        assert step in steps
    assert steps[-1] == "alerts_sent"
    # Both contacts get the alert with the same single-use link.
    old = desk.mail_with(PORTAL_EMAIL, "/account-security/2fa-reset/cancel/")
    new = desk.mail_with(NEW_CONTACT, "/account-security/2fa-reset/cancel/")
    assert "held until" in old and "new contact" in new
    links = {LINK.search(text).group(1) for text in (old, new)}  # type: ignore[union-attr]
    assert len(links) == 1
    link = links.pop()
    confirm = client.get(link)
    assert confirm.status_code == 200 and 'id="cancel-confirm"' in confirm.text
    # The page alone changes nothing.
    assert [r.status for r in desk.state.two_factor_resets(CHEN)] == ["active"]
    cancelled = client.post(link)
    assert cancelled.status_code == 200 and 'id="cancel-done"' in cancelled.text
    assert [r.status for r in desk.state.two_factor_resets(CHEN)] == ["cancelled"]
    restored = {w.id: w for w in desk.state.withdrawals(CHEN)}
    assert restored["W7000000103"].status == "processing"
    assert restored == before  # every withdrawal the reset held is as it was
    assert desk.state.customer(CHEN).withdrawals_held_until is None  # type: ignore[union-attr]
    [request] = desk.requests()
    assert request.status.value == "cancelled" and desk.steps(request.id)[-2:] == [
        "cancelled",
        "ticket_opened",
    ]
    with app.state.sessionmaker() as session:
        ticket = session.get(Ticket, request.ticket_id)
        assert ticket is not None and ticket.priority == Priority.urgent
    # The link works once.
    for again in (client.get(link), client.post(link)):
        assert again.status_code == 410 and "used already" in again.text


def test_forged_and_expired_links_are_refused(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    assert client.get("/account-security/2fa-reset/cancel/not-a-token").status_code == 404
    code = _start(client, desk, new_contact="")
    assert _verify(client, code, **RIGHT_DEPOSIT).status_code == 200
    alert = desk.mail_with(PORTAL_EMAIL, "/account-security/2fa-reset/cancel/")
    link = LINK.search(alert).group(1)  # type: ignore[union-attr]
    assert not desk.smtp.inbox.to(NEW_CONTACT)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.post(tampered).status_code == 404
    with frozen_at(utcnow() + timedelta(hours=49)):
        late = client.post(link)
    assert late.status_code == 410 and "expired" in late.text
    assert [r.status for r in desk.state.two_factor_resets(CHEN)] == ["active"]


def test_a_second_reset_while_one_runs_is_refused(
    client: TestClient, app: Any, seeded: dict[str, Any], desk: Desk
) -> None:
    code = _start(client, desk)
    assert _verify(client, code, **RIGHT_DEPOSIT).status_code == 200
    again = client.post("/portal/security/2fa-reset", data={"email": PORTAL_EMAIL})
    assert again.status_code == 409 and "already running" in again.text
    same = client.post(
        "/portal/security/2fa-reset", data={"email": PORTAL_EMAIL, "new_contact": PORTAL_EMAIL}
    )
    assert same.status_code == 422 and "must differ" in same.text


def test_the_kyc_policy_refuses_and_three_failures_end_the_request(
    client: TestClient,
    app: Any,
    seeded: dict[str, Any],
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGERDESK_TWOFA_RESET_MIN_KYC_LEVEL", "3")  # the demo customer has 2
    from ledgerdesk.core.settings import get_settings

    get_settings.cache_clear()
    code = _start(client, desk)
    for _ in range(2):
        page = _verify(client, code, **RIGHT_DEPOSIT)
        assert page.status_code == 422 and "identity verification level" in html.unescape(page.text)
    refused = _verify(client, code, **RIGHT_DEPOSIT)
    assert refused.status_code == 422 and 'id="reset-refused"' in refused.text
    assert not desk.state.two_factor_resets(CHEN)
    [request] = desk.requests()
    assert request.status.value == "refused"
    later = _verify(client, code, **RIGHT_DEPOSIT)
    assert later.status_code == 401


def test_the_checks_setting_must_keep_the_email_code() -> None:
    with pytest.raises(ValueError, match="email_code"):
        Settings(twofa_reset_checks="recent_deposit")
    with pytest.raises(ValueError, match="unknown check"):
        Settings(twofa_reset_checks="email_code,selfie")
    assert Settings(twofa_reset_checks="email_code").twofa_reset_checks == ["email_code"]
