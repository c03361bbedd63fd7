"""Scam reports: per-network checks of hashes and addresses, filing (working ticket for the
security team, the case and its details, the evidence step, the tx-facts job), and the
portal form in both languages."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Tier
from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.scam import (
    TX_FACTS_TOPIC,
    ScamReportIn,
    check_addresses,
    check_report,
    check_tx_hashes,
    do_file_scam_report,
)
from ledgerdesk.cases.scam_types import scam_types
from ledgerdesk.chain.registry import load_registry, shipped_registry_file
from ledgerdesk.core.errors import InvalidInput, NotPermitted
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.models import Attachment, Message, Priority, Ticket
from tests.conftest import make_customer, make_team
from tests.tickets.test_api import portal_login

REGISTRY = load_registry(shipped_registry_file())
TODAY = date(2026, 3, 14)
EVM_TX = "0x" + "ab" * 32
BTC_TX = "cd" * 32
EVM_ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55's own example
TRON_ADDRESS = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC_TESTNET_ADDRESS = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(**extra: Any) -> ScamReportIn:
    values: dict[str, Any] = {
        "scam_type": "fake_support",
        "happened_on": "2026-03-12",
        "happened_time": "21:30",
        "story": "A 'support agent' on Telegram asked me to move my USDT to a 'safe wallet'.",
        "amounts": [("usdt", "1,250.50"), ("", "")],
        "tx_hashes": [("ethereum", "  " + EVM_TX.upper().replace("0X", "0x") + " ")],
        "addresses": [("ethereum", EVM_ADDRESS.lower()), ("tron", TRON_ADDRESS)],
        "handles": "@kestrel_support_desk\n@kestrel_support_desk\n+44 7700 900123",
        "urls": "https://kestrel-support.help/verify\nkestre1.example",
    }
    values.update(extra)
    return ScamReportIn(**values)


# --- checks per network -------------------------------------------------------------------


def test_hashes_are_checked_and_normalised_per_network() -> None:
    rows = [("ethereum", EVM_TX.upper().replace("0X", "0x")), ("bitcoin", BTC_TX.upper())]
    assert check_tx_hashes(REGISTRY, rows) == [
        {"network": "ethereum", "tx_hash": EVM_TX},
        {"network": "bitcoin", "tx_hash": BTC_TX},
    ]
    assert check_tx_hashes(REGISTRY, [("tron", BTC_TX)]) == [{"network": "tron", "tx_hash": BTC_TX}]
    wrong = [
        ("ethereum", BTC_TX),  # 64 hex without 0x is not an EVM hash
        ("bitcoin", EVM_TX),  # 0x + 64 hex is not a Bitcoin hash
        ("tron", EVM_TX),
        ("bsc", EVM_ADDRESS),  # an address where a hash belongs
        ("ethereum", "0x1234"),
    ]
    for network, value in wrong:
        with pytest.raises(InvalidInput) as caught:
            check_tx_hashes(REGISTRY, [("", ""), (network, value)])
        assert caught.value.field == "tx_hashes"
        assert caught.value.message.startswith("Transaction row 2: this is not a transaction hash")
    with pytest.raises(InvalidInput, match="Transaction row 1: choose the network"):
        check_tx_hashes(REGISTRY, [("", EVM_TX)])
    with pytest.raises(InvalidInput, match="choose the network"):
        check_tx_hashes(REGISTRY, [("dogecoin", EVM_TX)])


def test_addresses_are_checked_and_normalised_per_network() -> None:
    rows = [
        ("ethereum", EVM_ADDRESS.lower()),
        ("polygon", EVM_ADDRESS),
        ("tron", TRON_ADDRESS),
        ("bitcoin", BTC_ADDRESS),
        ("bitcoin-testnet", BTC_TESTNET_ADDRESS),
    ]
    assert [a["address"] for a in check_addresses(REGISTRY, rows)] == [
        EVM_ADDRESS,  # EIP-55 form
        EVM_ADDRESS,
        TRON_ADDRESS,
        BTC_ADDRESS,
        BTC_TESTNET_ADDRESS,
    ]
    wrong = [
        ("ethereum", EVM_ADDRESS[:-1] + "e"),  # mixed case with a broken checksum
        ("tron", TRON_ADDRESS[:-1] + "u"),  # base58check fails
        ("tron", EVM_ADDRESS),
        ("ethereum", TRON_ADDRESS),
        ("bitcoin", BTC_TESTNET_ADDRESS),  # a testnet address on mainnet
        ("bitcoin-testnet", BTC_ADDRESS),
        ("bitcoin", BTC_ADDRESS[:-1] + "p"),  # bech32 checksum fails
    ]
    for network, value in wrong:
        with pytest.raises(InvalidInput, match="Address row 1: this is not an address on"):
            check_addresses(REGISTRY, [(network, value)])


def test_the_whole_form_becomes_details() -> None:
    details = check_report(REGISTRY, form(), TODAY)
    assert details == {
        "scam_type": "fake_support",
        "happened_at": "2026-03-12T21:30",
        "story": form().story,
        "amounts": [{"asset": "USDT", "amount": "1250.5"}],
        "tx_hashes": [{"network": "ethereum", "tx_hash": EVM_TX}],
        "addresses": [
            {"network": "ethereum", "address": EVM_ADDRESS},
            {"network": "tron", "address": TRON_ADDRESS},
        ],
        "handles": ["@kestrel_support_desk", "+44 7700 900123"],
        "urls": ["https://kestrel-support.help/verify", "kestre1.example"],
        "tx_facts": [],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scam_type": "lottery"}, "scam_type"),
        ({"story": "   "}, "story"),
        ({"happened_on": "12/03/2026"}, "happened_on"),
        ({"happened_on": "2026-03-20"}, "happened_on"),  # the future
        ({"happened_time": "25:00"}, "happened_time"),
        ({"amounts": [("USDT", "-5")]}, "amounts"),
        ({"amounts": [("USDT", "lots")]}, "amounts"),
        ({"amounts": [("USDT", "1e999999")]}, "amounts"),  # never a million digits
        ({"amounts": [("USDT", "NaN")]}, "amounts"),
        ({"amounts": [("", "5")]}, "amounts"),
        ({"amounts": [("USDT", "1")] * 11}, "amounts"),
        ({"urls": "not a link"}, "urls"),
        ({"urls": "javascript:alert(1)"}, "urls"),
        ({"handles": "\n".join(f"@h{n}" for n in range(21))}, "handles"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_report(REGISTRY, form(**change), TODAY)
    assert caught.value.field == field


def test_every_scam_type_has_both_languages() -> None:
    keys = [t.key for t in scam_types()]
    assert keys[-1] == "other" and {"fake_support", "phishing_site", "investment"} <= set(keys)
    assert {"fake_airdrop", "romance", "otc_p2p"} <= set(keys)
    for kind in scam_types():
        assert kind.en and kind.zh and kind.hint_en and kind.hint_zh
        assert re.search(r"[\u4e00-\u9fff]", kind.zh + kind.hint_zh)


# --- filing -------------------------------------------------------------------------------


def _file(session: Session, **extra: Any) -> tuple[Case, Any]:
    customer = make_customer(session)
    details = check_report(REGISTRY, form(**extra), TODAY)
    files = [
        AttachmentIn("chat.png", "image/png", PNG),
        AttachmentIn("proof.pdf", "application/pdf", b"%PDF-1.4\n%proof\n"),
    ]
    case = do_file_scam_report(
        session, customer_actor(customer), customer, details, files, locale="en"
    )
    return case, customer


def test_a_report_opens_a_working_ticket_for_security_and_a_case(db_session: Session) -> None:
    make_team(db_session, Tier.specialist)  # the desk has a team to take it
    case, customer = _file(db_session)
    ticket = db_session.get(Ticket, case.ticket_id)
    assert ticket is not None and ticket.requester_id == customer.id
    assert (ticket.intent, ticket.priority) == ("scam_report", Priority.high)
    assert ticket.team_id == register.team_for(db_session, "security")
    assert ticket.team_id is not None
    assert "scam-report" in {t.name for t in ticket.tags}
    assert case.kind == CaseKind.scam_report and case.team_id == ticket.team_id
    assert case.reference.startswith("SCM-") and case.topic == "fake_support"
    assert case.subject == "Scam report: Fake customer support or impersonation"
    assert case.details["tx_hashes"] == [{"network": "ethereum", "tx_hash": EVM_TX}]
    first = db_session.scalars(select(Message).where(Message.ticket_id == ticket.id)).one()
    assert EVM_TX in first.body and "1250.5 USDT" in first.body and TRON_ADDRESS in first.body
    names = sorted(
        a.filename
        for a in db_session.scalars(select(Attachment).where(Attachment.message_id == first.id))
    )
    assert names == ["chat.png", "proof.pdf"]
    steps = register.steps(db_session, case)
    assert [s.step for s in steps] == ["received", "evidence_added"]
    assert [f["filename"] for f in steps[1].detail["files"]] == ["chat.png", "proof.pdf"]
    jobs = db_session.scalars(select(OutboxEntry).where(OutboxEntry.topic == TX_FACTS_TOPIC))
    assert {"case_id": case.id} in [j.payload for j in jobs]


def test_no_transactions_no_lookup_job(db_session: Session) -> None:
    case, _customer = _file(db_session, tx_hashes=[])
    payloads = db_session.scalars(
        select(OutboxEntry.payload).where(OutboxEntry.topic == TX_FACTS_TOPIC)
    )
    assert {"case_id": case.id} not in list(payloads)


def test_a_customer_reports_only_for_themselves(db_session: Session) -> None:
    alice, bob = make_customer(db_session), make_customer(db_session)
    details = check_report(REGISTRY, form(), TODAY)
    with pytest.raises(NotPermitted):
        do_file_scam_report(db_session, customer_actor(alice), bob, details, [], locale="en")


# --- the portal form ----------------------------------------------------------------------


def _post(client: TestClient, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "scam_type": "phishing_site",
        "happened_on": "2026-01-05",
        "story": "A look-alike site took my login and 2FA code, then my BTC was withdrawn.",
        "amount_asset": ["BTC", ""],
        "amount_value": ["0.05", ""],
        "tx_network": ["bitcoin", ""],
        "tx_hash": [BTC_TX, ""],
        "address_network": ["bitcoin", ""],
        "address_value": [BTC_ADDRESS, ""],
        "urls": "https://kestrel-login.example/",
    }
    data.update(extra)
    files = [("files", ("site.png", PNG, "image/png"))]
    return client.post("/portal/scam-report", data=data, files=files, follow_redirects=False)


def test_portal_form_files_a_report_and_confirms_it(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    email = make_customer_email(app)
    portal_login(client, app, email)
    page = client.get("/portal/scam-report")
    assert page.status_code == 200 and 'name="tx_hash"' in page.text
    assert "Fake airdrop or giveaway" in page.text and "Bitcoin" in page.text
    answer = _post(client)
    assert answer.status_code == 303, answer.text
    done = client.get(answer.headers["location"])
    assert done.status_code == 200
    reference = re.search(r'id="scam-reference"[^>]*>(SCM-\d{4}-\d{6})<', done.text)
    assert reference, done.text
    assert "recovery" in done.text and 'id="scam-ticket-link"' in done.text
    with app.state.sessionmaker() as session:
        case = session.scalars(select(Case).where(Case.reference == reference.group(1))).one()
        assert case.details["addresses"] == [{"network": "bitcoin", "address": BTC_ADDRESS}]
        # A bare 64-hex Bitcoin hash is not taken for a private key by the storage guard.
        assert case.details["tx_hashes"] == [{"network": "bitcoin", "tx_hash": BTC_TX}]
        first = session.scalars(select(Message).where(Message.ticket_id == case.ticket_id))
        assert BTC_TX in first.one().body
        (evidence,) = register.steps(session, case)[1].detail["files"]
        assert evidence["sha256"] == hashlib.sha256(PNG).hexdigest()
        assert case.channel == "portal" and case.language == "en"
    # Someone else's report is not found.
    portal_login(client, app, make_customer_email(app))
    assert client.get(answer.headers["location"]).status_code == 404


def test_portal_form_keeps_what_was_typed_and_says_what_is_wrong_in_chinese(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    portal_login(client, app, make_customer_email(app))
    client.headers["accept-language"] = "zh-CN"
    page = client.get("/portal/scam-report")
    assert "举报诈骗" in page.text and "虚假空投或赠送活动" in page.text
    bad = _post(client, address_value=[BTC_TESTNET_ADDRESS, ""])
    assert bad.status_code == 422
    assert "地址第 1 行" in bad.text, bad.text
    assert BTC_TESTNET_ADDRESS in bad.text and "kestrel-login.example" in bad.text
    assert 'data-field="addresses"' in bad.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/portal/scam-report", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/portal/login" in answer.headers["location"]


def make_customer_email(app: Any) -> str:
    with app.state.sessionmaker() as session:
        email = make_customer(session).email
        session.commit()
    return email


def test_the_console_panel_shows_the_reported_facts_in_both_languages(
    db_session: Session,
) -> None:
    import ledgerdesk.cases.scam_views  # noqa: F401 - registers the panel, as the app does
    from ledgerdesk.cases.panels import PANELS
    from ledgerdesk.core.i18n import set_locale
    from ledgerdesk.web.templating import templates

    case, _customer = _file(db_session)
    template = templates.env.get_template("cases/_panel_scam_report.html")
    pages = {}
    for locale in ("en", "zh-CN"):
        set_locale(locale)
        try:
            context = PANELS["scam_report"](db_session, case)
            pages[locale] = template.render(case=case, **context)
        finally:
            set_locale("en")
    assert "Fake customer support or impersonation" in pages["en"]
    assert "假冒客服或冒充他人" in pages["zh-CN"] and "骗子的地址" in pages["zh-CN"]
    for html in pages.values():
        assert EVM_ADDRESS in html and TRON_ADDRESS in html and EVM_TX in html
        assert "chat.png" in html and "proof.pdf" in html
        assert f"/console/watchlist/from-case/{case.id}" in html  # add its addresses
        assert 'id="scam-tx-facts-pending"' in html  # the chain has not been asked yet
    assert "https://etherscan.io/tx/" + EVM_TX in pages["en"]


def test_the_look_up_again_button_queues_the_job(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    from tests.conftest import PASSWORD

    with app.state.sessionmaker() as session:
        case, _customer = _file(session)
        case.team_id = seeded["security"]
        session.commit()
        case_id = case.id
    data = {"email": seeded["agent"].email, "password": PASSWORD}  # not in the case's team
    assert client.post("/console/login", data=data).status_code == 200
    answer = client.post(f"/console/cases/{case_id}/tx-facts", follow_redirects=False)
    assert answer.status_code == 303  # back to the case page, with "No such case" flashed
    data = {"email": seeded["security_agent"].email, "password": PASSWORD}
    assert client.post("/console/login", data=data).status_code == 200
    answer = client.post(f"/console/cases/{case_id}/tx-facts", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/cases/{case_id}"
    with app.state.sessionmaker() as session:
        found = session.get(Case, case_id)
        assert found is not None
        steps = register.steps(session, found)
        requested = [s for s in steps if s.step == "tx_facts_requested"]
        assert [s.actor_id for s in requested] == [seeded["security_agent"].id]


def test_secrets_in_a_report_are_never_stored(db_session: Session) -> None:
    """The story, handles and links go through the storage guard like every free text; only
    the hashes the form labelled as transaction hashes are kept as such."""
    from tests.guard.factory import hex64, phrase

    words = " ".join(phrase(seed=3))
    key = hex64(seed=5)
    case, _customer = _file(
        db_session,
        story=f"The 'agent' asked for my seed phrase and I typed it: {words}",
        handles=f"@fake_support\nhe also wanted my private key {key}",
    )
    stored = str(case.details)
    assert words not in stored and key not in stored
    assert case.details["tx_hashes"] == [{"network": "ethereum", "tx_hash": EVM_TX}]
    bodies = list(
        db_session.scalars(
            select(Message.body).where(Message.ticket_id == case.ticket_id).order_by(Message.id)
        )
    )
    assert EVM_TX in bodies[0]  # the report; the guard's notice to the customer may follow
    assert not any(words in b or key in b for b in bodies)
