"""The task queues bench/job_engines.py measures: one adapter per engine, each with a producer
(used in the bench process) and a worker main (run in a worker subprocess).

Every engine runs the same job, :func:`run_job`: it writes a start line (job id, the time the
producer sent it, the time it started, the process id) and, after sleeping ``work_ms``, an end
line, to a per-process file the bench tails. Nothing else is recorded in the worker, so the
engines are compared on their own costs.

Recovery settings (how soon a job held by a killed worker is handed out again) are set to
``RECOVERY_SECONDS`` where the engine has one; the engine's default is named in REPORT_NOTES.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

REDIS_URL = os.environ.get("ENGINEBENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
AMQP_URL = os.environ.get("ENGINEBENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
POLL_SECONDS = 0.5
RECOVERY_SECONDS = 10

_out_lock = threading.Lock()
_out: Any = None


def _record(line: str) -> None:
    global _out
    with _out_lock:
        if _out is None:
            _out = open(os.environ["ENGINEBENCH_OUT"], "a", buffering=1)
        _out.write(line)


def run_job(job_id: int, sent: float, work_ms: int) -> None:
    """The measured job: records its start, sleeps ``work_ms``, records its end."""
    _record(f"S {job_id} {sent:.6f} {time.time():.6f} {os.getpid()}\n")
    if work_ms:
        time.sleep(work_ms / 1000)
    _record(f"E {job_id} {time.time():.6f} {os.getpid()}\n")


def _stop_on_sigterm() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


class Producer(Protocol):
    def send(self, job_id: int, work_ms: int) -> None: ...

    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    joins_db_transaction: str

    def setup(self) -> None: ...

    def producer(self) -> Producer: ...

    def worker_main(self, threads: int) -> None: ...

    def cleanup(self) -> None: ...


# --- Dramatiq (Redis, RabbitMQ) -------------------------------------------------------------


class _CallProducer:
    def __init__(self, send: Callable[[int, float, int], None], close: Callable[[], None]) -> None:
        self._send = send
        self._close = close

    def send(self, job_id: int, work_ms: int) -> None:
        self._send(job_id, time.time(), work_ms)

    def close(self) -> None:
        self._close()


class DramatiqEngine:
    joins_db_transaction = "no: a broker message; needs the outbox and a relay after commit"

    def __init__(self, broker_kind: str, run_id: str, pg_url: str) -> None:
        self.kind = broker_kind
        self.name = f"dramatiq-{broker_kind}"
        self.run_id = run_id
        self.queue = f"enginebench_{run_id}"

    def _broker(self) -> Any:
        if self.kind == "redis":
            from dramatiq.brokers.redis import RedisBroker

            redis_broker: Any = RedisBroker
            return redis_broker(
                url=REDIS_URL,
                namespace=f"enginebench-{self.run_id}",
                heartbeat_timeout=RECOVERY_SECONDS * 1000,
            )
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=AMQP_URL)

    def _actor(self) -> Any:
        import dramatiq

        broker = self._broker()
        dramatiq.set_broker(broker)
        return dramatiq.actor(
            actor_name="enginebench_job", queue_name=self.queue, max_retries=0, broker=broker
        )(run_job)

    def setup(self) -> None:
        return None

    def producer(self) -> Producer:
        actor = self._actor()
        return _CallProducer(
            lambda job_id, sent, work_ms: actor.send(job_id, sent, work_ms),
            actor.broker.close,
        )

    def worker_main(self, threads: int) -> None:
        import dramatiq

        stop = _stop_on_sigterm()
        actor = self._actor()
        worker = dramatiq.Worker(actor.broker, worker_threads=threads)
        worker.start()
        _record(f"R {os.getpid()}\n")
        stop.wait()
        worker.stop(timeout=30_000)
        actor.broker.close()

    def cleanup(self) -> None:
        if self.kind == "redis":
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"enginebench-{self.run_id}*"))
            if keys:
                client.delete(*keys)
            client.close()
            return
        import pika

        conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        channel = conn.channel()
        for name in (self.queue, f"{self.queue}.DQ", f"{self.queue}.XQ"):
            channel.queue_delete(name)
        conn.close()


# --- Celery on Redis ------------------------------------------------------------------------


class CeleryEngine:
    joins_db_transaction = "no: a broker message; needs the outbox and a relay after commit"

    def __init__(self, acks_late: bool, run_id: str, pg_url: str) -> None:
        self.acks_late = acks_late
        self.name = "celery-redis" if acks_late else "celery-redis-default"
        self.run_id = run_id
        self.queue = f"enginebench_{run_id}"
        self.prefix = f"enginebench-{run_id}:"

    def _app(self) -> tuple[Any, Any]:
        from celery import Celery

        app = Celery("enginebench", broker=REDIS_URL, set_as_current=False)
        app.conf.update(
            task_default_queue=self.queue,
            # Celery's default (celery-redis-default) acknowledges a job on receipt.
            task_acks_late=self.acks_late,
            task_reject_on_worker_lost=self.acks_late,
            task_ignore_result=True,
            worker_hijack_root_logger=False,
            broker_connection_retry_on_startup=True,
            broker_transport_options={
                "visibility_timeout": RECOVERY_SECONDS,
                "global_keyprefix": self.prefix,
            },
        )
        task = app.task(name="enginebench.job")(run_job)
        return app, task

    def setup(self) -> None:
        return None

    def producer(self) -> Producer:
        app, task = self._app()
        return _CallProducer(
            lambda job_id, sent, work_ms: task.apply_async((job_id, sent, work_ms)),
            app.close,
        )

    def worker_main(self, threads: int) -> None:
        from celery.signals import worker_ready

        app, _task = self._app()
        worker_ready.connect(lambda **_: _record(f"R {os.getpid()}\n"), weak=False)
        app.worker_main(
            argv=[
                "worker",
                "--pool=threads",
                f"--concurrency={threads}",
                f"--queues={self.queue}",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ]
        )

    def cleanup(self) -> None:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{self.prefix}*"))
        keys += list(client.scan_iter(f"_kombu.binding.{self.prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


# --- procrastinate on PostgreSQL ------------------------------------------------------------


class ProcrastinateEngine:
    name = "procrastinate-pg"
    joins_db_transaction = (
        "yes: a job is a row in our PostgreSQL; defer on the transaction's connection"
    )

    def __init__(self, run_id: str, pg_url: str) -> None:
        self.pg_url = pg_url
        self.queue = f"enginebench_{run_id}"

    def _app(self, sync: bool) -> tuple[Any, Any]:
        import procrastinate

        connector: Any = (
            procrastinate.SyncPsycopgConnector(conninfo=self.pg_url)
            if sync
            else procrastinate.PsycopgConnector(conninfo=self.pg_url)
        )
        app = procrastinate.App(connector=connector)

        def job(job_id: int, sent: float, work_ms: int) -> None:
            run_job(job_id, sent, work_ms)

        task = app.task(name="enginebench.job", queue=self.queue)(job)
        return app, task

    def setup(self) -> None:
        app, _task = self._app(sync=True)
        with app.open():
            app.schema_manager.apply_schema()

    def producer(self) -> Producer:
        app, task = self._app(sync=True)
        app.open()
        return _CallProducer(
            lambda job_id, sent, work_ms: task.defer(job_id=job_id, sent=sent, work_ms=work_ms),
            app.close,
        )

    def worker_main(self, threads: int) -> None:
        asyncio.run(self._worker(threads))

    async def _worker(self, threads: int) -> None:
        app, _task = self._app(sync=False)

        async def retry_stalled() -> None:
            # procrastinate leaves a dead worker's job in "doing"; its documented remedy is a
            # periodic call like this one (our worker would run it in every process).
            while True:
                await asyncio.sleep(1)
                stalled = await app.job_manager.get_stalled_jobs(
                    queue=self.queue, seconds_since_heartbeat=RECOVERY_SECONDS
                )
                for job in stalled:
                    await app.job_manager.retry_job(job)

        async with app.open_async():
            retrier = asyncio.create_task(retry_stalled())
            _record(f"R {os.getpid()}\n")
            await app.run_worker_async(
                queues=[self.queue],
                concurrency=threads,
                update_heartbeat_interval=2,
                stalled_worker_timeout=RECOVERY_SECONDS,
                delete_jobs="successful",
            )
            retrier.cancel()

    def cleanup(self) -> None:
        return None  # the throwaway database is dropped


# --- our outbox style: a PostgreSQL table polled with FOR UPDATE SKIP LOCKED -----------------


class _Wake:
    """A generation counter: a claimer sleeps only if nothing was notified since it looked."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.generation = 0

    def poke(self) -> None:
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        with self.cond:
            if self.generation == seen:
                self.cond.wait(timeout)


