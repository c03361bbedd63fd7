"""Triage throughput per worker process on ~300-character messages, before and after.

    .venv/bin/python bench/triage_throughput.py            # sweep + throughput (several minutes)
    .venv/bin/python bench/triage_throughput.py --quick    # a short run (a subset, 1 round)
    .venv/bin/python bench/triage_throughput.py --json out.json

*Before* is triage as it was: the whole text (up to 2,000 prepared characters) embedded, one
message per model call. *After* is as shipped: the first ``EMBED_CHARS`` characters embedded,
and a triage job takes up to 31 waiting triage jobs with it, embeds their messages together in
one model call (``Triager.warm``), then classifies each alone, finding its vector in the
cache. Both run in this process, in this run.

Messages: every held-out message of data/triage/source (ledgerdesk.ai.triage.bundled.split;
the bundled model never saw them), padded to about 300 characters with sentences that carry no
intent (greetings, a user id, the app version, the time, thanks) in the message's own language
and script, the way a ticket's subject and body read. Two layouts: ``subject-first`` (the
message, then the details) and ``greeting-first`` (a greeting, the message, the details). The
label stays the held-out message's.

Parts:
- sweep: intent, sentiment and distress accuracy of the bundled model per embedded prefix length,
  on the plain held-out set and on both padded layouts (the prefix is chosen from this);
- classify: messages/s and CPU ms per message of the triager alone, before and after;
- job: the real ``triage.message`` jobs of freshly created tickets drained by ``run_pending``
  on a throwaway SQLite database (or --db postgresql), before and after: messages/s of one
  worker process including its database work; every ticket's outcome is compared between the
  two runs except where only the prefix changed the model's answer.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from ledgerdesk.ai.triage import Triager, load_triager  # noqa: E402
from ledgerdesk.ai.triage.bundled import Example, read_examples, split  # noqa: E402
from ledgerdesk.ai.triage.model import EMBED_CHARS, TriageModel  # noqa: E402
from ledgerdesk.core.settings import Settings  # noqa: E402

FILLER = {
    "en": {
        "greeting": ["Hello,", "Hi support team,", "Good morning,", "Hi there,"],
        "details": [
            "My user ID is {uid}.",
            "I am using the Android app, version 5.{n}.{m}.",
            "I am on the iPhone app, version 4.{n}.",
            "I have been a customer for {n} years.",
            "This started today at around {h}:{m:02d} UTC.",
            "My registered e-mail ends in @{mail}.",
            "Please let me know as soon as you can.",
            "Thank you for your help.",
            "I can send screenshots if needed.",
            "Looking forward to your reply.",
            "Best regards, {name}.",
        ],
    },
    "zh-Hans": {
        "greeting": ["你好，", "客服你好，", "您好，", "早上好，"],
        "details": [
            "我的UID是{uid}。",
            "我用的是安卓App，版本5.{n}.{m}。",
            "我用的是苹果手机App，版本4.{n}。",
            "我在你们平台交易{n}年了。",
            "大概是今天{h}点{m}分开始的。",
            "我注册的邮箱是@{mail}结尾的。",
            "麻烦尽快帮我看一下。",
            "谢谢你们的帮助。",
            "需要的话我可以发截图。",
            "等你们的回复。",
            "辛苦了，{name}。",
            "我现在在外地出差，用的是手机。",
            "之前也联系过一次客服。",
        ],
    },
    "zh-Hant": {
        "greeting": ["你好，", "客服你好，", "您好，", "早安，"],
        "details": [
            "我的UID是{uid}。",
            "我用的是安卓App，版本5.{n}.{m}。",
            "我用的是蘋果手機App，版本4.{n}。",
            "我在你們平台交易{n}年了。",
            "大概是今天{h}點{m}分開始的。",
            "我註冊的信箱是@{mail}結尾的。",
            "麻煩盡快幫我看一下。",
            "謝謝你們的幫助。",
            "需要的話我可以傳截圖。",
            "等你們的回覆。",
            "辛苦了，{name}。",
            "我現在在外地出差，用的是手機。",
            "之前也聯絡過一次客服。",
        ],
    },
}
NAMES = ["Alex", "Sam", "Lin", "Wei", "Maria", "Chen", "Jordan", "Mei"]
MAILS = ["gmail.com", "qq.com", "163.com", "outlook.com", "proton.me"]
LAYOUTS = ("subject-first", "greeting-first")


def padded(example: Example, layout: str, length: int, rnd: random.Random) -> str:
    """``example``'s text with intent-free sentences around it, about ``length`` characters."""
    pool = FILLER[example.lang if example.lang in FILLER else "en"]
    space = " " if pool is FILLER["en"] else ""
    details = pool["details"][:]
    rnd.shuffle(details)
    parts: list[str] = []
    if layout == "greeting-first":
        parts.append(rnd.choice(pool["greeting"]))
    head = space.join([*parts, example.text]) + "\n"
    body: list[str] = []
    for sentence in details * 3:
        if len(head) + len(space.join(body)) >= length:
            break
        body.append(
            sentence.format(
                uid=rnd.randrange(10_000_000, 99_999_999),
                n=rnd.randrange(1, 9),
                m=rnd.randrange(0, 60),
                h=rnd.randrange(0, 24),
                mail=rnd.choice(MAILS),
                name=rnd.choice(NAMES),
            )
        )
    return head + space.join(body)


