"""A ticket with every kind of entry, logged and signed, and the two verifiers side by side."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import customer_actor
from ledgerdesk.core.i18n import set_locale
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.attachments import AttachmentIn
from ledgerdesk.tickets.models import Status, Ticket
from ledgerdesk.trust import log, signing
from ledgerdesk.trust.transcript import Bundle, build
from ledgerdesk.trust.transcript_verify import verify_bundle
from tests.conftest import actor_of, make_agent, make_customer, make_ticket
from tests.web.test_pages import tiny_png

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_transcript.py"
CUSTOMER_TEXT = "I sent 500 USDT <b>an hour ago</b>; 还没有到账。"
AGENT_TEXT = "We are checking the TRC20 network for your deposit."
NOTE_TEXT = "Internal: the hot wallet sweep is late today."


def standalone() -> ModuleType:
    """docs/verify_transcript.py as a module (the sweep calls it in-process; other tests run
    it as a program)."""
    spec = importlib.util.spec_from_file_location("verify_transcript", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Desk:
    ticket: Ticket
    customer_actor: object
    agent_actor: object


def logged_ticket(db: Session) -> Desk:
    """A ticket with a customer message and attachment, an agent reply, an internal note and a
    status change, all appended to the log under a signed head."""
    agent = make_agent(db, Role.lead)
    customer = make_customer(db)
    ticket = make_ticket(db, customer, subject="Deposit <missing>", body=CUSTOMER_TEXT)
    tickets.do_customer_reply(
        db,
        customer_actor(customer),
        ticket,
        "Here is the screenshot.",
        attachments=[AttachmentIn("proof.png", "image/png", tiny_png())],
    )
    tickets.do_agent_reply(db, actor_of(agent), ticket, AGENT_TEXT)
    tickets.do_add_note(db, actor_of(agent), ticket, NOTE_TEXT)
    tickets.do_set_status(db, actor_of(agent), ticket, Status.pending)
    db.flush()
    log.append_pending(db)
    log.sign_head(db)
    return Desk(ticket, customer_actor(customer), actor_of(agent))


def bundle_for(db: Session, actor: object, ticket_id: int, locale: str = "en") -> Bundle:
    set_locale(locale)
    try:
        return build(db, actor, ticket_id)  # type: ignore[arg-type]
    finally:
        set_locale("en")


def public_key() -> str:
    return signing.public_hex(signing.signing_key())


def both_verdicts(data: bytes, key: str, script: ModuleType) -> tuple[tuple[bool, list[str]], ...]:
    """(ok, lines) from the CLI's verifier and from the standalone script."""
    ours = verify_bundle(data, key)
    lines, _summary = script.verify(data, bytes.fromhex(key))
    return (ours.ok, ours.problems), (not lines, lines)
