"""The watchlist's services: values checked and normalised per kind and network, one entry per
value, who may change it, what a text mentions (addresses, domains under a listed domain,
links), the CSV round trip with line-numbered row errors, and adding a scam case's values."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.accounts.services import SYSTEM, agent_actor, customer_actor
from ledgerdesk.cases import register, watchlist_csv
from ledgerdesk.cases import watchlist as wl
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.watchlist_models import WatchKind, WatchlistEntry
from ledgerdesk.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from tests.conftest import make_agent, make_customer, make_team, make_ticket

# Checksum-valid addresses (published examples: BIP-173, EIP-55, Tron's documentation).
BTC_BECH32 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
BTC_LEGACY = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
TRON = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"


def evm() -> str:
    """A fresh EVM address (lower case is valid: no checksum to break)."""
    return "0x" + secrets.token_hex(20)


def scam_domain() -> str:
    return f"scam-{uuid.uuid4().hex[:10]}.com"


def security_team(session: Session) -> int:
    """The team the desk treats as its security team (one is made when none exists)."""
    found = register.team_for(session, "security")
    if found is not None:
        return found
    return accounts.do_create_team(session, SYSTEM, name="Security", tier=Tier.specialist).id


def add(
    session: Session, value: str, network: str = "", note: str = "", source: str = ""
) -> WatchlistEntry:
    return wl.do_add_entry(
        session, SYSTEM, wl.NewEntry(value, network=network, note=note, source=source)
    )


# --- normalising ------------------------------------------------------------------------


def test_addresses_are_recognised_and_keyed_per_family() -> None:
    upper = "0x52908400098527886E0F7030069857D2E4169EE7"
    norm = wl.normalise("", "", upper.lower())
    assert (norm.kind, norm.network, norm.value) == (WatchKind.address, "evm", upper)
    assert norm.key == upper.lower()
    assert wl.normalise("address", "ethereum", upper).network == "ethereum"
    assert wl.normalise("", "", BTC_BECH32.upper()).key == BTC_BECH32
    assert wl.normalise("", "bitcoin", BTC_LEGACY).key == BTC_LEGACY  # base58 keeps its case
    assert wl.normalise("", "tron", TRON).network == "tron"


@pytest.mark.parametrize(
    ("kind", "network", "value", "field"),
    [
        ("", "tron", "0x52908400098527886E0F7030069857D2E4169EE7", "value"),  # wrong family
        ("address", "", "0x52908400098527886e0F7030069857D2E4169EE7", "value"),  # bad checksum
        ("address", "atlantis", BTC_LEGACY, "network"),
        ("", "ethereum", "scam.example.com", "network"),  # only addresses have a network
        ("", "", "localhost", "value"),
        ("", "", "two words.com", "value"),
        ("", "", "", "value"),
        ("", "", "x" * 700 + ".com", "value"),
        ("wallet", "", BTC_LEGACY, "kind"),
    ],
)
def test_bad_values_are_refused_with_the_field(
    kind: str, network: str, value: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        wl.normalise(kind, network, value)
    assert caught.value.field == field


def test_links_and_domains() -> None:
    host = scam_domain()
    assert wl.normalise("", "", f"https://www.{host}/").kind == WatchKind.domain
    link = wl.normalise("", "", f"https://WWW.{host}/Login/?next=1#top")
    assert (link.kind, link.value, link.key) == (
        WatchKind.url,
        f"www.{host}/Login?next=1",
        f"{host}/login?next=1",
    )
    assert wl.normalise("domain", "", f"https://{host}/login").kind == WatchKind.domain


def test_official_domains_and_secrets_are_refused() -> None:
    with pytest.raises(InvalidInput, match="official"):
        wl.normalise("", "", "https://login.desk-example.com/x", ["desk-example.com"])
    with pytest.raises(InvalidInput, match="secret"):
        wl.normalise("", "", secrets.token_hex(32))  # a bare private key, not an address


# --- the list ---------------------------------------------------------------------------


def test_one_entry_per_value_and_deactivation(db_session: Session) -> None:
    address = evm()
    entry = add(db_session, address.upper().replace("0X", "0x"), note="Reported twice")
    with pytest.raises(Conflict):
        add(db_session, address)
    wl.do_set_active(db_session, SYSTEM, entry.id, False)
    wl.do_set_active(db_session, SYSTEM, entry.id, False)  # twice: nothing changes
    assert not entry.active and entry.deactivated_at is not None
    assert wl.check_value(db_session, address) == []
    again = add(db_session, address, note="Seen again")
    assert again.id == entry.id and again.active and again.note == "Seen again"
    assert wl.check_value(db_session, address) == [entry]


def test_who_may_change_the_list(db_session: Session) -> None:
    team = make_team(db_session)
    agent = agent_actor(make_agent(db_session, Role.agent, [team]))
    lead = agent_actor(make_agent(db_session, Role.lead, [team]))
    security = replace(
        agent_actor(make_agent(db_session, Role.agent)),
        team_ids=frozenset({security_team(db_session)}),
    )
    with pytest.raises(NotPermitted):
        wl.do_add_entry(db_session, agent, wl.NewEntry(evm()))
    assert wl.do_add_entry(db_session, lead, wl.NewEntry(evm())).added_by_id == lead.id
    entry = wl.do_add_entry(db_session, security, wl.NewEntry(evm()))
    with pytest.raises(NotPermitted):
        wl.do_set_active(db_session, agent, entry.id, False)
    rows, total = wl.list_entries(db_session, agent, q=entry.value[:12])
    assert rows == [entry] and total == 1
    customer = customer_actor(make_customer(db_session))
    with pytest.raises(NotPermitted):
        wl.list_entries(db_session, customer)
    with pytest.raises(NotFound):
        wl.access_entry(db_session, agent, 2**31 - 1)


def test_search_by_kind_note_and_inactive(db_session: Session) -> None:
    marker = uuid.uuid4().hex[:8]
    domain = add(db_session, scam_domain(), note=f"phishing {marker}")
    address = add(db_session, evm(), source=f"report {marker}")
    rows, total = wl.list_entries(db_session, SYSTEM, q=marker.upper())
    assert {r.id for r in rows} == {domain.id, address.id} and total == 2
    rows, _ = wl.list_entries(db_session, SYSTEM, q=marker, kind=WatchKind.domain)
    assert rows == [domain]
    wl.do_set_active(db_session, SYSTEM, domain.id, False)
    assert wl.list_entries(db_session, SYSTEM, q=marker)[1] == 1
    assert wl.list_entries(db_session, SYSTEM, q=marker, active_only=False)[1] == 2


# --- hits in texts ----------------------------------------------------------------------


def test_hits_in_texts_finds_addresses_domains_and_links(db_session: Session) -> None:
    address, host, other = evm(), scam_domain(), scam_domain()
    a = add(db_session, address)
    d = add(db_session, host)
    u = add(db_session, f"t.me/{other[:-4].replace('-', '_')}")
    texts = [
        "Hello, my withdrawal is late.",
        f"Support told me to send USDT to {address.upper().replace('0X', '0x')} to unlock it",
        f"They said log in at https://login.{host}/verify?id=3 and also www.{host}.",
        f"I chatted with T.me/{other[:-4].replace('-', '_')}/ on Telegram",
        f"{host}x.com and {address}ff are not the same",
    ]
    hits = wl.hits_in_texts(db_session, texts)
    assert hits == {1: [a], 2: [d], 3: [u]}
    assert wl.hits_in_texts(db_session, []) == {}


def test_a_listed_link_matches_with_or_without_its_query(db_session: Session) -> None:
    host = scam_domain()
    entry = add(db_session, f"https://{host}/claim")
    assert wl.check_value(db_session, f"http://www.{host}/claim/?ref=7") == [entry]
    assert wl.check_value(db_session, f"https://{host}/other") == []
    with pytest.raises(InvalidInput):
        wl.check_value(db_session, "   ")


# --- CSV --------------------------------------------------------------------------------


def test_csv_export_and_import_round_trip(db_session: Session) -> None:
    address, host = evm(), scam_domain()
    add(db_session, address, network="bsc", note="=HYPERLINK(evil)", source="SCM-1")
    add(db_session, f"https://{host}/login")
    text = watchlist_csv.export_csv(db_session, SYSTEM)
    lines = text.splitlines()
    assert lines[0] == "kind,network,value,note,source,added_at"
    row = next(line for line in lines if address[2:].lower() in line.lower())
    assert row.startswith("chain_address,bsc,0x") and ",'=HYPERLINK(evil),SCM-1," in row
    assert f"url,,{host}/login,,," in text
    report = watchlist_csv.do_import_csv(db_session, SYSTEM, text.encode())
    assert report.ok and report.added == 0 and report.existing == report.rows >= 2


def test_csv_import_adds_once_and_reports_bad_rows_by_line(db_session: Session) -> None:
    good, host = evm(), scam_domain()
    data = (
        "\ufeffkind,network,value,note,source,added_at\n"
        f"address,ethereum,{good},first,,2026-05-01T12:00:00Z\n"
        f",,{good},the same value again,,\n"
        f"domain,,{host},,,\n"
    ).encode()
    report = watchlist_csv.do_import_csv(db_session, SYSTEM, data)
    assert (report.rows, report.added, report.existing) == (3, 2, 1)
    (entry,) = wl.check_value(db_session, good)
    assert entry.note == "first" and entry.added_at.isoformat() == "2026-05-01T12:00:00"
    bad = (
        "kind,network,value,note\n"
        f"address,ethereum,{evm()},ok\n"
        'address,tron,0x52908400098527886E0F7030069857D2E4169EE7,"a note\non two lines"\n'
        "domain,,localhost,\n"
        "address,,not-an-address,\n"
    ).encode()
    with pytest.raises(watchlist_csv.ImportRefused) as caught:
        watchlist_csv.do_import_csv(db_session, SYSTEM, bad)
    errors = caught.value.report.errors
    assert [e.line for e in errors] == [4, 5, 6]
    assert "tron" in errors[0].message and "public suffix" in errors[1].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe k", "UTF-8"),
        (b"kind,address\nx,y\n", "unknown column"),
        (b"kind,note\nx,y\n", "value column"),
    ],
)
def test_csv_files_that_cannot_be_read(db_session: Session, data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        watchlist_csv.do_import_csv(db_session, SYSTEM, data)


def test_only_editors_import(db_session: Session) -> None:
    agent = agent_actor(make_agent(db_session, Role.agent, [make_team(db_session)]))
    with pytest.raises(NotPermitted):
        watchlist_csv.do_import_csv(db_session, agent, b"value\n" + evm().encode())


# --- from a scam case -------------------------------------------------------------------


def scam_case(session: Session, details: dict[str, object]) -> Case:
    customer = make_customer(session)
    ticket = make_ticket(session, customer)
    return register.do_open_case(
        session,
        customer_actor(customer),
        register.NewCase(
            kind=CaseKind.scam_report,
            customer_id=customer.id,
            subject="Fake support took my USDT",
            ticket_id=ticket.id,
            details=details,
        ),
    )


def test_adding_a_scam_cases_values_records_a_step(db_session: Session) -> None:
    address, host, listed = evm(), scam_domain(), evm()
    add(db_session, listed)
    case = scam_case(
        db_session,
        {
            "scam_type": "fake_support",
            "addresses": [
                {"network": "ethereum", "address": address},
                {"network": "ethereum", "address": listed},
                {"network": "tron", "address": "not-an-address"},
            ],
            "urls": [f"https://{host}/wallet-connect"],
        },
    )
    lead = agent_actor(make_agent(db_session, Role.lead))
    result = wl.do_add_from_case(db_session, lead, case.id)
    assert sorted(e.value.lower() for e in result.added) == sorted(
        [address.lower(), f"{host}/wallet-connect"]
    )
    assert [e.value.lower() for e in result.existing] == [listed.lower()]
    assert [value for value, _ in result.refused] == ["not-an-address"]
    assert all(e.case_id == case.id and e.source == case.reference for e in result.added)
    step = register.steps(db_session, case)[-1]
    assert (step.step, step.actor_id, step.detail["already_listed"]) == (
        "watchlist_added",
        lead.id,
        1,
    )
    again = wl.do_add_from_case(db_session, lead, case.id)
    assert again.added == [] and len(again.existing) == 3
    assert register.steps(db_session, case)[-1].id == step.id  # nothing new: no step


def test_only_scam_cases_and_visible_ones(db_session: Session) -> None:
    customer = make_customer(db_session)
    complaint = register.do_open_case(
        db_session,
        customer_actor(customer),
        register.NewCase(kind=CaseKind.complaint, customer_id=customer.id, subject="Fees"),
    )
    with pytest.raises(InvalidInput):
        wl.do_add_from_case(db_session, SYSTEM, complaint.id)
    case = scam_case(db_session, {"addresses": [{"network": "ethereum", "address": evm()}]})
    outsider = replace(
        agent_actor(make_agent(db_session, Role.agent)),
        team_ids=frozenset({security_team(db_session)}),
    )
    with pytest.raises(NotFound):  # may edit the list, but cannot see this case
        wl.do_add_from_case(db_session, outsider, case.id)