def with_prefix(triager: Triager, chars: int, cache: bool) -> Triager:
    """``triager`` with its models embedding ``chars`` characters (0: all), with or without
    the shared vector cache (a fresh one)."""
    from ledgerdesk.ai.triage.vectors import VectorCache

    shared = VectorCache() if cache else None
    models: dict[int, TriageModel] = {}
    for model in (triager.intent_model, triager.tone_model):
        if id(model) not in models:
            featurizer = replace(
                model.featurizer,
                config=replace(model.featurizer.config, embed_chars=chars),
                cache=shared,
            )
            models[id(model)] = replace(model, featurizer=featurizer)
    out = Triager.__new__(Triager)
    out.__dict__.update(triager.__dict__)
    out.intent_model = models[id(triager.intent_model)]
    out.tone_model = models[id(triager.tone_model)]
    return out


def scores(triager: Triager, examples: list[Example], texts: list[str]) -> dict[str, float]:
    """Intent, sentiment and distress accuracy of ``triager`` on ``texts``."""
    results = triager.classify(texts)
    pairs = list(zip(results, examples, strict=True))
    return {
        "intent": round(sum(r.label == e.intent for r, e in pairs) / len(pairs), 4),
        "sentiment": round(sum(r.sentiment == e.sentiment for r, e in pairs) / len(pairs), 4),
        "distressed": round(sum(r.distressed == e.distressed for r, e in pairs) / len(pairs), 4),
    }


def sweep(
    base: Triager, sets: dict[str, tuple[list[Example], list[str]]], prefixes: list[int]
) -> dict[str, Any]:
    """Accuracy per embedded prefix length (0 = the whole text) on every set (one vector
    cache for the whole sweep: a text embedded once is never embedded again)."""
    from ledgerdesk.ai.triage.vectors import VectorCache

    cache = VectorCache(size=1_000_000)
    out: dict[str, Any] = {}
    for chars in prefixes:
        triager = with_prefix(base, chars, cache=True)
        for model in (triager.intent_model, triager.tone_model):
            model.featurizer.cache = cache
        row: dict[str, Any] = {}
        for name, (examples, texts) in sets.items():
            row[name] = scores(triager, examples, texts)
            for lang in sorted({e.lang for e in examples}):
                idx = [i for i, e in enumerate(examples) if e.lang == lang]
                row[name][lang] = scores(
                    triager, [examples[i] for i in idx], [texts[i] for i in idx]
                )["intent"]
        out[str(chars)] = row
        cells = "  ".join(
            f"{name} {row[name]['intent']:.4f} ("
            + "/".join(f"{row[name][lang]:.3f}" for lang in sorted({e.lang for e in ex}))
            + ")"
            for name, (ex, _) in sets.items()
        )
        print(f"  prefix {chars or 'all':>4}: intent {cells}", flush=True)
    return out


