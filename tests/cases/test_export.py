"""The case export ZIP: every file is listed in the manifest with its real SHA-256 and size,
``manifest.sha256`` verifies like ``sha256sum -c``, the evidence is the tickets' attachments
byte for byte, facts.json carries the case, details, steps and messages' metadata, and each
export is an ``exported`` step. Any case kind; agents who can see the case only."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.cases import register
from ledgerdesk.cases.export import build_export
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.cases.scam import ScamReportIn, check_report, do_file_scam_report
from ledgerdesk.chain.registry import load_registry, shipped_registry_file
from ledgerdesk.core.errors import NotPermitted
from ledgerdesk.core.i18n import set_locale
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from tests.conftest import actor_of, bearer, make_agent, make_customer, make_team, make_ticket
from tests.tickets.test_api import portal_login

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
PDF = b"%PDF-1.4\n% a payment proof\n"


def _scam_case(session: Session) -> Case:
    customer = make_customer(session, name="Lin Mei 林美")
    form = ScamReportIn(
        scam_type="romance",
        happened_on="2026-01-20",
        story="我在交友软件上认识的人让我转了 USDT。",
        amounts=[("USDT", "3000")],
        tx_hashes=[("tron", "ab" * 32)],
        addresses=[("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")],
        handles="@sweet_heart_88",
    )
    details = check_report(load_registry(shipped_registry_file()), form, date(2026, 1, 21))
    files = [
        AttachmentIn("chat 1.png", "image/png", PNG),
        AttachmentIn("chat 1.png", "image/png", PNG + b"\x00"),  # the same name twice
        AttachmentIn("proof.pdf", "application/pdf", PDF),
    ]
    return do_file_scam_report(
        session, customer_actor(customer), customer, details, files, locale="zh-CN"
    )


def _open(data: bytes, reference: str) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert all(n.startswith(reference + "/") for n in names), names
        return {n[len(reference) + 1 :]: archive.read(n) for n in names}


def check_manifest(files: dict[str, bytes]) -> dict[str, Any]:
    """Every file but the manifests is listed once with its real hash and size, and
    manifest.sha256 verifies every file including manifest.json."""
    manifest = json.loads(files["manifest.json"])
    listed = {e["path"]: e for e in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.sha256"}
    for path, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest(), path
        assert entry["size"] == len(files[path]), path
    lines = files["manifest.sha256"].decode("utf-8").splitlines()
    sums = {}
    for line in lines:
        digest, path = line.split("  ", 1)
        sums[path] = digest
    assert set(sums) == set(listed) | {"manifest.json"}
    for path, digest in sums.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest, path
    return dict(manifest)


def test_a_scam_case_exports_evidence_facts_summary_and_manifest(db_session: Session) -> None:
    make_team(db_session, Tier.specialist)
    case = _scam_case(db_session)
    lead = make_agent(db_session, Role.lead)
    set_locale("zh-CN")
    try:
        export = build_export(db_session, actor_of(lead), case)
    finally:
        set_locale("en")
    assert export.sha256 == hashlib.sha256(export.data).hexdigest()
    assert export.filename.startswith(case.reference) and export.filename.endswith(".zip")
    files = _open(export.data, case.reference)
    manifest = check_manifest(files)
    assert manifest["case"] == case.reference and manifest["algorithm"] == "sha256"
    evidence = sorted(p for p in files if p.startswith("evidence/"))
    assert len(evidence) == 3 and len(set(evidence)) == 3
    assert sorted(files[p] for p in evidence) == sorted([PNG, PNG + b"\x00", PDF])
    assert files["summary.pdf"].startswith(b"%PDF-")
    facts = json.loads(files["facts.json"])
    assert facts["case"]["reference"] == case.reference
    assert facts["case"]["customer"]["name"] == "Lin Mei 林美"
    assert facts["details"]["handles"] == ["@sweet_heart_88"]
    assert [s["step"] for s in facts["steps"]] == ["received", "evidence_added"]
    (ticket,) = facts["tickets"]
    assert ticket["id"] == case.ticket_id
    attachments = [a for m in ticket["messages"] for a in m["attachments"]]
    assert sorted(a["path"] for a in attachments) == evidence
    assert "body" not in ticket["messages"][0]  # metadata, not the conversation
    last = register.steps(db_session, case)[-1]
    assert (last.step, last.actor_type, last.actor_id) == ("exported", "agent", lead.id)
    assert last.detail == {"files": 5, "zip_sha256": export.sha256}


def test_any_case_kind_exports_with_its_linked_tickets(db_session: Session) -> None:
    customer = make_customer(db_session)
    working = make_ticket(db_session, customer)
    other = make_ticket(db_session, customer)
    tickets.do_customer_reply(
        db_session,
        customer_actor(customer),
        other,
        "Here is the statement",
        attachments=[AttachmentIn("statement.pdf", "application/pdf", PDF)],
    )
    case = register.do_open_case(
        db_session,
        SYSTEM,
        register.NewCase(
            kind=CaseKind.complaint,
            customer_id=customer.id,
            subject="Fees charged twice",
            ticket_id=working.id,
            points=["The fee was charged twice", "Support did not answer for a week"],
        ),
    )
    register.do_link_ticket(db_session, SYSTEM, case, other.id)
    export = build_export(db_session, actor_of(make_agent(db_session, Role.admin)), case)
    files = _open(export.data, case.reference)
    check_manifest(files)
    assert [p for p in files if p.startswith("evidence/")] == [
        p for p in files if p.endswith("statement.pdf")
    ]
    facts = json.loads(files["facts.json"])
    assert [t["id"] for t in facts["tickets"]] == [working.id, other.id]
    assert facts["case"]["points"] == case.points


def test_customers_cannot_export(db_session: Session) -> None:
    case = _scam_case(db_session)
    customer = customer_actor(make_customer(db_session))
    with pytest.raises(NotPermitted):
        build_export(db_session, customer, case)


# --- the routes ---------------------------------------------------------------------------


def _committed_case(app: Any, team_id: int) -> tuple[int, str]:
    with app.state.sessionmaker() as session:
        case = _scam_case(session)
        case.team_id = team_id
        session.commit()
        return case.id, case.reference


def test_api_and_console_downloads(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    case_id, reference = _committed_case(app, seeded["security"])
    answer = client.get(
        f"/api/v1/cases/{case_id}/export", headers=bearer(seeded["security_agent_token"])
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert reference in answer.headers["content-disposition"]
    assert answer.headers["x-export-sha256"] == hashlib.sha256(answer.content).hexdigest()
    check_manifest(_open(answer.content, reference))
    # An agent of another team does not learn the case exists; a customer is refused.
    outsider = client.get(f"/api/v1/cases/{case_id}/export", headers=bearer(seeded["agent_token"]))
    assert outsider.status_code == 404
    assert (
        client.get(
            f"/api/v1/cases/{10**9}/export", headers=bearer(seeded["lead_token"])
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/cases/{case_id}/export").status_code == 401
    portal_login(client, app, seeded["alice"].email)
    assert client.get(
        f"/console/cases/{case_id}/export.zip", follow_redirects=False
    ).status_code in (302, 303)
    assert client.get(f"/api/v1/cases/{case_id}/export").status_code == 403


def test_console_download_as_signed_in_agent(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    from tests.conftest import PASSWORD

    case_id, reference = _committed_case(app, seeded["security"])
    signed_in = client.post(
        "/console/login",
        data={"email": seeded["security_agent"].email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    answer = client.get(f"/console/cases/{case_id}/export.zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    check_manifest(_open(answer.content, reference))
    with app.state.sessionmaker() as session:
        case = session.get(Case, case_id)
        assert case is not None
        exported = [s for s in register.steps(session, case) if s.step == "exported"]
        assert [s.actor_id for s in exported] == [seeded["security_agent"].id]
