"""The secret guard: quality on our labelled sets and other corpora, and throughput.

    .venv/bin/python bench/guard.py            # everything (~1-2 min)
    .venv/bin/python bench/guard.py --quick    # fewer synthetic phrases and rounds
    .venv/bin/python bench/guard.py --json     # one JSON object at the end

Quality:
- tests/guard/data/labelled.jsonl (the guard was tuned on it), holdout.jsonl (written
  separately; measured once, then the guard was changed after seeing its misses) and
  holdout2.jsonl (measured once, then tuned on) and holdout3.jsonl (written last; measured
  once, only a keep-side fix after): recall, false-positive rate, kept strings;
- other clean text: BANKING77 (13,083 real banking-support messages, if
  ../shared/data/banking77 exists) and every paragraph of our help-center articles;
- synthetic recall: random phrases of every wordlist in every layout, 12-24 words.

Speed (one thread): messages per second over the labelled sets, per-message latency
percentiles, and the hostile cases (a 100 KB message, a message with 10,000 URLs).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mnemonic import Mnemonic  # noqa: E402

from ledgerdesk.ai.guard import scan  # noqa: E402
from ledgerdesk.ai.guard.evaluation import Report, evaluate, load  # noqa: E402

DATA = ROOT / "tests" / "guard" / "data"
# regressions.jsonl: the review's cases from issue 11 (error codes, hashes with code-like digits).
SETS = ("labelled.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl", "regressions.jsonl")
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"

LAYOUTS: dict[str, Callable[[list[str]], str]] = {
    "spaces": lambda w: " ".join(w),
    "numbered": lambda w: " ".join(f"{i}.{x}" for i, x in enumerate(w, 1)),
    "lines": lambda w: "\n".join(w),
    "numbered-lines": lambda w: "\n".join(f"{i}) {x}" for i, x in enumerate(w, 1)),
    "commas": lambda w: ", ".join(w),
    "unspaced": lambda w: "".join(w),
}
PROSE = {
    "en": ("Hi, my wallet words are {p} - please help me recover my funds", "{p}"),
    "zh": ("你好，这是我的助记词：{p}，帮我看看为什么余额不对", "{p}"),
}


def quality(name: str) -> dict[str, Any] | None:
    path = DATA / name
    if not path.exists():
        return None
    rep: Report = evaluate(load(path))
    return {
        "messages": len(rep.outcomes),
        "with_secrets": len(rep.with_secrets),
        "recall": rep.recall,
        "false_positive_rate": rep.false_positive_rate,
        "false_positives": sum(o.false_positive for o in rep.clean),
        "missed": [o.item["id"] for o in rep.with_secrets if not o.caught],
        "keep_rate": rep.keep_rate,
        "by_lang": rep.by("lang"),
        "by_kind": rep.by_kind(),
    }


def clean_corpus() -> dict[str, dict[str, Any]]:
    corpora: dict[str, list[str]] = {}
    if BANKING77.exists():
        texts: list[str] = []
        for part in ("train.csv", "test.csv"):
            with (BANKING77 / part).open(encoding="utf-8") as handle:
                texts.extend(row["text"] for row in csv.DictReader(handle))
        corpora["banking77"] = texts
    paragraphs: list[str] = []
    for path in sorted((ROOT / "data" / "kb" / "articles").glob("*.md")):
        paragraphs.extend(p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip())
    corpora["help-center paragraphs"] = paragraphs
    out = {}
    for name, texts in corpora.items():
        flagged = [t for t in texts if scan(t).findings]
        out[name] = {
            "messages": len(texts),
            "false_positives": len(flagged),
            "rate": len(flagged) / len(texts),
            "examples": [t[:100] for t in flagged[:3]],
        }
    return out


def synthetic(per_cell: int, seed: int = 7) -> dict[str, dict[str, float]]:
    rng = random.Random(seed)
    languages = [
        "english",
        "chinese_simplified",
        "chinese_traditional",
        "japanese",
        "korean",
        "spanish",
        "french",
        "italian",
        "czech",
        "portuguese",
    ]
    table: dict[str, dict[str, float]] = {}
    for lang in languages:
        row: dict[str, float] = {}
        zh = lang.startswith("chinese")
        for layout, arrange in LAYOUTS.items():
            if layout == "unspaced" and not zh:
                continue
            caught = 0
            for _ in range(per_cell):
                words_n = rng.choice([12, 15, 18, 21, 24])
                entropy = rng.randbytes(words_n * 11 * 32 // 33 // 8)
                sep = "\u3000" if lang == "japanese" else " "
                words = Mnemonic(lang).to_mnemonic(entropy).split(sep)
                template = rng.choice(PROSE["zh" if zh else "en"])
                text = template.format(p=arrange(words))
                redacted = scan(text).redacted
                squashed = "".join(redacted.split())
                left = any("".join(words[i : i + 3]) in squashed for i in range(len(words) - 2))
                caught += not left
            row[layout] = caught / per_cell
        table[lang] = row
    return table


def speed(rounds: int) -> dict[str, Any]:
    texts = [
        i["text"]
        for name in ("labelled.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl")
        if (DATA / name).exists()
        for i in load(DATA / name)
    ]
    scan("warm up 预热 的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对")
    latencies: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            scan(text)
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    words = Mnemonic("english").to_mnemonic(bytes(16)).split()
    big = "我的充值还没有到账，请帮我查询一下。" * 2000 + "my account was locked. " * 3000
    big = big[:50_000] + " ".join(words) + big[50_000:100_000]
    t0 = time.perf_counter()
    scan(big)
    big_seconds = time.perf_counter() - t0
    urls = " ".join(f"https://site{i}.example.com/p?q={i}" for i in range(10_000))
    t0 = time.perf_counter()
    scan(urls)
    urls_seconds = time.perf_counter() - t0
    from ledgerdesk.trust.lookalike import check_links

    official = ["ledgerdesk-exchange.com"]
    mixed = " ".join(
        f"https://{'ledgerdesk-exchange-help' if i % 10 == 0 else f'site{i}.example'}.com/p{i}"
        for i in range(10_000)
    )
    t0 = time.perf_counter()
    flagged = [f for f in check_links(mixed, official, limit=10_000) if f.verdict.suspicious]
    links_seconds = time.perf_counter() - t0
    link_texts = [t for t in texts if "http" in t or "www." in t]
    t0 = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            check_links(text, official)
    links_per_s = len(texts) * rounds / (time.perf_counter() - t0)
    return {
        "link_check_per_s": links_per_s,
        "messages_with_links": len(link_texts),
        "10k_links_check_s": links_seconds,
        "10k_links_flagged": len(flagged),
        "messages": len(latencies),
        "mean_chars": statistics.mean(len(t) for t in texts),
        "throughput_per_s": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "100kb_message_s": big_seconds,
        "100kb_chars": len(big),
        "10k_urls_s": urls_seconds,
        "10k_urls_chars": len(urls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for name in SETS:
        found = quality(name)
        if found is not None:
            results[name] = found
            print(
                f"{name}: {found['messages']} messages, {found['with_secrets']} with secrets; "
                f"recall {found['recall']:.4f}, false positives {found['false_positives']} "
                f"({found['false_positive_rate']:.4f}), kept {found['keep_rate']:.4f}"
            )
            for lang, (recall, fp, count) in found["by_lang"].items():
                print(f"    {lang:6} n={count:4}  recall {recall:.4f}  fp rate {fp:.4f}")
            for kind, (recall, count) in found["by_kind"].items():
                print(f"    {kind:22} n={count:4}  recall {recall:.4f}")
            if found["missed"]:
                print(f"    missed: {', '.join(found['missed'])}")
    results["clean_corpora"] = clean_corpus()
    for name, row in results["clean_corpora"].items():
        print(
            f"clean {name}: {row['false_positives']} of {row['messages']} flagged "
            f"({row['rate']:.4%})"
        )
    results["synthetic"] = synthetic(20 if args.quick else 100)
    print("synthetic recall (share of phrases with no 3 consecutive words left):")
    for lang, row in results["synthetic"].items():
        cells = "  ".join(f"{k} {v:.3f}" for k, v in row.items())
        print(f"    {lang:20} {cells}")
    results["speed"] = speed(2 if args.quick else 10)
    s = results["speed"]
    print(
        f"speed: {s['throughput_per_s']:.0f} messages/s on one thread "
        f"({s['messages']} scans, mean {s['mean_chars']:.0f} chars); "
        f"p50 {s['p50_ms']:.3f} ms, p99 {s['p99_ms']:.3f} ms, max {s['max_ms']:.1f} ms"
    )
    print(
        f"hostile: 100 KB message ({s['100kb_chars']} chars) {s['100kb_message_s']:.2f} s; "
        f"10,000 URLs ({s['10k_urls_chars']} chars) {s['10k_urls_s']:.2f} s"
    )
    print(
        f"link check: {s['link_check_per_s']:.0f} messages/s over the same messages; 10,000 "
        f"URLs (1,000 look-alikes) checked in {s['10k_links_check_s']:.2f} s, "
        f"{s['10k_links_flagged']} flagged"
    )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
