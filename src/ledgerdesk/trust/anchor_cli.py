"""``ledgerdesk anchor``: deploy the desk's contracts, anchor the latest tree head now, and
check whether a tree head is anchored (the question a verifier of a transcript asks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.terminal import fail, load_settings
from ledgerdesk.trust import anchoring
from ledgerdesk.trust.onchain import ChainClient, OnchainError

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
    tree_size: Annotated[
        int | None, typer.Option("--tree-size", help="the tree head's size")
    ] = None,
    root: Annotated[
        str | None, typer.Option("--root", help="the tree head's root, 64 hex digits")
    ] = None,
    transcript: Annotated[
        Path | None,
        typer.Option("--transcript", help="take the tree head (and contract) from a transcript"),
    ] = None,
    block: Annotated[
        int | None, typer.Option("--block", help="anchored at or before this block")
    ] = None,
    rpc: Annotated[
        str | None, typer.Option("--rpc", help="ask this JSON-RPC node, not the configured one")
    ] = None,
    contract: Annotated[
        str | None, typer.Option("--contract", help="the anchor contract, if not configured")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="let --rpc reach a private address")
    ] = False,
) -> None:
    """Exit 0 when the tree head is anchored on the anchor contract (at or before
    ``--block``), 1 when it is not, 2 for bad input, 3 when the chain could not be asked.

    A third party checks a transcript with ``--transcript FILE --rpc URL``; verify the
    transcript itself with ``ledgerdesk verify transcript`` (this only reads its tree head)."""
    if transcript is not None:
        tree_size, root, named = _head_of(transcript)
        contract = contract or named
    if tree_size is None or root is None:
        raise fail("give --tree-size and --root, or --transcript FILE", 2)
    if tree_size < 1:
        raise fail("--tree-size must be a positive whole number", 2)
    if block is not None and block < 0:
        raise fail("--block must be a block number (0 or more)", 2)
    try:
        root_bytes = anchoring.hash32(root.strip())
    except OnchainError:
        raise fail("--root must be 64 hex digits (the tree head's root_hash)", 2) from None
    settings = load_settings()
    address = (contract or settings.anchor_contract).strip()
    if not address:
        raise fail("no anchor contract is given (--contract or LEDGERDESK_ANCHOR_CONTRACT)", 2)
    try:
        if rpc is not None:
            client = ChainClient(rpc.strip(), None, allow_private=allow_private)
        else:
            client = anchoring.desk_client(settings, signing=False)
        result = anchoring.check(client, address, tree_size, root_bytes, block)
    except OnchainError as exc:
        raise fail(str(exc), 3) from None
    out.print(("yes: " if result.anchored else "no: ") + result.message)
    raise typer.Exit(0 if result.anchored else 1)


def _head_of(path: Path) -> tuple[int, str, str | None]:
    """The tree head a transcript proves against, and the contract it names, if any."""
    from ledgerdesk.trust.transcript_verify import evidence_of

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", 2) from None
    problems: list[str] = []
    evidence = evidence_of(data, problems)
    head = evidence.get("head") if isinstance(evidence, dict) else None
    if not isinstance(head, dict) or problems:
        raise fail(f"{path} is not a ledgerdesk transcript: {'; '.join(problems)}", 2)
    size, root = head.get("tree_size"), head.get("root_hash")
    if not isinstance(size, int) or not isinstance(root, str):
        raise fail(f"{path}: its tree head has no size or root", 2)
    anchor = evidence.get("anchor")
    named = anchor.get("contract") if isinstance(anchor, dict) else None
    return size, root, named if isinstance(named, str) else None
