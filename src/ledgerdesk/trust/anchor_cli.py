"""``ledgerdesk anchor``: deploy the desk's contracts, anchor the latest tree head now, and
check whether a tree head is anchored (the question a verifier of a transcript asks)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.terminal import fail, load_settings
from ledgerdesk.trust import anchoring
from ledgerdesk.trust.onchain import OnchainError

anchor_app = typer.Typer(help="On-chain anchors of the transparency log.", no_args_is_help=True)
out = Console()


@anchor_app.command("deploy")
def deploy(
    bond: Annotated[
        int, typer.Option(min=0, help="wei sent to the commitment contract as its first bond")
    ] = 0,
) -> None:
    """Deploy the anchor and commitment contracts with the desk's key; print their addresses."""
    settings = load_settings()
    try:
        client = anchoring.desk_client(settings)
        anchor = client.deploy("anchor")
        commitment = client.deploy("commitment", bond)
    except OnchainError as exc:
        raise fail(str(exc), 1) from None
    out.print(f"anchor contract:     {anchor}")
    out.print(f"commitment contract: {commitment}")
    out.print(f"owner (desk key):    {client.account.address if client.account else '?'}")
    out.print(
        "Set LEDGERDESK_ANCHOR_CONTRACT and LEDGERDESK_COMMITMENTS_CONTRACT to these addresses."
    )


@anchor_app.command("now")
def now() -> None:
    """Anchor the latest signed tree head now (whatever the interval), and confirm earlier
    anchors that were waiting for their block."""
    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(engine)() as session:
            row = anchoring.run(session, settings)
            session.commit()
            message = (
                "nothing new to anchor: the contract already holds the latest tree head"
                if row is None
                else f"tree size {row.tree_size}: {row.status}"
                + (f" in block {row.block_number}" if row.block_number else "")
                + (f", tx {row.tx_hash}" if row.tx_hash else "")
                + (f" ({row.error})" if row.error else "")
            )
    except OnchainError as exc:
        raise fail(str(exc), 1) from None
    finally:
        engine.dispose()
    out.print(message)
    if row is not None and row.status == "failed":
        raise typer.Exit(1)


@anchor_app.command("check")
def check(
    tree_size: Annotated[int, typer.Option("--tree-size", help="the tree head's size")],
    root: Annotated[str, typer.Option("--root", help="the tree head's root, 64 hex digits")],
    block: Annotated[
        int | None, typer.Option("--block", help="anchored at or before this block")
    ] = None,
) -> None:
    """Exit 0 when the tree head is anchored on the configured contract (at or before
    ``--block``), 1 when it is not, 2 for bad input, 3 when the chain could not be asked."""
    if tree_size < 1:
        raise fail("--tree-size must be a positive whole number", 2)
    if block is not None and block < 0:
        raise fail("--block must be a block number (0 or more)", 2)
    try:
        root_bytes = anchoring.hash32(root.strip())
    except OnchainError:
        raise fail("--root must be 64 hex digits (the tree head's root_hash)", 2) from None
    settings = load_settings()
    contract = settings.anchor_contract.strip()
    if not contract:
        raise fail("no anchor contract is configured (LEDGERDESK_ANCHOR_CONTRACT)", 2)
    try:
        client = anchoring.desk_client(settings, signing=False)
        result = anchoring.check(client, contract, tree_size, root_bytes, block)
    except OnchainError as exc:
        raise fail(str(exc), 3) from None
    out.print(("yes: " if result.anchored else "no: ") + result.message)
    raise typer.Exit(0 if result.anchored else 1)
