"""Cost of the faithfulness check per reply: ``claims(reply)`` + ``check_faithful(reply,
sources)``, the work ``generative.finish_reply`` adds to every reply (twice with the openai
backend: the draft and the generated text, the second against sources already read).

The replies are the bundled knowledge base's sections (both languages) rendered with the
exchange's values, the way the engine answers with them, each with its citation line and the
feedback question appended; the sources are the section itself, with its title and link.

- **cold**: the sources' facts are read anew for each reply (the cache of source facts is
  emptied first): the draft's check in ``finish_reply``.
- **warm**: the same sources again: the generated text's check.

Prints per-reply times (ms) as JSON: wall clock, and for cold also this thread's CPU time
(the machine the figures in the report come from was shared, so wall-clock tails are noisy).

    .venv/bin/python bench/assistant_faithfulness.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def replies() -> list[tuple[str, list[Any]]]:
    from ledgerdesk.ai.assistant.types import Source
    from ledgerdesk.kb.render import render_text, variables

    values = variables()
    found: list[tuple[str, list[Any]]] = []
    for path in sorted((ROOT / "data" / "kb" / "articles").glob("*.md")):
        slug, lang = path.name.removesuffix(".md").rsplit(".", 1)
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        link = f"https://desk.example.com/help/articles/{slug}"
        question = "这个回答解决您的问题了吗？" if lang.startswith("zh") else "Did this solve it?"
        for section in body.split("\n## "):
            text = render_text(section, values)
            if not text.strip():
                continue
            title = text.splitlines()[0][:80]
            source = Source("article", slug, lang, text, url=link, title=title)
            found.append((f"{text}\n\n{title}: {link}\n\n{question}", [source]))
    return found


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(times: list[float]) -> dict[str, float]:
    ms = [t * 1000 for t in times]
    return {
        "p50_ms": round(percentile(ms, 0.50), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def measure(rounds: int) -> dict[str, Any]:
    from ledgerdesk.ai.assistant import faithfulness
    from ledgerdesk.ai.assistant.faithfulness import check_faithful, claims

    cases = replies()
    claims("warm up the registry vocabulary: 2 BTC on TRC20")
    cold: list[float] = []
    cold_cpu: list[float] = []
    warm: list[float] = []
    failed = 0
    for _ in range(rounds):
        for reply, sources in cases:
            faithfulness._facts.cache_clear()
            started, started_cpu = time.perf_counter(), time.thread_time()
            claims(reply)
            failed += not check_faithful(reply, sources).ok
            cold.append(time.perf_counter() - started)
            cold_cpu.append(time.thread_time() - started_cpu)
            started = time.perf_counter()
            claims(reply)
            check_faithful(reply, sources)
            warm.append(time.perf_counter() - started)
    return {
        "replies": len(cases),
        "rounds": rounds,
        "mean_reply_chars": round(statistics.fmean(len(r) for r, _ in cases)),
        "not_ok": failed,  # a section checked against itself must always pass
        "cold": summary(cold),
        "cold_cpu": summary(cold_cpu),  # this thread's CPU time: less noise on a busy machine
        "warm": summary(warm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.rounds), indent=2))


if __name__ == "__main__":
    main()
