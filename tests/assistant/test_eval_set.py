"""The assistant's labelled evaluation set (tests/assistant/eval/messages.jsonl) is well
formed: its schema, its size and mix, labels that point at real published articles and real
handover reasons, every reason in every language, a stratified holdout, the language labels
the desk's own detector agrees with, and no duplicates or transaction hashes."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ledgerdesk.ai.assistant.evaluation import (
    EXPECTS,
    LANGS,
    SINGLE_TURN_REASONS,
    BadItem,
    Item,
    load,
    parse_item,
)
from ledgerdesk.ai.triage.language import detect_language
from ledgerdesk.kb.importer import split_front_matter

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "tests" / "assistant" / "eval" / "messages.jsonl"
ARTICLES = ROOT / "data" / "kb" / "articles"
HEX64 = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return load(SET)


def published_slugs() -> set[str]:
    slugs = set()
    for path in ARTICLES.glob("*.md"):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        if meta.get("status") == "published":
            slugs.add(str(meta["id"]))
    return slugs


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def test_every_line_follows_the_format() -> None:
    lines = [line for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, line in enumerate(lines, 1):
        row = json.loads(line)
        parse_item(row)  # raises BadItem naming the problem
        assert list(row)[:3] == ["id", "text", "lang"], f"line {number}: keep the field order"


def test_ids_are_unique_and_name_their_language(items: list[Item]) -> None:
    prefix = {"en": "en-", "zh-Hans": "hans-", "zh-Hant": "hant-"}
    ids = Counter(i.id for i in items)
    assert not [k for k, n in ids.items() if n > 1]
    assert all(i.id.startswith(prefix[i.lang]) for i in items)


def test_size_and_language_mix(items: list[Item]) -> None:
    assert len(items) >= 330
    langs = Counter(i.lang for i in items)
    assert set(langs) == set(LANGS)
    assert 0.35 <= share(langs["en"], len(items)) <= 0.45
    assert 0.35 <= share(langs["zh-Hans"], len(items)) <= 0.45
    assert 0.15 <= share(langs["zh-Hant"], len(items)) <= 0.25


def test_about_sixty_percent_answerable_in_every_language(items: list[Item]) -> None:
    for lang in LANGS:
        mine = [i for i in items if i.lang == lang]
        answerable = sum(i.expect == "answer" for i in mine)
        assert 0.55 <= share(answerable, len(mine)) <= 0.68, lang


def test_slugs_are_published_articles(items: list[Item]) -> None:
    published = published_slugs()
    assert len(published) >= 70
    unknown = {s for i in items for s in i.slugs} - published
    assert not unknown, f"not published articles: {sorted(unknown)}"


def test_every_reason_in_every_language(items: list[Item]) -> None:
    cells = Counter((i.lang, i.reason) for i in items if i.expect == "handover")
    missing = [(lang, r) for lang in LANGS for r in SINGLE_TURN_REASONS if not cells[lang, r]]
    assert not missing, f"no message for {missing}"
    assert "unsolved" not in {i.reason for i in items}  # a multi-turn state, tested elsewhere


def test_the_hard_cases_are_there(items: list[Item]) -> None:
    """The cases the issue names, labelled the way the policy says."""
    by_text = {i.text.lower(): i for i in items}
    expected = {
        "i want to cancel my withdrawal": "staff_only",
        "whats the staking apy for eth": "not_covered",
        "should i buy btc now": "not_covered",
        "someone logged in to my account and is withdrawing my btc right now": (
            "account_compromised"
        ),
        "我要取消提币": "staff_only",
        "转人工": "asked_for_person",
    }
    for text, reason in expected.items():
        assert by_text[text].expect == "handover" and by_text[text].reason == reason, text


def test_holdout_is_about_forty_percent_in_every_stratum(items: list[Item]) -> None:
    assert 0.37 <= share(sum(i.split == "holdout" for i in items), len(items)) <= 0.43
    for lang in LANGS:
        for expect in EXPECTS:
            cell = [i for i in items if i.lang == lang and i.expect == expect]
            held = sum(i.split == "holdout" for i in cell)
            assert 0.33 <= share(held, len(cell)) <= 0.47, (lang, expect)
    for reason in SINGLE_TURN_REASONS:
        cell = [i for i in items if i.reason == reason]
        assert any(i.split == "holdout" for i in cell), reason
        assert any(i.split == "tune" for i in cell), reason


def test_language_labels_match_the_detector(items: list[Item]) -> None:
    wrong = [
        (i.id, i.text, detect_language(i.text).language)
        for i in items
        if detect_language(i.text).language != i.lang
    ]
    assert not wrong, wrong


def test_no_duplicates_and_no_transaction_hashes(items: list[Item]) -> None:
    def fold(text: str) -> str:
        return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).lower())

    folded = Counter(fold(i.text) for i in items)
    assert not [t for t, n in folded.items() if n > 1]
    assert not [i.id for i in items if HEX64.search(i.text)]


def test_a_bad_line_is_rejected_with_its_line_number(tmp_path: Path) -> None:
    good = {"id": "en-1", "text": "hi", "lang": "en", "expect": "answer", "split": "tune"}
    cases = [
        good,  # an answer without slugs
        {**good, "slugs": ["a"], "reason": "complaint"},
        {**good, "expect": "handover", "reason": "unsolved"},
        {**good, "expect": "handover", "reason": "complaint", "slugs": ["a"]},
        {**good, "slugs": ["a"], "lang": "fr"},
        {**good, "slugs": ["a"], "split": "train"},
        {**good, "slugs": ["a", "a"]},
        {**good, "slugs": ["a"], "note": "x"},
    ]
    for case in cases:
        path = tmp_path / "set.jsonl"
        path.write_text(json.dumps({**good, "slugs": ["ok"]}) + "\n" + json.dumps(case) + "\n")
        with pytest.raises(BadItem, match="line 2"):
            load(path)
