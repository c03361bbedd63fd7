"""The common-problems figures: top intents and growing terms of one day against the previous
seven, on hand-counted tickets."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.reports import problems
from ledgerdesk.search.analysis import has_chinese
from ledgerdesk.search.fulltext import terms_text
from tests.conftest import make_customer
from tests.surges import synthetic

DAY = date(2025, 3, 12)
NOON = datetime(2025, 3, 12, 12, 0)
TRON_ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"
TX_HASH = "0x" + "ab12" * 16


def _ticket(customer_id: int, intent: str | None, at: datetime, text: str) -> dict[str, object]:
    row = synthetic.row(customer_id, intent or "", None, at)
    row["intent"] = intent
    row["search_text"] = terms_text(text)
    return row


def test_parse_day() -> None:
    today = date(2025, 3, 1)
    assert problems.parse_day("", today) == today
    assert problems.parse_day("2025-02-03", today) == date(2025, 2, 3)
    for bad in ("yesterday", "2025-13-01", "03/02/2025"):
        with pytest.raises(InvalidInput):
            problems.parse_day(bad, today)


def test_reportable_terms_leave_out_numbers_hashes_and_addresses() -> None:
    for kept in ("deposit", "trc20", "2fa", "充值", "谷歌验证器"):
        assert problems.reportable(kept), kept
    for dropped in ("1042", "ab", TX_HASH.lower(), TRON_ADDRESS.lower(), "ord20250312", "币"):
        assert not problems.reportable(dropped), dropped


def test_top_intents_and_growing_terms(db_session: Session) -> None:
    customer = make_customer(db_session).id
    rows = []
    # The previous week: 14 deposit_missing (2 a day), 7 login_problem (1 a day).
    for d in range(1, 8):
        at = NOON - timedelta(days=d)
        rows += [_ticket(customer, "deposit_missing", at, "USDT deposit not credited")] * 2
        rows += [_ticket(customer, "login_problem", at, "cannot log in, password wrong")]
    # The day: 6 deposit_missing (TRC20 and zh words, an address, a hash, a ticket number),
    # 1 login_problem, 2 not classified; one ticket just after the day does not count.
    words = f"USDT TRC20 deposit pending 充值没到账 {TRON_ADDRESS} {TX_HASH} ticket 1042"
    rows += [_ticket(customer, "deposit_missing", NOON, words)] * 6
    rows += [_ticket(customer, "login_problem", NOON, "cannot log in")]
    rows += [_ticket(customer, None, NOON, "hello")] * 2
    rows += [_ticket(customer, "deposit_missing", datetime(2025, 3, 13), words)] * 5
    synthetic.add(db_session, rows)

    intents = problems.top_intents(db_session, DAY)
    assert [(r.intent, r.count, r.previous_average) for r in intents] == [
        ("deposit_missing", 6, 2.0),
        (None, 2, 0.0),
        ("login_problem", 1, 1.0),
    ]
    assert intents[0].change == 200.0 and intents[1].change is None
    assert intents[2].change == 0.0

    terms = {r.term: r for r in problems.growing_terms(db_session, DAY)}
    assert terms["trc20"].count == 6 and terms["trc20"].previous_average == 0.0
    assert terms["trc20"].growth == 7.0
    assert terms["pend"].count == 6  # stemmed, as search stores it
    assert any(has_chinese(t) for t in terms)  # 充值 / 到账
    assert terms["deposit"].growth == pytest.approx(7 / 3, abs=0.01)  # 6 vs 2 a day
    assert "login" not in terms  # 1 vs 1 a day: did not grow
    assert not {TRON_ADDRESS.lower(), TX_HASH.lower(), "1042"} & set(terms)
    ranked = list(terms)
    assert ranked.index("trc20") < ranked.index("deposit")


def test_an_empty_day(db_session: Session) -> None:
    assert problems.top_intents(db_session, date(2024, 1, 1)) == []
    assert problems.growing_terms(db_session, date(2024, 1, 1)) == []
