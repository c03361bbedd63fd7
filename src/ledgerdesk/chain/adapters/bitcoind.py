"""Bitcoin over Bitcoin Core's JSON-RPC (``getrawtransaction <txid> true``, ``getblockheader``,
``getblockcount``).

Credentials go in the URL (``http://user:pass@host:8332/``) and are sent as HTTP basic auth by
the Transport, never shown. Amounts come in whole BTC as JSON numbers: they are read as
``Decimal`` from the answer's text and converted to satoshis exactly."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from ledgerdesk.chain.adapters.common import (
    CachedNodeAdapter,
    answer_shape,
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

SATS_PER_BTC = Decimal(100_000_000)
RPC_INVALID_ADDRESS_OR_KEY = -5  # "No such mempool or blockchain transaction"
RPC_IN_WARMUP = -28
_ids = itertools.count(1)


class _RpcError(Exception):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BitcoindAdapter(CachedNodeAdapter):
    kind: NodeKind = "bitcoind"
    chain_name = "Bitcoin"
    default_final_after = 6

    def _fetch_head(self) -> int:
        count = self._call("getblockcount")
        with answer_shape(self.transport, "getblockcount"):
            return need_int(count)

    def _fetch(self, txid: str) -> TxLookup:
        try:
            raw = self._call("getrawtransaction", txid, True)
        except _RpcError as exc:
            if exc.code == RPC_INVALID_ADDRESS_OR_KEY:
                return NOT_FOUND
            raise self._rpc_failure("getrawtransaction", exc) from None
        with answer_shape(self.transport, "getrawtransaction"):
            tx = need_dict(raw)
            if need_str(tx["txid"]).lower() != txid:
                raise ValueError("another transaction")
            transfers = _transfers(need_list(tx["vout"]))
            blockhash = tx.get("blockhash")
            if blockhash is not None:
                blockhash = need_str(blockhash)
            tx_confirmations = tx.get("confirmations")
        if blockhash is None:
            return TxLookup(found=True, status="pending", confirmations=0, transfers=transfers)
        height, confirmations = self._placement(blockhash, tx_confirmations)
        if confirmations < 1:
            # A block that left the active chain: the transaction waits to be mined again.
            return TxLookup(found=True, status="pending", confirmations=0, transfers=transfers)
        return TxLookup(
            found=True,
            status="success",
            block_number=height,
            confirmations=confirmations,
            transfers=transfers,
            final=confirmations >= self.final_after,
        )

    def _placement(self, blockhash: str, tx_confirmations: Any) -> tuple[int, int]:
        """(height of the block, confirmations): the transaction's own count when the node
        gave one, else the block header's."""
        try:
            raw = self._call("getblockheader", blockhash)
        except _RpcError as exc:
            raise self._rpc_failure("getblockheader", exc) from None
        with answer_shape(self.transport, "getblockheader"):
            header = need_dict(raw)
            height = need_int(header["height"])
            if tx_confirmations is not None:
                return height, need_int(tx_confirmations)
            return height, need_int(header["confirmations"])

    def _call(self, method: str, *params: Any) -> Any:
        request = {"jsonrpc": "1.0", "id": next(_ids), "method": method, "params": list(params)}
        body = self.transport.request(
            "POST", "", json=request, parse_float=Decimal, rpc_errors=True
        )
        with answer_shape(self.transport, method):
            answer = need_dict(body)
            error = answer.get("error")
            if error is not None:
                error = need_dict(error)
                code = error.get("code")
                raise _RpcError(
                    code if isinstance(code, int) else None, str(error.get("message", ""))
                )
            return answer["result"]

    def _rpc_failure(self, method: str, exc: _RpcError) -> ChainError:
        warming_up = exc.code == RPC_IN_WARMUP
        kind = ChainErrorKind.unreachable if warming_up else ChainErrorKind.bad_response
        return ChainError(
            kind, f"{self.transport.host} refused {method}: error {exc.code} {exc.message[:120]}"
        )


def btc_to_sats(value: Any) -> int:
    """A JSON amount in BTC (read as Decimal, or int for whole coins) in satoshis, exactly."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError("an amount is a number")
    sats = Decimal(value) * SATS_PER_BTC
    if sats != sats.to_integral_value() or sats < 0:
        raise ValueError("an amount has more than 8 decimals or is negative")
    return int(sats)


def _transfers(vouts: list[Any]) -> tuple[Transfer, ...]:
    memo: str | None = None
    paid: list[tuple[str, int]] = []
    for raw in vouts:
        vout = need_dict(raw)
        sats = btc_to_sats(vout["value"])
        script = need_dict(vout["scriptPubKey"])
        if script.get("type") == "nulldata":
            memo = memo or op_return_memo(need_str(script.get("hex", "")))
            continue
        address = _address(script)
        if address is not None:
            paid.append((address, sats))
    return tuple(Transfer("native", None, to, sats, memo) for to, sats in paid)


def _address(script: dict[str, Any]) -> str | None:
    """``address`` (Bitcoin Core 22+) or the single entry of ``addresses`` (older nodes)."""
    if "address" in script:
        return need_str(script["address"])
    addresses = script.get("addresses")
    if addresses is not None:
        listed = need_list(addresses)
        if len(listed) == 1:
            return need_str(listed[0])
    return None
