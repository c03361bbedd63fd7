"""A small, bounded asyncio load client (httpx) for ledgerdesk's JSON API.

Every run is bounded twice: by a fixed request count and by a time limit. Only loopback
servers are accepted, so this cannot be pointed at anything but a server on this machine.

Two ways to apply load:

* closed loop (default): ``concurrency`` clients, each sending its next request as soon as
  the previous answer arrived. Measures the most the server does with that many clients.
* open loop (``--rate R``): requests are *scheduled* at R per second, at most ``concurrency``
  in flight; latency is counted from the scheduled time, so a server that falls behind
  shows it in the latency (no coordinated omission).

Run alone against a running server::

    .venv/bin/python bench/http_load.py --base-url http://127.0.0.1:8000 --token ldk_... \\
        --scenario create --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import os
import ssl
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

DEFAULT_CONCURRENCY = 50
DEFAULT_TIME_LIMIT = 60.0
MAX_REQUESTS = 200_000
MAX_TIME_LIMIT = 600.0

SUBJECTS = (
    "Withdrawal of {n} USDT stuck in pending",
    "Deposit not credited after {n} confirmations",
    "KYC verification rejected, document #{n}",
    "2FA reset request for account {n}",
    "Wrong network used for deposit, tx {n}",
    "API key permissions question ({n})",
    "提现 {n} USDT 一直处于审核中",
    "充值未到账，交易哈希 {n}",
)
BODY = (
    "Hello, I submitted the request about {n} hours ago and nothing has changed in the app. "
    "The transaction hash is 0x{h}. Could you please check what is going on and let me know "
    "when it will be processed? Thank you."
)
REPLY = (
    "Thanks for reaching out. We have checked transaction {n} with the wallet team; it is being "
    "processed and should arrive within the next hour. We will keep this ticket open until then."
)


def require_loopback(base_url: str) -> None:
    """Refuse any target that is not this machine."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing to load {base_url!r}: only loopback addresses are allowed")


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    json: dict[str, Any] | None = None
    expect: int = 200
    data: dict[str, str] | None = None  # a form, for the browser-facing endpoints


