"""AI triage: the bundled model on our held-out data, speed, and BANKING77.

    .venv/bin/python bench/triage.py                 # held-out quality + speed (~1 min)
    .venv/bin/python bench/triage.py --banking77     # also BANKING77 through the CLI (~15 min)
    .venv/bin/python bench/triage.py --json          # one JSON object at the end

Held-out quality: the bundled model was trained on data/triage/source minus every fifth
message of each intent and language (ledgerdesk.ai.triage.bundled.split); those held-out
messages are scored here per language, per intent, with the top confusion pairs, plus
sentiment, the distress flag and language detection.

Speed: model load in a fresh process (imports included, then the load alone), classify
latency for one message at a time (p50/p99 over the held-out messages), and batch throughput.

BANKING77 (../shared/data/banking77): `ledgerdesk triage train` on train.csv, timed, then
`ledgerdesk triage eval --json` on test.csv; and 10 examples per intent (seeds 0, 1, 2). The
test set is only ever read by this evaluation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BANKING = ROOT.parent / "shared" / "data" / "banking77"
LEDGERDESK = str(Path(sys.executable).parent / "ledgerdesk")

from ledgerdesk.ai.triage import load_triager  # noqa: E402
from ledgerdesk.ai.triage.bundled import read_examples, split  # noqa: E402
from ledgerdesk.ai.triage.training import score  # noqa: E402
from ledgerdesk.core.settings import Settings  # noqa: E402


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def held_out() -> dict[str, Any]:
    _, held = split(read_examples())
    triager = load_triager(Settings())
    results = triager.classify([e.text for e in held])
    out: dict[str, Any] = {"messages": len(held), "model": triager.version}
    overall = score([e.intent for e in held], [r.label for r in results], triager.labels)
    out["intent"] = {"accuracy": overall.accuracy, "macro_f1": overall.macro_f1}
    out["per_language"] = {}
    for lang in sorted({e.lang for e in held}):
        idx = [i for i, e in enumerate(held) if e.lang == lang]
        report = score([held[i].intent for i in idx], [results[i].label for i in idx], [])
        out["per_language"][lang] = {
            "messages": len(idx),
            "accuracy": round(report.accuracy, 4),
            "macro_f1": round(report.macro_f1, 4),
        }
    out["per_intent"] = {
        c.label: {
            "support": c.support,
            "precision": round(c.precision, 3),
            "recall": round(c.recall, 3),
            "f1": round(c.f1, 3),
        }
        for c in overall.classes
    }
    out["confusions"] = [{"true": t, "predicted": p, "count": n} for t, p, n in overall.confusions]
    floor = triager.min_confidence
    sure = [i for i, r in enumerate(results) if r.intent is not None]
    out["confidence_floor"] = {
        "floor": floor,
        "confident_share": round(len(sure) / len(held), 4),
        "accuracy_when_confident": round(
            sum(results[i].label == held[i].intent for i in sure) / max(1, len(sure)), 4
        ),
        "accuracy_when_uncertain": round(
            sum(results[i].label == held[i].intent for i in range(len(held)) if i not in set(sure))
            / max(1, len(held) - len(sure)),
            4,
        ),
    }
    sentiment = score([e.sentiment for e in held], [r.sentiment for r in results], [])
    out["sentiment"] = {
        "accuracy": round(sentiment.accuracy, 4),
        "macro_f1": round(sentiment.macro_f1, 4),
    }
    truth = [e.distressed for e in held]
    guess = [r.distressed for r in results]
    tp = sum(t and g for t, g in zip(truth, guess, strict=True))
    precision = tp / max(1, sum(guess))
    recall = tp / max(1, sum(truth))
    out["distressed"] = {
        "positives": sum(truth),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
    }
    lang_truth = [e.lang for e in held]
    out["language_detection"] = {
        "accuracy": round(
            sum(r.language == t for r, t in zip(results, lang_truth, strict=True)) / len(held), 4
        ),
        "errors": dict(
            Counter(
                f"{t}→{r.language}"
                for r, t in zip(results, lang_truth, strict=True)
                if r.language != t
            )
        ),
    }
    return out


def speed(rounds: int) -> dict[str, Any]:
    code = (
        "import time; t0 = time.perf_counter();"
        "from ledgerdesk.ai.triage import load_triager;"
        "from ledgerdesk.core.settings import Settings;"
        "t1 = time.perf_counter(); tr = load_triager(Settings()); t2 = time.perf_counter();"
        "tr.classify(['warm up']); t3 = time.perf_counter();"
        "print(t1 - t0, t2 - t1, t3 - t2)"
    )
    loads = []
    for _ in range(3):
        line = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
        loads.append([float(x) for x in line])
    _, held = split(read_examples())
    texts = [e.text for e in held]
    triager = load_triager(Settings())
    triager.classify(texts[:8])
    single: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            triager.classify([text])
            single.append((time.perf_counter() - started) * 1000)
    batches: dict[str, float] = {}
    for size in (16, 64, 256):
        started = time.perf_counter()
        done = 0
        for start in range(0, len(texts), size):
            done += len(triager.classify(texts[start : start + size]))
        batches[str(size)] = round(done / (time.perf_counter() - started), 1)
    return {
        "load_seconds": {
            "imports": round(statistics.median(x[0] for x in loads), 3),
            "model": round(statistics.median(x[1] for x in loads), 3),
            "first_classify": round(statistics.median(x[2] for x in loads), 3),
            "runs": loads,
        },
        "classify_ms_one_message": {
            "messages": len(single),
            "p50": round(percentile(single, 50), 2),
            "p90": round(percentile(single, 90), 2),
            "p99": round(percentile(single, 99), 2),
            "mean_chars": round(statistics.mean(len(t) for t in texts), 1),
        },
        "batch_messages_per_second": batches,
    }


def _cli(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([LEDGERDESK, "triage", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ledgerdesk triage {' '.join(args)} failed:\n{done.stderr}")
    return time.perf_counter() - started, done.stdout


def banking77(work: Path) -> dict[str, Any]:
    train_csv, test_csv = str(BANKING / "train.csv"), str(BANKING / "test.csv")
    out: dict[str, Any] = {}
    full = work / "full"
    seconds, _ = _cli("train", "--data", train_csv, "--out", str(full), "--quiet")
    _, report = _cli("eval", "--model", str(full), "--data", test_csv, "--json", "--quiet")
    figures = json.loads(report.strip().splitlines()[-1])
    out["full"] = {
        "train_seconds": round(seconds, 1),
        "accuracy": figures["accuracy"],
        "macro_f1": figures["macro_f1"],
        "confusions": figures["confusions"][:5],
    }
    shots = []
    for seed in (0, 1, 2):
        folder = work / f"shots10-{seed}"
        seconds, _ = _cli(
            "train",
            "--data",
            train_csv,
            "--out",
            str(folder),
            "--shots",
            "10",
            "--seed",
            str(seed),
            "--quiet",
        )
        _, report = _cli("eval", "--model", str(folder), "--data", test_csv, "--json", "--quiet")
        figures = json.loads(report.strip().splitlines()[-1])
        shots.append(
            {
                "seed": seed,
                "train_seconds": round(seconds, 1),
                "accuracy": figures["accuracy"],
                "macro_f1": figures["macro_f1"],
            }
        )
    out["shots10"] = {
        "runs": shots,
        "mean_accuracy": round(statistics.mean(s["accuracy"] for s in shots), 6),
        "mean_macro_f1": round(statistics.mean(s["macro_f1"] for s in shots), 6),
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--banking77", action="store_true", help="also run BANKING77")
    parser.add_argument(
        "--rounds", type=int, default=2, help="latency rounds over the held-out set"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}",
        "python": platform.python_version(),
    }
    result["held_out"] = h = held_out()
    print(
        f"held-out: {h['messages']} messages, intent accuracy {h['intent']['accuracy']:.4f}, "
        f"macro-F1 {h['intent']['macro_f1']:.4f}"
    )
    for lang, fig in h["per_language"].items():
        print(f"  {lang:8} {fig['messages']:4} messages  accuracy {fig['accuracy']:.4f}")
    print(
        f"  sentiment accuracy {h['sentiment']['accuracy']:.4f}; distressed F1 "
        f"{h['distressed']['f1']:.4f}; language detection "
        f"{h['language_detection']['accuracy']:.4f}"
    )
    result["speed"] = s = speed(args.rounds)
    load, one = s["load_seconds"], s["classify_ms_one_message"]
    print(
        f"load: imports {load['imports']} s, model {load['model']} s; one message p50 "
        f"{one['p50']} ms, p99 {one['p99']} ms; batches {s['batch_messages_per_second']} msg/s"
    )
    if args.banking77:
        with tempfile.TemporaryDirectory(prefix="ledgerdesk-b77-") as work:
            result["banking77"] = b = banking77(Path(work))
        print(
            f"BANKING77 full: accuracy {b['full']['accuracy']:.4f}, macro-F1 "
            f"{b['full']['macro_f1']:.4f}, train {b['full']['train_seconds']} s"
        )
        print(f"BANKING77 10-shot: mean accuracy {b['shots10']['mean_accuracy']:.4f} (seeds 0-2)")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
