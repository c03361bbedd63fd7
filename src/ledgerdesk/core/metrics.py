"""Prometheus metrics kept in process (docs/production.md lists them all).

Counters and histograms here are updated where the work happens: requests (web middleware),
jobs (the worker), chat connections (the hub). With several processes (``serve --workers``,
``worker --concurrency``), ``PROMETHEUS_MULTIPROC_DIR`` makes every process write its values
to files that ``/metrics`` sums. Figures that live in the database (queue depth and age, SLA
breaches, guard findings) are read at scrape time instead, so every process reports the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "ledgerdesk_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status class.",
    ["route", "method", "status"],
    buckets=_LATENCY_BUCKETS,
)
JOB_SECONDS = Histogram(
    "ledgerdesk_job_duration_seconds",
    "Time a job's handler ran, by topic.",
    ["topic"],
    buckets=_LATENCY_BUCKETS,
)
JOB_PICKUP_SECONDS = Histogram(
    "ledgerdesk_job_pickup_seconds",
    "Time from a job becoming due to a worker starting it, by topic.",
    ["topic"],
    buckets=_LATENCY_BUCKETS,
)
JOB_RUNS = Counter(
    "ledgerdesk_job_runs_total",
    "Jobs run, by topic and outcome (ok, failed, dead).",
    ["topic", "outcome"],
)
CHAT_CONNECTIONS = Gauge(
    "ledgerdesk_chat_connections",
    "Open live-chat websocket connections (customers and agents).",
    multiprocess_mode="livesum",
)


def job_finished(topic: str, seconds: float, outcome: str) -> None:
    """Record one run of a job: ``outcome`` is ok, failed (will retry) or dead."""
    JOB_RUNS.labels(topic=topic, outcome=outcome).inc()
    JOB_SECONDS.labels(topic=topic).observe(seconds)


# -- collecting: several processes, one answer ---------------------------------------------

# prometheus_client's own variable: read by it when it is first imported, so it must be in the
# environment before a process imports this module (``serve`` sets it before uvicorn starts).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def prepare_multiprocess(data_dir: Path, processes: int) -> Path | None:
    """Before ``serve`` starts ``processes`` web processes: with more than one, each writes its
    values to files in ``<data dir>/prometheus`` (or a ``PROMETHEUS_MULTIPROC_DIR`` the
    operator set) and ``/metrics`` sums them. Files of an earlier run are removed: counters
    start again from zero, which Prometheus reads as a restart."""
    chosen = multiprocess_dir()
    if processes <= 1 and chosen is None:
        return None
    directory = (chosen or data_dir / "prometheus").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


class _ThisProcess(Collector):
    """The default registry's metrics (this process only), inside another registry."""

    def collect(self) -> Iterable[Metric]:
        yield from REGISTRY.collect()


def exposition_registry(*extra: Collector) -> CollectorRegistry:
    """The registry ``/metrics`` renders: every web process's in-process metrics (summed from
    the multiprocess files when there are several) plus ``extra`` collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return registry


def forget_dead_processes() -> int:
    """Drop the live gauges (open chat connections) of web processes that died without saying
    so (``kill -9``, OOM): their files would count those connections for ever. Returns how
    many processes were forgotten."""
    directory = multiprocess_dir()
    if directory is None:
        return 0
    dead: set[int] = set()
    for path in directory.glob("gauge_live*_*.db"):
        number = path.stem.rsplit("_", 1)[-1]
        if number.isdigit() and not _alive(int(number)):
            dead.add(int(number))
    for pid in dead:
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
    return len(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that id: not ours, but alive
        return True
    return True
