"""Importing and exporting the knowledge base: both formats, idempotent re-imports, a clear
reason for each bad file or line (the rest still imported), and export → import round trips.
The last tests run ``ledgerdesk kb`` as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.errors import InvalidInput
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.demo.services import load_default_kb
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.importer import export_path, import_path
from ledgerdesk.kb.models import Article, ArticleStatus, Category, Section
from tests.conftest import actor_of, make_agent, unique
from tests.kb.conftest import outbox_for

BIN = Path(sys.executable).parent / "ledgerdesk"


def front(**fields: object) -> str:
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


class Kb:
    """A folder in the Markdown layout, with slugs unique to this test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.category, self.section = unique("cat"), unique("sec")
        (root / "articles").mkdir(parents=True)
        categories = [
            {
                "slug": self.category,
                "name": {"en": "Deposits", "zh-CN": "充值"},
                "description": {"en": "Money in"},
                "sections": [{"slug": self.section, "name": {"en": "Crypto", "zh-CN": "数字资产"}}],
            }
        ]
        (root / "categories.json").write_text(json.dumps(categories, ensure_ascii=False))

    def article(self, slug: str, lang: str, title: str, body: str, **extra: object) -> Path:
        fields: dict[str, object] = {
            "id": slug,
            "lang": lang,
            "title": title,
            "category": self.category,
            "section": self.section,
            "status": "published",
            "intents": ["deposit_missing"],
            "tags": ["deposit"],
        }
        fields.update(extra)
        path = self.root / "articles" / f"{slug}.{lang}.md"
        path.write_text(front(**{k: v for k, v in fields.items() if v is not None}) + body)
        return path


@pytest.fixture
def folder(tmp_path: Path) -> Kb:
    return Kb(tmp_path / "kb")


def article(session: Session, slug: str) -> Article:
    found = session.scalar(select(Article).where(Article.slug == slug))
    assert found is not None
    return found


def test_markdown_folder_import_is_idempotent(db_session: Session, folder: Kb) -> None:
    slug = unique("deposit")
    folder.article(slug, "en", "Deposit: not credited", "## Steps\n\nWait {{ confirmations.BTC }}.")
    folder.article(slug, "zh-CN", "充值未到账", "请等待 {{ confirmations.BTC }} 个确认。")
    report = import_path(db_session, folder.root, SYSTEM)
    assert report.errors == [] and report.warnings == []
    assert (report.articles_created, report.translations_created, report.unchanged) == (1, 2, 0)
    assert (report.categories, report.sections) == (1, 1)
    imported = article(db_session, slug)
    assert imported.status == ArticleStatus.published and imported.published_at is not None
    assert imported.section.slug == folder.section and imported.tags == ["deposit"]
    assert {t.lang: t.title for t in imported.translations} == {
        "en": "Deposit: not credited",
        "zh-CN": "充值未到账",
    }
    assert outbox_for(db_session, imported.id) == 2

    again = import_path(db_session, folder.root, SYSTEM)
    assert (again.unchanged, again.translations_updated, again.errors) == (2, 0, [])
    assert outbox_for(db_session, imported.id) == 2

    folder.article(slug, "en", "Deposit: not credited", "## Steps\n\nWait longer.")
    changed = import_path(db_session, folder.root, SYSTEM)
    assert (changed.translations_updated, changed.unchanged) == (1, 1)
    assert {t.lang: t.version for t in imported.translations} == {"en": 2, "zh-CN": 1}


def test_import_keeps_status_when_the_file_names_none(db_session: Session, folder: Kb) -> None:
    slug = unique("a")
    folder.article(slug, "en", "Title", "Body", status=None)
    import_path(db_session, folder.root, SYSTEM)
    imported = article(db_session, slug)
    assert imported.status == ArticleStatus.published  # the default for new articles
    kb.do_set_status(db_session, SYSTEM, imported, ArticleStatus.archived)
    import_path(db_session, folder.root, SYSTEM)
    assert article(db_session, slug).status == ArticleStatus.archived


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("no-front.en.md", b"# Just markdown\n", "no front matter"),
    ("open.en.md", b"---\nid: x\n", "not closed"),
    ("yaml.en.md", b"---\nid: [unclosed\n---\nBody", "bad YAML"),
    ("list.en.md", b"---\n- a\n- b\n---\nBody", "mapping of fields"),
    ("utf8.en.md", b"---\nid: utf\nlang: en\ntitle: x\n---\n\xff\xfe bad", "not valid UTF-8"),
]


