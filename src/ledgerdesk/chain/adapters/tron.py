"""Tron over the java-tron FullNode HTTP API.

``/wallet/gettransactionbyid`` gives the transaction body (``{}`` when unknown),
``/wallet/gettransactioninfobyid`` its execution (block, receipt, logs; ``{}`` until it is in a
block), ``/walletsolidity/gettransactioninfobyid`` answers only once the block is solidified
(final), and ``/wallet/getnowblock`` the head. Addresses come as hex ``41…`` and are shown in
base58check ``T…``; TRC-20 transfers are read from ``Transfer`` logs."""

from __future__ import annotations

from typing import Any

from ledgerdesk.chain.adapters.common import (
    CachedNodeAdapter,
    answer_shape,
    base58check,
    confirmations_from,
    need_dict,
    need_int,
    need_list,
    need_str,
    printable_text,
)
from ledgerdesk.chain.types import (
    NOT_FOUND,
    NodeKind,
    Transfer,
    TxLookup,
)

TRANSFER_TOPIC = "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TRANSFER_SELECTOR = "a9059cbb"  # transfer(address,uint256)


def tron_address(hex_address: str) -> str:
    """``41`` + 20 bytes in hex (or the 20 bytes alone, as logs write them) → ``T…``."""
    text = hex_address.lower().removeprefix("0x")
    if len(text) == 40:
        text = "41" + text
    if len(text) != 42 or not text.startswith("41"):
        raise ValueError("not a Tron address")
    return base58check(bytes.fromhex(text))


class TronAdapter(CachedNodeAdapter):
    kind: NodeKind = "tron"
    chain_name = "Tron"
    default_final_after = 19

    def _post(self, path: str, payload: dict[str, Any], what: str) -> dict[str, Any]:
        body = self.transport.request("POST", path, json=payload)
        with answer_shape(self.transport, what):
            return need_dict(body)

    def _fetch_head(self) -> int:
        block = self._post("/wallet/getnowblock", {}, "getnowblock")
        with answer_shape(self.transport, "getnowblock"):
            return need_int(need_dict(need_dict(block["block_header"])["raw_data"])["number"])

    def _fetch(self, txid: str) -> TxLookup:
        tx = self._post("/wallet/gettransactionbyid", {"value": txid}, "gettransactionbyid")
        if not tx:
            return NOT_FOUND
        info = self._post(
            "/wallet/gettransactioninfobyid", {"value": txid}, "gettransactioninfobyid"
        )
        with answer_shape(self.transport, "the transaction"):
            if need_str(tx["txID"]).lower() != txid:
                raise ValueError("another transaction")
            raw_data = need_dict(tx["raw_data"])
            memo = _memo(raw_data.get("data"))
            contracts = need_list(raw_data["contract"])
            if not info:
                transfers = _body_transfers(contracts, memo, pending=True)
                return TxLookup(found=True, status="pending", confirmations=0, transfers=transfers)
            block = need_int(info["blockNumber"])
            failed = _failed(tx, info)
            transfers = () if failed else _executed_transfers(contracts, info, memo)
        confirmations = confirmations_from(self.head(), block)
        return TxLookup(
            found=True,
            status="failed" if failed else "success",
            block_number=block,
            confirmations=confirmations,
            transfers=transfers,
            final=self._solidified(txid, confirmations),
        )

    def _solidified(self, txid: str, confirmations: int) -> bool:
        """Final once the solidity node knows the transaction. A node without the
        ``/walletsolidity`` API (HTTP 404) falls back to the confirmation depth."""
        body = self.transport.request(
            "POST",
            "/walletsolidity/gettransactioninfobyid",
            json={"value": txid},
            not_found_ok=True,
        )
        if body is None:
            return confirmations >= self.final_after
        with answer_shape(self.transport, "the solidified transaction"):
            solid = need_dict(body)
            return bool(solid) and need_int(solid["blockNumber"]) >= 0


def _failed(tx: dict[str, Any], info: dict[str, Any]) -> bool:
    """Failed when the body's contractRet or the receipt says anything but SUCCESS
    (REVERT, OUT_OF_ENERGY, …), or the info is marked FAILED."""
    results = need_list(tx.get("ret", []))
    for item in results:
        contract_ret = need_dict(item).get("contractRet")
        if contract_ret is not None and need_str(contract_ret) != "SUCCESS":
            return True
    if info.get("result") == "FAILED":
        return True
    receipt = need_dict(info.get("receipt", {}))
    outcome = receipt.get("result")
    return outcome is not None and need_str(outcome) != "SUCCESS"


def _memo(data: Any) -> str | None:
    if data is None:
        return None
    try:
        return printable_text(bytes.fromhex(need_str(data)))
    except ValueError:
        return None


def _body_transfers(
    contracts: list[Any], memo: str | None, *, pending: bool
) -> tuple[Transfer, ...]:
    """Native TRX moved by the transaction body; for a pending call, also the TRC-20
    ``transfer(address,uint256)`` it asks for (its logs do not exist yet)."""
    transfers: list[Transfer] = []
    for raw in contracts:
        contract = need_dict(raw)
        kind = contract.get("type")
        value = need_dict(need_dict(contract["parameter"])["value"])
        if kind == "TransferContract":
            amount = need_int(value["amount"])
            owner = tron_address(need_str(value["owner_address"]))
            transfers.append(
                Transfer("native", owner, tron_address(need_str(value["to_address"])), amount, memo)
            )
        elif kind == "TriggerSmartContract":
            owner = tron_address(need_str(value["owner_address"]))
            target = tron_address(need_str(value["contract_address"]))
            call_value = need_int(value.get("call_value", 0))
            if call_value > 0:
                transfers.append(Transfer("native", owner, target, call_value, memo))
            if pending:
                call = _transfer_call(value.get("data"), owner, target, memo)
                transfers.extend(call)
    return tuple(transfers)


def _transfer_call(data: Any, owner: str, token: str, memo: str | None) -> list[Transfer]:
    if data is None:
        return []
    text = need_str(data).lower()
    if not text.startswith(TRANSFER_SELECTOR) or len(text) < 8 + 128:
        return []
    to = tron_address(text[8 + 24 : 8 + 64])
    amount = int(text[8 + 64 : 8 + 128], 16)
    return [Transfer(token, owner, to, amount, memo)]


def _executed_transfers(
    contracts: list[Any], info: dict[str, Any], memo: str | None
) -> tuple[Transfer, ...]:
    transfers = list(_body_transfers(contracts, memo, pending=False))
    for raw in need_list(info.get("log", [])):
        log = need_dict(raw)
        topics = [need_str(t).lower() for t in need_list(log.get("topics", []))]
        if len(topics) != 3 or topics[0] != TRANSFER_TOPIC:
            continue  # not a TRC-20 Transfer (an NFT Transfer has 4 topics)
        data = need_str(log.get("data", ""))
        if len(data) < 64:
            continue
        token = tron_address(need_str(log["address"]))
        sender = tron_address(topics[1][-40:])
        receiver = tron_address(topics[2][-40:])
        transfers.append(Transfer(token, sender, receiver, int(data[:64], 16), memo))
    return tuple(transfers)