def classify_speed(triager: Triager, texts: list[str], batch: int) -> dict[str, float]:
    """Messages/s and CPU ms per message: ``batch`` texts warmed together, then each
    classified alone (batch 1: no warming, one model call per message)."""
    triager.classify(["warm up"])
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(texts), batch):
        part = texts[start : start + batch]
        if batch > 1:
            triager.warm(part)
        for text in part:
            triager.classify([text])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "messages": len(texts),
        "messages_per_second": round(len(texts) / wall, 1),
        "cpu_ms_per_message": round(cpu / len(texts) * 1000, 2),
        "wall_ms_per_message": round(wall / len(texts) * 1000, 2),
    }


def _desk(url: str, texts: list[str]) -> None:
    """A migrated database at ``url`` with one ticket per text (each queues its triage job)."""
    from sqlalchemy import delete

    from ledgerdesk.accounts import services as accounts
    from ledgerdesk.core.db import make_engine, make_sessionmaker, transaction
    from ledgerdesk.core.migrate import upgrade
    from ledgerdesk.jobs.models import OutboxEntry
    from ledgerdesk.tickets import services as tickets

    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        for i, text in enumerate(texts):
            subject, _, body = text.partition("\n")
            customer = accounts.do_upsert_customer(
                session, email=f"bench{i}@example.com", name=f"Customer {i}"
            )
            tickets.do_create_ticket(
                session,
                accounts.customer_actor(customer),
                customer,
                tickets.NewTicket(subject=subject[:200], body=body or subject),
            )
        # Only the triage jobs are measured (a new ticket also queues notifications and such).
        session.execute(delete(OutboxEntry).where(OutboxEntry.topic != "triage.message"))
    engine.dispose()


def _drain(
    url: str, triager: Triager, batch: bool
) -> tuple[dict[str, float], list[tuple[Any, ...]]]:
    """Run every queued job with ``triager`` (``batch``: a job takes the waiting messages
    with it, as shipped; else one message per job); returns the speed and each message's
    prediction."""
    from sqlalchemy import func, select

    from ledgerdesk.core.db import make_engine, make_sessionmaker
    from ledgerdesk.jobs.models import OutboxEntry
    from ledgerdesk.jobs.outbox import run_pending
    from ledgerdesk.routing import services, tasks
    from ledgerdesk.routing.models import TriagePrediction
    from ledgerdesk.tickets.models import Ticket

    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    saved = (services.get_triager, tasks.get_triager, tasks.BATCH)
    services.get_triager = tasks.get_triager = lambda _settings: triager  # type: ignore[assignment]
    tasks.BATCH = tasks.BATCH if batch else 1
    try:
        with factory() as session:
            jobs = session.scalar(select(func.count()).where(OutboxEntry.topic == tasks.TOPIC)) or 0
        cpu, wall = time.process_time(), time.perf_counter()
        ran = 0
        while True:
            done = run_pending(factory)
            ran += done
            if done == 0:
                break
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        with factory() as session:
            left = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
            rows = session.execute(
                select(
                    TriagePrediction.message_id,
                    TriagePrediction.intent,
                    TriagePrediction.intent_confidence,
                    TriagePrediction.priority,
                    Ticket.intent,
                    Ticket.priority,
                    Ticket.team_id,
                )
                .join(Ticket, Ticket.id == TriagePrediction.ticket_id)
                .order_by(TriagePrediction.message_id)
            ).all()
    finally:
        services.get_triager, tasks.get_triager, tasks.BATCH = saved  # type: ignore[assignment]
        engine.dispose()
    speed = {
        "jobs": jobs,
        "jobs_run": ran,
        "jobs_left": left,
        "messages_per_second": round(jobs / wall, 1),
        "cpu_ms_per_message": round(cpu / max(1, jobs) * 1000, 2),
    }
    return speed, [tuple(str(v) for v in row) for row in rows]


