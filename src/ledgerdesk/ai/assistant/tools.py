"""The assistant's tools: the chain diagnosis and the customer's account facts.

``run_tools`` reads the message (``tool_reading``), picks the check it calls for and says its
result with the reviewed verdict sentences of ``data/chain/verdicts.yaml`` (``chain.explain``);
the few sentences around them (asking for what is missing, the account lock) are the fixed ones
of ``data/assistant/tools.yaml``. Nothing here writes to the database: the desk keeps a check
with ``chain.services.do_record_check`` from ``ToolAnswer.diagnosis``.

Where the network comes from, in order: the words of the message (registry aliases and
names), the customer's deposit record with that hash at the exchange, then the chains the desk
can ask (the one network whose node knows the hash). Only when those leave more than one
network possible does the assistant ask for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import yaml

from ledgerdesk.ai.assistant.tool_reading import Said, read_message
from ledgerdesk.ai.assistant.types import Context, Source
from ledgerdesk.chain.adapters import adapter_for
from ledgerdesk.chain.diagnosis import Diagnosis, DiagnosisInputError
from ledgerdesk.chain.explain import explain
from ledgerdesk.chain.formats import ChainRef
from ledgerdesk.chain.registry import Network, Registry, get_registry
from ledgerdesk.chain.services import SEEN_AS_TRANSACTION, diagnoser
from ledgerdesk.chain.types import ChainError
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.exchange.client import (
    CustomerProfile,
    DepositRecord,
    ExchangeError,
    ExchangeErrorKind,
    WithdrawalRecord,
    get_exchange,
)

log = logging.getLogger(__name__)

LOCK_REASON = "Locked by the support assistant: the customer reported the account compromised"

# The help-center article that goes with a verdict, where one obviously does.
VERDICT_ARTICLES: dict[tuple[str, str], str] = {
    ("deposit", "pending_confirmations"): "deposit-confirmations",
    ("deposit", "confirmed_not_credited"): "deposit-not-credited",
    ("deposit", "confirmed"): "deposit-not-credited",
    ("deposit", "not_found"): "deposit-find-txid",
    ("deposit", "missing_or_wrong_memo"): "deposit-missing-memo-tag",
    ("deposit", "wrong_network"): "deposit-wrong-network",
    ("deposit", "unsupported_asset"): "deposit-unsupported-token",
    ("deposit", "below_minimum"): "deposit-below-minimum",
    ("withdrawal", "processing"): "withdrawal-pending-review",
    ("withdrawal", "on_hold"): "withdrawal-security-hold",
    ("withdrawal", "sent"): "withdrawal-sent-not-received",
    ("withdrawal", "failed"): "withdrawal-rejected-reasons",
}
ASK_ARTICLES = {"tx_hash": "deposit-find-txid"}
LOCK_ARTICLE = "account-hacked-first-steps"
_OPEN = ("processing", "on_hold")  # withdrawals not completed yet


@dataclass
class ToolAnswer:
    """What the tools found for one message. ``text``: the reply's words (reviewed verdict
    sentences with the facts filled in), in ``lang``. ``needs_person``: hand over (reason
    ``needs_person``) after saying ``text``. ``asks_for``: what the assistant must ask for
    because the message lacks it ("tx_hash" | "network" | "account" | None).
    ``diagnosis``: the check itself, for ``chain.services.do_record_check``."""

    name: str  # deposit_check | withdrawal_check | deposit_records | withdrawal_records | lock
    text: str
    lang: str
    sources: list[Source] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    needs_person: bool = False
    asks_for: str | None = None
    citations: list[str] = field(default_factory=list)
    diagnosis: Diagnosis | None = None


# --- fixed sentences -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def tool_texts() -> dict[str, Any]:
    with (shipped_data_dir() / "assistant" / "tools.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def _sentence(section: str, key: str, lang: str, **values: str) -> str:
    template: str = tool_texts()[section][key][lang]
    return template.format(**values) if values else template


def _lang(lang: str) -> str:
    return "zh-CN" if lang.lower().startswith("zh") else "en"


def _answer(name: str, text: str, lang: str, **rest: Any) -> ToolAnswer:
    source = Source(kind="tool", ref=name, lang=lang, text=text)
    return ToolAnswer(name=name, text=text, lang=lang, sources=[source], **rest)


def _ask(name: str, what: str, lang: str, key: str | None = None, **values: str) -> ToolAnswer:
    text = _sentence("ask", key or what, lang, **values)
    articles = [ASK_ARTICLES[what]] if what in ASK_ARTICLES else []
    return _answer(name, text, lang, asks_for=what, citations=articles)


# --- diagnoses as answers ------------------------------------------------------------------


def _said(diagnosis: Diagnosis, registry: Registry, lang: str) -> str:
    """Title, explanation and next step. When a person must act the next step is left out:
    the engine's handover sentence says what happens next (a person takes over here), where
    the verdict's own would send the customer to open a request or sign in elsewhere."""
    text = explain(diagnosis, registry, lang)
    parts = [text.title, text.explanation]
    if not diagnosis.needs_person:
        parts.append(text.next_step)
    return "\n".join(parts)


