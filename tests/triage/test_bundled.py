"""The bundled model's data: reading ``*.jsonl``, the held-out split and the CSV export.

Uses small folders of its own; the shipped data is being written while these tests run, so
only its shape is checked, never its size.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ledgerdesk.ai.triage.bundled import (
    HOLDOUT_EVERY,
    Example,
    as_dataset,
    read_examples,
    source_dir,
    split,
    write_csv,
)
from ledgerdesk.ai.triage.training import DatasetError, read_csv


def item(text: str, intent: str = "deposit_missing", lang: str = "en", **more: object) -> str:
    fields = {"text": text, "intent": intent, "lang": lang, "sentiment": "negative"}
    fields["distressed"] = False
    fields.update(more)
    return json.dumps(fields, ensure_ascii=False)


def write(folder: Path, name: str, *lines: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_read_examples_from_every_file_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "b.jsonl", item("second file", "how_to", "en", distressed=True))
    write(tmp_path, "a.jsonl", item("  充值没到  ", lang="zh-Hans"), "", item("two"))
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    examples = read_examples(tmp_path)
    assert examples == [
        Example("充值没到", "deposit_missing", "zh-Hans", "negative", False),
        Example("two", "deposit_missing", "en", "negative", False),
        Example("second file", "how_to", "en", "negative", True),
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["{not json"], "a.jsonl:1: not a labelled example"),
        ([json.dumps({"text": "x", "intent": "how_to"})], "a.jsonl:1: not a labelled example"),
        (["", item("x", "refund")], "a.jsonl:2: unknown intent 'refund'"),
        ([item("x", sentiment="angry")], "a.jsonl:1: unknown sentiment 'angry'"),
        ([item("   ")], "a.jsonl:1: empty text"),
        ([item("same"), item(" same ")], "a.jsonl:2: the same text as a.jsonl:1"),
    ],
)
def test_read_examples_refuses_bad_data(tmp_path: Path, lines: list[str], message: str) -> None:
    write(tmp_path, "a.jsonl", *lines)
    with pytest.raises(DatasetError, match=re.escape(message)):
        read_examples(tmp_path)


def test_read_examples_needs_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"no \*\.jsonl files in"):
        read_examples(tmp_path)


def test_split_holds_out_every_fifth_of_each_intent_and_language() -> None:
    examples = [Example(f"en {i}", "how_to", "en", "neutral", False) for i in range(10)]
    examples += [Example(f"zh {i}", "how_to", "zh-Hant", "neutral", False) for i in range(7)]
    examples += [Example(f"zs {i}", "how_to", "zh-Hans", "neutral", False) for i in range(3)]
    examples += [Example(f"fee {i}", "fees_question", "en", "neutral", False) for i in range(4)]
    training, held = split(examples)
    assert sorted(e.text for e in training + held) == sorted(e.text for e in examples)
    assert not {e.text for e in training} & {e.text for e in held}
    by_group = {(e.intent, e.lang[:2]) for e in held}
    assert sum(1 for e in held if e.lang == "en" and e.intent == "how_to") == 2
    assert sum(1 for e in held if e.lang.startswith("zh")) == 2  # 10 Chinese: both scripts
    assert sum(1 for e in held if e.intent == "fees_question") == 0  # fewer than five
    assert by_group <= {("how_to", "en"), ("how_to", "zh")}
    again = split(list(reversed(examples)))
    assert {e.text for e in again[1]} == {e.text for e in held}  # order of input is irrelevant
    assert HOLDOUT_EVERY == 5


def test_csv_export_reads_back(tmp_path: Path) -> None:
    examples = [
        Example('a "quoted", text\nwith a newline', "how_to", "en", "neutral", False),
        Example("充值没到", "deposit_missing", "zh-Hans", "negative", True),
    ]
    write_csv(examples, tmp_path / "out" / "train.csv")
    data = read_csv(tmp_path / "out" / "train.csv", "text", "category")
    assert data.texts == [e.text for e in examples]
    assert data.labels == ["how_to", "deposit_missing"]
    extra = read_csv(tmp_path / "out" / "train.csv", "text", "distressed")
    assert extra.labels == ["false", "true"]
    dataset = as_dataset(examples, "here")
    assert (dataset.texts, dataset.labels, dataset.source) == (data.texts, data.labels, "here")
    assert as_dataset(examples, "x").sha256 == dataset.sha256
    assert as_dataset(examples[:1], "x").sha256 != dataset.sha256


def test_the_shipped_data_reads_and_splits() -> None:
    assert source_dir().is_dir()
    examples = read_examples()
    assert examples
    training, held = split(examples)
    assert len(training) + len(held) == len(examples)
    assert held and len(held) < len(training)
