"""Scoring the assistant on the labelled evaluation set (``tests/assistant/eval/``).

Pure functions over items and replies, no database: ``bench/assistant_eval.py`` runs the
engine and hands the replies here, the tests feed it small hand-made replies. The measures
(docs/assistant.md, "The evaluation set"):

- **correct cited answer**: an answerable message got ``action == "answer"`` and its *first*
  citation is one of the item's acceptable slugs;
- **handover**: a must-handover message got ``action == "handover"`` (reason agreement is
  counted separately: the handover itself is what protects the customer);
- **wrong language**: ``detect_language`` of the reply text differs from the item's label (a
  ``zh-Hant`` message answered in simplified characters counts as wrong);
- **unsupported numbers**: the faithfulness check (``check_faithful(reply, sources)``) found a
  number, amount, duration, network name or URL that no source carries.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerdesk.ai.assistant.types import HANDOVER_REASONS, FaithCheck, Reply, Source
from ledgerdesk.ai.triage.language import detect_language

LANGS: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
EXPECTS: tuple[str, ...] = ("answer", "handover")
SPLITS: tuple[str, ...] = ("tune", "holdout")
# Every reason a single message can be labelled with: "unsolved" needs two earlier turns.
SINGLE_TURN_REASONS: tuple[str, ...] = tuple(r for r in HANDOVER_REASONS if r != "unsolved")
FIELDS = frozenset({"id", "text", "lang", "expect", "slugs", "reason", "split"})

FaithChecker = Callable[[str, Sequence[Source]], FaithCheck]


class BadItem(ValueError):
    """A line of the evaluation set that does not follow its format."""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    lang: str
    expect: str
    split: str
    slugs: tuple[str, ...] = ()
    reason: str | None = None


def parse_item(row: dict[str, Any]) -> Item:
    """One JSON object of ``messages.jsonl`` as an Item, or BadItem saying what is wrong."""
    unknown = set(row) - FIELDS
    if unknown:
        raise BadItem(f"unknown fields {sorted(unknown)}")
    for name in ("id", "text", "lang", "expect", "split"):
        if not isinstance(row.get(name), str) or not row[name].strip():
            raise BadItem(f"{name!r} must be a non-empty string")
    if row["lang"] not in LANGS or row["expect"] not in EXPECTS or row["split"] not in SPLITS:
        raise BadItem(f"bad lang/expect/split: {row['lang']}/{row['expect']}/{row['split']}")
    if row["expect"] == "answer":
        slugs = row.get("slugs")
        if "reason" in row or not isinstance(slugs, list) or not slugs:
            raise BadItem("an answer carries a non-empty 'slugs' list and no 'reason'")
        if not all(isinstance(s, str) and s for s in slugs) or len(set(slugs)) != len(slugs):
            raise BadItem("'slugs' must be distinct non-empty strings")
        return Item(row["id"], row["text"], row["lang"], "answer", row["split"], tuple(slugs))
    if "slugs" in row or row.get("reason") not in SINGLE_TURN_REASONS:
        raise BadItem(f"a handover carries a 'reason' of {SINGLE_TURN_REASONS} and no 'slugs'")
    return Item(row["id"], row["text"], row["lang"], "handover", row["split"], (), row["reason"])


def load(path: Path) -> list[Item]:
    """Every item of ``path``; BadItem names the line of the first bad one."""
    items: list[Item] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise BadItem("each line must be a JSON object")
            items.append(parse_item(row))
        except (json.JSONDecodeError, BadItem) as exc:
            raise BadItem(f"{path.name} line {number}: {exc}") from None
    return items


def in_split(items: Iterable[Item], split: str) -> list[Item]:
    """The items of one split, or all of them for ``split == "all"``."""
    return [i for i in items if split == "all" or i.split == split]


@dataclass(frozen=True)
class Outcome:
    """How the assistant did on one item."""

    item: Item
    action: str
    reason: str | None
    citations: tuple[str, ...]
    confidence: float
    reply_language: str  # detected from the reply text
    claimed_language: str  # Reply.language, what the engine believed
    unsupported: tuple[str, ...]
    elapsed_ms: float

    @property
    def correct(self) -> bool:
        """Answerable: answered, first citation acceptable. Must-handover: handed over."""
        if self.item.expect == "handover":
            return self.action == "handover"
        return (
            self.action == "answer"
            and bool(self.citations)
            and (self.citations[0] in self.item.slugs)
        )

    @property
    def wrong_language(self) -> bool:
        return self.reply_language != self.item.lang

    @property
    def got(self) -> str:
        """What happened, in one word: the handover reason, or "answer"."""
        if self.action == "handover":
            return self.reason or "handover"
        return "answer"


def judge(
    item: Item, reply: Reply, faithful: FaithChecker | None, elapsed_ms: float = 0.0
) -> Outcome:
    """Score one reply. ``faithful`` is ``check_faithful`` (None: not checked)."""
    unsupported: tuple[str, ...] = ()
    if faithful is not None:
        check = faithful(reply.reply, reply.sources)
        unsupported = tuple(check.unsupported) if not check.ok else ()
        if not check.ok and not unsupported:
            unsupported = ("(check failed without naming a claim)",)
    return Outcome(
        item=item,
        action=reply.action,
        reason=reply.reason,
        citations=tuple(reply.citations),
        confidence=float(reply.confidence),
        reply_language=detect_language(reply.reply).language,
        claimed_language=reply.language,
        unsupported=unsupported,
        elapsed_ms=elapsed_ms,
    )


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


@dataclass
class Score:
    """The measures over a list of outcomes (see the module docstring)."""

    outcomes: list[Outcome]

    def counts(self) -> dict[str, Any]:
        answerable = [o for o in self.outcomes if o.item.expect == "answer"]
        must = [o for o in self.outcomes if o.item.expect == "handover"]
        handed = [o for o in must if o.action == "handover"]
        agree = sum(o.reason == o.item.reason for o in handed)
        correct = sum(o.correct for o in answerable)
        return {
            "messages": len(self.outcomes),
            "answerable": len(answerable),
            "correct_cited_answers": correct,
            "correct_cited_answer_rate": _rate(correct, len(answerable)),
            "answerable_handed_over": sum(o.action == "handover" for o in answerable),
            "answerable_wrong_citation": sum(
                o.action == "answer" and not o.correct for o in answerable
            ),
            "must_handover": len(must),
            "handovers": len(handed),
            "handover_rate": _rate(len(handed), len(must)),
            "reason_agreement": agree,
            "reason_agreement_rate": _rate(agree, len(handed)),
            "wrong_language": sum(o.wrong_language for o in self.outcomes),
            "claimed_language_mismatch": sum(
                o.claimed_language != o.item.lang for o in self.outcomes
            ),
            "unsupported_numbers": sum(bool(o.unsupported) for o in self.outcomes),
        }

    def per_language(self) -> dict[str, dict[str, Any]]:
        return {
            lang: Score([o for o in self.outcomes if o.item.lang == lang]).counts()
            for lang in LANGS
            if any(o.item.lang == lang for o in self.outcomes)
        }

    def reason_confusion(self) -> dict[str, dict[str, int]]:
        """Expected (a handover reason, or "answer") → what the assistant did → count."""
        table: dict[str, Counter[str]] = {}
        for o in self.outcomes:
            expected = o.item.reason or "answer"
            table.setdefault(expected, Counter())[o.got] += 1
        return {k: dict(sorted(v.items())) for k, v in sorted(table.items())}

    def failures(self) -> list[dict[str, Any]]:
        """Every item with something wrong: the wrong action or citation, the wrong
        language, an unsupported claim (a handover with another reason is not a failure;
        it shows in the confusion table)."""
        out = []
        for o in self.outcomes:
            problems = []
            if not o.correct:
                problems.append("handover missed" if o.item.expect == "handover" else "answer")
            if o.wrong_language:
                problems.append(f"language {o.reply_language}")
            if o.unsupported:
                problems.append("unsupported " + ", ".join(o.unsupported))
            if problems:
                out.append(
                    {
                        "id": o.item.id,
                        "text": o.item.text,
                        "lang": o.item.lang,
                        "expected": list(o.item.slugs) or o.item.reason,
                        "action": o.action,
                        "reason": o.reason,
                        "citations": list(o.citations),
                        "confidence": round(o.confidence, 4),
                        "problems": problems,
                    }
                )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "per_language": self.per_language(),
            "reason_confusion": self.reason_confusion(),
            "failures": self.failures(),
        }


def goals(counts: dict[str, Any]) -> list[tuple[str, bool]]:
    """The issue's goals on the untouched part, each with whether ``counts`` meets it."""
    answered = counts["correct_cited_answer_rate"]
    handed = counts["handover_rate"]
    return [
        ("correct cited answers >= 90 % of answerable", answered is not None and answered >= 0.9),
        ("handovers >= 98 % of must-handover", handed is not None and handed >= 0.98),
        ("0 replies in the wrong language", counts["wrong_language"] == 0),
        ("0 unsupported numbers", counts["unsupported_numbers"] == 0),
    ]