class _PgProducer:
    def __init__(self, pg_url: str, notify: bool) -> None:
        import psycopg

        self.conn = psycopg.connect(pg_url)
        self.notify = notify

    def send(self, job_id: int, work_ms: int) -> None:
        # One transaction per job, as when a job commits with the change that owes it.
        with self.conn.transaction():
            self.conn.execute(
                "INSERT INTO enginebench_outbox (job_id, sent, work_ms) VALUES (%s, %s, %s)",
                (job_id, time.time(), work_ms),
            )
            if self.notify:
                self.conn.execute("NOTIFY enginebench_outbox")

    def close(self) -> None:
        self.conn.close()


class PgOutboxEngine:
    joins_db_transaction = "yes: the job is a row inserted in the same transaction"

    def __init__(self, notify: bool, run_id: str, pg_url: str) -> None:
        self.notify = notify
        self.name = "pg-outbox-notify" if notify else "pg-outbox-poll"
        self.pg_url = pg_url

    def setup(self) -> None:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS enginebench_outbox")
            conn.execute(
                "CREATE TABLE enginebench_outbox (id bigserial PRIMARY KEY, job_id int NOT NULL,"
                " sent double precision NOT NULL, work_ms int NOT NULL)"
            )

    def producer(self) -> Producer:
        return _PgProducer(self.pg_url, self.notify)

    def worker_main(self, threads: int) -> None:
        stop = _stop_on_sigterm()
        wake = _Wake()
        claimers = [
            threading.Thread(target=self._claim_loop, args=(stop, wake), daemon=True)
            for _ in range(threads)
        ]
        if self.notify:
            threading.Thread(target=self._listen, args=(stop, wake), daemon=True).start()
        for thread in claimers:
            thread.start()
        _record(f"R {os.getpid()}\n")
        stop.wait()
        wake.poke()
        for thread in claimers:
            thread.join(30)

    def _listen(self, stop: threading.Event, wake: _Wake) -> None:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute("LISTEN enginebench_outbox")
            while not stop.is_set():
                for _note in conn.notifies(timeout=POLL_SECONDS):
                    wake.poke()

    def _claim_loop(self, stop: threading.Event, wake: _Wake) -> None:
        import psycopg

        with psycopg.connect(self.pg_url) as conn:
            while not stop.is_set():
                seen = wake.generation
                with conn.transaction():
                    row = conn.execute(
                        "SELECT id, job_id, sent, work_ms FROM enginebench_outbox ORDER BY id"
                        " LIMIT 1 FOR UPDATE SKIP LOCKED"
                    ).fetchone()
                    if row is not None:
                        run_job(row[1], row[2], row[3])
                        conn.execute("DELETE FROM enginebench_outbox WHERE id = %s", (row[0],))
                if row is None:
                    wake.wait(seen, POLL_SECONDS)

    def cleanup(self) -> None:
        return None  # the throwaway database is dropped


