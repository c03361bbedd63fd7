"""The in-memory hybrid index: BM25, typo tolerance, updates, filters and fusion."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ledgerdesk.search.analysis import analyse, latin_words
from ledgerdesk.search.index import Admission, Doc, HybridIndex, Query


def _vec(*values: float) -> npt.NDArray[np.float32]:
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _doc(
    ref: int, title: str, body: str, lang: str = "en", vis: str = "public", **kw: object
) -> Doc:
    text = f"{title} {body}"
    return Doc(
        f"{ref}:{lang}",
        ref,
        lang,
        vis,
        analyse(title) * 3 + analyse(body),
        latin_words(text),
        kw.get("vector"),  # type: ignore[arg-type]
    )


def _query(text: str, vector: npt.NDArray[np.float32] | None = None) -> Query:
    return Query(analyse(text), latin_words(text), vector)


def _index() -> HybridIndex:
    index = HybridIndex(dim=3)
    index.add_many(
        [
            _doc(
                1,
                "Deposit not credited",
                "Your deposit waits for network confirmations.",
                vector=_vec(1, 0, 0),
            ),
            _doc(
                2,
                "Withdrawal pending review",
                "Withdrawals are reviewed before they are sent.",
                vector=_vec(0, 1, 0),
            ),
            _doc(
                3,
                "Reset two-factor authentication",
                "Lost your authenticator? Verification with ID and selfie.",
                vector=_vec(0, 0, 1),
            ),
            _doc(
                4,
                "充值未到账",
                "充值需要区块确认，请耐心等待。",
                lang="zh-CN",
                vector=_vec(1, 0.1, 0),
            ),
        ]
    )
    return index


def _refs(index: HybridIndex, query: Query, mode: str = "lexical", **kw: object) -> list[int]:
    allowed = index.mask(kw.pop("langs", None), kw.pop("vis", ["public"]))  # type: ignore[arg-type]
    return [h.ref_id for h in index.search(query, allowed, mode=mode, **kw)]  # type: ignore[arg-type]


def test_bm25_prefers_the_document_about_the_words() -> None:
    index = _index()
    assert _refs(index, _query("withdrawal pending"))[0] == 2
    assert _refs(index, _query("充值 没到账"))[0] == 4
    assert _refs(index, _query("zebra")) == []


def test_typos_in_english_still_match() -> None:
    index = _index()
    assert _refs(index, _query("withdrawl pending"))[0] == 2
    assert _refs(index, _query("verfication selfie"))[0] == 3
    assert _refs(index, _query("authenticatr"))[0] == 3


def test_replace_remove_and_compaction_keep_results_right() -> None:
    index = _index()
    index.add(_doc(2, "Card payment declined", "Your bank declined the card."))
    assert 2 not in _refs(index, _query("withdrawal pending"))
    assert _refs(index, _query("card declined")) == [2]
    index.remove("2:en")
    assert _refs(index, _query("card declined")) == []
    for n in range(3000):  # many rewrites force a compaction
        index.add(_doc(100, f"Fee schedule {n}", "maker taker fees"))
    assert len(index) == 4
    assert _refs(index, _query("maker fees")) == [100]
    assert _refs(index, _query("deposit confirmations"))[0] == 1


def test_filters_by_language_and_visibility() -> None:
    index = _index()
    index.add(
        _doc(5, "Internal: deposit recovery macro", "deposit credited manually", vis="internal")
    )
    assert 5 not in _refs(index, _query("deposit"))
    assert 5 in _refs(index, _query("deposit"), vis=["public", "internal"])
    assert _refs(index, _query("充值"), langs=["en"]) == []


def test_semantic_threshold_and_hybrid_fusion() -> None:
    index = _index()
    near_deposit = _vec(1, -0.05, 0)
    assert _refs(
        index,
        _query("nothing shared", near_deposit),
        mode="semantic",
        admit=Admission(min_similarity=0.9),
    )[:2] == [1, 4]
    # Far from everything and sharing no word: nothing, rather than the least bad guess.
    assert (
        _refs(
            index,
            _query("qqq", _vec(-1, -1, -1)),
            mode="hybrid",
            admit=Admission(min_similarity=0.5),
        )
        == []
    )
    # Both signals agree on 2; lexical alone would also return 2, meaning confirms it first.
    hybrid = _refs(
        index,
        _query("withdrawal", _vec(0, 1, 0)),
        mode="hybrid",
        admit=Admission(min_similarity=0.5),
    )
    assert hybrid[0] == 2


def test_partial_word_matches_need_coverage_or_meaning() -> None:
    """A document sharing one common word with a long unrelated query is not an answer."""
    index = _index()
    strict = Admission(min_coverage=0.5, min_similarity=0.95, min_similarity_with_words=0.95)
    far = _vec(-1, -1, 1)
    assert _refs(index, _query("deposit", far), mode="hybrid", admit=strict) == [1]
    unrelated = _query("deposit recipe banana bread oven", far)
    assert _refs(index, unrelated, mode="hybrid", admit=strict) == []
    # ...unless its meaning is close enough.
    close = _query("deposit recipe banana bread oven", _vec(1, 0, 0))
    assert _refs(index, close, mode="hybrid", admit=strict)[0] == 1
