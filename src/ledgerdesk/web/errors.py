"""Domain errors and request-validation errors mapped to HTTP, in one place."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from ledgerdesk.core.errors import DomainError, RateLimited
from ledgerdesk.web.deps import LoginRequired
from ledgerdesk.web.messages import translate_message
from ledgerdesk.web.templating import render

log = logging.getLogger("ledgerdesk.web")


# The chat widget's routes answer in JSON, in the reader's language (a customer reads them).
_CHAT_API = "/chat/api/"


def _wants_json(request: Request) -> bool:
    if request.url.path.startswith(("/api/", _CHAT_API)):
        return True
    return "application/json" in request.headers.get("accept", "") and not request.headers.get(
        "hx-request"
    )


def error_response(
    request: Request, status: int, code: str, message: str, **extra: Any
) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message, **extra}}, status)
    if request.headers.get("hx-request"):
        return render(request, "_error_fragment.html", status_code=status, message=message)
    return render(request, "error.html", status_code=status, message=message, code=code)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or "body"


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    extra = {"field": exc.field} if exc.field else {}
    message = exc.message
    if request.url.path.startswith(_CHAT_API):
        message = translate_message(message)
    response = error_response(request, exc.status_code, exc.code, message, **extra)
    return with_retry_after(response, exc)


def with_retry_after(response: Response, exc: DomainError) -> Response:
    """A rate-limit refusal says when the next attempt is let through (RFC 9110 §10.2.3);
    pages that render their own refusal pass theirs through here too."""
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (detail.get("ctx") or {}).get("error", "malformed JSON")
        return error_response(
            request, 400, "invalid_json", f"Request body is not valid JSON: {reason}"
        )
    details = [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors[:50]
    ]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return error_response(
        request, 422, "invalid_input", f"Invalid input — {summary}", details=details
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}
    code = codes.get(exc.status_code, "http_error")
    message = str(exc.detail) if exc.detail else code
    if exc.status_code == 404 and message == "Not Found":
        message = f"No such page or endpoint: {request.url.path[:200]}"
    response = error_response(request, exc.status_code, code, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request,
        500,
        "internal_error",
        "Something went wrong on our side; nothing you sent was stored",
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = f"{exc.login_path}?next={quote(here)}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _database_value(request: Request, exc: Exception) -> Response:
    # Defence in depth: services clean input, but a value the database still refuses is the
    # client's input, not our crash. The transaction was rolled back; nothing was stored.
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    if isinstance(exc, IntegrityError) and _missing_reference(exc):
        return error_response(
            request,
            422,
            "invalid_input",
            "A value refers to something that does not exist; nothing stored",
        )
    if isinstance(exc, IntegrityError):
        return error_response(
            request,
            409,
            "conflict",
            "This conflicts with existing data (a duplicate?); nothing stored",
        )
    return error_response(
        request,
        422,
        "invalid_input",
        "A value could not be stored (invalid characters or out of range)",
    )


def _missing_reference(exc: IntegrityError) -> bool:
    """A foreign key pointing at no row (PostgreSQL SQLSTATE 23503; SQLite says it in words)."""
    if getattr(exc.orig, "sqlstate", None) == "23503":
        return True
    return "FOREIGN KEY constraint failed" in str(exc.orig)


async def _database_busy(request: Request, exc: Exception) -> Response:
    """SQLite's single writer stayed busy past the busy timeout (a long background job on the
    embedded database): the request was rolled back; the client may simply retry."""
    if "database is locked" not in str(exc) and "database table is locked" not in str(exc):
        return await _unexpected(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    response = error_response(
        request,
        503,
        "busy",
        "The desk is busy writing; nothing was stored. Please try again in a few seconds",
    )
    response.headers["Retry-After"] = "5"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(DataError, _database_value)
    app.add_exception_handler(IntegrityError, _database_value)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
