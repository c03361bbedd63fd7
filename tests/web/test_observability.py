"""What an operator watches: request ids in headers and logs, /metrics and its access rule,
/readyz both ways, and a real ``serve --workers 2`` summing its processes' metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from ledgerdesk.chat import identity
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.context import request_id_bound
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.logs import JsonFormatter, make_handler
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.sla.models import SlaTarget
from ledgerdesk.web.app import create_app
from tests.conftest import REDIS_URL, make_ticket

LOOPBACK = ("127.0.0.1", 40123)
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "ledgerdesk"
MakeApp = Callable[..., FastAPI]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def make_app(app_settings: Settings) -> Iterator[MakeApp]:
    """Apps made from the session's settings (jobs external: no embedded worker drains the
    outbox rows a test writes), disposed afterwards. No lifespan: nothing here needs it."""
    made: list[FastAPI] = []

    def make(**changes: object) -> FastAPI:
        app = create_app(app_settings.model_copy(update={"jobs": "external", **changes}))
        made.append(app)
        return app

    yield make
    for app in made:
        app.state.engine.dispose()


def scrape(app: FastAPI, **headers: str) -> httpx.Response:
    return TestClient(app, client=LOOPBACK).get("/metrics", headers=headers)


def sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one series in a Prometheus text page, or None when absent."""
    for line in body.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if line.startswith(name + "{") and line[len(name)] == "{" and found == labels:
            return float(line.rsplit(" ", 1)[1])
        if not labels and line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


# -- request id ------------------------------------------------------------------------------


def test_request_id_is_echoed_and_a_bad_one_replaced(make_app: MakeApp) -> None:
    client = TestClient(make_app())
    given = "edge-7f3a9c21-0001"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given
    for bad in ("short", "has spaces in it", "x" * 65, "semi;colon;attack"):
        answered = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert answered != bad and re.fullmatch(r"[0-9a-f]{16}", answered)
    fresh = {client.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(fresh) == 3
    # Answers made by a middleware before any route (a 413) carry it too.
    big = client.post(
        "/api/v1/tickets",
        content=b"x" * (2 * 1024 * 1024),
        headers={"content-type": "application/json", "X-Request-ID": given},
    )
    assert big.status_code == 413 and big.headers["x-request-id"] == given


def test_log_lines_of_a_request_carry_its_id_as_json(make_app: MakeApp) -> None:
    """A real log line written during a request (readiness failing) has the request's id."""
    bad_db = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none"
    app = make_app(database_url=bad_db)
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("ledgerdesk")
    logger.addHandler(handler)
    try:
        response = TestClient(app).get("/readyz", headers={"X-Request-ID": "trace-0042-abcd"})
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 503
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failing = [line for line in lines if "readiness: database" in line["message"]]
    assert failing, lines
    assert failing[0]["request_id"] == "trace-0042-abcd"
    assert failing[0]["level"] == "WARNING"
    assert failing[0]["logger"] == "ledgerdesk.web.observability"
    assert set(failing[0]) >= {"time", "level", "logger", "message", "request_id"}


def test_json_lines_carry_the_exception_and_text_lines_the_id() -> None:
    record_log = logging.getLogger("ledgerdesk.test.observability")
    stream, text_stream = io.StringIO(), io.StringIO()
    handlers = [make_handler("json", stream), make_handler("text", text_stream)]
    for handler in handlers:
        record_log.addHandler(handler)
    try:
        with request_id_bound("job-run-12345678"):
            try:
                raise ValueError("bad payload")
            except ValueError:
                record_log.exception("job failed")
        record_log.warning("outside any request")
    finally:
        for handler in handlers:
            record_log.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] == "job-run-12345678" and first["message"] == "job failed"
    assert "ValueError: bad payload" in first["exception"]
    assert second["request_id"] is None and "exception" not in second
    assert "[job-run-12345678]: job failed" in text_stream.getvalue()
    assert isinstance(JsonFormatter().format(logging.makeLogRecord({"msg": "x"})), str)


