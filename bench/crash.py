"""Crash test under load: nothing acknowledged is lost, nothing is sent twice.

Starts a real desk on a throwaway PostgreSQL database and Redis with
``LEDGERDESK_JOBS=external``: ``ledgerdesk serve --workers 2`` and ``ledgerdesk worker``
process(es), a local SMTP server (aiosmtpd) and a webhook receiver. Load clients create
tickets through the API (an admin token), agents reply publicly (each reply owes the
requester an e-mail), chat customers open conversations and send messages (resent with the
same client id when an answer is lost). Meanwhile the web and worker processes are killed
with SIGKILL at random (a worker; one of uvicorn's web processes; or the whole web server)
and started again. Afterwards (see ``tests/scale/crashkit.py``):

- every request that got a 2xx is stored exactly once (and none is stored twice);
- every job queued before the load ended has run (the outbox holds none of them);
- every stored agent reply was e-mailed, and every ``ticket.created`` / ``message.public``
  event reached the webhook, never under two different ids;
- copies of one ``Message-ID`` or ``Ledgerdesk-Delivery`` id are counted apart: they can only
  come from a worker killed between the receiver's "accepted" and the job's commit, and the
  receiver drops them by that id.

    .venv/bin/python bench/crash.py             # 24 kills, ~1 kill every 4 s
    .venv/bin/python bench/crash.py --quick     # 20 kills, 1 every 2 s, fewer clients
    .venv/bin/python bench/crash.py --kills 40 --workers 2

Redis db 13 by default (``--redis``), so the tests' db 15 is left alone. Exit status 1 when a
check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.scale.crashkit import crash_run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 kills, 1 every 2 s")
    parser.add_argument("--kills", type=int, default=None, help="kills (at least 20)")
    parser.add_argument("--every", type=float, default=None, help="seconds between kills")
    parser.add_argument("--clients", type=int, default=None, help="load client threads")
    parser.add_argument("--workers", type=int, default=1, help="ledgerdesk worker processes")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the result here")
    args = parser.parse_args()
    kills = max(20, args.kills or (20 if args.quick else 24))
    every = args.every or (2.0 if args.quick else 4.0)
    clients = args.clients or (3 if args.quick else 6)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-crash-") as folder:
        result = crash_run(
            Path(folder),
            args.redis,
            kills=kills,
            every=every,
            clients=clients,
            job_workers=args.workers,
            seed=args.seed,
            settle_timeout=300,
        )
    verdict = result.verdict
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"run: {result.seconds:.0f} s of load, {time.monotonic() - started:.0f} s in all")
    print(f"kills: {verdict.kills} ({sum(verdict.kills.values())} in all)")
    for line in result.chaos_log:
        print(f"  {line}")
    print(
        f"acknowledged: {result.requests_acked} ({verdict.acked}); "
        f"not acknowledged: {verdict.unacked}; errors seen: {verdict.errors}"
    )
    print(f"lost: {len(verdict.lost)}; stored twice: {len(verdict.stored_twice)}")
    print(
        f"e-mails: {verdict.mails} received, {verdict.mails_owed} replies owed one, "
        f"missing {len(verdict.mails_missing)}, under two ids {len(verdict.mail_duplicates)}, "
        f"copies of one Message-ID {verdict.mail_copies}"
    )
    print(
        f"webhooks: {verdict.webhooks} received, {verdict.webhooks_owed} events owed one, "
        f"missing {len(verdict.webhooks_missing)}, "
        f"under two ids {len(verdict.webhook_duplicates)}, "
        f"copies of one delivery id {verdict.webhook_copies}, unsigned {verdict.unsigned}"
    )
    print(f"outbox: {len(verdict.outbox_left)} owed jobs left")
    problems = verdict.problems
    if sum(verdict.kills.values()) < 20:
        problems.append(f"only {sum(verdict.kills.values())} kills")
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    if args.json is not None:
        args.json.write_text(json.dumps({"result": asdict(result)}, indent=2, default=str))
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
