"""The 2FA reset operations of the contract against the demo exchange, through the client:
the hold on open withdrawals, the idempotent reference, the cancel that puts them back, and
the answers' shape per docs/exchange-api.yaml."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml

from ledgerdesk.exchange.client import ExchangeClient, ExchangeError, ExchangeErrorKind
from ledgerdesk.exchange.demo import RunningService
from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.exchange.signing import signed_headers
from tests.exchange.conftest import CHEN, KEY_ID, SECRET

SPEC = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "docs" / "exchange-api.yaml").read_text("utf-8")
)


def test_a_reset_holds_open_withdrawals_and_its_cancel_puts_them_back(
    client: ExchangeClient, demo_state: DemoExchange
) -> None:
    before = {w.id: w for w in client.withdrawals(CHEN)}
    reset = client.reset_two_factor(CHEN, hold_hours=24, reference="2FA-9")
    assert reset.status == "active" and reset.customer_id == CHEN
    assert reset.hold_until - reset.created_at == timedelta(hours=24)
    # The client forgot what it kept: the next reads show the hold.
    held = {w.id: w for w in client.withdrawals(CHEN)}
    for wid, old in before.items():
        if old.status in ("processing", "on_hold"):
            assert held[wid].status == "on_hold" and held[wid].hold_reason == "2fa_reset"
            release = held[wid].release_at
            assert release is not None and release >= reset.hold_until
        else:
            assert held[wid] == old
    assert client.customer(CHEN).withdrawals_held_until == reset.hold_until
    # Same reference: the same reset, nothing new.
    assert client.reset_two_factor(CHEN, hold_hours=24, reference="2FA-9") == reset
    assert len(demo_state.two_factor_resets(CHEN)) == 1
    cancelled = client.cancel_two_factor_reset(CHEN, reset.id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert {w.id: w for w in client.withdrawals(CHEN)} == before
    assert client.customer(CHEN).withdrawals_held_until is None
    assert client.cancel_two_factor_reset(CHEN, reset.id) == cancelled  # idempotent


def test_bad_calls_are_refused_before_or_by_the_exchange(client: ExchangeClient) -> None:
    with pytest.raises(ValueError, match="hold_hours"):
        client.reset_two_factor(CHEN, hold_hours=0, reference="x")
    with pytest.raises(ValueError, match="reference"):
        client.reset_two_factor(CHEN, hold_hours=1, reference=" ")
    with pytest.raises(ExchangeError) as unknown:
        client.cancel_two_factor_reset(CHEN, "R0")
    assert unknown.value.kind == ExchangeErrorKind.not_found
    with pytest.raises(ExchangeError) as nobody:
        client.reset_two_factor("UID12345678", hold_hours=1, reference="x")
    assert nobody.value.kind == ExchangeErrorKind.not_found


def _schema(path: str) -> Any:
    response = SPEC["paths"][path]["post"]["responses"]["200"]
    root = {**response["content"]["application/json"]["schema"], "components": SPEC["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def test_the_answers_match_the_document(demo: RunningService) -> None:
    with httpx.Client(base_url=demo.url) as http:

        def post(target: str, body: bytes) -> Any:
            headers = signed_headers(KEY_ID, SECRET, "POST", target, body)
            headers["Content-Type"] = "application/json"
            answer = http.post(target, content=body, headers=headers)
            assert answer.status_code == 200, answer.text
            return answer.json()

        body = json.dumps({"hold_hours": 48, "reference": "2FA-doc"}).encode()
        reset = post(f"/v1/customers/{CHEN}/2fa-reset", body)
        errors = list(_schema("/v1/customers/{customer_id}/2fa-reset").iter_errors(reset))
        assert not errors, errors[:3]
        cancel = post(f"/v1/customers/{CHEN}/2fa-reset/{reset['reset_id']}/cancel", b"{}")
        path = "/v1/customers/{customer_id}/2fa-reset/{reset_id}/cancel"
        assert not list(_schema(path).iter_errors(cancel))
        assert cancel["status"] == "cancelled"
