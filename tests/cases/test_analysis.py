"""The Art. 8 analysis of the fixed history (tests/cases/fixtures/register_history.py), with
every figure worked out by hand from the history's times, on SQLite and PostgreSQL; the JSON
answer's shape; the PDF in both languages."""

from __future__ import annotations

import re
import zlib

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.cases import register_export as export
from ledgerdesk.cases.analysis import Analysis, Period, Timing, analyse_register
from ledgerdesk.cases.models import CaseKind
from ledgerdesk.cases.register_report import duration, render_pdf, title
from ledgerdesk.cases.register_schemas import analysis_public
from ledgerdesk.core import i18n
from tests.cases.fixtures.register_history import AS_OF, END, START, History, build_history


@pytest.fixture
def history(db_session: Session) -> History:
    return build_history(db_session)


def _analysis(session: Session, kind: CaseKind | None = None) -> Analysis:
    _rows, analysis = analyse_register(session, export.make_query(START, END, kind), AS_OF)
    return analysis


def test_counts_per_month_include_answers_to_older_cases(
    db_session: Session, history: History
) -> None:
    a = _analysis(db_session)
    assert (a.received, a.answered, a.closed, a.unanswered) == (6, 4, 2, 2)
    assert a.periods == [
        # March: A and B in; G (received in February) and A answered; G closed, A closed twice
        Period("2024-03", received=2, answered=2, closed=3),
        # April: C, D, E in; C's summary resolution and D's refusal; C closed
        Period("2024-04", received=3, answered=2, closed=1),
        # May: F in; B's late decision
        Period("2024-05", received=1, answered=1, closed=0),
    ]


def test_time_per_step_average_and_median(db_session: Session, history: History) -> None:
    a = _analysis(db_session)
    assert a.timings == [
        # A 1 h 05, B 1 h, E 51 h
        Timing("received_acknowledged", 3, average_hours=17.69, median_hours=1.08),
        # A 16 d 6 h 07 (390.12 h), B 60 d 3 h (1443 h)
        Timing("acknowledged_decided", 2, average_hours=916.56, median_hours=916.56),
        # A decided 03-20 16:12, closed (last) 03-28 09:00: 184.8 h; C the same moment: 0
        Timing("decided_closed", 2, average_hours=92.4, median_hours=92.4),
        # A 391.2 h, B 1444 h, C 29 h, D 21.6 h
        Timing("received_decided", 4, average_hours=471.45, median_hours=210.1),
    ]


def test_breaches_of_time_limits(db_session: Session, history: History) -> None:
    b = _analysis(db_session).breaches
    assert (b.answered_after_due, b.answered_after_limit) == (1, 1)  # B
    assert (b.open_past_due, b.open_past_limit) == (1, 0)  # E
    assert b.with_delay_notice == 1  # B
    refs = {k: c.reference for k, c in history.cases.items()}
    assert [(r.reference, r.breach(AS_OF)) for r in b.cases] == [
        (refs["b"], "limit"),
        (refs["e"], "target"),
    ]


def test_kinds_topics_and_outcomes(db_session: Session, history: History) -> None:
    a = _analysis(db_session)
    assert a.kinds == [("complaint", 4), ("appeal", 1), ("scam_report", 1)]
    assert a.topics == [("fees", 2), ("withdrawal", 2), ("account", 1), ("other", 1)]
    assert a.outcomes == [(None, 3), ("upheld", 2), ("partly_upheld", 1)]
    appeals = _analysis(db_session, CaseKind.appeal)
    assert (appeals.received, appeals.kinds, appeals.periods[1].answered) == (
        1,
        [("appeal", 1)],
        1,
    )


def test_an_empty_period_has_no_averages(db_session: Session) -> None:
    _rows, a = analyse_register(
        db_session, export.make_query(export.date(1990, 1, 1), export.date(1990, 2, 1)), AS_OF
    )
    assert a.received == 0 and [p.month for p in a.periods] == ["1990-01", "1990-02"]
    assert all(t.count == 0 and t.average_hours is None for t in a.timings)
    assert duration(None) == "—"


def test_the_json_answer_keeps_stable_keys(db_session: Session, history: History) -> None:
    body = analysis_public(_analysis(db_session)).model_dump(mode="json")
    assert body["as_of"] == "2024-06-01T00:00:00Z"
    assert body["timings"][3] == {
        "step": "received_decided",
        "count": 4,
        "average_hours": 471.45,
        "median_hours": 210.1,
    }
    late = body["breaches"]["cases"][0]
    assert late["breach"] == "limit" and late["decided_at"] == "2024-05-10T12:00:00Z"
    assert {"key": None, "count": 3} in body["outcomes"]


def _title(document: bytes) -> str:
    found = re.search(rb"/Title <feff([0-9a-f]+)>", document)
    assert found is not None
    return bytes.fromhex(found.group(1).decode()).decode("utf-16-be")


def _drawn_characters(document: bytes) -> set[str]:
    """The characters the document draws, from its fonts' ToUnicode maps."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S)
    maps = [s if b"begincmap" in s else zlib.decompress(s) for s in streams]
    unicode_maps = [m for m in maps if b"/Ordering (UCS)" in m]
    codes = re.findall(rb"<[0-9A-Fa-f]+> <([0-9A-Fa-f]{4,})>", b"".join(unicode_maps))
    return {chr(int(code, 16)) for code in codes}


@pytest.mark.parametrize(
    ("locale", "heading", "words"),
    [
        ("en", "Complaints register 2024-03-01 – 2024-05-31 (All kinds)", "Breaches"),
        ("zh-CN", "投诉登记簿 2024-03-01 – 2024-05-31（所有类型）", "超出时限部分成立"),
    ],
)
def test_the_pdf_is_in_the_readers_language(
    db_session: Session, history: History, locale: str, heading: str, words: str
) -> None:
    rows, a = analyse_register(db_session, export.make_query(START, END), AS_OF)
    i18n.set_locale(locale)
    try:
        assert title(a) == heading
        document = render_pdf(a, rows)
    finally:
        i18n.set_locale("en")
    assert document.startswith(b"%PDF-") and _title(document) == heading
    assert set(words) <= _drawn_characters(document)
    assert history.cases["a"].reference.isascii()