class DramatiqOutboxEngine(DramatiqEngine):
    """The desk's design: the outbox row is the job, Dramatiq on Redis only delivers its id.

    The producer commits the row, then sends the id. The actor claims the row with
    ``FOR UPDATE SKIP LOCKED``, runs the job in that transaction and deletes the row; an id
    whose row is gone or locked is a no-op. The main thread of every worker sweeps once a
    second: rows whose ``resend_at`` has passed (never picked up, or the worker holding them
    died) are sent again, and ``resend_at`` moves on by RESEND_SECONDS x 2^resends (capped at
    5 minutes), so a long backlog is not flooded with duplicate ids (each one a no-op claim).
    """

    joins_db_transaction = "yes: the row commits with the change; the id is sent after commit"
    RESEND_SECONDS = 5

    def __init__(self, run_id: str, pg_url: str) -> None:
        super().__init__("redis", run_id, pg_url)
        self.name = "dramatiq-redis+outbox"
        self.pg_url = pg_url
        self._local = threading.local()

    def _actor(self) -> Any:
        import dramatiq

        broker = self._broker()
        dramatiq.set_broker(broker)
        return dramatiq.actor(
            actor_name="enginebench_claim", queue_name=self.queue, max_retries=0, broker=broker
        )(self._claim)

    def _conn(self) -> Any:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = psycopg.connect(self.pg_url)
        return conn

    def _claim(self, row_id: int) -> None:
        conn = self._conn()
        with conn.transaction():
            row = conn.execute(
                "SELECT job_id, sent, work_ms FROM enginebench_outbox WHERE id = %s"
                " FOR UPDATE SKIP LOCKED",
                (row_id,),
            ).fetchone()
            if row is None:
                return
            run_job(row[0], row[1], row[2])
            conn.execute("DELETE FROM enginebench_outbox WHERE id = %s", (row_id,))

    def setup(self) -> None:
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS enginebench_outbox")
            conn.execute(
                "CREATE TABLE enginebench_outbox (id bigserial PRIMARY KEY, job_id int NOT NULL,"
                " sent double precision NOT NULL, work_ms int NOT NULL,"
                " resend_at timestamptz NOT NULL, resends int NOT NULL DEFAULT 0)"
            )

    def producer(self) -> Producer:
        import psycopg

        actor = self._actor()
        conn = psycopg.connect(self.pg_url)

        def send(job_id: int, sent: float, work_ms: int) -> None:
            with conn.transaction():
                row = conn.execute(
                    "INSERT INTO enginebench_outbox (job_id, sent, work_ms, resend_at)"
                    " VALUES (%s, %s, %s, now() + make_interval(secs => %s)) RETURNING id",
                    (job_id, sent, work_ms, self.RESEND_SECONDS),
                ).fetchone()
            assert row is not None
            actor.send(row[0])  # after commit

        def close() -> None:
            conn.close()
            actor.broker.close()

        return _CallProducer(send, close)

    def worker_main(self, threads: int) -> None:
        import dramatiq
        import psycopg

        stop = _stop_on_sigterm()
        actor = self._actor()
        worker = dramatiq.Worker(actor.broker, worker_threads=threads)
        worker.start()
        _record(f"R {os.getpid()}\n")
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            while not stop.wait(1.0):
                due = conn.execute(
                    "UPDATE enginebench_outbox SET resends = resends + 1, resend_at = now()"
                    " + make_interval(secs => least(300, %s * power(2, resends)))"
                    " WHERE id IN (SELECT id FROM enginebench_outbox WHERE resend_at < now()"
                    " ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id",
                    (self.RESEND_SECONDS,),
                ).fetchall()
                for (row_id,) in due:
                    actor.send(row_id)
                if due:
                    _record(f"X {len(due)} {os.getpid()}\n")
        worker.stop(timeout=30_000)
        actor.broker.close()


