"""The assistant on its labelled evaluation set (issue 14): correct cited answers, handovers,
wrong-language replies and unsupported numbers, per language, with the reasons confused and
every failure listed.

A fresh SQLite desk (migrations, the bundled knowledge base ``data/kb`` imported and indexed
through the outbox, exactly as ``ledgerdesk kb import`` + the worker do), then for each
message of ``tests/assistant/eval/messages.jsonl`` in the chosen split: the guard, then
``engine.answer(session, text, Context(), settings)`` (no customer, no earlier turns: the
situation of ``ledgerdesk assistant ask`` without ``--customer``), scored by
``ledgerdesk.ai.assistant.evaluation`` (definitions in docs/assistant.md, "The evaluation
set"); unsupported numbers by ``faithfulness.check_faithful(reply.reply, reply.sources)``.

The backend is the configured one (``LEDGERDESK_ASSISTANT_BACKEND``, extractive by default);
the JSON records it. Tune on ``tune``; report ``holdout`` in bench/RESULTS.md, and do not
change the engine after reading its failures.

    .venv/bin/python bench/assistant_eval.py                   # the tune split
    .venv/bin/python bench/assistant_eval.py --split holdout   # the untouched part
    .venv/bin/python bench/assistant_eval.py --split all --failures 0 --json /tmp/eval.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))

from run_all import cpu_calibration, log, machine_info, table  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from ledgerdesk.accounts.services import SYSTEM  # noqa: E402
from ledgerdesk.ai.assistant import engine  # noqa: E402
from ledgerdesk.ai.assistant.evaluation import (  # noqa: E402
    LANGS,
    FaithChecker,
    Item,
    Outcome,
    Score,
    goals,
    in_split,
    judge,
    load,
)
from ledgerdesk.ai.assistant.types import Context  # noqa: E402
from ledgerdesk.ai.guard import redact  # noqa: E402
from ledgerdesk.core.db import make_engine, make_sessionmaker  # noqa: E402
from ledgerdesk.core.migrate import upgrade  # noqa: E402
from ledgerdesk.core.paths import shipped_data_dir  # noqa: E402
from ledgerdesk.core.settings import Settings, get_settings  # noqa: E402
from ledgerdesk.jobs import outbox  # noqa: E402
from ledgerdesk.kb.importer import import_path  # noqa: E402
from ledgerdesk.kb.models import Article  # noqa: E402
from ledgerdesk.search import services as search  # noqa: E402
from ledgerdesk.search.models import SearchDocument  # noqa: E402

EVAL_SET = ROOT / "tests" / "assistant" / "eval" / "messages.jsonl"
RESULTS = BENCH_DIR / "results"


@contextmanager
def bundled_kb_desk() -> Iterator[tuple[sessionmaker[Session], dict[str, Any]]]:
    """A temp SQLite desk with the bundled knowledge base imported and indexed; yields the
    session factory and what was loaded (articles, translations, seconds)."""
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-assistant-") as folder:
        db = make_engine(f"sqlite:///{Path(folder) / 'assistant.db'}")
        try:
            upgrade(db)
            factory = make_sessionmaker(db)
            started = time.perf_counter()
            with factory() as session:
                report = import_path(session, shipped_data_dir() / "kb", SYSTEM)
                if report.errors:
                    raise SystemExit(f"importing the bundled KB failed: {report.errors[:3]}")
                session.commit()
            imported = time.perf_counter() - started
            started = time.perf_counter()
            jobs = outbox.run_pending(factory)
            with factory() as session:
                docs = session.scalar(select(func.count()).select_from(SearchDocument))
            info = {
                "translations_indexed": docs,
                "import_s": round(imported, 2),
                "index_jobs": jobs,
                "index_s": round(time.perf_counter() - started, 2),
            }
            log(f"bundled KB: {docs} translations indexed ({info})")
            yield factory, info
        finally:
            db.dispose()


def faithfulness_checker() -> FaithChecker | None:
    """``check_faithful`` when the faithfulness module is there (it is another branch's)."""
    try:
        from ledgerdesk.ai.assistant.faithfulness import check_faithful
    except ImportError:
        log("ledgerdesk.ai.assistant.faithfulness is missing: unsupported numbers NOT checked")
        return None
    return check_faithful


def run_items(
    factory: sessionmaker[Session],
    items: Sequence[Item],
    settings: Settings,
    faithful: FaithChecker | None,
) -> list[Outcome]:
    """engine.answer on every item (guarded first, as every entry point does), one session
    each, rolled back after (the engine never writes; the rollback makes sure)."""
    outcomes = []
    for n, item in enumerate(items, 1):
        with factory() as session:
            text = redact(item.text)
            started = time.perf_counter()
            reply = engine.answer(session, text, Context(), settings)
            elapsed = (time.perf_counter() - started) * 1000
            session.rollback()
        outcomes.append(judge(item, reply, faithful, elapsed))
        if n % 50 == 0:
            log(f"  {n}/{len(items)}")
    return outcomes


def search_baseline(factory: sessionmaker[Session], items: Sequence[Item]) -> dict[str, Any]:
    """What search alone would cite: the top hit of ``search_articles`` (the article language
    of the label, as the engine's retrieval) against the acceptable slugs of each answerable
    message. A reference for the engine's retrieval, not a goal."""
    answerable = [i for i in items if i.expect == "answer"]
    hits: dict[str, int] = {}
    with factory() as session:
        slugs = {i: slug for i, slug in session.execute(select(Article.id, Article.slug))}
        for item in answerable:
            lang = "en" if item.lang == "en" else "zh-CN"
            found = search.search_articles(session, redact(item.text), lang=lang, limit=5)
            hits[item.id] = int(bool(found) and slugs[found[0].article_id] in item.slugs)
    out: dict[str, Any] = {}
    for lang in ("all", *LANGS):
        mine = [i for i in answerable if lang in ("all", i.lang)]
        right = sum(hits[i.id] for i in mine)
        out[lang] = {
            "answerable": len(mine),
            "top1_acceptable": right,
            "rate": _rate(right, len(mine)),
        }
    return out


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _pct(value: Any) -> Any:
    return f"{value * 100:.1f} %" if isinstance(value, float) else value


def markdown(report: dict[str, Any]) -> str:
    score = report["score"]
    rows = [{"lang": "all", **{k: _pct(score[k]) for k in COLUMNS_KEYS}}] + [
        {"lang": lang, **{k: _pct(row[k]) for k in COLUMNS_KEYS}}
        for lang, row in score["per_language"].items()
    ]
    baseline = ", ".join(
        f"{lang} {_pct(row['rate'])}" for lang, row in report["baseline_search_top1"].items()
    )
    confusion = [
        {"expected": expected, "got": ", ".join(f"{k} {v}" for k, v in got.items())}
        for expected, got in score["reason_confusion"].items()
    ]
    parts = [
        f"split {report['split']}: {score['messages']} messages, backend "
        f"{report['settings']['assistant_backend']}",
        table(rows, COLUMNS),
        "",
        table(confusion, [("expected", "expected"), ("got", "the assistant did")]),
        "",
        f"baseline, search alone, top hit acceptable: {baseline}",
    ]
    return "\n".join(parts)


COLUMNS = [
    ("lang", "lang"),
    ("answerable", "answerable"),
    ("correct_cited_answers", "correct cited"),
    ("correct_cited_answer_rate", "rate"),
    ("must_handover", "must hand over"),
    ("handovers", "handed over"),
    ("handover_rate", "rate"),
    ("reason_agreement", "same reason"),
    ("wrong_language", "wrong language"),
    ("unsupported_numbers", "unsupported numbers"),
]
COLUMNS_KEYS = [key for key, _ in COLUMNS if key != "lang"]


def run(split: str) -> dict[str, Any]:
    settings = get_settings()
    items = in_split(load(EVAL_SET), split)
    report: dict[str, Any] = {
        "command": "bench/assistant_eval.py " + " ".join(sys.argv[1:]),
        "machine": machine_info(),
        "cpu_calibration_ms": cpu_calibration(),
        "eval_set": str(EVAL_SET.relative_to(ROOT)),
        "split": split,
        "settings": {
            "assistant_backend": settings.assistant_backend,
            "assistant_min_confidence": settings.assistant_min_confidence,
            "assistant_openai_model": settings.assistant_openai_model,
        },
        "messages_by_lang": {lang: sum(i.lang == lang for i in items) for lang in LANGS},
    }
    faithful = faithfulness_checker()
    report["faithfulness_checked"] = faithful is not None
    with bundled_kb_desk() as (factory, kb):
        report["kb"] = kb
        started = time.perf_counter()
        outcomes = run_items(factory, items, settings, faithful)
        report["run_s"] = round(time.perf_counter() - started, 1)
        report["baseline_search_top1"] = search_baseline(factory, items)
    score = Score(outcomes)
    report["score"] = score.as_dict()
    met: dict[str, bool | None] = dict(goals(score.counts()))
    if faithful is None:
        met["0 unsupported numbers"] = None  # not checked: no faithfulness module
    report["goals_met"] = met
    report["cpu_calibration_ms_after"] = cpu_calibration()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--split", choices=("tune", "holdout", "all"), default="tune")
    parser.add_argument("--json", type=Path, default=None, help="results file")
    parser.add_argument(
        "--failures", type=int, default=40, help="failures printed (all are in the JSON)"
    )
    args = parser.parse_args(argv)
    try:
        report = run(args.split)
    except NotImplementedError as exc:
        print(f"the assistant engine is not there yet: {exc}", file=sys.stderr)
        return 2
    print("\n" + markdown(report))
    failures = report["score"]["failures"]
    for failure in failures[: args.failures]:
        print(
            f"  {failure['id']}: {failure['text'][:70]!r} expected {failure['expected']} "
            f"got {failure['action']} {failure['reason'] or failure['citations']} "
            f"({'; '.join(failure['problems'])})"
        )
    if len(failures) > args.failures:
        print(f"  ... {len(failures) - args.failures} more in the JSON")
    for name, ok in report["goals_met"].items():
        print(f"goal {'NOT CHECKED' if ok is None else 'met   ' if ok else 'MISSED'} {name}")
    output = args.json or RESULTS / f"assistant_eval_{args.split}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"JSON: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