def test_each_bad_file_is_reported_and_the_rest_imported(db_session: Session, folder: Kb) -> None:
    good = unique("good")
    folder.article(good, "en", "Good one", "Fine body")
    for name, data, _ in BAD_FILES:
        (folder.root / "articles" / name).write_bytes(data)
    folder.article(unique("t"), "en", "", "Body")
    folder.article(unique("l"), "fr", "Titre", "Corps")
    folder.article(unique("i"), "en", "Title", "Body", intents=["moon_landing"])
    folder.article(unique("p"), "en", "Title", "Wait {{ confirmations.BTX }} blocks")
    folder.article(unique("s"), "en", "Title", "Body", status="live")
    folder.article("Bad_Slug", "en", "Title", "Body")
    report = import_path(db_session, folder.root, SYSTEM)
    messages = {issue.source.rsplit("/", 1)[-1]: issue.message for issue in report.errors}
    for name, _, needle in BAD_FILES:
        assert needle in messages[name], (name, messages.get(name))
    text = "\n".join(str(e) for e in report.errors)
    for needle in (
        "missing field 'title'",
        "unknown language 'fr'",
        "unknown intent 'moon_landing'",
        "unknown placeholder {{ confirmations.BTX }}",
        "unknown status 'live'",
        "article id 'Bad_Slug' is not valid",
    ):
        assert needle in text.lower() or needle in text, needle
    assert len(report.errors) == len(BAD_FILES) + 6
    assert report.translations_created == 1 and article(db_session, good).translations


def test_missing_sections_are_created_under_general(db_session: Session, tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    new_section, no_section = unique("sec"), unique("a")
    (root / "one.md").write_text(
        front(id=unique("a"), lang="en", title="T", section=new_section) + "B"
    )
    (root / "two.md").write_text(front(id=no_section, lang="en", title="T") + "B")
    report = import_path(db_session, root, SYSTEM)
    assert report.errors == [] and report.articles_created == 2
    assert [w.message for w in report.warnings] == [
        f"section '{new_section}' was new: created under 'general'"
    ]
    created = db_session.scalar(select(Section).where(Section.slug == new_section))
    assert created is not None and created.category.slug == "general"
    assert article(db_session, no_section).section.slug == "general"


def test_jsonl_import_reports_bad_lines(db_session: Session, tmp_path: Path) -> None:
    ok, other = unique("ok"), unique("ok")
    lines = [
        json.dumps({"id": ok, "lang": "en", "title": "USDT deposit", "body": "Wait."}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": unique("x"), "lang": "en", "title": "No body"}),
        json.dumps({"id": unique("x"), "lang": "xx", "title": "T", "body": "B"}),
        json.dumps({"id": unique("x"), "lang": "en", "title": "T", "body": "{{ nope }}"}),
        json.dumps({"id": unique("x"), "lang": "en", "title": "T", "body": "B", "intents": "x y"}),
        json.dumps(
            {"id": other, "lang": "zh", "title": "充值", "body": "等待", "status": "internal"},
            ensure_ascii=False,
        ),
    ]
    path = tmp_path / "kb.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe\n")
    report = import_path(db_session, path, SYSTEM)
    errors = {e.source: e.message for e in report.errors}
    assert set(errors) == {f"line {n}" for n in (3, 4, 5, 6, 7, 8, 10)}
    assert "not valid JSON" in errors["line 3"]
    assert "JSON object" in errors["line 4"]
    assert "missing field 'body'" in errors["line 5"]
    assert "nknown language 'xx'" in errors["line 6"]
    assert "{{ nope }}" in errors["line 7"]
    assert "nknown intent 'x'" in errors["line 8"]
    assert "UTF-8" in errors["line 10"]
    assert report.articles_created == 2
    assert article(db_session, ok).status == ArticleStatus.published
    internal = article(db_session, other)
    assert internal.status == ArticleStatus.internal and internal.translations[0].lang == "zh-CN"


def test_a_json_array_file_is_read_like_json_lines(db_session: Session, tmp_path: Path) -> None:
    slug = unique("arr")
    items = [
        {"id": slug, "lang": "en", "title": "Fees", "body": "Maker {{ maker_fee }}"},
        {"id": slug, "lang": "zh-CN", "title": "手续费", "body": "挂单 {{ maker_fee }}"},
        {"id": unique("arr"), "lang": "en", "title": "No body"},
    ]
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2))
    report = import_path(db_session, path, SYSTEM)
    assert [str(e) for e in report.errors] == ["item 3: missing field 'body'"]
    assert report.articles_created == 1 and report.translations_created == 2
    path.write_text('[{"id": "x",')
    broken = import_path(db_session, path, SYSTEM)
    assert [e.source for e in broken.errors] == ["file"]
    assert broken.errors[0].message.startswith("not valid JSON")


def test_duplicate_translation_in_one_import(db_session: Session, tmp_path: Path) -> None:
    slug = unique("dup")
    path = tmp_path / "dup.jsonl"
    row = {"id": slug, "lang": "en", "title": "T", "body": "B"}
    path.write_text(json.dumps(row) + "\n" + json.dumps({**row, "body": "C"}) + "\n")
    report = import_path(db_session, path, SYSTEM)
    assert [str(e) for e in report.errors] == [
        f"line 2: '{slug}' in en was already imported from line 1"
    ]


