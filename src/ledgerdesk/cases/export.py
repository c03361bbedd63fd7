"""The case export for law enforcement or an exchange's compliance partner: one ZIP with

- ``summary.pdf``: reference, customer, the facts and every step (cases.pdf, both languages);
- ``facts.json``: the case, its details, its steps and its tickets' messages (metadata only);
- ``evidence/…``: every attachment of the case's tickets (working ticket and linked ones);
- ``manifest.json``: every file above with its SHA-256 and size;
- ``manifest.sha256``: the same hashes, plus manifest.json's, in ``sha256sum -c`` format.

Works for any kind of case. Each export is a step (``exported``) with the hash of the ZIP,
so what left the desk, when and by whom is in the register.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import Actor
from ledgerdesk.cases import register
from ledgerdesk.cases.export_summary import summary_pdf
from ledgerdesk.cases.models import Case, CaseEvent
from ledgerdesk.cases.scam_hashes import SHA256, labelled
from ledgerdesk.core.clock import utcnow
from ledgerdesk.tickets.attachments import clean_filename, read_blob
from ledgerdesk.tickets.models import Attachment, Message, Ticket


@dataclass(frozen=True)
class CaseExport:
    filename: str
    data: bytes
    sha256: str
    files: list[dict[str, Any]]  # the manifest's entries


def ticket_attachments(
    session: Session, ticket_ids: Sequence[int]
) -> list[tuple[Message, Attachment]]:
    """Every attachment on these tickets' messages, oldest first."""
    if not ticket_ids:
        return []
    rows = session.execute(
        select(Message, Attachment)
        .join(Attachment, Attachment.message_id == Message.id)
        .where(Message.ticket_id.in_(ticket_ids))
        .order_by(Message.ticket_id, Message.id, Attachment.id)
    )
    return [(m, a) for m, a in rows]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _case_json(case: Case, customer: Customer | None) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "kind": case.kind.value,
        "status": case.status.value,
        "customer": {
            "id": case.customer_id,
            "name": customer.name if customer else None,
            "email": customer.email if customer else None,
        },
        "ticket_id": case.ticket_id,
        "team_id": case.team_id,
        "assignee_id": case.assignee_id,
        "language": case.language,
        "channel": case.channel,
        "subject": case.subject,
        "topic": case.topic,
        "jurisdiction": case.jurisdiction,
        "points": list(case.points),
        "received_at": _iso(case.received_at),
        "acknowledged_at": _iso(case.acknowledged_at),
        "due_at": _iso(case.due_at),
        "limit_at": _iso(case.limit_at),
        "decided_at": _iso(case.decided_at),
        "closed_at": _iso(case.closed_at),
        "outcome": case.outcome,
    }


def _step_json(step: CaseEvent) -> dict[str, Any]:
    return {
        "seq": step.seq,
        "step": step.step,
        "actor_type": step.actor_type,
        "actor_id": step.actor_id,
        "at": _iso(step.at),
        "detail": step.detail,
    }


def evidence_path(message: Message, attachment: Attachment) -> str:
    """``evidence/<message>-<attachment>-<file name>``: unique even when names repeat."""
    return f"evidence/{message.id}-{attachment.id}-{clean_filename(attachment.filename)}"


def _tickets_json(
    session: Session, ticket_ids: list[int], evidence: dict[int, str | None]
) -> list[dict[str, Any]]:
    out = []
    for ticket_id in ticket_ids:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            continue
        messages = session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
        )
        out.append(
            {
                "id": ticket.id,
                "subject": ticket.subject,
                "status": ticket.status.value,
                "created_at": _iso(ticket.created_at),
                "messages": [_message_json(m, evidence) for m in messages],
            }
        )
    return out


def _message_json(message: Message, evidence: dict[int, str | None]) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind.value,
        "author_kind": message.author_kind.value,
        "created_at": _iso(message.created_at),
        "characters": len(message.body or ""),
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "path": evidence.get(a.id),  # None: the file is missing from storage
            }
            for a in message.attachments
        ],
    }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_export(session: Session, actor: Actor, case: Case) -> CaseExport:
    """The ZIP for ``case`` (the caller checked the actor may see it) and its ``exported``
    step. The caller commits."""
    register.require_agent(actor)
    now = utcnow()
    customer = session.get(Customer, case.customer_id)
    ticket_ids = register.linked_ticket_ids(session, case)
    steps = register.steps(session, case)
    files: dict[str, bytes] = {}
    evidence: dict[int, str | None] = {}
    for message, attachment in ticket_attachments(session, ticket_ids):
        try:
            data = read_blob(attachment.sha256)
        except FileNotFoundError:
            evidence[attachment.id] = None
            continue
        evidence[attachment.id] = evidence_path(message, attachment)
        files[evidence_path(message, attachment)] = data
    tickets = _tickets_json(session, ticket_ids, evidence)
    facts: dict[str, Any] = {
        "case": _case_json(case, customer),
        "details": case.details,
        "steps": [_step_json(s) for s in steps],
        "tickets": tickets,
        "exported_at": _iso(now),
        "exported_by": {"type": actor.kind, "id": actor.id},
    }
    files["facts.json"] = json.dumps(facts, ensure_ascii=False, indent=2).encode("utf-8")
    files["summary.pdf"] = summary_pdf(case, customer, steps, tickets, now)
    return _zip(case, files, now, session, actor)


def _zip(
    case: Case, files: dict[str, bytes], now: datetime, session: Session, actor: Actor
) -> CaseExport:
    order = ["summary.pdf", "facts.json", *sorted(p for p in files if p.startswith("evidence/"))]
    entries = [{"path": p, "sha256": _digest(files[p]), "size": len(files[p])} for p in order]
    manifest = {
        "case": case.reference,
        "generated_at": _iso(now),
        "algorithm": "sha256",
        "files": entries,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    sums = [(e["sha256"], e["path"]) for e in entries]
    sums.append((_digest(manifest_bytes), "manifest.json"))
    sums_bytes = "".join(f"{h}  {p}\n" for h, p in sums).encode("utf-8")
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in [*order, "manifest.json", "manifest.sha256"]:
            data = {"manifest.json": manifest_bytes, "manifest.sha256": sums_bytes}.get(
                path, files.get(path, b"")
            )
            info = zipfile.ZipInfo(f"{case.reference}/{path}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    data = buffer.getvalue()
    digest = _digest(data)
    register.record_step(
        session,
        case,
        actor,
        "exported",
        {"files": len(entries), "zip_sha256": labelled(digest, SHA256)},
    )
    filename = f"{case.reference}-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"
    return CaseExport(filename=filename, data=data, sha256=digest, files=entries)
