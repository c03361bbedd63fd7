"""How long after the first page of a fresh `make run` the help center answers a search.

From an empty data directory (a temp ``LEDGERDESK_DATA_DIR``, SQLite as `make run` uses) it
runs ``ledgerdesk migrate``, ``ledgerdesk demo --if-empty`` and ``ledgerdesk serve`` on a free
loopback port as subprocesses, the way `make run` does; then polls ``/healthz`` until the
server answers its first page, and from then on polls the help-center search for a Chinese
and an English question until each answers with the right article. It prints the seconds of
each step as JSON. Only the process group it started is stopped.

    .venv/bin/python bench/first_start.py [--source DIR] [--timeout 600]

``--source`` runs another checkout's ``src`` (the baseline: the same measurement on the code
before a change, e.g. ``git archive main | tar -x -C /tmp/base``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUERIES = {"zh": "充值未到账", "en": "my deposit has not arrived"}
EXPECTED = "deposit-not-credited"
POLL = 0.25


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(source: Path, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERDESK_")}
    env.update(
        PYTHONPATH=str(source / "src"),
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_PORT=str(port),
    )
    return env


def ledgerdesk(*args: str) -> list[str]:
    """The ``ledgerdesk`` command of the checkout on PYTHONPATH."""
    return [sys.executable, "-c", "from ledgerdesk.cli import main; main()", *args]


def timed_run(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return round(time.monotonic() - start, 2)


def fetch(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


def wait_first_page(base: str, server: subprocess.Popen[bytes], timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if server.poll() is not None:
            raise SystemExit("the server exited before answering")
        status, _ = fetch(base + "/healthz")
        if status == 200:
            return time.monotonic()
        time.sleep(POLL)
    raise SystemExit("the server never answered")


def answers(base: str, query: str) -> bool:
    url = f"{base}/api/v1/kb/search?q={urllib.parse.quote(query)}&limit=3"
    status, body = fetch(url)
    if status != 200 or not isinstance(body, dict):
        return False
    return any(item.get("slug") == EXPECTED for item in body.get("items", []))


def wait_searchable(base: str, first_page: float, timeout: float) -> dict[str, float]:
    found: dict[str, float] = {}
    while len(found) < len(QUERIES) and time.monotonic() - first_page < timeout:
        for lang, query in QUERIES.items():
            if lang not in found and answers(base, query):
                found[lang] = round(time.monotonic() - first_page, 2)
        time.sleep(POLL)
    return found


def measure(source: Path, timeout: float) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-first-start-") as folder:
        env = environment(source, Path(folder), port)
        result: dict[str, Any] = {"source": str(source)}
        result["migrate_s"] = timed_run(ledgerdesk("migrate"), env, source)
        result["demo_s"] = timed_run(ledgerdesk("demo", "--if-empty"), env, source)
        started = time.monotonic()
        server = subprocess.Popen(
            ledgerdesk("serve", "--port", str(port)),
            env=env,
            cwd=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            first_page = wait_first_page(base, server, timeout)
            result["first_page_after_serve_s"] = round(first_page - started, 2)
            found = wait_searchable(base, first_page, timeout)
            result["searchable_after_first_page_s"] = found
            result["all_found"] = len(found) == len(QUERIES)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to run")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after (s)")
    args = parser.parse_args()
    print(json.dumps(measure(args.source.resolve(), args.timeout), ensure_ascii=False))


if __name__ == "__main__":
    main()
