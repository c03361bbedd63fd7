"""E-mail parsing: trimming accuracy on our corpus, our rules against kept libraries, and speed.

    .venv/bin/python bench/mail_trim.py            # everything (~20 s)
    .venv/bin/python bench/mail_trim.py --json     # one JSON object at the end

Data: tests/channels/mail_corpus/*.eml (written with the parser) and
tests/channels/mail_corpus/holdout/*.eml (written after it, measured once before any change),
each with its expected parse in expected.jsonl.

1. Body: exact match of the new text after whitespace normalisation, for people's mail
   (machine mail has no reply to trim). The libraries get the parser's text before trimming
   (``ParsedMail.full_text``: the plain part, or the HTML part as text with blockquotes as
   ``>`` lines): email-reply-parser, mail-parser-reply (en, zh, de, fr, es), quotequail;
   ours is ``parse_message(raw).body`` (which also sees the HTML quote containers and
   attached messages). Libraries that are not installed are skipped.
2. HTML to text on the HTML-only people's mail: each converter's text through our trimmer,
   exact match, and whether any markup survived: ours, inscriptis, html2text.
3. Machine mail: ``auto`` accuracy over every message, and failed recipients.
4. Speed: ``parse_message`` over the whole corpus, one thread, messages per second and
   per-message latency.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ledgerdesk.channels.mail_html import html_to_text  # noqa: E402
from ledgerdesk.channels.mail_parse import decode_bytes, parse_message  # noqa: E402
from ledgerdesk.channels.mail_quotes import trim  # noqa: E402

CORPUS = ROOT / "tests" / "channels" / "mail_corpus"
SETS = {"corpus": CORPUS, "holdout": CORPUS / "holdout", "holdout2": CORPUS / "holdout2"}
MARKUP = re.compile(
    r"<\s*/?\s*(?:script|style|div|span|p|a|b|i|br|table|td|tr|img|html|body)\b", re.I
)


def norm(text: str) -> str:
    return " ".join(text.split())


def load() -> list[dict[str, Any]]:
    cases = []
    for name, folder in SETS.items():
        for line in (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                case["set"] = name
                case["raw"] = (folder / case["file"]).read_bytes()
                cases.append(case)
    return cases


def trimmers() -> dict[str, Callable[[str, dict[str, Any]], str]]:
    found: dict[str, Callable[[str, dict[str, Any]], str]] = {
        "ours (parse_message body)": lambda text, case: parse_message(case["raw"]).body
    }
    try:
        from email_reply_parser import EmailReplyParser as Erp  # type: ignore[import-untyped]

        found[f"email-reply-parser {version('email-reply-parser')}"] = lambda t, c: Erp.parse_reply(
            t
        )
    except ImportError:
        pass
    try:
        from mailparser_reply import EmailReplyParser as Mpr  # type: ignore[import-untyped]

        mpr = Mpr(languages=["en", "zh", "de", "fr", "es"])
        found[f"mail-parser-reply {version('mail-parser-reply')}"] = lambda t, c: mpr.parse_reply(t)
    except ImportError:
        pass
    try:
        import quotequail  # type: ignore[import-untyped]

        def qq(text: str, case: dict[str, Any]) -> str:
            return "\n".join(part for keep, part in quotequail.quote(text) if keep)

        found[f"quotequail {version('quotequail')}"] = qq
    except ImportError:
        pass
    return found


def converters() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {"ours (mail_html)": html_to_text}
    try:
        from inscriptis import get_text  # type: ignore[import-untyped]

        found[f"inscriptis {version('inscriptis')}"] = get_text
    except ImportError:
        pass
    try:
        import html2text

        def h2t(html: str) -> str:
            conv = html2text.HTML2Text()
            conv.body_width = 0
            return conv.handle(html)

        found[f"html2text {version('html2text')}"] = h2t
    except (ImportError, PackageNotFoundError):
        pass
    return found


def html_part(raw: bytes) -> str:
    for part in message_from_bytes(raw).walk():
        if part.get_content_type() == "text/html":
            data = part.get_payload(decode=True)
            return decode_bytes(
                data if isinstance(data, bytes) else b"", part.get_content_charset()
            )
    return ""


def rate(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "-"


def measure_bodies(cases: list[dict[str, Any]]) -> dict[str, dict[str, list[int]]]:
    people = [c for c in cases if c["auto"] is None]
    results: dict[str, dict[str, list[int]]] = {}
    for name, fn in trimmers().items():
        groups: dict[str, list[int]] = {}
        for case in people:
            text = parse_message(case["raw"]).full_text
            try:
                got = fn(text, case)
            except Exception:
                got = "\0"
            hit = int(norm(got) == norm(case["body"]))
            kind = "forwarded" if case["forwarded"] else "replies and new mail"
            for group in (f"{case['set']}: {kind}", f"{case['set']}: all people's mail"):
                groups.setdefault(group, [0, 0])
                groups[group][0] += hit
                groups[group][1] += 1
        results[name] = groups
    return results


def measure_html(cases: list[dict[str, Any]]) -> dict[str, list[int]]:
    html_only = [c for c in cases if c["auto"] is None and parse_message(c["raw"]).html_only]
    out: dict[str, list[int]] = {}
    for name, fn in converters().items():
        hits = markup = 0
        for case in html_only:
            text = fn(html_part(case["raw"]))
            hits += norm(trim(text, case["subject"], (case["from"],)).body) == norm(case["body"])
            markup += bool(MARKUP.search(text)) or "alert(" in text
        out[name] = [hits, len(html_only), markup]
    return out


def measure_auto(cases: list[dict[str, Any]]) -> dict[str, Any]:
    confusion: dict[str, dict[str, int]] = {}
    failed_ok = failed_total = 0
    for case in cases:
        parsed = parse_message(case["raw"])
        want, got = str(case["auto"]), str(parsed.auto)
        confusion.setdefault(want, {}).setdefault(got, 0)
        confusion[want][got] += 1
        if case["failed_recipients"]:
            failed_total += 1
            failed_ok += parsed.failed_recipients == case["failed_recipients"]
    right = sum(row.get(want, 0) for want, row in confusion.items())
    return {"right": right, "total": len(cases), "confusion": confusion,
            "failed_recipients": [failed_ok, failed_total]}  # fmt: skip


def measure_speed(cases: list[dict[str, Any]], seconds: float) -> dict[str, float]:
    raws = [c["raw"] for c in cases]
    for raw in raws:  # warm up (regex compilation, codec lookups)
        parse_message(raw)
    latencies: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for raw in raws:
            t0 = time.perf_counter()
            parse_message(raw)
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    size = sum(len(r) for r in raws) / len(raws)
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * len(latencies)) - 1],
        "max_ms": 1000 * latencies[-1],
        "mean_bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seconds", type=float, default=5.0, help="speed run length")
    args = parser.parse_args()
    cases = load()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    report: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "messages": {name: sum(c["set"] == name for c in cases) for name in SETS},
        "bodies": measure_bodies(cases),
        "html": measure_html(cases),
        "auto": measure_auto(cases),
        "speed": measure_speed(cases, args.seconds),
    }
    print(f"{report['date']} — {machine}")
    print(f"messages: {report['messages']}")
    print("\nBody exact match (people's mail; same input text for every trimmer):")
    for name, groups in report["bodies"].items():
        print(f"  {name}")
        for group, (hits, total) in sorted(groups.items()):
            print(f"    {group:<36} {rate(hits, total)}")
    print("\nHTML-only people's mail, converter + our trimmer (exact, markup left):")
    for name, (hits, total, markup) in report["html"].items():
        print(f"  {name:<28} {rate(hits, total)}, markup left in {markup}")
    auto = report["auto"]
    print(
        f"\nauto: {rate(auto['right'], auto['total'])}; failed recipients exact: "
        f"{rate(*auto['failed_recipients'])}"
    )
    for want, row in sorted(auto["confusion"].items()):
        print(f"  expected {want:<16} got {row}")
    speed = report["speed"]
    print(
        f"\nspeed: {speed['per_second']:.0f} messages/s (one thread, {speed['messages']} parses, "
        f"mean {speed['mean_bytes'] / 1024:.1f} KiB), p50 {speed['p50_ms']:.2f} ms, "
        f"p95 {speed['p95_ms']:.2f} ms, max {speed['max_ms']:.2f} ms"
    )
    if args.json:
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