def _kept_facts(diagnosis: Diagnosis) -> dict[str, Any]:
    """The diagnosis as JSON. A 64-hex string no chain or exchange has shown to be a
    transaction may be a pasted private key: only its ends are kept (as chain.services does)."""
    facts = diagnosis.to_json()
    if diagnosis.kind == "deposit" and diagnosis.verdict not in SEEN_AS_TRANSACTION:
        tx = diagnosis.tx_hash or ""
        facts["tx_hash"] = f"{tx[:6]}…{tx[-4:]}" if tx else None
        facts["facts"] = {k: v for k, v in facts["facts"].items() if k != "explorer_url"}
    return facts


def _from_diagnosis(name: str, diagnosis: Diagnosis, lang: str) -> ToolAnswer:
    text = _said(diagnosis, get_registry(), lang)
    article = VERDICT_ARTICLES.get((diagnosis.kind, diagnosis.verdict))
    return _answer(
        name,
        text,
        lang,
        facts=_kept_facts(diagnosis),
        verdict=diagnosis.verdict,
        needs_person=diagnosis.needs_person or diagnosis.verdict == "unavailable",
        citations=[article] if article else [],
        diagnosis=diagnosis,
    )


def _unavailable(
    name: str, kind: str, lang: str, source: str, error: str, network: str | None = None
) -> ToolAnswer:
    diagnosis = Diagnosis(kind, "unavailable", network=network)  # type: ignore[arg-type]
    diagnosis.facts.update(source=source, error=error)
    return _from_diagnosis(name, diagnosis, lang)


# --- the entry point -----------------------------------------------------------------------


def run_tools(text: str, context: Context, lang: str) -> ToolAnswer | None:
    """The tool answer for ``text``, or None when no tool applies. Never raises for a chain or
    exchange that fails: that is an "unavailable" answer (``needs_person``)."""
    lang = _lang(lang)
    said = read_message(text, get_registry())
    if said.tx is not None:
        kind = "withdrawal" if said.withdrawal and context.customer_ref else "deposit"
        return _guarded(f"{kind}_check", kind, lang, lambda: _tx(said, context, lang))
    if said.withdrawal_trouble:
        if not context.customer_ref:
            return _ask("withdrawal_records", "account", lang)
        name = "withdrawal_records"
        return _guarded(name, "withdrawal", lang, lambda: _withdrawals(said, context, lang))
    if said.deposit_trouble:
        if not context.customer_ref:
            # "I forgot the memo, my deposit hasn't arrived": the article on that cause helps
            # more than a request for the TxID.
            return None if said.names_cause else _ask("deposit_records", "tx_hash", lang)
        return _guarded("deposit_records", "deposit", lang, lambda: _deposits(said, context, lang))
    return None


def _guarded(name: str, kind: str, lang: str, run: Callable[[], ToolAnswer]) -> ToolAnswer:
    try:
        return run()
    except ExchangeError as exc:
        return _unavailable(name, kind, lang, "exchange", exc.kind.value)
    except ChainError as exc:
        return _unavailable(name, kind, lang, "chain", exc.kind.value)
    except Exception:  # a customer's turn must get an answer, whatever broke underneath
        log.exception("assistant tool %s failed", name)
        return _unavailable(name, kind, lang, "exchange", "internal")


def _customer(context: Context) -> CustomerProfile | None:
    """The exchange's profile of the customer, or None when there is none to ask about."""
    exchange = get_exchange()
    if not context.customer_ref or exchange is None:
        return None
    try:
        return exchange.customer(context.customer_ref)
    except ExchangeError as exc:
        if exc.kind == ExchangeErrorKind.not_found:
            return None
        raise


# --- a transaction hash in the message ------------------------------------------------------


