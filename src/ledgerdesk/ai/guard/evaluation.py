"""Measuring the guard on a labelled set of messages (``tests/guard/data/labelled.jsonl``).

Each line: ``{"id", "lang", "text", "kinds": [...], "secrets": [...], "keep": [...]}``.
``secrets[0]`` is the whole secret; for a seed phrase the following items are its words.

A message with secrets counts as caught when every secret kind was reported and nothing of the
secret survives: no key, password or code string, and no three consecutive words of a phrase
(two words or characters left over are no longer a phrase anyone could use). A clean message is
a false positive when the guard reports anything at all. Kept strings must survive exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledgerdesk.ai.guard import ScanResult, scan

PHRASE_WORDS_ALLOWED = 2


@dataclass
class Outcome:
    item: dict[str, Any]
    result: ScanResult
    caught: bool
    false_positive: bool
    lost_keeps: list[str]
    missed_kinds: list[str]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def with_secrets(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item["kinds"]]

    @property
    def clean(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.item["kinds"]]

    @property
    def recall(self) -> float:
        items = self.with_secrets
        return sum(o.caught for o in items) / len(items) if items else 1.0

    @property
    def false_positive_rate(self) -> float:
        items = self.clean
        return sum(o.false_positive for o in items) / len(items) if items else 0.0

    @property
    def keep_rate(self) -> float:
        total = sum(len(o.item.get("keep", [])) for o in self.outcomes)
        lost = sum(len(o.lost_keeps) for o in self.outcomes)
        return 1 - lost / total if total else 1.0

    def by(self, key: str) -> dict[str, tuple[float, float, int]]:
        """Per ``lang`` (or any item field): (recall, false-positive rate, count)."""
        groups: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            groups.setdefault(str(outcome.item.get(key)), []).append(outcome)
        out = {}
        for name, items in sorted(groups.items()):
            sub = Report(items)
            out[name] = (sub.recall, sub.false_positive_rate, len(items))
        return out

    def by_kind(self) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {}
        kinds = sorted({k for o in self.with_secrets for k in o.item["kinds"]})
        for kind in kinds:
            items = [o for o in self.with_secrets if kind in o.item["kinds"]]
            out[kind] = (sum(o.caught for o in items) / len(items), len(items))
        return out


def load(path: Path) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            item = json.loads(line)
            if not isinstance(item, dict) or "text" not in item:
                raise ValueError(f"{path}:{number}: not a labelled message")
            items.append(item)
    return items


def _squash(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",，、.。;；:：")


def _phrase_survives(redacted: str, words: list[str]) -> bool:
    squashed = _squash(redacted).lower()
    size = PHRASE_WORDS_ALLOWED + 1
    for i in range(len(words) - size + 1):
        if _squash("".join(words[i : i + size])).lower() in squashed:
            return True
    return False


def judge(item: dict[str, Any], result: ScanResult) -> Outcome:
    kinds = list(item.get("kinds", []))
    secrets = list(item.get("secrets", []))
    found = set(result.kinds)
    # A WIF key reported as a raw private key (or the reverse) is still a caught key.
    keys = {"private_key", "wif_key", "extended_private_key"}
    missed = [k for k in kinds if k not in found and not (k in keys and found & keys)]
    leaked = False
    if secrets and "seed_phrase" in kinds:
        phrase = max(secrets, key=len)
        words = [s for s in secrets if s != phrase and s in phrase and len(s) < len(phrase)]
        others = [s for s in secrets if s != phrase and s not in words]
        leaked = _phrase_survives(result.redacted, words) if words else phrase in result.redacted
        leaked = leaked or any(s in result.redacted for s in others)
    elif secrets:
        leaked = any(s in result.redacted for s in secrets if s)
    lost = [k for k in item.get("keep", []) if k not in result.redacted]
    caught = bool(kinds) and not missed and not leaked
    return Outcome(
        item=item,
        result=result,
        caught=caught,
        false_positive=not kinds and bool(result.findings),
        lost_keeps=lost,
        missed_kinds=missed,
    )


def evaluate(items: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for item in items:
        report.outcomes.append(judge(item, scan(item["text"])))
    return report
