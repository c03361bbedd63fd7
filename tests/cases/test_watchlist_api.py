"""The watchlist over HTTP: the API (who may read and change it, clear 4xx answers, the check,
CSV export, a scam case's values), the console page (add, deactivate, search, CSV import with
line-numbered errors), the public verification check of a pasted withdrawal address, and the
warning under ticket messages on the console and portal pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.cases import register
from ledgerdesk.cases.models import CaseKind
from tests.cases.test_watchlist import BTC_BECH32, evm, scam_domain
from tests.conftest import bearer
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login

API = "/api/v1/watchlist"


def listed(client: TestClient, token: str, value: str, **extra: str) -> dict[str, Any]:
    response = client.post(API, json={"value": value, **extra}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_leads_add_agents_read_and_check(client: TestClient, seeded: dict[str, Any]) -> None:
    address = evm()
    entry = listed(client, seeded["lead_token"], address, network="ethereum", note="fake OTC")
    assert entry["kind"] == "chain_address" and entry["network"] == "ethereum" and entry["active"]
    assert entry["added_at"].endswith("Z")
    agent = bearer(seeded["agent_token"])
    again = client.post(API, json={"value": address.upper().replace("0X", "0x")}, headers=agent)
    assert again.status_code == 403 and "security team" in again.json()["error"]["message"]
    dup = client.post(API, json={"value": address}, headers=bearer(seeded["admin_token"]))
    assert dup.status_code == 409 and dup.json()["error"]["field"] == "value"
    hit = client.get(f"{API}/check", params={"value": f" {address} "}, headers=agent).json()
    assert hit["listed"] and [e["id"] for e in hit["entries"]] == [entry["id"]]
    assert hit["message"].startswith("Reported in confirmed scam reports")
    miss = client.get(f"{API}/check", params={"value": evm()}, headers=agent).json()
    assert miss["listed"] is False and miss["entries"] == []
    page = client.get(API, params={"q": address[2:12]}, headers=agent).json()
    assert [e["id"] for e in page["items"]] == [entry["id"]] and page["total"] == 1
    assert client.get(f"{API}/{entry['id']}", headers=agent).json()["note"] == "fake OTC"


def test_security_team_edits_and_deactivates(client: TestClient, seeded: dict[str, Any]) -> None:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        security_id = register.team_for(session, "security")
    token = seeded["security_agent_token"]
    if security_id != seeded["security"]:  # another team is the security team in this run
        token = seeded["lead_token"]
    entry = listed(client, token, f"https://{scam_domain()}/airdrop")
    assert entry["kind"] == "url"
    patch = client.patch(
        f"{API}/{entry['id']}", json={"active": False, "note": "taken down"}, headers=bearer(token)
    )
    assert patch.status_code == 200 and patch.json()["active"] is False
    assert patch.json()["note"] == "taken down" and patch.json()["deactivated_at"]
    check = client.get(
        f"{API}/check", params={"value": entry["value"]}, headers=bearer(seeded["agent_token"])
    )
    assert check.json()["listed"] is False


def test_bad_input_gets_a_clear_answer(client: TestClient, seeded: dict[str, Any]) -> None:
    lead = bearer(seeded["lead_token"])
    cases = [
        ({"value": "0x123"}, "value"),
        ({"value": BTC_BECH32, "network": "tron"}, "value"),
        ({"value": BTC_BECH32, "network": "narnia"}, "network"),
        ({"value": "scam.example", "kind": "domain"}, "value"),
    ]
    for payload, field in cases:
        response = client.post(API, json=payload, headers=lead)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert client.post(API, json={"value": "x", "extra": 1}, headers=lead).status_code == 422
    assert client.get(f"{API}/check", headers=lead).status_code == 422
    assert client.get(f"{API}/2147483647", headers=lead).status_code == 404
    assert client.get(API).status_code == 401
    customer = client.get(API, headers={"Authorization": "Bearer nope"})
    assert customer.status_code == 401


def test_export_csv(client: TestClient, seeded: dict[str, Any]) -> None:
    host = scam_domain()
    listed(client, seeded["lead_token"], host, source="SCM-2026-000001")
    response = client.get(f"{API}/export.csv", headers=bearer(seeded["agent_token"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("kind,network,value,note,source,added_at\r\n")
    assert f"domain,,{host},,SCM-2026-000001," in response.text


def test_from_case_over_the_api(client: TestClient, seeded: dict[str, Any]) -> None:
    address = evm()
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        customer = session.merge(seeded["alice"])
        case = register.do_open_case(
            session,
            customer_actor(customer),
            register.NewCase(
                kind=CaseKind.scam_report,
                customer_id=customer.id,
                subject="Romance scam",
                details={"addresses": [{"network": "bsc", "address": address}], "urls": []},
            ),
        )
        session.commit()
        case_id = case.id
    refused = client.post(f"{API}/from-case/{case_id}", headers=bearer(seeded["agent_token"]))
    assert refused.status_code == 403
    answer = client.post(f"{API}/from-case/{case_id}", headers=bearer(seeded["admin_token"]))
    assert answer.status_code == 200, answer.text
    (added,) = answer.json()["added"]
    assert added["network"] == "bsc" and added["case_id"] == case_id
    missing = client.post(f"{API}/from-case/2147483647", headers=bearer(seeded["admin_token"]))
    assert missing.status_code == 404


# --- the public verification check ------------------------------------------------------


def test_a_pasted_withdrawal_address_is_checked(client: TestClient, seeded: dict[str, Any]) -> None:
    address = evm()
    clean = client.get("/api/v1/verify", params={"q": address}).json()
    assert (clean["kind"], clean["official"], clean["reported"]) == ("chain_address", False, False)
    assert clean["message"].startswith("This address is not on our list")
    long_btc = client.get("/api/v1/verify", params={"q": BTC_BECH32}).json()
    assert long_btc["kind"] == "chain_address"  # was read as an @handle before
    listed(client, seeded["lead_token"], address, network="ethereum")
    hit = client.get("/api/v1/verify", params={"q": address}).json()
    assert hit["reported"] and hit["reported_values"] == [hit["reported_values"][0]]
    assert hit["reported_values"][0].lower() == address and "watchlist" in hit["reasons"]
    assert hit["message"].startswith("Reported in confirmed scam reports")
    zh = client.get("/api/v1/verify", params={"q": address}, headers={"Accept-Language": "zh-CN"})
    assert "诈骗" in zh.json()["message"]
    page = client.get("/verify", params={"q": address})
    assert page.status_code == 200 and 'data-result="reported"' in page.text
    assert "do not send funds" in page.text


def test_a_reported_site_is_never_official_on_the_page(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    host = scam_domain()
    listed(client, seeded["lead_token"], host)
    page = client.get("/verify", params={"q": f"https://login.{host}/"})
    assert 'data-result="reported"' in page.text and host in page.text
    other = client.get("/verify", params={"q": f"https://{scam_domain()}/"})
    assert 'data-result="not_official"' in other.text
    mail = client.get("/api/v1/verify", params={"q": f"support@help.{host}"}).json()
    assert (mail["kind"], mail["reported"], mail["reported_values"]) == ("email", True, [host])


# --- the console page -------------------------------------------------------------------


def test_console_page_add_search_deactivate(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["lead"].email)
    address = evm()
    added = client.post(
        "/console/watchlist",
        data={"kind": "address", "network": "ethereum", "value": address, "note": "pig"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get("/console/watchlist", params={"q": address[2:14]})
    assert page.status_code == 200 and 'id="add-entry"' in page.text
    (entry_id,) = re.findall(r'data-entry="(\d+)" data-active="yes"', page.text)
    refused = client.post("/console/watchlist", data={"value": "not a value"})
    assert refused.status_code == 422 and "without spaces" in refused.text
    assert 'value="not a value"' in refused.text  # what was typed stays
    gone = client.post(f"/console/watchlist/{entry_id}/deactivate", follow_redirects=False)
    assert gone.status_code == 303
    page = client.get("/console/watchlist", params={"q": address[2:14], "show": "all"})
    assert f'data-entry="{entry_id}" data-active="no"' in page.text


def test_console_import_reports_lines(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["admin"].email)
    good = evm()
    bad = f"kind,network,value\naddress,ethereum,{good}\ndomain,,localhost\n"
    response = client.post(
        "/console/watchlist/import", files={"file": ("list.csv", bad.encode(), "text/csv")}
    )
    assert response.status_code == 422 and 'data-line="3"' in response.text
    assert "nothing was imported" in response.text
    ok = f"kind,network,value\naddress,ethereum,{good}\n"
    done = client.post(
        "/console/watchlist/import", files={"file": ("list.csv", ok.encode(), "text/csv")}
    )
    assert done.status_code == 200 and "1 added, 0 already listed" in done.text
    export = client.get("/console/watchlist/export.csv")
    assert good in export.text.lower()


def test_agents_read_but_do_not_edit(client: TestClient, seeded: dict[str, Any]) -> None:
    console_login(client, seeded["agent"].email)
    page = client.get("/console/watchlist", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and 'id="add-entry"' not in page.text
    assert 'id="nav-watchlist"' in page.text
    refused = client.post("/console/watchlist", data={"value": evm()})
    assert refused.status_code == 403


# --- messages ---------------------------------------------------------------------------


def test_a_message_mentioning_a_watched_value_warns(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    address, host = evm(), scam_domain()
    listed(client, seeded["lead_token"], address)
    listed(client, seeded["lead_token"], host)
    email = seeded["alice"].email
    ticket = open_ticket(
        client,
        seeded["lead_token"],
        email,
        body=f"An agent on Telegram told me to move my USDT to {address} for safety",
    )
    reply = client.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        json={"body": f"Thanks. Never log in at https://{host}/login: it is not us."},
        headers=bearer(seeded["lead_token"]),
    )
    assert reply.status_code == 201, reply.text
    console_login(client, seeded["lead"].email)
    page = client.get(f"/console/tickets/{ticket['id']}")
    assert page.status_code == 200
    assert page.text.count('class="watchlist-hit') == 2
    assert "Reported in confirmed scam reports" in page.text
    client.cookies.clear()
    portal_login(client, app, email)
    portal = client.get(f"/portal/tickets/{ticket['id']}", headers={"Accept-Language": "zh-CN"})
    assert portal.status_code == 200 and portal.text.count('class="watchlist-hit') == 2
    assert "诈骗" in portal.text


def test_console_adds_a_scam_cases_values(client: TestClient, seeded: dict[str, Any]) -> None:
    address = evm()
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        customer = session.merge(seeded["bob"])
        case = register.do_open_case(
            session,
            customer_actor(customer),
            register.NewCase(
                kind=CaseKind.scam_report,
                customer_id=customer.id,
                subject="Fake airdrop",
                details={
                    "addresses": [{"network": "ethereum", "address": address}],
                    "urls": ["not a link"],
                },
            ),
        )
        session.commit()
        case_id, reference = case.id, case.reference
    console_login(client, seeded["lead"].email)
    answer = client.post(f"/console/watchlist/from-case/{case_id}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/console/cases/{case_id}"
    page = client.get("/console/watchlist", params={"q": reference})
    assert "1 added, 0 already listed, 1 refused" in page.text
    assert "not a link: Enter one address, domain or link" in page.text
    assert f'href="/console/cases/{case_id}">{reference}</a>' in page.text
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        steps = register.steps(session, register.access_case(session, SYSTEM, case_id))
    assert steps[-1].step == "watchlist_added"
