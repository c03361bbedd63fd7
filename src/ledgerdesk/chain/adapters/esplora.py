"""Bitcoin over an Esplora REST API (Blockstream's esplora / electrs, mempool.space).

``GET /tx/:txid`` gives the transaction with its confirmation status; ``GET
/blocks/tip/height`` the head, in plain text. Every output with an address is a transfer
(``from`` None, amount in satoshis); OP_RETURN text becomes the transfers' memo."""

from __future__ import annotations

from typing import Any

from ledgerdesk.chain.adapters.common import (
    CachedNodeAdapter,
    answer_shape,
    confirmations_from,
    need_bool,
    need_dict,
    need_int,
    need_list,
    need_str,
    op_return_memo,
)
from ledgerdesk.chain.types import (
    NOT_FOUND,
    ChainError,
    ChainErrorKind,
    NodeKind,
    Transfer,
    TxLookup,
)


class EsploraAdapter(CachedNodeAdapter):
    kind: NodeKind = "esplora"
    chain_name = "Bitcoin"
    default_final_after = 6

    def _fetch_head(self) -> int:
        text = self.transport.request("GET", "/blocks/tip/height", as_text=True)
        height = str(text).strip()
        if not height.isascii() or not height.isdigit():
            raise ChainError(
                ChainErrorKind.bad_response,
                f"{self.transport.host} answered the tip height with something not a number",
            )
        return int(height)

    def _fetch(self, txid: str) -> TxLookup:
        body = self.transport.request("GET", f"/tx/{txid}", not_found_ok=True)
        if body is None:
            return NOT_FOUND
        with answer_shape(self.transport, "the transaction"):
            tx = need_dict(body)
            if need_str(tx["txid"]).lower() != txid:
                raise ValueError("another transaction")
            status = need_dict(tx["status"])
            transfers = _transfers(need_list(tx["vout"]))
            confirmed = need_bool(status["confirmed"])
            height = need_int(status["block_height"]) if confirmed else None
        if height is None:
            return TxLookup(found=True, status="pending", confirmations=0, transfers=transfers)
        confirmations = confirmations_from(self.head(), height)
        return TxLookup(
            found=True,
            status="success",
            block_number=height,
            confirmations=confirmations,
            transfers=transfers,
            final=confirmations >= self.final_after,
        )


def _transfers(vouts: list[Any]) -> tuple[Transfer, ...]:
    memo: str | None = None
    paid: list[tuple[str, int]] = []
    for raw in vouts:
        vout = need_dict(raw)
        value = need_int(vout["value"])
        if value < 0:
            raise ValueError("negative output")
        if vout.get("scriptpubkey_type") == "op_return":
            memo = memo or op_return_memo(need_str(vout.get("scriptpubkey", "")))
            continue
        address = vout.get("scriptpubkey_address")
        if address is not None:
            paid.append((need_str(address), value))
    return tuple(Transfer("native", None, to, value, memo) for to, value in paid)