def _tx(said: Said, context: Context, lang: str) -> ToolAnswer:
    assert said.tx is not None
    customer = _customer(context)
    if said.withdrawal and customer is not None:
        try:
            found = diagnoser().withdrawal(customer_ref=customer.id, reference=said.tx.value)
            return _from_diagnosis("withdrawal_check", found, lang)
        except DiagnosisInputError:
            pass  # not a withdrawal of theirs: a transfer to us, then
    registry = get_registry()
    record = _deposit_record(customer, said.tx) if customer is not None else None
    network = _network(registry, said, said.tx, record)
    if network is None:
        names = ", ".join(n.name(lang) for n in _askable(registry, said.tx))
        return _ask("deposit_check", "network", lang, networks=names)
    asset, guessed = _asset(said, network, record)
    diagnosis = diagnoser().deposit(
        network_id=network.id,
        asset=asset,
        tx_hash=said.tx.value,
        customer_ref=customer.id if customer is not None else None,
    )
    if guessed:
        diagnosis.facts.pop("asset_chosen", None)  # the customer chose nothing
    return _from_diagnosis("deposit_check", diagnosis, lang)


def _deposit_record(customer: CustomerProfile, ref: ChainRef) -> DepositRecord | None:
    exchange = get_exchange()
    assert exchange is not None
    wanted = ref.value.lower()
    for record in exchange.deposits(customer.id, tx_hash=wanted):
        if (record.tx_hash or "").lower() == wanted:
            return record
    return None


def _candidates(registry: Registry, ref: ChainRef) -> list[Network]:
    """Networks a hash of this shape can be on: 0x hashes EVM, 64 hex Bitcoin or Tron."""
    families = ("evm",) if ref.family == "evm" else ("bitcoin", "tron")
    return [n for n in registry.networks if n.family in families]


def _askable(registry: Registry, ref: ChainRef) -> list[Network]:
    """The networks to offer when asking: the mainnets, and the test networks this desk runs
    a node for."""
    return [n for n in _candidates(registry, ref) if not n.testnet or n.node is not None]


def _network(
    registry: Registry, said: Said, ref: ChainRef, record: DepositRecord | None
) -> Network | None:
    """The network the transfer is on, or None when it is truly ambiguous."""
    candidates = _candidates(registry, ref)
    ids = {n.id: n for n in candidates}
    named = [ids[n] for n in said.networks if n in ids]
    if named:
        return named[0]
    if record is not None and record.network in ids:
        return ids[record.network]
    found, failed = _probe([n for n in candidates if n.node is not None], ref.value)
    if len(found) == 1:
        return found[0]
    if found:
        return None  # the same hash on two chains: only the customer can say which
    if failed:
        return failed[0]  # its check says the network cannot be reached now
    unasked = _askable(registry, ref)
    if len(unasked) == 1:
        return unasked[0]
    if unasked and all(n.node is not None for n in unasked):
        return unasked[0]  # every network was asked: "not found" on all of them
    return None


def _probe(networks: list[Network], tx_hash: str) -> tuple[list[Network], list[Network]]:
    """The networks whose node knows ``tx_hash``, and those whose node did not answer."""
    found: list[Network] = []
    failed: list[Network] = []
    for network in networks:
        value = tx_hash.lower()
        try:
            if adapter_for(network).lookup_tx(value).found:
                found.append(network)
        except ChainError:
            failed.append(network)
    return found, failed


def _asset(said: Said, network: Network, record: DepositRecord | None) -> tuple[str, bool]:
    """The asset to check and whether it is only a guess. A named asset the network lacks is
    kept: the check then says the network does not take it."""
    on_network = [a for a in said.assets if network.asset(a) is not None]
    if on_network:
        return on_network[0], False
    if said.assets:
        return said.assets[0], False
    if record is not None and record.network == network.id:
        return record.asset, False
    # The check judges a transfer as the asset it really moved: the native coin is a start.
    return network.native_symbol, True


# --- "my deposit hasn't arrived" ------------------------------------------------------------


def _deposits(said: Said, context: Context, lang: str) -> ToolAnswer:
    customer = _customer(context)
    exchange = get_exchange()
    if customer is None or exchange is None:
        return _ask("deposit_records", "tx_hash", lang)
    records = [r for r in exchange.deposits(customer.id, limit=20) if r.status != "credited"]
    if said.assets:  # "my USDT deposit": not the ETH one that is also on its way
        records = [r for r in records if r.asset in said.assets]
    waiting = sorted(_matching(said, records), key=lambda r: r.created_at, reverse=True)
    if not waiting:
        return _ask("deposit_records", "tx_hash", lang, key="tx_hash_no_waiting")
    record = waiting[0]
    diagnosis = _record_diagnosis(record, customer)
    if diagnosis is None:
        if not record.tx_hash:
            return _ask("deposit_records", "tx_hash", lang)
        diagnosis = diagnoser().deposit(
            network_id=record.network,
            asset=record.asset,
            tx_hash=record.tx_hash,
            customer_ref=customer.id,
        )
    return _from_diagnosis("deposit_records", diagnosis, lang)