def test_bad_categories_file_is_reported(db_session: Session, folder: Kb) -> None:
    (folder.root / "categories.json").write_text("[{")
    folder.article(unique("a"), "en", "T", "B")
    report = import_path(db_session, folder.root, SYSTEM)
    assert [e.source for e in report.errors] == ["categories.json"]
    assert report.articles_created == 1  # under 'general', since the section is unknown


@pytest.mark.parametrize("kind", ["missing", "txt", "empty-dir"])
def test_unusable_paths(db_session: Session, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.txt"
    if kind == "txt":
        path.write_text("hello")
    elif kind == "empty-dir":
        path = tmp_path / "empty"
        path.mkdir()
    with pytest.raises(InvalidInput):
        import_path(db_session, path, SYSTEM)


def test_agents_cannot_import_published_articles(db_session: Session, folder: Kb) -> None:
    agent = actor_of(make_agent(db_session, Role.agent))
    folder.article(unique("a"), "en", "T", "B")
    report = import_path(db_session, folder.root, agent)
    assert report.articles_created == 0
    assert any("can do this" in e.message for e in report.errors)


def test_export_then_import_round_trips(db_session: Session, folder: Kb, tmp_path: Path) -> None:
    slug = unique("rt")
    folder.article(slug, "en", "Fees: maker {{ maker_fee }}", "## Fees\n\n- maker\n- taker\n")
    folder.article(
        slug, "zh-CN", "手续费说明", "## 手续费\n\n挂单 {{ maker_fee }}", tags=["fees", "费率"]
    )
    assert import_path(db_session, folder.root, SYSTEM).errors == []
    out = tmp_path / "export"
    assert export_path(db_session, out) >= 2
    exported = (out / "articles" / f"{slug}.zh-CN.md").read_text()
    assert exported.startswith(f"---\nid: {slug}\nlang: zh-CN\ntitle: 手续费说明\n")
    assert "tags: [fees, 费率]" in exported and "挂单 {{ maker_fee }}" in exported
    categories = json.loads((out / "categories.json").read_text())
    assert folder.category in {c["slug"] for c in categories}

    report = import_path(db_session, out, SYSTEM)
    assert report.errors == [] and report.translations_updated == 0
    assert report.translations_created == 0 and report.unchanged >= 2
    second = tmp_path / "export2"
    export_path(db_session, second)
    for file in (out / "articles").iterdir():
        assert (second / "articles" / file.name).read_text() == file.read_text()
    category = db_session.scalar(select(Category).where(Category.slug == folder.category))
    assert category is not None and category.description == {"en": "Money in"}


# --- the command line -------------------------------------------------------------------


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEDGERDESK_DATABASE_URL"}
    env["LEDGERDESK_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_import_and_export(tmp_path: Path, folder: Kb) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    slug = unique("cli")
    folder.article(slug, "en", "CLI article", "Body")
    done = run(tmp_path, "kb", "import", str(folder.root))
    assert done.returncode == 0, done.stderr
    assert "1 new article(s)" in done.stderr

    (folder.root / "articles" / "broken.en.md").write_text("---\nid: [\n---\n")
    partial = run(tmp_path, "kb", "import", str(folder.root))
    assert partial.returncode == 2 and "Traceback" not in partial.stderr
    assert "articles/broken.en.md: bad YAML in the front matter" in partial.stderr
    assert "1 unchanged" in partial.stderr

    missing = run(tmp_path, "kb", "import", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr

    out = tmp_path / "out"
    exported = run(tmp_path, "kb", "export", str(out))
    assert exported.returncode == 0 and (out / "articles" / f"{slug}.en.md").exists()
    (tmp_path / "file").write_text("x")
    refused = run(tmp_path, "kb", "export", str(tmp_path / "file"))
    assert refused.returncode == 2 and "not a folder" in refused.stderr


def test_cli_without_schema_says_what_to_do(tmp_path: Path, folder: Kb) -> None:
    folder.article(unique("a"), "en", "T", "B")
    result = run(tmp_path, "kb", "import", str(folder.root))
    assert result.returncode == 1 and "ledgerdesk migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_kb_loads_into_an_empty_knowledge_base_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    upgrade(engine)
    try:
        with make_sessionmaker(engine)() as session:
            report = load_default_kb(session)
            assert report is not None and report.articles_created >= 40, report
            assert report.translations_created == 2 * report.articles_created
            session.commit()
            assert load_default_kb(session) is None
            deposits = session.scalar(select(Category).where(Category.slug == "deposits"))
            assert deposits is not None and deposits.name["zh-CN"] == "充值"
    finally:
        engine.dispose()


def test_demo_command_loads_the_default_kb_once(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    created = run(
        tmp_path, "agent", "create", "--email", "a@x.io", "--name", "A", "--password", "p" * 12
    )
    assert created.returncode == 0, created.stderr
    first = run(tmp_path, "demo", "--if-empty")
    assert first.returncode == 0, first.stderr
    assert "demo not loaded" in first.stderr and "Knowledge base loaded:" in first.stderr
    second = run(tmp_path, "demo", "--if-empty")
    assert second.returncode == 0 and "Knowledge base loaded" not in second.stderr
