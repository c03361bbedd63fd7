"""The OpenAPI document, made honest: how to authenticate, and the error answers that can
really come back, in the ``{"error": {...}}`` envelope that ``web.errors`` sends.

FastAPI documents what it can see in a route's signature. What it cannot see is added here,
from the same facts the code runs on: which identity dependency a route uses (token or
session required, optional, none), whether it takes path parameters or a body, whether it
writes. Routes declare what only they know (a rate limit) with ``responses=`` on the
decorator, using ``RATE_LIMITED`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from ledgerdesk.web import deps

SESSION_COOKIE = "ledgerdesk_session"
SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An agent's API token (`ldk_…`), made with POST /api/v1/tokens or in "
        "the console. Send it as `Authorization: Bearer <token>`.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The session cookie set by signing in to the console (agents) or the "
        "portal (customers).",
    },
    "chatVisitor": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The chat widget's visitor token from POST /chat/api/identify, sent as "
        "`Authorization: Chat <visitor_token>`.",
    },
}
SIGNED_IN: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]

ERROR_SCHEMAS: dict[str, Any] = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        "required": ["field", "message"],
    },
    "ErrorBody": {
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "description": "Stable machine code: not_found, invalid_input, conflict, …",
                "examples": ["invalid_input"],
            },
            "message": {"type": "string", "description": "What went wrong, for a person"},
            "field": {"type": "string", "description": "The input field at fault, if one"},
            "details": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ErrorDetail"},
                "description": "Every invalid field (422 invalid_input from validation)",
            },
        },
        "required": ["code", "message"],
    },
    "Error": {
        "type": "object",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
        "required": ["error"],
    },
}
ERROR_DESCRIPTIONS = {
    400: "Malformed request (the body is not valid JSON)",
    401: "Not signed in, or the API token is unknown or revoked",
    403: "Not allowed: the caller's role, or a cross-site browser request",
    404: "No such object, or not visible to you",
    409: "Conflicts with the object's state or with existing data; nothing stored",
    413: "The request body is over the size limit",
    422: "Invalid input: the fields at fault are named",
    429: "Too many requests; try again later",
    503: "The database is busy; nothing stored, retry after a few seconds",
}
RATE_LIMITED: dict[int | str, dict[str, Any]] = {429: {"description": ERROR_DESCRIPTIONS[429]}}
WRITES = {"post", "put", "patch", "delete"}


def install(app: FastAPI) -> None:
    """Serve the completed document at ``app.openapi_url`` (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    models = components.setdefault("schemas", {})
    models.pop("HTTPValidationError", None)
    models.pop("ValidationError", None)
    models.update(ERROR_SCHEMAS)
    for path, method, route in _operations(app):
        _complete(schema["paths"][path][method], method, route)
    return schema


def _operations(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(context.methods or ()):
            yield str(context.path_format), method.lower(), route


def _complete(operation: dict[str, Any], method: str, route: APIRoute) -> None:
    auth = _auth(route.dependant)
    if auth is not None:
        operation["security"] = SIGNED_IN + ([{}] if auth == "optional" else [])
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status in _error_statuses(operation, method, route, auth):
        entry = responses.setdefault(str(status), {})
        entry["description"] = entry.get("description") or ERROR_DESCRIPTIONS[status]
        entry["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _error_statuses(
    operation: dict[str, Any], method: str, route: APIRoute, auth: str | None
) -> set[int]:
    body = route.body_field is not None
    declared = {int(s) for s in operation.get("responses", {}) if s.isdigit() and int(s) >= 400}
    statuses = declared  # FastAPI declares 422 whenever a route takes input
    if body:
        statuses |= {400, 413, 422}
    if auth is not None:
        statuses |= {401}
    if auth == "required" and (
        _role_checked(route.dependant) or route.dependant.path_params or body
    ):
        statuses |= {403}  # an agent-only route, or a service that checks who may act
    if route.dependant.path_params or body:
        statuses |= {404}  # a path id, or an id in the body, that does not exist
    if method in WRITES:
        statuses |= {403, 409, 503}  # 403: a cross-site browser request (CSRF protection)
    return statuses


def _role_checked(dependant: Dependant) -> bool:
    return bool({deps.current_agent, deps.current_customer} & set(_calls(dependant)))


def _auth(dependant: Dependant) -> str | None:
    """ "required" when the route needs a signed-in caller, "optional" when it reads one if
    present, ``None`` when it never looks."""
    calls = set(_calls(dependant))
    required: set[Callable[..., Any]] = {
        deps.current_actor,
        deps.current_agent,
        deps.current_customer,
    }
    if calls & required:
        return "required"
    if deps.optional_actor in calls:
        return "optional"
    return None


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)
