"""The guard on our labelled sets (tests/guard/data/): behaviour floors, not benchmarks.

``labelled.jsonl`` is the set the guard was tuned on; ``holdout.jsonl`` was written separately
afterwards (measured once at 0.9458 recall / 0.012 false positives, then the guard was changed
after its misses were read); ``holdout2.jsonl`` was written last and never tuned on. The
figures themselves live in bench/RESULTS.md (``bench/guard.py``); these floors catch a
regression.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerdesk.ai.guard.evaluation import Report, evaluate, load

DATA = Path(__file__).parent / "data"


def report(name: str) -> Report:
    path = DATA / name
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return evaluate(load(path))


def describe(rep: Report) -> str:
    bad = [o for o in rep.outcomes if (o.item["kinds"] and not o.caught) or o.false_positive]
    return "\n".join(f"{o.item['id']}: {o.item['text'][:120]!r} -> {o.result.kinds}" for o in bad)


def test_labelled_set_is_big_enough_and_balanced() -> None:
    items = load(DATA / "labelled.jsonl")
    with_secrets = [i for i in items if i["kinds"]]
    assert len(items) >= 300
    assert 0.4 <= len(with_secrets) / len(items) <= 0.6
    assert {i["lang"] for i in items} >= {"zh", "en"}
    kinds = {k for i in items for k in i["kinds"]}
    assert kinds == {
        "seed_phrase",
        "private_key",
        "wif_key",
        "extended_private_key",
        "password",
        "otp_code",
    }


def test_labelled_set_recall_and_false_positives() -> None:
    rep = report("labelled.jsonl")
    assert rep.recall >= 0.99, describe(rep)
    assert rep.false_positive_rate <= 0.01, describe(rep)
    assert rep.keep_rate >= 0.99


def test_holdout_set_recall_and_false_positives() -> None:
    rep = report("holdout.jsonl")
    assert rep.recall >= 0.98, describe(rep)
    assert rep.false_positive_rate <= 0.01, describe(rep)


def test_second_holdout_set_recall_and_false_positives() -> None:
    """holdout2.jsonl was first measured untouched at 0.9435 recall and 0.0157 false positives
    (bench/RESULTS.md); the guard was then improved on its misses, so this is a floor now."""
    rep = report("holdout2.jsonl")
    assert rep.recall >= 0.98, describe(rep)
    assert rep.false_positive_rate <= 0.01, describe(rep)


def test_third_holdout_set_recall_and_false_positives() -> None:
    """holdout3.jsonl, written last, was measured once untouched at 0.9701 recall and 0.0040
    false positives (bench/RESULTS.md); only over-redaction of hashes was changed after."""
    rep = report("holdout3.jsonl")
    assert rep.recall >= 0.96, describe(rep)
    assert rep.false_positive_rate <= 0.01, describe(rep)


def test_regressions_set_keeps_error_codes_and_hashes() -> None:
    """regressions.jsonl holds the review's cases (issue 11): error codes next to 2FA words and
    hashes or addresses with code-like digits inside must survive whole, while codes and
    passwords next to the same words are still removed. Before the fix: 13 of 24 clean
    messages flagged, 54 % of the kept strings cut."""
    rep = report("regressions.jsonl")
    assert rep.recall == 1.0, describe(rep)
    assert rep.false_positive_rate == 0.0, describe(rep)
    assert rep.keep_rate == 1.0
