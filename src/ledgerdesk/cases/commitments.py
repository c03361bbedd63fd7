"""Complaint deadlines enforced by the commitment contract (``docs/anchoring.md``).

When a complaint is acknowledged (and commitments are on), the desk commits on chain to resolve
it by its legal limit: ``register(sha256(reference), sha256(acknowledgement letter), limit,
payout, compensation)``. The decision (or a summary resolution, or a withdrawal) is recorded
with ``resolve``, which the contract refuses once block time has passed the limit. After it,
anyone may call ``markBreached`` and the contract pays the compensation to the customer's
address. The desk only follows: the watch job reads the chain and records what happened.

Every chain call runs in a job after the commit (``cases.commitment_register``,
``cases.commitment_resolve``, ``cases.commitments_watch``), never while a request waits; each
job re-reads its row, does nothing when the step is already done, records the sent
transaction before it waits for the block, and looks again later instead of blocking.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.cases import register
from ledgerdesk.cases.commitments_models import CaseCommitment
from ledgerdesk.cases.models import Case
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.jobs.outbox import enqueue, handler
from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.trust.onchain import ChainClient, OnchainError, Receipt

REGISTER = "cases.commitment_register"
RESOLVE = "cases.commitment_resolve"
WATCH = "cases.commitments_watch"
RECHECK_SECONDS = 10  # a transaction not mined yet is looked at again this much later
PAYOUT_FIELD = "payout_address"  # in Case.details


def enabled(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return bool(
        settings.commitments_enabled
        and settings.anchor_chain.strip()
        and settings.commitments_contract.strip()
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_payout_address(value: str) -> str | None:
    """An EVM address for compensation, checksummed; empty → None. A mixed-case address must
    carry a valid checksum (a typo there would send the money nowhere)."""
    from eth_utils.address import is_address, is_checksum_address, to_checksum_address

    value = value.strip()
    if not value:
        return None
    digits = value[2:]
    mixed = digits != digits.lower() and digits != digits.upper()
    if not is_address(value) or (mixed and not is_checksum_address(value)):
        raise InvalidInput(
            "Give an EVM address (0x followed by 40 hex digits) or leave this empty",
            field=PAYOUT_FIELD,
        )
    return str(to_checksum_address(value))


def unix_time(moment: datetime) -> int:
    """A stored (naive UTC) time as unix seconds, the contract's clock."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


def commitment_of(session: Session, case_id: int) -> CaseCommitment | None:
    return session.scalars(select(CaseCommitment).where(CaseCommitment.case_id == case_id)).first()


# -- hooks of the complaint lifecycle (in the caller's transaction) ---------------------------


def after_acknowledgement(session: Session, case: Case, letter_body: str) -> None:
    """Queue the on-chain commitment of an acknowledged complaint, when commitments are on."""
    settings = get_settings()
    if not enabled(settings) or case.limit_at is None or commitment_of(session, case.id):
        return
    payout = case.details.get(PAYOUT_FIELD) or None
    row = CaseCommitment(
        case_id=case.id,
        contract=settings.commitments_contract.strip(),
        case_hash=sha256_hex(case.reference),
        ack_hash=sha256_hex(letter_body),
        deadline=unix_time(case.limit_at),
        payout=payout,
        compensation=str(settings.commitments_compensation_wei if payout else 0),
        state="pending",
    )
    session.add(row)
    session.flush()
    enqueue(session, REGISTER, {"case_id": case.id})


def after_resolution(session: Session, case: Case, letter_body: str) -> None:
    """Queue the on-chain resolution (the decision, summary resolution or withdrawal letter's
    hash) of a committed complaint; the first such letter is the resolution."""
    row = commitment_of(session, case.id)
    if row is None or row.resolution_hash is not None:
        return
    row.resolution_hash = sha256_hex(letter_body)
    row.updated_at = utcnow()
    enqueue(session, RESOLVE, {"case_id": case.id})


# -- jobs -------------------------------------------------------------------------------------


def _client() -> ChainClient:
    from ledgerdesk.trust.anchoring import desk_client

    return desk_client()


def _step(session: Session, row: CaseCommitment, step: str, detail: dict[str, Any]) -> None:
    case = session.get(Case, row.case_id)
    if case is not None:
        register.record_step(session, case, SYSTEM, step, {"contract": row.contract, **detail})
    row.updated_at = utcnow()


