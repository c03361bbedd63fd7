"""Attachments go through the guard (issue 11): file names always, the contents of text files
(.txt, .csv, .json). A redacted copy is stored, the ticket is flagged and the customer warned,
as for the words of a message."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn, read_blob
from ledgerdesk.tickets.guard import SECRET_TAG
from ledgerdesk.tickets.models import Attachment, GuardFinding, Message
from tests.conftest import make_ticket

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
KEY = "private key: " + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def _attachments(session: Session, ticket_id: int) -> list[Attachment]:
    return list(
        session.scalars(select(Attachment).join(Message).where(Message.ticket_id == ticket_id))
    )


def test_text_attachment_and_file_name_are_stored_redacted(db_session: Session) -> None:
    files = [
        AttachmentIn(f"{SEED}.txt", "text/plain", f"my wallet words: {SEED}\n".encode()),
        AttachmentIn("export.csv", "text/csv", f"kind,value\nkey,{KEY}\n".encode()),
        AttachmentIn("tx.json", "application/json", b'{"txid": "0xab12"}'),
    ]
    ticket = make_ticket(db_session, attachments=files)
    stored = _attachments(db_session, ticket.id)
    assert len(stored) == 3
    names = [a.filename for a in stored]
    assert all("abandon" not in name for name in names)
    contents = [read_blob(a.sha256).decode() for a in stored]
    assert not any("abandon ability" in c or KEY[-64:] in c for c in contents)
    assert '{"txid": "0xab12"}' in contents  # a clean file is stored as sent
    kinds = set(
        db_session.scalars(select(GuardFinding.kind).where(GuardFinding.ticket_id == ticket.id))
    )
    assert {"seed_phrase", "private_key"} <= kinds
    assert SECRET_TAG in {t.name for t in ticket.tags}


def test_reply_attachment_is_guarded(db_session: Session) -> None:
    ticket = make_ticket(db_session)
    actor = accounts.customer_actor(ticket.requester)
    tickets.do_add_message(
        db_session,
        actor,
        ticket,
        "here is the file",
        attachments=[AttachmentIn("notes.txt", "text/plain", f"{SEED}".encode())],
    )
    contents = [read_blob(a.sha256).decode() for a in _attachments(db_session, ticket.id)]
    assert contents and not any("abandon ability" in c for c in contents)
