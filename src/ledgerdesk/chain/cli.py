"""``ledgerdesk chain tx``: look one transaction up on one node, as the desk would.

The ``--json`` output is a fixed contract (``TxLookup.to_json()``): one object on stdout,
exit 0 whether the transaction was found or not, 2 for a string that is not a hash of that
chain, 3 when the node could not answer (the reason on stderr).
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, cast

import typer

from ledgerdesk.chain.types import NODE_KINDS, ChainError, ChainErrorKind, NodeKind, TxLookup
from ledgerdesk.core.terminal import fail

# The choices of --kind: chain.types.NODE_KINDS.
Kind = enum.StrEnum("Kind", {k: k for k in NODE_KINDS})  # type: ignore[misc]

chain_app = typer.Typer(help="Ask chain nodes about transactions.", no_args_is_help=True)

EXIT_BAD_HASH = 2
EXIT_NODE_ERROR = 3


@chain_app.command("tx")
def tx(
    tx_hash: Annotated[str, typer.Argument(metavar="HASH", help="The transaction hash")],
    kind: Annotated[Kind, typer.Option("--kind", help="The kind of node at --url")],
    url: Annotated[str, typer.Option("--url", help="The node's URL")],
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Allow a private or loopback node address"),
    ] = False,
    chain_id: Annotated[
        int | None,
        typer.Option("--chain-id", help="EVM: refuse a node serving another chain"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Look up one transaction on one node: status, block, confirmations and transfers."""
    from ledgerdesk.chain.adapters import make_adapter
    from ledgerdesk.chain.transport import TransportOptions

    try:
        adapter = make_adapter(
            cast(NodeKind, kind.value),
            url,
            options=TransportOptions(allow_private=allow_private),
            chain_id=chain_id,
        )
        lookup = adapter.lookup_tx(tx_hash)
    except ChainError as exc:
        code = EXIT_BAD_HASH if exc.kind == ChainErrorKind.invalid_hash else EXIT_NODE_ERROR
        raise fail(f"{exc.kind.value}: {exc.message}", code) from None
    if as_json:
        typer.echo(json.dumps(lookup.to_json()))
    else:
        typer.echo(summary(lookup))


def summary(lookup: TxLookup) -> str:
    """The readable form: status, block and one line per transfer."""
    if not lookup.found:
        return "not found: the node does not know this transaction"
    lines = [f"status: {lookup.status}"]
    if lookup.block_number is not None:
        lines.append(f"block: {lookup.block_number} ({lookup.confirmations} confirmations)")
    for transfer in lookup.transfers:
        line = (
            f"transfer: {transfer.amount_raw} of {transfer.asset} "
            f"from {transfer.from_ or '-'} to {transfer.to}"
        )
        if transfer.memo is not None:
            line += f" (memo {transfer.memo!r})"
        lines.append(line)
    if not lookup.transfers:
        lines.append("transfers: none")
    return "\n".join(lines)
