"""Every id a client can send is bounded, Unicode digits are not numbers, booleans are real
booleans, and customers cannot pretend to be the desk — on both databases, never a 500.

The id test is generated from the app's routes (API, console and portal), so a route added
later with a bare ``int`` id is caught here and by ``test_every_integer_parameter_is_bounded``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import annotated_types
import pytest
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from ledgerdesk.web.app import create_app
from tests.conftest import bearer
from tests.tickets.test_api import open_ticket, portal_login
from tests.tickets.test_views import console_login

HUGE = "99999999999999999999"  # above 2^63 − 1: SQLite's driver overflows on it
SUPERSCRIPT_TWO = "²"  # str.isdigit() is true, int() raises ValueError


def _routes() -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for method in sorted(context.methods or ()):
                yield method, str(context.path_format), route


def _int_params(route: APIRoute) -> list[tuple[str, str]]:
    """(location, name) of every integer path, query or form parameter."""
    found = []
    for field in get_flat_params(route.dependant) + route.dependant.body_params:
        if "int" in str(field.field_info.annotation) and not _is_model(field):
            found.append((type(field.field_info).__name__.lower(), field.alias))
    return found


def _is_model(field: Any) -> bool:
    annotation = field.field_info.annotation
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


ROUTES_WITH_IDS = [
    pytest.param(method, path, id=f"{method} {path}")
    for method, path, route in _routes()
    if any(where == "path" for where, _ in _int_params(route))
]


@pytest.fixture
def signed_in(client: TestClient, app: Any, seeded: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A console session for the admin (console pages), a customer session on a second client
    (portal pages), the admin's token (API) and a chat visitor's token (the widget's API)."""
    console_login(client, seeded["admin"].email)
    visitor = client.post("/chat/api/identify", json={"email": seeded["alice"].email})
    assert visitor.status_code == 200, visitor.text
    with TestClient(app, raise_server_exceptions=False) as portal:
        portal_login(portal, app, seeded["alice"].email)
        yield {
            "console": client,
            "portal": portal,
            "token": seeded["admin_token"],
            "visitor": visitor.json()["visitor_token"],
        }


def _call(signed_in: dict[str, Any], method: str, url: str, **kwargs: Any) -> Any:
    path = url.split("?")[0]
    client = signed_in["portal"] if path.startswith("/portal") else signed_in["console"]
    headers = bearer(signed_in["token"]) if path.startswith("/api/") else {}
    if path.startswith("/chat/api/"):
        headers = {"Authorization": f"Chat {signed_in['visitor']}"}
    return client.request(method, url, headers=headers, follow_redirects=False, **kwargs)


@pytest.mark.parametrize(("method", "path"), ROUTES_WITH_IDS)
def test_huge_and_unicode_ids_in_paths_are_4xx(
    signed_in: dict[str, Any], method: str, path: str
) -> None:
    for bad in (HUGE, SUPERSCRIPT_TWO, "0", "-1"):
        url = re.sub(r"\{\w*_id\}", bad, path).replace("{lang}", "en")
        url = re.sub(r"\{\w+\}", "x", url)
        response = _call(signed_in, method, url)
        assert response.status_code in (404, 422), (bad, response.status_code, response.text)
        if path.startswith(("/api/", "/chat/api/")):
            assert response.json()["error"]["code"] in ("not_found", "invalid_input")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets?assignee_id=" + HUGE,
        "/api/v1/tickets?team_id=" + HUGE,
        "/api/v1/tickets?page=" + HUGE,
        "/api/v1/kb/articles?page=" + HUGE,
        "/console/inbox?page=" + HUGE,
        "/console/kb?page=" + HUGE,
        "/console/kb/analytics?days=" + HUGE,
        "/console/trust/checks?page=" + HUGE,
        "/console/routing/corrections?page=" + HUGE,
        "/portal?page=" + HUGE,
    ],
)
def test_huge_numbers_in_queries_are_422(signed_in: dict[str, Any], url: str) -> None:
    assert _call(signed_in, "GET", url).status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets?q=" + SUPERSCRIPT_TWO,
        "/api/v1/tickets?q=%23" + SUPERSCRIPT_TWO,
        "/api/v1/tickets?q=" + HUGE,
        "/console/inbox?q=" + SUPERSCRIPT_TWO,
        "/console/inbox?q=" + HUGE,
        "/console/inbox?view=team:" + SUPERSCRIPT_TWO,
        "/console/inbox?view=team:" + HUGE,
        "/help/search/go?q=fees&article=" + SUPERSCRIPT_TWO,
    ],
)
def test_unicode_digits_and_huge_numbers_in_searches_find_nothing(
    signed_in: dict[str, Any], url: str
) -> None:
    response = _call(signed_in, "GET", url)
    assert response.status_code in (200, 303), response.text
    if url.startswith("/api/"):
        found = response.json()["items"]
        # "²" is not the number 2: ticket #2 must not come back as a number lookup. (Another
        # test may have stored a ticket whose words contain "²"; a text match on it is right.)
        assert all(item["id"] != 2 for item in found), found
        if HUGE in url:
            assert found == []