ENGINES = (
    "dramatiq-redis",
    "dramatiq-redis+outbox",
    "dramatiq-rabbitmq",
    "celery-redis",
    "celery-redis-default",
    "procrastinate-pg",
    "pg-outbox-poll",
    "pg-outbox-notify",
)

#: What each engine does by default when a worker dies holding a job (our runs shorten it).
REPORT_NOTES = {
    "dramatiq-redis": "default heartbeat_timeout 60 s (run: 10 s); requeued by a live worker's "
    "random maintenance (0.1 % of its Redis commands)",
    "dramatiq-redis+outbox": "the row lock dies with the connection; a worker's sweeper "
    "re-sends the row's id once its resend_at (5 s after the send, then 10, 20 ...) has passed",
    "dramatiq-rabbitmq": "unacked messages go back to the queue when the broker sees the "
    "connection close (no timeout to set)",
    "celery-redis": "task_acks_late on; redelivered once older than visibility_timeout "
    "(default 3600 s; run: 10 s) by a worker's unacked sweep, which scans about every 100 s "
    "(unacked_restore_interval 10 s x unacked_restore_throttle 10)",
    "celery-redis-default": "Celery's defaults (acks on receipt): a job in a dead worker's "
    "hands, and what it had prefetched, is gone",
    "procrastinate-pg": "stays 'doing' forever by default; re-run needs a periodic "
    "get_stalled_jobs + retry_job (run: every 1 s, stalled after 10 s without heartbeat)",
    "pg-outbox-poll": "the row lock dies with the connection; the next poll takes the row",
    "pg-outbox-notify": "the row lock dies with the connection; the next poll takes the row",
}


def make_engine(name: str, run_id: str, pg_url: str) -> Engine:
    if name == "dramatiq-redis+outbox":
        return DramatiqOutboxEngine(run_id, pg_url)
    if name.startswith("dramatiq-"):
        return DramatiqEngine(name.removeprefix("dramatiq-"), run_id, pg_url)
    if name in ("celery-redis", "celery-redis-default"):
        return CeleryEngine(name == "celery-redis", run_id, pg_url)
    if name == "procrastinate-pg":
        return ProcrastinateEngine(run_id, pg_url)
    if name.startswith("pg-outbox-"):
        return PgOutboxEngine(name == "pg-outbox-notify", run_id, pg_url)
    raise ValueError(f"unknown engine {name!r}")
