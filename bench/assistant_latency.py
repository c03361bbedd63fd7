"""How long the assistant takes to reply (issue 14 goal: p95 < 300 ms for the extractive
backend without tools), with knowledge-base search alone on the same messages as the
baseline measured in the same run.

The desk is the one ``bench/assistant_eval.py`` builds (temp SQLite, the bundled knowledge
base imported and indexed). The messages are every message of the evaluation set (all
splits: nothing is tuned on latency), shuffled with a fixed seed, in ``--passes`` passes:

- **assistant**: ``engine.answer(session, text, Context(), settings)``, one session per call,
  the guard outside the timing (every entry point runs it before the engine);
- **search alone**: ``search.services.search_articles(session, text, lang=..., limit=5)``
  with the article language of the message's label, what the engine's retrieval starts from.

Before every timed call, the search's query-vector cache and the Chinese analysis cache are
emptied (outside the timing), so a message never profits from having been asked before, by
itself or by the other figure. One untimed warm-up call of each loads the models. The
assistant's figures are given for all replies and for the replies where no tool ran
(``reply.tool is None``; the goal's "without tools"); with no customer and no tx hash, tools
can only ask for what is missing. The configured backend is used (extractive by default);
the JSON records it.

    .venv/bin/python bench/assistant_latency.py                 # 2 passes (~2 x 407 calls)
    .venv/bin/python bench/assistant_latency.py --passes 1 --json /tmp/latency.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant_eval import EVAL_SET, RESULTS, bundled_kb_desk
from http_load import percentile
from run_all import cpu_calibration, log, machine_info, table, wait_quiet
from sqlalchemy.orm import Session, sessionmaker

from ledgerdesk.ai.assistant import engine
from ledgerdesk.ai.assistant.evaluation import Item, load
from ledgerdesk.ai.assistant.types import Context, Reply
from ledgerdesk.ai.guard import redact
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.search import analysis
from ledgerdesk.search import services as search

GOAL_P95_MS = 300.0
SEED = 20261206


def article_lang(item: Item) -> str:
    return "en" if item.lang == "en" else "zh-CN"


def stats(samples: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples, default=0.0), 2),
        "mean_ms": round(sum(samples) / len(samples), 2) if samples else 0.0,
    }


def forget_queries(session: Session) -> None:
    """Empty the caches a repeated query would profit from (outside the timing)."""
    search._live(session).queries.clear()
    analysis._analyse_cjk.cache_clear()


def timed(
    factory: sessionmaker[Session], items: Sequence[Item], call: Callable[[Session, Item], Any]
) -> list[tuple[Item, float, Any]]:
    out = []
    for item in items:
        with factory() as session:
            forget_queries(session)
            started = time.perf_counter()
            result = call(session, item)
            out.append((item, (time.perf_counter() - started) * 1000, result))
            session.rollback()
    return out


def run(passes: int, quiet_wait_s: float) -> dict[str, Any]:
    settings: Settings = get_settings()
    items = load(EVAL_SET)
    guarded = {item.id: redact(item.text) for item in items}

    def assistant(session: Session, item: Item) -> Reply:
        return engine.answer(session, guarded[item.id], Context(), settings)

    def search_alone(session: Session, item: Item) -> int:
        hits = search.search_articles(session, guarded[item.id], lang=article_lang(item), limit=5)
        return len(hits)

    report: dict[str, Any] = {
        "command": "bench/assistant_latency.py " + " ".join(sys.argv[1:]),
        "machine": machine_info(),
        "settings": {
            "assistant_backend": settings.assistant_backend,
            "assistant_min_confidence": settings.assistant_min_confidence,
        },
        "messages": len(items),
        "passes": passes,
        "goal_p95_ms": GOAL_P95_MS,
    }
    with bundled_kb_desk() as (factory, kb):
        report["kb"] = kb
        timed(factory, items[:1], assistant)  # warm-up: models, index, templates
        timed(factory, items[:1], search_alone)
        report["other_load_before"] = wait_quiet(quiet_wait_s)
        report["cpu_calibration_ms"] = cpu_calibration()
        rng = random.Random(SEED)
        engine_runs: list[tuple[Item, float, Any]] = []
        search_runs: list[tuple[Item, float, Any]] = []
        for n in range(passes):
            order = list(items)
            rng.shuffle(order)
            engine_runs += timed(factory, order, assistant)
            search_runs += timed(factory, order, search_alone)
            log(f"  pass {n + 1}/{passes} done")
        report["cpu_calibration_ms_after"] = cpu_calibration()
    report["rows"] = rows(engine_runs, search_runs)
    headline = next(r for r in report["rows"] if r["figure"] == "assistant, no tool ran")
    report["goal_met"] = headline["n"] > 0 and headline["p95_ms"] < GOAL_P95_MS
    return report


def rows(
    engine_runs: list[tuple[Item, float, Any]], search_runs: list[tuple[Item, float, Any]]
) -> list[dict[str, Any]]:
    def row(figure: str, samples: list[float]) -> dict[str, Any]:
        return {"figure": figure, **stats(samples)}

    out = [
        row("assistant, all replies", [ms for _, ms, _ in engine_runs]),
        row("assistant, no tool ran", [ms for _, ms, r in engine_runs if r.tool is None]),
        row("assistant, a tool ran", [ms for _, ms, r in engine_runs if r.tool is not None]),
    ]
    for action in ("answer", "handover"):
        out.append(
            row(f"assistant, {action}s", [ms for _, ms, r in engine_runs if r.action == action])
        )
    for lang in ("en", "zh-Hans", "zh-Hant"):
        out.append(row(f"assistant, {lang}", [ms for i, ms, _ in engine_runs if i.lang == lang]))
    out.append(row("baseline: search alone", [ms for _, ms, _ in search_runs]))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--passes", type=int, default=2, help="timed passes over the set")
    parser.add_argument(
        "--quiet-wait", type=float, default=10.0, help="seconds to wait for a quiet machine"
    )
    parser.add_argument("--json", type=Path, default=None, help="results file")
    args = parser.parse_args(argv)
    try:
        report = run(max(1, args.passes), args.quiet_wait)
    except NotImplementedError as exc:
        print(f"the assistant engine is not there yet: {exc}", file=sys.stderr)
        return 2
    columns = [(k, k.replace("_", " ")) for k in ("figure", "n", "p50_ms", "p95_ms", "p99_ms")]
    print("\n" + table(report["rows"], [*columns, ("max_ms", "max ms")]))
    verdict = "met   " if report["goal_met"] else "MISSED"
    print(f"goal {verdict} p95 < {GOAL_P95_MS:.0f} ms without tools")
    output = args.json or RESULTS / "assistant_latency.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"JSON: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