# -- /metrics --------------------------------------------------------------------------------


def test_metrics_only_for_loopback_or_the_token(make_app: MakeApp) -> None:
    app = make_app()
    assert scrape(app).status_code == 200
    outside = TestClient(app).get("/metrics")  # the test client's peer is not an address
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "metrics_forbidden"
    proxied = scrape(app, **{"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403  # loopback, but through a proxy: someone else asked
    token_app = make_app(metrics_token="s3cret-token-for-prometheus")
    remote = TestClient(token_app, client=("10.1.2.3", 1))
    assert remote.get("/metrics").status_code == 403
    wrong = remote.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    right = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert right.status_code == 200 and right.headers["content-type"].startswith("text/plain")


def test_request_latency_is_labelled_by_route_template(make_app: MakeApp) -> None:
    app = make_app()
    client = TestClient(app, client=LOOPBACK)
    ticket = 900_000 + int(uuid.uuid4().int % 1000)
    assert client.get(f"/api/v1/tickets/{ticket}").status_code == 401
    client.get(f"/no/such/page/{ticket}")
    body = scrape(app).text
    name = "ledgerdesk_http_request_duration_seconds_count"
    assert sample(body, name, method="GET", route="/api/v1/tickets/{ticket_id}", status="4xx")
    assert sample(body, name, method="GET", route="unmatched", status="4xx")
    assert str(ticket) not in body


def test_database_figures(make_app: MakeApp, app_settings: Settings) -> None:
    """Queue depth, retries and age; SLA breaches and guard findings; all from the database."""
    before = scrape(make_app()).text
    topic = f"obs.test.{uuid.uuid4().hex[:8]}"
    now = utcnow()
    app = make_app()
    engine = app.state.engine
    with engine.begin() as conn:
        for age, attempts in ((-3600, 0), (30, 0), (10, 2)):
            conn.execute(
                text(
                    "INSERT INTO outbox (topic, payload, created_at, available_at, attempts) "
                    "VALUES (:t, '{}', :c, :a, :n)"
                ),
                {"t": topic, "c": now, "a": now - timedelta(seconds=age), "n": attempts},
            )
    with app.state.sessionmaker() as session:
        ticket = make_ticket(session, body=f"My wallet words are {SEED}, please check")
        session.add(SlaTarget(ticket_id=ticket.id, target="first_reply", breached_at=now))
        session.commit()
        ticket_id = ticket.id
    try:
        body = scrape(app).text
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox WHERE topic = :t"), {"t": topic})
            conn.execute(text("DELETE FROM tickets WHERE id = :i"), {"i": ticket_id})
    assert sample(body, "ledgerdesk_database_up") == 1.0
    assert sample(body, "ledgerdesk_jobs_queued", topic=topic) == 3
    assert sample(body, "ledgerdesk_jobs_retrying", topic=topic) == 1
    oldest = sample(body, "ledgerdesk_jobs_oldest_due_seconds", topic=topic)
    assert oldest is not None and 29 <= oldest < 600
    for name, labels in (
        ("ledgerdesk_sla_breaches", {"target": "first_reply"}),
        ("ledgerdesk_sla_breached_open", {"target": "first_reply"}),
        ("ledgerdesk_guard_findings", {"kind": "seed_phrase"}),
    ):
        assert (sample(body, name, **labels) or 0) == (sample(before, name, **labels) or 0) + 1


def test_dead_jobs_are_counted_apart_when_the_outbox_has_dead_letters(tmp_path: Path) -> None:
    """``outbox.dead_at`` (the jobs engine's dead-letter state) is read when it exists."""
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        if "dead_at" not in {c["name"] for c in inspect(conn).get_columns("outbox")}:
            conn.execute(text("ALTER TABLE outbox ADD COLUMN dead_at DATETIME"))
        for dead_at in (None, utcnow(), utcnow()):
            conn.execute(
                text(
                    "INSERT INTO outbox (topic, payload, created_at, available_at, attempts, "
                    "dead_at) VALUES ('mail.send', '{}', :n, :n, 5, :d)"
                ),
                {"n": utcnow(), "d": dead_at},
            )
    engine.dispose()
    app = create_app(Settings(database_url=url, data_dir=tmp_path, jobs="external"))
    try:
        body = scrape(app).text
    finally:
        app.state.engine.dispose()
    assert sample(body, "ledgerdesk_jobs_dead", topic="mail.send") == 2
    assert sample(body, "ledgerdesk_jobs_queued", topic="mail.send") == 1


def test_metrics_answer_when_the_database_does_not(make_app: MakeApp) -> None:
    bad_db = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none"
    response = scrape(make_app(database_url=bad_db))
    assert response.status_code == 200
    assert sample(response.text, "ledgerdesk_database_up") == 0.0


def test_chat_connections_gauge_follows_open_websockets(client: TestClient, app: FastAPI) -> None:
    def open_now() -> float:
        return sample(scrape(app).text, "ledgerdesk_chat_connections") or 0.0

    with app.state.sessionmaker() as session:
        _, token = identity.identify_email(session, f"{uuid.uuid4().hex[:10]}@example.com")
        session.commit()
    before = open_now()
    origin = {"origin": "http://testserver"}
    with client.websocket_connect("/chat/ws", headers=origin) as first:
        with client.websocket_connect("/chat/ws", headers=origin) as second:
            for ws in (first, second):  # the server answers hello: the socket is served
                ws.send_json({"type": "hello", "token": token, "lang": "en"})
                assert ws.receive_json()["type"] == "welcome"
            assert open_now() == before + 2
    deadline = time.monotonic() + 10
    while open_now() != before and time.monotonic() < deadline:
        time.sleep(0.05)  # the server side of a closed socket finishes on its own time
    assert open_now() == before


# -- /readyz and /healthz --------------------------------------------------------------------


def test_readyz_both_ways(make_app: MakeApp) -> None:
    ok = TestClient(make_app(redis_url=REDIS_URL)).get("/readyz")
    if ok.status_code == 503 and ok.json()["checks"].get("redis", "").startswith("failed"):
        pytest.skip("Redis not available")
    assert ok.status_code == 200
    assert ok.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    bad_db = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none"
    down = TestClient(make_app(database_url=bad_db)).get("/readyz")
    assert down.status_code == 503
    assert down.json()["checks"]["database"].startswith("failed: ")
    assert "127.0.0.1" not in down.text  # which check failed, not the address or password
    no_redis = f"redis://127.0.0.1:{_closed_port()}/0"
    redis_down = TestClient(make_app(redis_url=no_redis)).get("/readyz")
    assert redis_down.status_code == 503
    assert redis_down.json()["checks"] == {
        "database": "ok",
        "redis": redis_down.json()["checks"]["redis"],
    }
    assert redis_down.json()["checks"]["redis"].startswith("failed: ")
    # Liveness does not depend on the database: the process is alive.
    alive = TestClient(make_app(database_url=bad_db)).get("/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "ok"}


# -- a real server: several processes, one /metrics, JSON logs ------------------------------


def test_serve_with_two_workers_sums_metrics_and_logs_json(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        **os.environ,
        "LEDGERDESK_DATA_DIR": str(tmp_path),
        "LEDGERDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "LEDGERDESK_LOG_FORMAT": "json",
        "LEDGERDESK_EMBEDDINGS": "none",
        "PYTHONPATH": str(ROOT / "src"),  # this tree's code, whatever the venv has installed
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    stale = tmp_path / "prometheus" / "counter_1.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by an earlier run")
    cli = [str(BIN)]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    log_file = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        for n in range(40):  # a connection each: both processes take some
            answer = httpx.get(f"{url}/healthz", headers={"X-Request-ID": f"probe-{n:08d}"})
            assert answer.headers["x-request-id"] == f"probe-{n:08d}"
        body = httpx.get(f"{url}/metrics", timeout=10).text
        assert not stale.exists()  # an earlier run's files are gone
        count = sample(
            body,
            "ledgerdesk_http_request_duration_seconds_count",
            method="GET",
            route="/healthz",
            status="2xx",
        )
        assert count == 40  # summed over both processes, whichever answered
        assert len(list((tmp_path / "prometheus").glob("histogram_*.db"))) >= 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        log_file.close()
    lines = [line for line in (tmp_path / "serve.log").read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    # Everything after the banner is a JSON line, uvicorn's own lines included.
    assert records and all(line.startswith("{") for line in lines if "uvicorn" in line)
    assert any(r["logger"].startswith("uvicorn") for r in records)


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 150.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve exited with {server.returncode} during start-up")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"serve at {url} was not ready within {timeout} s")


# -- the README's production section and deploy/ ----------------------------------------------


def test_readme_production_section_matches_the_deploy_files() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Production deployment") :]
    section = section[: section.index("\n## ", 5)]
    table = readme[readme.index("| variable | default | meaning |") :]
    documented = set(re.findall(r"^\| `(LEDGERDESK_[A-Z0-9_]+)`", table, re.MULTILINE))
    rows = [line for line in section.splitlines() if line.startswith("| `deploy/")]
    assert len(rows) >= 5
    for row in rows:
        files_cell, runs_cell = row.strip("|").split("|")[:2]
        files = [ROOT / name for name in re.findall(r"`(deploy/[^`]+)`", files_cell)]
        assert files and all(path.is_file() for path in files), row
        # JSON command arrays (compose) read as the command line they are.
        content = " ".join(path.read_text() for path in files)
        content = re.sub(r'",\s*"', " ", content).replace('"', "")
        for command in re.findall(r"`(ledgerdesk [^`]+)`", runs_cell):
            assert command in content, (command, row)
        for name, value in re.findall(r"`(LEDGERDESK_[A-Z_]+)=([^`]+)`", runs_cell):
            assert f"{name}={value}" in content or f"{name}: {value}" in content, name
    for path in (ROOT / "deploy").rglob("*"):
        if path.is_file():
            used = set(re.findall(r"\b(LEDGERDESK_[A-Z0-9_]+)", path.read_text()))
            assert used <= documented, (path, used - documented)
    # The compose file has every service the layout names, and nginx upgrades websockets.
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    for service in ("postgres", "redis", "web", "worker", "proxy"):
        assert re.search(rf"^  {service}:$", compose, re.MULTILINE), service
    proxy = (ROOT / "deploy" / "nginx" / "ledgerdesk-proxy.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in proxy
    for site in ("ledgerdesk.conf", "compose.conf"):
        text_ = (ROOT / "deploy" / "nginx" / site).read_text()
        assert "location = /chat/ws" in text_ and "location = /metrics { return 404; }" in text_


def test_worker_serves_its_job_metrics_and_logs_json(tmp_path: Path) -> None:
    port = _closed_port()
    env = {
        **os.environ,
        "LEDGERDESK_DATA_DIR": str(tmp_path),
        "LEDGERDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "LEDGERDESK_LOG_FORMAT": "json",
        "LEDGERDESK_WORKER_METRICS": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("LEDGERDESK_REDIS_URL", None)
    subprocess.run([str(BIN), "migrate"], env=env, check=True, capture_output=True, timeout=120)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log_file:
        worker = subprocess.Popen(
            [str(BIN), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=log_file
        )
        try:
            body = ""
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and worker.poll() is None:
                try:
                    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            assert "# TYPE ledgerdesk_job_runs_total counter" in body
            assert "# TYPE ledgerdesk_job_pickup_seconds histogram" in body
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line[:1] == "{"]
    assert any(r["message"] == f"job metrics on http://127.0.0.1:{port}/metrics" for r in records)