# (request number, client number) -> the request; most scenarios ignore the client.
RequestFactory = Callable[[int, int], RequestSpec]


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat (zeros elsewhere)."""
    try:
        with open("/proc/stat") as fh:
            parts = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


@dataclass
class LoadResult:
    name: str
    concurrency: int
    target_rate: float | None
    sent: int = 0
    ok: int = 0
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0
    machine_busy: float = 0.0
    hit_time_limit: bool = False
    ids: list[int] = field(default_factory=list)
    first_error: str = ""

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def pct(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "concurrency": self.concurrency,
            "target_rate": self.target_rate,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "elapsed_s": round(self.elapsed_s, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.pct(50), 1),
            "p95_ms": round(self.pct(95), 1),
            "p99_ms": round(self.pct(99), 1),
            "max_ms": round(max(self.latencies_ms, default=0.0), 1),
            "client_cpu_s": round(self.client_cpu_s, 2),
            "client_cpu_share": round(self.client_cpu_s / self.elapsed_s, 2)
            if self.elapsed_s
            else 0.0,
            "machine_busy": round(self.machine_busy, 2),
            "hit_time_limit": self.hit_time_limit,
            "first_error": self.first_error,
        }

    def line(self) -> str:
        s = self.summary()
        rate = f" target {self.target_rate:.0f}/s" if self.target_rate else ""
        return (
            f"{self.name}: {s['ok']} ok, {s['errors']} errors in {s['elapsed_s']}s "
            f"= {s['rps']} req/s{rate}; p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
            f"p99 {s['p99_ms']} ms, max {s['max_ms']} ms; client CPU {s['client_cpu_share']:.0%}"
            f" of a core, machine busy {s['machine_busy']:.0%}"
            + (" (time limit hit)" if self.hit_time_limit else "")
        )


async def run_load(
    base_url: str,
    factory: RequestFactory,
    *,
    tokens: Sequence[str] = (),
    headers: Sequence[dict[str, str]] | None = None,
    total: int,
    concurrency: int = DEFAULT_CONCURRENCY,
    time_limit: float = DEFAULT_TIME_LIMIT,
    rate: float | None = None,
    name: str = "load",
    collect_ids: bool = False,
    timeout: float = 30.0,
) -> LoadResult:
    """Send ``total`` requests from ``factory`` (at most ``time_limit`` seconds of sending).

    Client ``k`` authenticates with ``tokens[k % len(tokens)]``: one token shared by all
    clients (an integration) or one per client. Or each client ``k`` sends ``headers[k]``
    (e.g. a chat visitor's cookie), and there are ``len(headers)`` clients.
    """
    require_loopback(base_url)
    if headers is None:
        if not tokens:
            raise ValueError("at least one API token is needed")
        headers = [
            {"authorization": f"Bearer {tokens[k % len(tokens)]}"} for k in range(concurrency)
        ]
    concurrency = len(headers)
    total = min(total, MAX_REQUESTS)
    time_limit = min(time_limit, MAX_TIME_LIMIT)
    result = LoadResult(name=name, concurrency=concurrency, target_rate=rate)
    tls = ssl.create_default_context()
    # One client (one keep-alive connection) per simulated user: a single AsyncClient shared by
    # 50 tasks spends ~3 ms of CPU per request in its pool bookkeeping, ~1.3 ms this way.
    clients = [
        httpx.AsyncClient(
            base_url=base_url,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=timeout,
            headers=headers[k],
            verify=tls,  # never used on http://, but each client would build its own (30 ms)
        )
        for k in range(concurrency)
    ]
    next_index = 0
    busy0, all0 = cpu_ticks()
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + time_limit
    last_done = start

    async def client_loop(k: int, client: httpx.AsyncClient) -> None:
        nonlocal next_index, last_done
        while True:
            i = next_index
            if i >= total:
                return
            now = time.perf_counter()
            scheduled = start + i / rate if rate else now
            if now >= deadline:  # nothing is sent after the time limit, even if behind
                result.hit_time_limit = True
                return
            next_index += 1
            if scheduled > now:
                await asyncio.sleep(scheduled - now)
            spec = factory(i, k)
            result.sent += 1
            try:
                response = await client.request(
                    spec.method, spec.path, json=spec.json, data=spec.data
                )
                await response.aread()
            except httpx.HTTPError as exc:
                result.errors += 1
                result.statuses[exc.__class__.__name__] += 1
                result.first_error = result.first_error or repr(exc)[:300]
                continue
            done = time.perf_counter()
            last_done = max(last_done, done)
            result.statuses[str(response.status_code)] += 1
            if response.status_code != spec.expect:
                result.errors += 1
                result.first_error = result.first_error or (
                    f"{spec.method} {spec.path} -> {response.status_code}: {response.text[:300]}"
                )
                continue
            result.ok += 1
            result.latencies_ms.append((done - scheduled) * 1000)
            if collect_ids:
                result.ids.append(int(response.json()["id"]))

    try:
        await asyncio.gather(*(client_loop(k, c) for k, c in enumerate(clients)))
    finally:
        result.elapsed_s = last_done - start
        result.client_cpu_s = time.process_time() - cpu0
        busy1, all1 = cpu_ticks()
        result.machine_busy = (busy1 - busy0) / (all1 - all0) if all1 > all0 else 0.0
        await asyncio.gather(*(c.aclose() for c in clients))
    return result


# --- scenarios ------------------------------------------------------------------------------


def create_ticket_factory(tag: str, customers: int = 1000) -> RequestFactory:
    """New tickets from a pool of ``customers`` requesters: the first use of each e-mail
    creates the customer, later ones find it. Requests far enough apart never share one."""

    def make(i: int, k: int = 0) -> RequestSpec:
        c = i % customers
        return RequestSpec(
            "POST",
            "/api/v1/tickets",
            {
                "subject": SUBJECTS[i % len(SUBJECTS)].format(n=i),
                "body": BODY.format(n=i % 48 + 1, h=f"{i * 2654435761 % 2**64:016x}"),
                "requester": {"email": f"bench-{tag}-{c}@customers.example", "name": f"C {c}"},
            },
            expect=201,
        )

    return make


def reply_factory(ticket_ids: Sequence[int]) -> RequestFactory:
    """Public agent replies, spread over ``ticket_ids`` in turn."""
    if not ticket_ids:
        raise ValueError("the reply scenario needs existing ticket ids")

    def make(i: int, k: int = 0) -> RequestSpec:
        ticket_id = ticket_ids[i % len(ticket_ids)]
        return RequestSpec(
            "POST",
            f"/api/v1/tickets/{ticket_id}/messages",
            {"body": REPLY.format(n=i), "kind": "public"},
            expect=201,
        )

    return make


def list_factory(query: str = "open_only=true&per_page=50") -> RequestFactory:
    def make(i: int, k: int = 0) -> RequestSpec:
        return RequestSpec("GET", f"/api/v1/tickets?{query}")

    return make


async def fetch_ticket_ids(base_url: str, token: str, limit: int) -> list[int]:
    """Ids of up to ``limit`` open tickets, most recently updated first."""
    require_loopback(base_url)
    ids: list[int] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        page = 1
        while len(ids) < limit and page <= 1000:
            response = await client.get(
                "/api/v1/tickets", params={"open_only": "true", "per_page": 100, "page": page}
            )
            response.raise_for_status()
            items = response.json()["items"]
            if not items:
                break
            ids.extend(int(item["id"]) for item in items)
            page += 1
    return ids[:limit]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        help="API token (repeat for several; default $LEDGERDESK_BENCH_TOKEN)",
    )
    parser.add_argument("--scenario", choices=("create", "reply", "list"), default="create")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--rate", type=float, default=None, help="open loop: requests/s")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    tokens = args.token or [t for t in [os.environ.get("LEDGERDESK_BENCH_TOKEN", "")] if t]
    if not tokens:
        parser.error("give --token or set LEDGERDESK_BENCH_TOKEN")
    require_loopback(args.base_url)
    factory: RequestFactory
    if args.scenario == "create":
        factory = create_ticket_factory(f"cli{int(time.time())}")
    elif args.scenario == "reply":
        ids = asyncio.run(fetch_ticket_ids(args.base_url, tokens[0], 5000))
        factory = reply_factory(ids)
    else:
        factory = list_factory()
    result = asyncio.run(
        run_load(
            args.base_url,
            factory,
            tokens=tokens,
            total=args.requests,
            concurrency=args.concurrency,
            time_limit=args.time_limit,
            rate=args.rate,
            name=args.scenario,
        )
    )
    print(json.dumps(result.summary(), indent=2) if args.json else result.line())
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