@pytest.mark.parametrize("number", [SUPERSCRIPT_TWO, HUGE, "0"])
def test_console_forms_refuse_unicode_and_huge_ids(
    signed_in: dict[str, Any], seeded: dict[str, Any], number: str
) -> None:
    ticket = open_ticket(signed_in["console"], seeded["admin_token"], seeded["bob"].email)
    console = signed_in["console"]
    merged = console.post(f"/console/tickets/{ticket['id']}/merge", data={"target_id": number})
    assert merged.status_code == 422, merged.text
    props = console.post(
        f"/console/tickets/{ticket['id']}/properties",
        data={"status": "open", "priority": "normal", "assignee_id": number, "team_id": ""},
    )
    assert props.status_code == 422, props.text
    section = console.post("/console/kb/new", data={"section_id": HUGE})
    assert section.status_code == 422


@pytest.mark.parametrize("field", ["assignee_id", "team_id"])
@pytest.mark.parametrize("value", [0, -1, 2**31, int(HUGE), "3", 1.5, True])
def test_ids_in_json_bodies_are_bounded_real_integers(
    client: TestClient, seeded: dict[str, Any], field: str, value: Any
) -> None:
    ticket = open_ticket(client, seeded["admin_token"], seeded["bob"].email)
    response = client.patch(
        f"/api/v1/tickets/{ticket['id']}",
        json={field: value},
        headers=bearer(seeded["admin_token"]),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


def test_team_zero_is_invalid_not_a_duplicate(client: TestClient, seeded: dict[str, Any]) -> None:
    token = seeded["admin_token"]
    for url, payload in [
        (
            "/api/v1/tickets",
            {"subject": "s", "body": "b", "requester": {"email": "z@x.io"}, "team_id": 0},
        ),
        ("/api/v1/routing/rules", {"name": "r", "team_id": 0}),
        ("/api/v1/tickets/1/merge", {"target_id": 0}),
        ("/api/v1/teams/1/members", {"agent_id": 0}),
    ]:
        response = client.post(url, json=payload, headers=bearer(token))
        assert response.status_code == 422, (url, response.text)
        assert "duplicate" not in response.text
    unknown = client.post(
        "/api/v1/tickets",
        json={"subject": "s", "body": "b", "requester": {"email": "z@x.io"}, "team_id": 2**31 - 1},
        headers=bearer(token),
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"] == {
        "code": "invalid_input",
        "message": f"Team {2**31 - 1} does not exist",
        "field": "team_id",
    }


@pytest.mark.parametrize("value", [0, 1, "true", "yes", None])
def test_booleans_must_be_real_booleans(
    client: TestClient, seeded: dict[str, Any], value: Any
) -> None:
    token = seeded["admin_token"]
    rule = client.post(
        "/api/v1/routing/rules",
        json={"name": "vip", "vip": value, "tag": "x"},
        headers=bearer(token),
    )
    ticket = client.post(
        "/api/v1/tickets",
        json={"subject": "s", "body": "b", "requester": {"email": "v@x.io", "vip": value}},
        headers=bearer(token),
    )
    feedback = client.post(
        "/api/v1/kb/articles/no-such-article/feedback", json={"lang": "en", "helpful": value}
    )
    if value is None:  # "vip": null means "any customer" / "not given"; helpful is required
        assert rule.status_code == 201 and ticket.status_code == 201
    else:
        assert (rule.status_code, ticket.status_code) == (422, 422), (rule.text, ticket.text)
    assert feedback.status_code == 422, feedback.text
    assert feedback.json()["error"]["details"][0]["field"] == "helpful"


@pytest.mark.parametrize("channel", ["agent", "phone", "email", "telegram", "discord"])
def test_customers_cannot_claim_desk_channels(
    client: TestClient, app: Any, seeded: dict[str, Any], channel: str
) -> None:
    portal_login(client, app, seeded["alice"].email)
    response = client.post(
        "/api/v1/tickets", json={"subject": "KYC", "body": "stuck", "channel": channel}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "channel"


@pytest.mark.parametrize("channel", ["portal", "chat", "api"])
def test_customers_keep_their_own_channels(
    client: TestClient, app: Any, seeded: dict[str, Any], channel: str
) -> None:
    portal_login(client, app, seeded["alice"].email)
    response = client.post(
        "/api/v1/tickets", json={"subject": "KYC", "body": "stuck", "channel": channel}
    )
    assert response.status_code == 201, response.text
    assert response.json()["channel"] == channel


def test_every_integer_parameter_is_bounded() -> None:
    """A route parameter that is an integer has an upper bound (use core.types.PathId,
    QueryId or PageNumber; a form field ``Form(ge=1, le=MAX_ID)``), so no number reaches the
    database driver unchecked."""
    unbounded = []
    for method, path, route in _routes():
        for field in get_flat_params(route.dependant) + route.dependant.body_params:
            if "int" not in str(field.field_info.annotation) or _is_model(field):
                continue
            limits = field.field_info.metadata
            if not any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in limits):
                unbounded.append(f"{method} {path}: {field.alias}")
    assert unbounded == []


def _unbounded_ints(annotation: Any, where: str, limits: tuple[Any, ...] = ()) -> list[str]:
    """Places under a request model where an ``int`` has no upper bound."""
    if annotation is int:
        bounded = any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in limits)
        return [] if bounded else [where]
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        return _unbounded_ints(inner, where, (*limits, *extras))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            place
            for name, field in annotation.model_fields.items()
            for place in _unbounded_ints(
                field.annotation, f"{annotation.__name__}.{name}", tuple(field.metadata)
            )
        ]
    return [p for arg in get_args(annotation) for p in _unbounded_ints(arg, where, limits)]


def test_every_integer_in_a_request_body_is_bounded() -> None:
    """Integers in JSON bodies are bounded too: ids are ``core.types.Id``."""
    found = []
    for _, _, route in _routes():
        for field in route.dependant.body_params:
            info = field.field_info
            found += _unbounded_ints(info.annotation, field.alias, tuple(info.metadata))
    assert found == []
    assert _unbounded_ints(list[int | None], "x") == ["x"]  # the walk does look inside


def test_a_missing_reference_is_invalid_input_not_a_duplicate(app: Any) -> None:
    """Defence in depth behind the services' own checks: a foreign key the database refuses
    is the client's wrong id (422), not a conflict with existing data (409)."""
    from fastapi import FastAPI

    from ledgerdesk.accounts.models import TeamMember
    from ledgerdesk.web import errors

    probe = FastAPI()
    errors.install(probe)

    @probe.post("/api/v1/probe")
    def insert_dangling_member() -> None:
        with app.state.sessionmaker() as session:
            session.add(TeamMember(team_id=2**31 - 1, agent_id=2**31 - 1))
            session.commit()

    with TestClient(probe, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/probe")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"
    assert "does not exist" in response.json()["error"]["message"]