def job_speed(before: Triager, after: Triager, texts: list[str], db: str) -> dict[str, Any]:
    """The ``triage.message`` jobs of ``len(texts)`` new tickets drained by one worker
    process: before, after with the prefix alone, and after (prefix and batches)."""
    from bench.throwaway_db import database

    os.environ["LEDGERDESK_TRIAGE"] = "true"
    from ledgerdesk.core.settings import get_settings

    get_settings.cache_clear()
    fresh = with_prefix(after, EMBED_CHARS, cache=False)
    out: dict[str, Any] = {"database": db}
    predictions: dict[str, list[tuple[Any, ...]]] = {}
    for name, triager, batch in (
        ("before", before, False),
        ("after_prefix_only", fresh, False),
        ("after", with_prefix(after, EMBED_CHARS, cache=True), True),
    ):
        with database(db) as url:
            _desk(url, texts)
            out[name], predictions[name] = _drain(url, triager, batch)
        print(f"job {name:>17}: {out[name]}", flush=True)
    # Batching must not change a single outcome: the same model one at a time and in batches.
    out["batched_outcomes_identical"] = predictions["after"] == predictions["after_prefix_only"]
    # The prefix changes the model's confidences; count the tickets whose intent, priority or
    # team it changed (the label, the prediction's priority, the ticket's fields).
    out["prefix_changed_outcomes"] = sum(
        (a[:2], a[3:]) != (b[:2], b[3:])
        for a, b in zip(predictions["before"], predictions["after"], strict=True)
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a subset and fewer prefixes")
    parser.add_argument("--length", type=int, default=300, help="characters per message")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--prefixes", help="comma-separated prefix lengths to sweep (0: all)")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-job", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    _, held = split(read_examples())
    rnd = random.Random(19)
    # The padded sets cost the encoder 3-4 times the plain one: a third of the held-out set
    # (every third message, all intents and languages), a twelfth with --quick.
    subset = held[:: 12 if args.quick else 3]
    sets: dict[str, tuple[list[Example], list[str]]] = {"held-out": (held, [e.text for e in held])}
    for layout in LAYOUTS:
        sets[layout] = (subset, [padded(e, layout, args.length, rnd) for e in subset])
    long_texts = sets["subject-first"][1]
    mean = sum(len(t) for t in long_texts) / len(long_texts)
    print(
        f"{len(held)} held-out messages; {len(subset)} padded to a mean of {mean:.0f} characters",
        flush=True,
    )
    base = load_triager(Settings())
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}",
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "quick": args.quick,
        "messages": len(held),
        "padded_messages": len(subset),
        "mean_chars": round(mean, 1),
        "embed_chars": EMBED_CHARS,
        "model": base.version,
    }
    if not args.skip_sweep:
        prefixes = [96, EMBED_CHARS, 0] if args.quick else [32, 48, 64, 96, 128, 160, 0]
        if args.prefixes:
            prefixes = [int(x) for x in args.prefixes.split(",")]
        print("accuracy per embedded prefix (characters):", flush=True)
        result["sweep"] = sweep(base, sets, prefixes)

    texts = [padded(e, layout, args.length, rnd) for e in held for layout in LAYOUTS]
    rnd.shuffle(texts)
    texts = texts[: 64 if args.quick else 400]
    before = with_prefix(base, 0, cache=False)
    after = with_prefix(base, EMBED_CHARS, cache=True)
    result["classify"] = {
        "before": classify_speed(before, texts, 1),
        "after_prefix_only": classify_speed(with_prefix(base, EMBED_CHARS, cache=False), texts, 1),
        "after": classify_speed(after, texts, 32),
    }
    for name, row in result["classify"].items():
        print(
            f"classify {name:>17}: {row['messages_per_second']:7.1f} msg/s, "
            f"{row['cpu_ms_per_message']:.1f} ms CPU per message",
            flush=True,
        )
    if not args.skip_job:
        count = 48 if args.quick else 200
        result["job"] = job_speed(before, after, texts[:count], args.db)
        print(json.dumps(result["job"], indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
