"""The OpenAPI document tells the truth: timestamps carry their UTC offset, both ways of
signing in are declared, and error answers are documented in the envelope the app sends.

``test_no_response_model_has_a_naive_datetime`` walks every response model of every route, so
a field added later as a bare ``datetime`` fails here: use ``core.types.UtcDateTime``."""

from __future__ import annotations

import re
import types
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from ledgerdesk.core.types import UTC_MARKER
from ledgerdesk.web.app import create_app
from tests.conftest import bearer
from tests.tickets.test_api import open_ticket

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _naive_fields(annotation: Any, where: str, seen: set[type]) -> list[str]:
    """Places under ``annotation`` where a ``datetime`` is not a ``UtcDateTime``."""
    if annotation is datetime:
        return [where]
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        if inner is datetime and any(extra is UTC_MARKER for extra in extras):
            return []
        return _naive_fields(inner, where, seen)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return []
        seen.add(annotation)
        found: list[str] = []
        for name, field in annotation.model_fields.items():
            wrapped = Annotated[(field.annotation, *field.metadata)] if field.metadata else None
            found += _naive_fields(
                wrapped or field.annotation, f"{annotation.__name__}.{name}", seen
            )
        return found
    if get_origin(annotation) in (Union, types.UnionType, list, dict, tuple, set):
        return [p for arg in get_args(annotation) for p in _naive_fields(arg, where, seen)]
    return []


def test_no_response_model_has_a_naive_datetime() -> None:
    found: list[str] = []
    models = 0
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.response_model is not None:
            models += 1
            found += _naive_fields(route.response_model, str(context.path_format), set())
    assert models > 20  # the walk really saw the API
    assert found == []


def test_the_walk_catches_a_naive_datetime() -> None:
    class Nested(BaseModel):
        seen_at: datetime | None

    class Outer(BaseModel):
        items: list[Nested]

    assert _naive_fields(Outer, "x", set()) == ["Nested.seen_at"]


def test_timestamps_are_rfc3339_with_z(client: TestClient, seeded: dict[str, Any]) -> None:
    ticket = open_ticket(client, seeded["agent_token"], seeded["bob"].email)
    detail = client.get(f"/api/v1/tickets/{ticket['id']}", headers=bearer(seeded["agent_token"]))
    body = detail.json()
    stamps = [body["created_at"], body["updated_at"], body["messages"][0]["created_at"]]
    events = client.get(
        f"/api/v1/tickets/{ticket['id']}/events", headers=bearer(seeded["agent_token"])
    )
    stamps += [e["created_at"] for e in events.json()]
    assert stamps and all(RFC3339_UTC.match(s) for s in stamps), stamps
    token = client.post(
        "/api/v1/tokens", json={"name": "ci"}, headers=bearer(seeded["agent_token"])
    )
    assert RFC3339_UTC.match(token.json()["created_at"])


def test_security_schemes_give_docs_an_authorize_button(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == "ledgerdesk_session"
    ops = doc["paths"]
    signed_in = [{"bearerAuth": []}, {"sessionCookie": []}]
    assert ops["/api/v1/tickets"]["get"]["security"] == signed_in
    assert ops["/api/v1/kb/search"]["get"]["security"] == [*signed_in, {}]  # optional
    assert "security" not in ops["/api/v1/verify"]["get"]
    assert "/static/swagger/swagger-ui-bundle.js" in client.get("/docs").text


def test_error_answers_are_documented_in_the_real_envelope(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["Error"]["required"] == ["error"]
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "field", "details"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Error", (method, path, status)
    get_ticket = doc["paths"]["/api/v1/tickets/{ticket_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422"} <= set(get_ticket)
    assert "429" in doc["paths"]["/api/v1/kb/articles/{slug}/feedback"]["post"]["responses"]
    assert {"400", "413"} <= set(doc["paths"]["/api/v1/tickets"]["post"]["responses"])
    # ... and the app does send that envelope
    missing = client.get("/api/v1/tickets/2147483647", headers=bearer(seeded["agent_token"]))
    assert missing.status_code == 404
    assert set(missing.json()) == {"error"} and missing.json()["error"]["code"] == "not_found"
