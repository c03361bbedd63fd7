"""Anchoring signed tree heads on an EVM chain (``docs/anchoring.md``).

The periodic job ``trust.anchor`` (and ``ledgerdesk anchor now``) writes the latest signed tree
head's size and root to the anchor contract, at most once per ``LEDGERDESK_ANCHOR_INTERVAL_SECONDS``
and only when the log grew past what the contract already holds. The job never waits for a
block: it records the sent transaction (``log_anchors``, status ``sent``) and a later run
confirms it from its receipt. Chain calls happen only here and in commands, never while a
request waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.jobs.schedule import periodic
from ledgerdesk.trust.anchoring_models import CONFIRMED, FAILED, SENT, Anchor
from ledgerdesk.trust.log import latest_head
from ledgerdesk.trust.onchain import ChainClient, OnchainError, hash32, load_key

__all__ = ["Anchor", "ChainConfig", "CheckResult", "hash32", "latest_anchor_covering"]

TOPIC = "trust.anchor"
CHECK_EVERY_SECONDS = 60  # how often the job looks; the interval setting: how often it anchors


@dataclass(frozen=True)
class ChainConfig:
    """Where the desk's contracts live: the node's URL, whether it may be private, and the
    name recorded with each anchor (the registry id, or the node's host)."""

    url: str
    allow_private: bool
    network: str


def chain_config(settings: Settings) -> ChainConfig | None:
    """The configured chain, or None when ``LEDGERDESK_ANCHOR_CHAIN`` is empty. A network id
    must name an EVM network of the registry that has a node (OnchainError otherwise)."""
    spec = settings.anchor_chain.strip()
    if not spec:
        return None
    if spec.startswith(("http://", "https://")):
        host = urlsplit(spec).hostname or "?"
        return ChainConfig(spec, settings.anchor_allow_private, host[:64])
    from ledgerdesk.chain.registry import get_registry

    network = get_registry(settings).network(spec)
    if network is None or network.family != "evm":
        raise OnchainError(f"'{spec[:40]}' is neither an http(s) URL nor an EVM network id")
    if network.node is None:
        raise OnchainError(f"the network {network.id} has no node configured in the registry")
    return ChainConfig(network.node.url, network.node.allow_private, network.id)


def desk_client(settings: Settings | None = None, *, signing: bool = True) -> ChainClient:
    """A client of the configured chain, signing with the desk's key (unless ``signing`` is
    off, for reading only)."""
    settings = settings or get_settings()
    config = chain_config(settings)
    if config is None:
        raise OnchainError("no chain is configured (LEDGERDESK_ANCHOR_CHAIN)")
    account = load_key(settings.resolved_anchor_key_file) if signing else None
    return ChainClient(config.url, account, allow_private=config.allow_private)


def latest_confirmed(session: Session) -> Anchor | None:
    """The most recent head confirmed on chain (shown on /transparency), or None."""
    return session.scalars(
        select(Anchor).where(Anchor.status == CONFIRMED).order_by(Anchor.tree_size.desc()).limit(1)
    ).first()


def latest_anchor_covering(session: Session, min_size: int) -> Anchor | None:
    """The confirmed anchor with the smallest tree size >= ``min_size`` (the first anchored
    head whose tree contains the first ``min_size`` leaves), or None."""
    return session.scalars(
        select(Anchor)
        .where(Anchor.status == CONFIRMED, Anchor.tree_size >= min_size)
        .order_by(Anchor.tree_size)
        .limit(1)
    ).first()


def confirm_sent(session: Session, client: ChainClient) -> int:
    """Look up the receipt of every sent anchor; returns how many were settled."""
    settled = 0
    for row in session.scalars(select(Anchor).where(Anchor.status == SENT)).all():
        receipt = client.receipt(row.tx_hash or "")
        if receipt is None:
            continue
        row.block_number = receipt.block_number
        row.status = CONFIRMED if receipt.ok else FAILED
        row.error = None if receipt.ok else "the transaction was reverted"
        settled += 1
    session.flush()
    return settled


def is_due(session: Session, settings: Settings) -> bool:
    """Anchoring is on and the interval has passed since the last attempt."""
    if settings.anchor_interval_seconds <= 0 or not settings.anchor_chain.strip():
        return False
    last = session.scalar(select(func.max(Anchor.created_at)))
    return last is None or utcnow() - last >= timedelta(seconds=settings.anchor_interval_seconds)


def anchor_latest(
    session: Session, client: ChainClient, contract: str, network: str
) -> Anchor | None:
    """Send the latest head to the contract when it is larger than what the contract holds;
    returns the recorded row (sent, confirmed, or failed with the reason), or None when there
    was nothing new to anchor."""
    head = latest_head(session)
    if head is None or head.tree_size <= client.latest_anchored_size(contract):
        return None
    row = Anchor(
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        chain_id=client.chain_id(),
        network=network,
        contract=contract,
    )
    try:
        row.tx_hash = client.anchor(contract, head.tree_size, hash32(head.root_hash))
    except OnchainError as exc:
        row.status, row.error = FAILED, str(exc)[:500]
    session.add(row)
    session.flush()
    if row.status == SENT:
        confirm_sent(session, client)
    return row


def run(session: Session, settings: Settings | None = None) -> Anchor | None:
    """One anchoring pass: confirm what was sent, then anchor the latest head."""
    settings = settings or get_settings()
    config = chain_config(settings)
    if config is None:
        raise OnchainError("no chain is configured (LEDGERDESK_ANCHOR_CHAIN)")
    if not settings.anchor_contract.strip():
        raise OnchainError("no anchor contract is configured (LEDGERDESK_ANCHOR_CONTRACT)")
    client = desk_client(settings)
    confirm_sent(session, client)
    return anchor_latest(session, client, settings.anchor_contract.strip(), config.network)


@periodic(TOPIC, every_seconds=CHECK_EVERY_SECONDS)
def anchor_job(session: Session, payload: dict[str, Any]) -> None:
    """Anchor when due. A chain that cannot be reached fails the job (the outbox retries it
    with backoff); a refused transaction is recorded as a failed anchor."""
    settings = get_settings()
    if is_due(session, settings) or session.scalar(select(Anchor.id).where(Anchor.status == SENT)):
        run(session, settings)


@dataclass(frozen=True)
class CheckResult:
    anchored: bool
    message: str
    block_number: int | None = None


def check(
    client: ChainClient, contract: str, tree_size: int, root: bytes, block: int | None
) -> CheckResult:
    """Whether the contract holds ``root`` for ``tree_size``, anchored at or before ``block``
    (any block when None)."""
    found = client.get_anchor(contract, tree_size)
    if found is None:
        return CheckResult(False, f"tree size {tree_size} was never anchored on {contract}")
    if found.root != root:
        return CheckResult(
            False,
            f"tree size {tree_size} was anchored with another root: {found.root.hex()}",
            found.block_number,
        )
    if block is not None and found.block_number > block:
        return CheckResult(
            False,
            f"anchored in block {found.block_number}, after block {block}",
            found.block_number,
        )
    return CheckResult(
        True,
        f"anchored in block {found.block_number} (time {found.block_time})",
        found.block_number,
    )
