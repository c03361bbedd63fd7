"""The bundled default model: its data, its split and the recipe that rebuilds it.

The labelled messages live in ``data/triage/source/*.jsonl`` (one object per line: ``text``,
``intent``, ``lang``, ``sentiment``, ``distressed``). Every fifth message of each intent and
language, in the order of the SHA-256 of its text, is held out for evaluation; the model is
trained on the rest only, so the held-out figures describe exactly the model that ships.
``ledgerdesk triage build-default`` runs this recipe; the same data, code and package versions
give the same weights, and the version string (a hash of the weights) shows it.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ledgerdesk.ai.triage.training import Dataset, DatasetError
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir

SENTIMENTS = ("negative", "neutral", "positive")
HOLDOUT_EVERY = 5


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str
    sentiment: str
    distressed: bool


def source_dir() -> Path:
    return shipped_data_dir() / "triage" / "source"


def read_examples(folder: Path | None = None) -> list[Example]:
    """Every labelled message, checked; duplicates (same text) are an error in the data."""
    folder = folder or source_dir()
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise DatasetError(f"no *.jsonl files in {folder}")
    seen: dict[str, str] = {}
    examples: list[Example] = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                item = json.loads(line)
                example = Example(
                    text=str(item["text"]).strip(),
                    intent=str(item["intent"]),
                    lang=str(item["lang"]),
                    sentiment=str(item["sentiment"]),
                    distressed=bool(item["distressed"]),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise DatasetError(f"{where}: not a labelled example: {exc}") from None
            if example.intent not in INTENTS:
                raise DatasetError(f"{where}: unknown intent {example.intent!r}")
            if example.sentiment not in SENTIMENTS:
                raise DatasetError(f"{where}: unknown sentiment {example.sentiment!r}")
            if not example.text:
                raise DatasetError(f"{where}: empty text")
            if example.text in seen:
                raise DatasetError(f"{where}: the same text as {seen[example.text]}")
            seen[example.text] = where
            examples.append(example)
    return examples


def _group(example: Example) -> tuple[str, str]:
    return (example.intent, "zh" if example.lang.startswith("zh") else example.lang)


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(training, held out): every fifth of each intent and language by text hash."""
    groups: dict[tuple[str, str], list[Example]] = {}
    for example in examples:
        groups.setdefault(_group(example), []).append(example)
    training: list[Example] = []
    held: list[Example] = []
    for key in sorted(groups):
        ordered = sorted(groups[key], key=lambda e: hashlib.sha256(e.text.encode()).hexdigest())
        for index, example in enumerate(ordered):
            (held if index % HOLDOUT_EVERY == HOLDOUT_EVERY - 1 else training).append(example)
    return training, held


def as_dataset(examples: list[Example], source: str) -> Dataset:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.text}\t{e.intent}\t{e.sentiment}\t{e.distressed}\n".encode())
    return Dataset(
        [e.text for e in examples], [e.intent for e in examples], source, 0, digest.hexdigest()
    )


def write_csv(examples: list[Example], path: Path) -> None:
    """The examples as a CSV ``triage train``/``eval`` read (text, category, and the rest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "category", "language", "sentiment", "distressed"])
        for e in examples:
            writer.writerow([e.text, e.intent, e.lang, e.sentiment, str(e.distressed).lower()])
