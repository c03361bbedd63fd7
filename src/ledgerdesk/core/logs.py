"""Logging for ``serve`` and ``worker``: one handler on the root logger, text or JSON lines.

Every record carries the current request id (``core.context``): the web middleware binds it
for a request, the worker binds the id a job was queued under, so ``grep <id>`` finds a
request and the work it caused. ``LEDGERDESK_LOG_FORMAT=json`` writes one JSON object a line
(time, level, logger, message, request_id and, when there is one, the exception) for a log
shipper; ``text`` (the default) is for people reading a terminal.
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TextIO

from ledgerdesk.core.context import current_request_id

if TYPE_CHECKING:
    from ledgerdesk.core.settings import Settings

LogFormat = Literal["json", "text"]
_TEXT_FORMAT = "%(levelname)s %(name)s [%(request_id)s]: %(message)s"
# uvicorn's loggers: sent through the root handler rather than uvicorn's own.
_ADOPTED = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RequestIdFilter(logging.Filter):
    """Stamp each record with the request id bound where it was logged ("-" when none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_id(record: logging.LogRecord) -> str | None:
    """The id the filter stamped ("-": none, null in JSON), else the one bound now."""
    stamped = getattr(record, "request_id", None)
    if stamped is None:
        return current_request_id()
    return None if stamped == "-" else str(stamped)


def make_handler(log_format: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler writing ``log_format`` lines, stamping request ids."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    return handler


def logging_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a ledgerdesk process. ``serve`` hands it to
    uvicorn too (``log_config``), which applies it in each of its worker processes, so
    uvicorn's own lines and the app's come out in one format with the request id."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": _TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"ledgerdesk": formatter},
        "handlers": {
            "ledgerdesk": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "ledgerdesk",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["ledgerdesk"], "level": level},
        "loggers": {
            **{name: {"handlers": [], "propagate": True} for name in _ADOPTED},
            # httpx logs every request at INFO with its full URL: a line per chain or exchange
            # call, and a node URL's user:password (bitcoind) would reach the log.
            "httpx": {"level": "WARNING"},
        },
    }


def configure_logging(log_format: LogFormat) -> None:
    """Set this process's logging up (once, at start): root handler, format, request ids."""
    logging.config.dictConfig(logging_config(log_format))


def configure_worker_observability(settings: Settings) -> None:
    """``ledgerdesk worker`` at start: our log lines and, with ``LEDGERDESK_WORKER_METRICS``
    (host:port), a small HTTP server with this process's job metrics (runs, failures, time,
    pickup latency) for Prometheus. The queue as a whole is on every web process's /metrics."""
    configure_logging(settings.log_format)
    if not settings.worker_metrics:
        return
    from prometheus_client import start_http_server

    from ledgerdesk.core.metrics import exposition_registry

    host, _, port = settings.worker_metrics.rpartition(":")
    start_http_server(int(port), addr=host.strip("[]"), registry=exposition_registry())
    logging.getLogger("ledgerdesk.worker").info(
        "job metrics on http://%s/metrics", settings.worker_metrics
    )
