"""The complaints register export, checked against a fixed history (golden files under
tests/cases/fixtures/), on SQLite and PostgreSQL; the console page, the API and the
``ledgerdesk cases export`` command with their permissions and their answers to bad input."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ledgerdesk.cases import register_export as export
from ledgerdesk.cases.models import CaseKind
from ledgerdesk.cli import app as cli_app
from ledgerdesk.core import i18n
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.settings import get_settings
from tests.cases.fixtures.register_history import AS_OF, END, START, History, build_history
from tests.conftest import bearer
from tests.tickets.test_views import console_login

QUERY = export.make_query(START, END)


@pytest.fixture
def history(db_session: Session) -> History:
    return build_history(db_session)


def _text(body: bytes) -> str:
    assert body.startswith("\ufeff".encode()), "a byte-order mark first, for Excel"
    text = body.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n", "\n")


def test_the_register_matches_the_golden_file(db_session: Session, history: History) -> None:
    rows = export.load_rows(db_session, QUERY)
    assert _text(export.cases_csv(rows, AS_OF)) == history.golden("register_cases.csv")


def test_the_steps_match_the_golden_file(db_session: Session, history: History) -> None:
    rows = export.load_rows(db_session, QUERY)
    assert _text(export.steps_csv(rows)) == history.golden("register_steps.csv")


def test_the_range_and_the_kind_choose_the_rows(db_session: Session, history: History) -> None:
    def references(query: export.RegisterQuery) -> list[str]:
        return [r.reference for r in export.load_rows(db_session, query)]

    refs = {k: c.reference for k, c in history.cases.items()}
    assert references(export.make_query(START, END, CaseKind.appeal)) == [refs["d"]]
    assert references(export.make_query(date(2024, 4, 2), date(2024, 4, 15))) == [
        refs["c"],
        refs["d"],
    ]
    # the last day is included whole; the day before the first is not
    assert references(export.make_query(date(2024, 2, 28), date(2024, 2, 28))) == [refs["g"]]
    assert references(export.make_query(date(2024, 2, 29), date(2024, 3, 3))) == []


def test_the_export_speaks_the_viewers_language(db_session: Session, history: History) -> None:
    rows = export.load_rows(db_session, QUERY)
    i18n.set_locale("zh-CN")
    try:
        table = list(csv.reader(io.StringIO(_text(export.cases_csv(rows, AS_OF)))))
        steps = list(csv.reader(io.StringIO(_text(export.steps_csv(rows)))))
    finally:
        i18n.set_locale("en")
    head = dict(zip(table[0], table[2], strict=True))  # case B
    assert head["编号"] == history.cases["b"].reference
    assert (head["状态"], head["结果"], head["超出时限"]) == ("已决定", "部分成立", "法定时限")
    assert head["适用法规"] == "英国 FCA DISP：八周"
    assert steps[0][:3] == ["编号", "序号", "步骤"] and steps[13][2] == "延期通知"  # B, step 5


def test_bad_ranges_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="after the end"):
        export.make_query(date(2024, 5, 1), date(2024, 4, 1))
    with pytest.raises(InvalidInput, match="at most 3660 days"):
        export.make_query(date(2000, 1, 1), date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="1900 to 9998"):
        export.make_query(None, date(9999, 12, 31))
    default = export.make_query()
    assert (default.end - default.start).days == export.DEFAULT_DAYS - 1


# --- pages, API and command, on committed data ---------------------------------------------


@pytest.fixture(scope="module")
def committed(app: Any) -> History:
    """The fixed history committed once in the app's database (no other test uses 2024)."""
    with app.state.sessionmaker() as session:
        history = build_history(session)
        session.commit()
    return history


PARAMS = {"start": START.isoformat(), "end": END.isoformat()}


def test_leads_see_the_register_page_and_download_it(
    client: TestClient, seeded: dict[str, Any], committed: History
) -> None:
    console_login(client, seeded["lead"].email)
    page = client.get("/console/cases/register", params=PARAMS)
    assert page.status_code == 200
    assert committed.cases["b"].reference in page.text  # in the breaches table
    assert 'id="register-timings"' in page.text and "/console/cases/register.pdf?" in page.text
    steps = client.get("/console/cases/register.csv", params={**PARAMS, "table": "steps"})
    assert steps.headers["content-type"].startswith("text/csv")
    assert (
        'filename="register-steps-2024-03-01-2024-05-31.csv"'
        in steps.headers["content-disposition"]
    )
    assert _text(steps.content) == committed.golden("register_steps.csv")
    document = client.get("/console/cases/register.pdf", params=PARAMS)
    assert document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF-")