def _record_diagnosis(record: DepositRecord, customer: CustomerProfile) -> Diagnosis | None:
    """A pending deposit on a network the desk has no node for, told from the exchange's
    record (its confirmations); None when the chain can be asked instead, or the record does
    not say enough."""
    network = get_registry().network(record.network)
    asset = network.asset(record.asset) if network is not None else None
    if network is None or asset is None or network.node is not None:
        return None
    if record.status != "pending" or record.confirmations is None:
        return None
    required = asset.confirmations.credit
    remaining = max(required - record.confirmations, 1)
    return Diagnosis(
        "deposit",
        "pending_confirmations",
        network=network.id,
        asset=asset.symbol,
        tx_hash=record.tx_hash,
        customer_id=customer.id,
        facts={
            "amount": format(record.amount.normalize(), "f"),
            "confirmations": record.confirmations,
            "required": required,
            "expected_seconds": int(remaining * network.block_time_seconds),
            "deposit_id": record.id,
        },
    )


_Record = TypeVar("_Record", DepositRecord, WithdrawalRecord)


def _matching(said: Said, records: list[_Record]) -> list[_Record]:
    """The records the message points at (an asset, a network or an amount it names), or all
    of them when it names none of theirs."""
    chosen = records
    for narrowed in (
        [r for r in records if r.asset in said.assets],
        [r for r in records if r.network in said.networks],
        [r for r in records if r.amount in said.amounts],
    ):
        chosen = [r for r in chosen if r in narrowed] or chosen
    return chosen


# --- "where is my withdrawal" --------------------------------------------------------------


def _withdrawals(said: Said, context: Context, lang: str) -> ToolAnswer:
    customer = _customer(context)
    exchange = get_exchange()
    if exchange is None:
        return _unavailable("withdrawal_records", "withdrawal", lang, "exchange", "not_configured")
    if customer is None:
        return _ask("withdrawal_records", "account", lang)
    records = list(exchange.withdrawals(customer.id, limit=20))
    if not records:
        text = _sentence("records", "no_withdrawals", lang)
        return _answer("withdrawal_records", text, lang, facts={"withdrawals": 0})
    record = _withdrawal_meant(said, records)
    diagnosis = diagnoser().withdrawal(customer_ref=customer.id, reference=record.id)
    return _from_diagnosis("withdrawal_records", diagnosis, lang)


def _withdrawal_meant(said: Said, records: list[WithdrawalRecord]) -> WithdrawalRecord:
    """The one the message names by id; else, among those it points at, one in the state it
    speaks of (held, failed, sent); else the latest not completed; else the latest."""
    named = [r for r in records if r.id.lower() in said.text]
    if named:
        return named[0]
    chosen = sorted(_matching(said, records), key=lambda r: r.created_at, reverse=True)
    for says, statuses in (
        (said.says_hold(), ("on_hold",)),
        (said.says_failed(), ("failed", "cancelled")),
        (said.says_sent(), ("sent",)),
    ):
        if says:
            chosen = [r for r in chosen if r.status in statuses] or chosen
    return next((r for r in chosen if r.status in _OPEN), chosen[0])


# --- locking the account -------------------------------------------------------------------


def lock_account(context: Context, lang: str) -> ToolAnswer:
    """Lock the customer's account through the exchange connector (after they confirmed).
    Without a known customer, or when the exchange fails, ``needs_person`` is set and the
    text says the account could not be locked."""
    lang = _lang(lang)
    exchange = get_exchange()
    if not context.customer_ref:
        return _not_locked("no_customer", lang)
    if exchange is None:
        return _not_locked("failed", lang)
    try:
        from ledgerdesk.account_security.services import lock_at_exchange

        profile = exchange.customer(context.customer_ref)
        # No second lock call when the exchange says the account is locked already.
        locked_at = lock_at_exchange(exchange, profile, LOCK_REASON)
    except ExchangeError as exc:
        log.warning("assistant could not lock an account: %s", exc.kind.value)
        key = "no_customer" if exc.kind == ExchangeErrorKind.not_found else "failed"
        return _not_locked(key, lang)
    text = _sentence("lock", "locked", lang, locked_at=_when(locked_at))
    return _answer(
        "lock",
        text,
        lang,
        facts={"locked": True, "locked_at": _iso(locked_at), "customer_id": profile.id},
        verdict="locked",
        citations=[LOCK_ARTICLE],
    )


def _not_locked(key: str, lang: str) -> ToolAnswer:
    text = _sentence("lock", key, lang)
    return _answer(
        "lock",
        text,
        lang,
        facts={"locked": False, "reason": key},
        verdict="not_locked",
        needs_person=True,
        citations=[LOCK_ARTICLE],
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat() + "Z"
