"""Prometheus metrics kept in process (docs/production.md lists them all).

Counters and histograms here are updated where the work happens: requests (web middleware),
jobs (the worker), chat connections (the hub). With several processes (``serve --workers``,
``worker --concurrency``), ``PROMETHEUS_MULTIPROC_DIR`` makes every process write its values
to files that ``/metrics`` sums. Figures that live in the database (queue depth and age, SLA
breaches, guard findings) are read at scrape time instead, so every process reports the same.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
