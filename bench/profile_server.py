"""Where does the server's CPU go under load? py-spy on a one-worker server.

Starts a fresh desk like run_all.py (one uvicorn worker, so every sample is in one process),
warms it, then samples the thread holding the GIL with ``py-spy record --gil`` while 50
closed-loop clients run the scenario, and prints the samples grouped by layer and by
ledgerdesk function (cumulative). Needs py-spy (``pip install py-spy``; root or ptrace
permission)::

    .venv/bin/python bench/profile_server.py --db postgresql --scenario create --seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import http_load
import httpx
import inbox
import run_all
import seed

from ledgerdesk.core.db import make_engine

FRAME_RE = re.compile(r"^(?P<fn>.*) \((?P<path>.*?)(?::\d+)?\)$")
LAYERS = (
    ("sqlalchemy/orm", "SQLAlchemy ORM"),
    ("sqlalchemy", "SQLAlchemy Core/engine"),
    ("psycopg", "psycopg driver"),
    ("sqlite3", "sqlite3 driver"),
    ("anyio", "thread-pool hand-offs (anyio/threading/queue)"),
    ("threading.py", "thread-pool hand-offs (anyio/threading/queue)"),
    ("queue.py", "thread-pool hand-offs (anyio/threading/queue)"),
    ("concurrent", "thread-pool hand-offs (anyio/threading/queue)"),
    ("pydantic", "pydantic validation/serialisation"),
    ("fastapi", "FastAPI/Starlette (routing, deps, middleware)"),
    ("starlette", "FastAPI/Starlette (routing, deps, middleware)"),
    ("uvicorn", "uvicorn/httptools/asyncio (HTTP, event loop)"),
    ("httptools", "uvicorn/httptools/asyncio (HTTP, event loop)"),
    ("asyncio", "uvicorn/httptools/asyncio (HTTP, event loop)"),
    ("selectors.py", "uvicorn/httptools/asyncio (HTTP, event loop)"),
    ("jinja2", "Jinja2 rendering"),
    ("json", "json"),
    ("argon2", "argon2"),
    ("ledgerdesk", "ledgerdesk code itself"),
)


def _short(path: str) -> str:
    path = re.sub(r".*site-packages/", "", path)
    path = re.sub(r".*/src/", "", path)
    return re.sub(r".*/lib/python3\.\d+/", "", path)


def _layer(path: str) -> str:
    for prefix, name in LAYERS:
        if path.startswith(prefix):
            return name
    return "other (stdlib, generated code)"


def summarise(raw: Path, top: int = 25) -> str:
    """py-spy ``--format raw`` (collapsed stacks) -> shares by layer and ledgerdesk function."""
    total = 0
    layers: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = []
        for frame in stack.split(";"):
            m = FRAME_RE.match(frame)
            frames.append((m["fn"], _short(m["path"])) if m else (frame, ""))
        fn, path = frames[-1]
        layers[_layer(path)] += n
        leaf[f"{fn} ({path})"] += n
        for name in {f"{f} ({p})" for f, p in frames if p.startswith("ledgerdesk")}:
            ours[name] += n
    if not total:
        return "no samples (is py-spy allowed to attach?)"
    out = [f"{total} samples of the GIL-holding thread", "", "By layer (self time):"]
    out += [f"  {v / total:6.1%}  {k}" for k, v in layers.most_common()]
    out += ["", "ledgerdesk functions (cumulative, incl. what they call):"]
    out += [f"  {v / total:6.1%}  {k}" for k, v in ours.most_common(top)]
    out += ["", "Hottest leaf frames (self time):"]
    out += [f"  {v / total:6.1%}  {k}" for k, v in leaf.most_common(top)]
    return "\n".join(out)


def find_py_spy(given: str | None) -> str:
    candidates = [given, shutil.which("py-spy"), str(Path(sys.executable).parent / "py-spy")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("py-spy not found: pip install py-spy, or pass --py-spy PATH")


def _spy(py_spy: str, pid: int, seconds: float, raw: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--gil",
            "--rate",
            "250",
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            str(raw),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _profile_inbox(
    srv: run_all.Server, py_spy: str, seconds: float, view: str, raw: Path | None, tmp: Path
) -> int:
    """Sequential console inbox pages as the seeded two-team agent."""
    raw = raw or tmp / "profile.txt"
    with httpx.Client(base_url=srv.base_url, timeout=60) as client:
        inbox.login(client, seed.INBOX_AGENT_EMAIL)
        for _ in range(3):
            client.get("/console/inbox", params={"view": view})
        spy = _spy(py_spy, srv.pid, seconds, raw)
        latencies: list[float] = []
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop and len(latencies) < 100_000:
            t0 = time.perf_counter()
            client.get("/console/inbox", params={"view": view})
            latencies.append((time.perf_counter() - t0) * 1000)
        spy.wait(timeout=seconds + 60)
    print(
        f"inbox view={view}: {len(latencies)} sequential pages, p50 "
        f"{http_load.percentile(latencies, 50):.1f} ms under py-spy\n"
    )
    print(summarise(raw))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile the server under load with py-spy.")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--scenario", choices=("create", "reply", "inbox"), default="create")
    parser.add_argument("--tickets", type=int, default=20_000, help="inbox: tickets to seed first")
    parser.add_argument("--view", default="mine", help="inbox: the console view to request")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--py-spy", default=None)
    parser.add_argument("--raw", type=Path, default=None, help="keep the collapsed stacks here")
    args = parser.parse_args(argv)
    py_spy = find_py_spy(args.py_spy)
    seconds = min(max(args.seconds, 2.0), 120.0)
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-profile-") as tmp:
        workdir = Path(tmp)
        with run_all.database(args.db, workdir) as url:
            env = run_all.server_env(url, workdir)
            run_all.migrate(env)
            tokens = run_all.setup_desk(url, 1)
            if args.scenario == "inbox":
                engine = make_engine(url)
                try:
                    seed.seed(engine, args.tickets)
                finally:
                    engine.dispose()
            with run_all.server(env, 1, workdir) as srv:
                if args.scenario == "inbox":
                    return _profile_inbox(srv, py_spy, seconds, args.view, args.raw, workdir)
                warm = asyncio.run(
                    http_load.run_load(
                        srv.base_url,
                        http_load.create_ticket_factory("warm"),
                        tokens=tokens,
                        total=max(300, args.concurrency * 6),
                        concurrency=args.concurrency,
                        time_limit=30,
                        collect_ids=True,
                    )
                )
                if args.scenario == "create":
                    factory = http_load.create_ticket_factory("profile")
                else:
                    factory = http_load.reply_factory(warm.ids)
                raw = args.raw or workdir / "profile.txt"
                spy = _spy(py_spy, srv.pid, seconds, raw)
                result = asyncio.run(
                    http_load.run_load(
                        srv.base_url,
                        factory,
                        tokens=tokens,
                        total=100_000,
                        concurrency=args.concurrency,
                        time_limit=seconds,
                        name=f"{args.scenario} under py-spy",
                    )
                )
                spy.wait(timeout=seconds + 60)
                print(result.line())
                print("(py-spy slows the server; these rates are not benchmark figures)\n")
                print(summarise(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