def test_agents_and_customers_may_not_see_the_register(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    for path in ("/api/v1/cases/register", "/api/v1/cases/register.csv"):
        assert client.get(path, headers=bearer(seeded["agent_token"])).status_code == 403
        assert client.get(path).status_code == 401
    console_login(client, seeded["agent"].email)
    for path in ("/console/cases/register", "/console/cases/register.csv"):
        assert client.get(path).status_code == 403


def test_the_api_gives_the_analysis_and_the_csv(
    client: TestClient, seeded: dict[str, Any], committed: History
) -> None:
    lead = bearer(seeded["lead_token"])
    answer = client.get("/api/v1/cases/register", params=PARAMS, headers=lead)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["received"], body["answered"], body["closed"], body["unanswered"]) == (6, 4, 2, 2)
    assert [c["reference"] for c in body["breaches"]["cases"]] == [
        committed.cases["b"].reference,  # "limit", answered
        committed.cases["e"].reference,  # "target", still open today (2024 is long gone)
    ]
    appeals = client.get(
        "/api/v1/cases/register", params={**PARAMS, "kind": "appeal"}, headers=lead
    )
    assert appeals.json()["received"] == 1
    table = client.get("/api/v1/cases/register.csv", params=PARAMS, headers=lead)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_text(table.content))))
    assert [r[0] for r in rows[1:]] == [committed.cases[k].reference for k in "abcdef"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2024-05-01", "end": "2024-04-01"}, "start"),
        ({"start": "2024-13-01"}, "start"),
        ({"kind": "parking"}, "kind"),
        ({"table": "everything"}, "table"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_bad_filters_get_a_422_naming_the_field(
    client: TestClient, seeded: dict[str, Any], params: dict[str, str], field: str
) -> None:
    answer = client.get(
        "/api/v1/cases/register.csv", params=params, headers=bearer(seeded["admin_token"])
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    named = {error.get("field")} | {d["field"] for d in error.get("details", [])}
    assert any(field in str(n) for n in named), error


def test_a_bad_range_on_the_page_says_why_in_chinese(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    console_login(client, seeded["lead"].email)
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get(
        "/console/cases/register", params={"start": "2024-05-01", "end": "2024-04-01"}
    )
    assert page.status_code == 422
    assert "开始日期晚于结束日期" in page.text and "投诉登记簿" in page.text


# --- ledgerdesk cases export ---------------------------------------------------------------------


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LEDGERDESK_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    i18n.set_locale("en")


def _export(*args: str) -> Any:
    return CliRunner().invoke(cli_app, ["cases", "export", *args])


def test_the_command_writes_the_register(tmp_path: Path, cli_env: None, committed: History) -> None:
    out = tmp_path / "register.csv"
    result = _export("--from", "2024-03-01", "--to", "2024-05-31", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "6 cases" in result.output
    rows = list(csv.reader(io.StringIO(_text(out.read_bytes()))))
    assert [r[0] for r in rows[1:]] == [committed.cases[k].reference for k in "abcdef"]
    assert rows[1][-2:] != ["", ""]  # days taken and the breach are filled
    steps = tmp_path / "steps.csv"
    args = ("--from", "2024-03-01", "--to", "2024-05-31", "--table", "steps", "--out", str(steps))
    assert _export(*args).exit_code == 0
    assert _text(steps.read_bytes()) == committed.golden("register_steps.csv")
    report = tmp_path / "report.pdf"
    args = ("--from", "2024-03-01", "--to", "2024-05-31", "--format", "pdf", "--lang", "zh-CN")
    assert _export(*args, "--out", str(report)).exit_code == 0
    assert report.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-02-30"), "not a date"),
        (("--from", "2024-05-01", "--to", "2024-04-01"), "after the end date"),
        (("--format", "docx"), "docx"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_2(
    tmp_path: Path, cli_env: None, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "x.csv"
    result = _export(*args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_the_command_says_when_it_cannot_write(tmp_path: Path, cli_env: None) -> None:
    result = _export("--out", str(tmp_path / "missing" / "x.csv"))
    assert result.exit_code == 1 and "cannot write" in result.output


def test_a_day_in_the_register_is_utc_midnight_to_midnight() -> None:
    query = export.make_query(date(2024, 3, 1), date(2024, 3, 1))
    assert (query.since, query.until) == (datetime(2024, 3, 1), datetime(2024, 3, 2))
    assert query.params() == {"start": "2024-03-01", "end": "2024-03-01"}
