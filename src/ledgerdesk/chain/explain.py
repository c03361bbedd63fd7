"""What a diagnosis says to a person: the reviewed sentences of ``data/chain/verdicts.yaml``
filled with the diagnosis' facts, in the customer's language."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from ledgerdesk.chain.diagnosis import Diagnosis
from ledgerdesk.core.paths import shipped_data_dir

if TYPE_CHECKING:
    from ledgerdesk.chain.registry import Registry

LANGUAGES = ("en", "zh-CN")


@dataclass(frozen=True)
class Explained:
    title: str
    explanation: str
    next_step: str


@lru_cache(maxsize=1)
def verdict_texts() -> dict[str, Any]:
    with (shipped_data_dir() / "chain" / "verdicts.yaml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def _language(locale: str) -> str:
    return "zh-CN" if locale.lower().startswith("zh") else "en"


def _phrase(name: str, lang: str, **values: Any) -> str:
    template: str = verdict_texts()["phrases"][name][lang]
    return template.format_map(_Values({k: str(v) for k, v in values.items()}))


def _when(value: Any, lang: str) -> str:
    if not value:
        return "—"
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _network_name(registry: Registry, network_id: Any, lang: str) -> str:
    network = registry.network(str(network_id)) if network_id else None
    return network.name(lang) if network else str(network_id or "—")


def _values(diagnosis: Diagnosis, registry: Registry, lang: str, ticket: int | None) -> _Values:
    facts = diagnosis.facts
    values = _Values({k: str(v) for k, v in facts.items() if v is not None and k != "memo"})
    values["network"] = _network_name(registry, diagnosis.network, lang)
    values["asset"] = diagnosis.asset or "—"
    values["tx_hash"] = diagnosis.tx_hash or "—"
    values["ticket"] = str(ticket) if ticket else "—"
    values["found_on"] = _network_name(registry, facts.get("found_on"), lang)
    values["minutes"] = str(max(1, math.ceil(int(facts.get("expected_seconds") or 0) / 60)))
    values["credited_at_text"] = (
        _phrase("credited_at", lang, date=_when(facts["credited_at"], lang))
        if facts.get("credited_at")
        else ""
    )
    values["created_at_text"] = _when(facts.get("created_at"), lang)
    values["release_at_text"] = _when(facts.get("release_at"), lang)
    values["memo_text"] = (
        _phrase("memo_wrong", lang, memo=facts["memo"])
        if facts.get("memo")
        else _phrase("memo_missing", lang)
    )
    supported = [_network_name(registry, n, lang) for n in facts.get("supported_networks") or []]
    values["supported_text"] = (
        _phrase("supported_on", lang, asset=values["asset"], networks=", ".join(supported))
        if supported
        else _phrase("supported_none", lang, asset=values["asset"])
    )
    source = "exchange_unavailable" if facts.get("source") == "exchange" else "chain_unavailable"
    # A network without a node will not answer in a few minutes either: say so.
    unconfigured = _unconfigured(diagnosis)
    if unconfigured:
        source = "chain_not_configured"
    values["source_text"] = _phrase(source, lang, network=values["network"])
    values["retry_text"] = _phrase("open_request" if unconfigured else "retry_later", lang)
    texts = verdict_texts()
    hold = str(facts.get("hold_reason") or "other")
    values["hold_reason_text"] = texts["hold_reasons"].get(hold, texts["hold_reasons"]["other"])[
        lang
    ]
    failure = str(facts.get("failure_reason") or "other")
    values["failure_reason_text"] = texts["failure_reasons"].get(
        failure, texts["failure_reasons"]["other"]
    )[lang]
    values["confirmations_text"] = (
        _phrase("confirmations", lang, confirmations=facts["confirmations"])
        if facts.get("confirmations") is not None
        else _phrase("confirmations_unknown", lang)
    )
    return values


def _unconfigured(diagnosis: Diagnosis) -> bool:
    """The desk has no node for the network: it will not answer in a few minutes either."""
    facts = diagnosis.facts
    return facts.get("source") == "chain" and facts.get("error") == "not_configured"


def _title(diagnosis: Diagnosis, entry: dict[str, str]) -> str:
    if _unconfigured(diagnosis) and "title_not_configured" in entry:
        return entry["title_not_configured"]
    return entry["title"]


def explain(
    diagnosis: Diagnosis, registry: Registry, locale: str, *, ticket: int | None = None
) -> Explained:
    """The title, explanation and next step in ``locale`` (zh* → zh-CN, else English)."""
    lang = _language(locale)
    entry = verdict_texts()[diagnosis.kind][diagnosis.verdict][lang]
    values = _values(diagnosis, registry, lang, ticket)
    step = entry["next_step"] if ticket or "next_step_no_ticket" not in entry else None
    return Explained(
        title=_title(diagnosis, entry),
        explanation=entry["explanation"].format_map(values),
        next_step=(step or entry["next_step_no_ticket"]).format_map(values),
    )
