"""Schemathesis on the widget's routes as a chat visitor (``Authorization: Chat``), aimed at
the visitor's own conversation and attachment: no 5xx and no answer the OpenAPI document does
not describe. The desk-wide run (tests/web/test_schemathesis.py) calls them as an agent and a
portal customer, who get only the signed-out answers; this one goes past the visitor check."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient

from tests.chat.test_api import PNG, chat_auth, identify
from tests.web.test_schemathesis import Caller, _run_operation


def _visitor(client: TestClient) -> Caller:
    """One visitor for the whole run (nothing a call sends ends its token; a 401 comes from
    an ``Authorization`` header the fuzzer wrote itself, so the same token is kept)."""
    headers = chat_auth(identify(client)["visitor_token"])

    def renew() -> None:
        caller.headers = dict(headers)

    caller = Caller(headers=dict(headers), cookies={}, objects={}, protected={}, renew=renew)
    opened = client.post(
        "/chat/api/messages",
        data={"client_id": "fuzz-open-0001", "body": "fuzzing"},
        files={"files": ("s.png", PNG, "image/png")},
        headers=caller.headers,
    )
    assert opened.status_code == 200, opened.text
    conversation = opened.json()["conversation"]
    state = client.get(f"/chat/api/conversations/{conversation}", headers=caller.headers).json()
    caller.objects = {
        "conversation_id": conversation,
        "attachment_id": state["items"][0]["attachments"][0]["id"],
    }
    return caller


@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
def test_chat_routes_fuzzed_as_a_visitor(app: Any, client: TestClient) -> None:
    caller = _visitor(client)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/chat/api/"):
            calls += _run_operation(operation, app, caller, failures)
    report = "\n\n".join(f"{key}\n{detail[:1500]}" for key, detail in sorted(failures.items()))
    assert calls > 200
    assert caller.seen[("GET /chat/api/conversations/{conversation_id}", 200)] > 0
    assert caller.seen[("GET /chat/api/attachments/{attachment_id}", 200)] > 0
    assert caller.seen[("POST /chat/api/conversations/{conversation_id}/messages", 200)] > 0
    assert not failures, f"{len(failures)} problems:\n\n{report}"