def _fail(session: Session, row: CaseCommitment, action: str, error: str) -> None:
    row.error = error[:500]
    _step(session, row, "commitment_failed", {"action": action, "error": row.error})


@handler(REGISTER)
def register_job(session: Session, payload: dict[str, Any]) -> None:
    row = commitment_of(session, int(payload["case_id"]))
    if row is None or row.state != "pending":
        return
    client = _client()
    if row.register_tx is None:
        row.chain_id = client.chain_id()
        try:
            row.register_tx = client.register(
                row.contract,
                bytes.fromhex(row.case_hash),
                bytes.fromhex(row.ack_hash),
                row.deadline,
                row.payout,
                int(row.compensation),
            )
        except OnchainError as exc:
            row.state = "failed"
            _fail(session, row, "register", str(exc))
            return
        session.flush()
    receipt = client.receipt(row.register_tx)
    if receipt is None:
        enqueue(session, REGISTER, payload, delay_seconds=RECHECK_SECONDS)
        return
    _registered(session, row, receipt)


def _registered(session: Session, row: CaseCommitment, receipt: Receipt) -> None:
    if not receipt.ok:
        row.state = "failed"
        _fail(session, row, "register", f"the transaction {receipt.tx_hash} was reverted")
        return
    row.state, row.register_block, row.error = "registered", receipt.block_number, None
    _step(
        session,
        row,
        "commitment_registered",
        {
            "tx": receipt.tx_hash,
            "block": receipt.block_number,
            "deadline": row.deadline,
            "compensation_wei": row.compensation,
            "payout": row.payout,
        },
    )
    if row.resolution_hash is not None:  # decided before the registration was mined
        enqueue(session, RESOLVE, {"case_id": row.case_id})


@handler(RESOLVE)
def resolve_job(session: Session, payload: dict[str, Any]) -> None:
    row = commitment_of(session, int(payload["case_id"]))
    if row is None or row.state != "registered" or row.resolution_hash is None:
        return  # still pending: the register job queues this again once mined
    client = _client()
    if row.resolve_tx is None:
        try:
            row.resolve_tx = client.resolve(
                row.contract, bytes.fromhex(row.case_hash), bytes.fromhex(row.resolution_hash)
            )
        except OnchainError as exc:
            _fail(session, row, "resolve", str(exc))
            sync_from_chain(session, client, row)
            return
        session.flush()
    receipt = client.receipt(row.resolve_tx)
    if receipt is None:
        enqueue(session, RESOLVE, payload, delay_seconds=RECHECK_SECONDS)
        return
    if not receipt.ok:
        row.resolve_tx = None
        _fail(session, row, "resolve", f"the transaction {receipt.tx_hash} was reverted")
        sync_from_chain(session, client, row)
        return
    row.state, row.resolve_block, row.error = "resolved", receipt.block_number, None
    _step(
        session, row, "commitment_resolved", {"tx": receipt.tx_hash, "block": receipt.block_number}
    )


def sync_from_chain(session: Session, client: ChainClient, row: CaseCommitment) -> None:
    """Record a breach (or resolution) the chain holds and this row does not yet."""
    found = client.commitment(row.contract, bytes.fromhex(row.case_hash))
    if found.state == "breached" and row.state != "breached":
        breach = client.breach_tx(row.contract, bytes.fromhex(row.case_hash))
        row.state = "breached"
        row.breach_tx, row.paid = (breach[0], str(breach[1])) if breach else (None, "0")
        _step(session, row, "commitment_breached", {"tx": row.breach_tx, "paid_wei": row.paid})
    elif found.state == "resolved" and row.state == "registered":
        row.state = "resolved"
        _step(session, row, "commitment_resolved", {"tx": row.resolve_tx})


@periodic(WATCH, every_seconds=60)
def watch_job(session: Session, payload: dict[str, Any]) -> None:
    if enabled():
        watch(session)


def watch(session: Session, now: int | None = None) -> int:
    """Registered commitments past their deadline (``now``: unix seconds, default the clock's):
    did someone mark them breached? Returns how many were looked at."""
    moment = now if now is not None else unix_time(utcnow())
    rows = session.scalars(
        select(CaseCommitment).where(
            CaseCommitment.state == "registered", CaseCommitment.deadline < moment
        )
    ).all()
    if rows:
        client = _client()
        for row in rows:
            sync_from_chain(session, client, row)
    return len(rows)
