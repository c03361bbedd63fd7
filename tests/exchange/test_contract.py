"""docs/exchange-api.yaml is valid OpenAPI 3.1, declares exactly the operations the client
calls, and every answer of the demo exchange (success and error) matches its schemas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from ledgerdesk.exchange.client import ExchangeClient, ExchangeError
from ledgerdesk.exchange.demo import RunningService
from ledgerdesk.exchange.demo_state import DemoExchange
from ledgerdesk.exchange.signing import signed_headers
from tests.exchange.conftest import CHEN, KEY_ID, PORTAL_EMAIL, SECRET

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "docs" / "exchange-api.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def test_document_is_valid_openapi_31(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    errors = [f"{e.instance_path}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(spec)]
    assert not errors, errors[:5]
    # The validator is not a rubber stamp.
    broken = {**spec, "paths": {"/x": {"get": {"responses": {"200": 5}}}}}
    assert not OPENAPI_31_VALIDATOR.is_valid(broken)


def test_every_operation_declares_401_and_reads_declare_404(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert "401" in operation["responses"], f"{method} {path}"
            if "{customer_id}" in path:
                assert "404" in operation["responses"], f"{method} {path}"
    scheme = spec["components"]["securitySchemes"]["ledgerdeskHmac"]
    for word in ("X-LD-Key", "X-LD-Timestamp", "X-LD-Signature", "HMAC-SHA256", "300"):
        assert word in scheme["description"]


def _template(path: str) -> re.Pattern[str]:
    """``/v1/customers/{customer_id}`` → a pattern matching one path segment per parameter."""
    parts = re.split(r"\{[^}]+\}", path)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


def _exercise_every_client_call(client: ExchangeClient) -> None:
    client.customer(CHEN)
    client.customer(f"email:{PORTAL_EMAIL}")
    client.deposit_addresses(CHEN, asset="USDT", network="tron")
    client.deposits(CHEN, tx_hash="0x" + "00" * 32, limit=5)
    client.withdrawals(CHEN, limit=5)
    client.withdrawal(CHEN, "W7000000101")
    client.lock_account(CHEN, "contract test")
    reset = client.reset_two_factor(CHEN, hold_hours=48, reference="2FA-contract")
    client.cancel_two_factor_reset(CHEN, reset.id)


def test_the_client_calls_exactly_the_declared_operations(
    spec: dict[str, Any], client: ExchangeClient, demo_state: DemoExchange
) -> None:
    public = [name for name in vars(ExchangeClient) if not name.startswith("_")]
    calls = {"customer", "deposit_addresses", "deposits", "withdrawals", "withdrawal"}
    # A new public method that talks to the exchange must be added to the walk above.
    writes = {"lock_account", "reset_two_factor", "cancel_two_factor_reset"}
    assert set(public) - {"close", "forget_customer", "clear_cache"} == calls | writes
    _exercise_every_client_call(client)
    declared = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    called = set()
    for method, target in demo_state.requests_seen():
        path, _, query = target.partition("?")
        matches = [p for m, p in declared if m == method and _template(p).match(path)]
        assert len(matches) == 1, f"{method} {path} is not (uniquely) declared"
        operation = spec["paths"][matches[0]][method.lower()]
        allowed = {p["name"] for p in operation.get("parameters", []) if "$ref" not in p}
        allowed |= {
            spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
            for p in operation.get("parameters", [])
            if "$ref" in p
        }
        for pair in filter(None, query.split("&")):
            assert pair.split("=")[0] in allowed, f"{target}: undeclared query parameter"
        called.add((method, matches[0]))
    assert called == declared


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    root = {**schema, "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> Any:
    response = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


CASES: list[tuple[str, str, str, bytes, int]] = [
    ("GET", "/v1/customers", f"/v1/customers?email={PORTAL_EMAIL}", b"", 200),
    ("GET", "/v1/customers", "/v1/customers?email=nobody%40example.com", b"", 200),
    ("GET", "/v1/customers", "/v1/customers", b"", 400),
    ("GET", "/v1/customers/{customer_id}", f"/v1/customers/{CHEN}", b"", 200),
    ("GET", "/v1/customers/{customer_id}", "/v1/customers/UID10000004", b"", 200),
    ("GET", "/v1/customers/{customer_id}", "/v1/customers/UID12345678", b"", 404),
    (
        "GET",
        "/v1/customers/{customer_id}/deposit-addresses",
        f"/v1/customers/{CHEN}/deposit-addresses",
        b"",
        200,
    ),
    (
        "GET",
        "/v1/customers/{customer_id}/deposit-addresses",
        "/v1/customers/UID12345678/deposit-addresses",
        b"",
        404,
    ),
    ("GET", "/v1/customers/{customer_id}/deposits", f"/v1/customers/{CHEN}/deposits", b"", 200),
    (
        "GET",
        "/v1/customers/{customer_id}/deposits",
        f"/v1/customers/{CHEN}/deposits?limit=500",
        b"",
        400,
    ),
    (
        "GET",
        "/v1/customers/{customer_id}/withdrawals",
        "/v1/customers/UID10000003/withdrawals?limit=100",
        b"",
        200,
    ),
    (
        "GET",
        "/v1/customers/{customer_id}/withdrawals",
        f"/v1/customers/{CHEN}/withdrawals",
        b"",
        200,
    ),
    (
        "GET",
        "/v1/customers/{customer_id}/withdrawals/{withdrawal_id}",
        f"/v1/customers/{CHEN}/withdrawals/W7000000104",
        b"",
        200,
    ),
    (
        "GET",
        "/v1/customers/{customer_id}/withdrawals/{withdrawal_id}",
        f"/v1/customers/{CHEN}/withdrawals/W0",
        b"",
        404,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/lock",
        f"/v1/customers/{CHEN}/lock",
        b'{"reason": "t"}',
        200,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/lock",
        f"/v1/customers/{CHEN}/lock",
        b'{"reason": ""}',
        400,
    ),
    ("POST", "/v1/customers/{customer_id}/lock", f"/v1/customers/{CHEN}/lock", b"[1,", 400),
    (
        "POST",
        "/v1/customers/{customer_id}/lock",
        "/v1/customers/UID12345678/lock",
        b'{"reason": "t"}',
        404,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/2fa-reset",
        f"/v1/customers/{CHEN}/2fa-reset",
        b'{"hold_hours": 48, "reference": "2FA-1"}',
        200,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/2fa-reset",
        f"/v1/customers/{CHEN}/2fa-reset",
        b'{"hold_hours": 0, "reference": "2FA-1"}',
        400,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/2fa-reset",
        "/v1/customers/UID12345678/2fa-reset",
        b'{"hold_hours": 48, "reference": "2FA-1"}',
        404,
    ),
    (
        "POST",
        "/v1/customers/{customer_id}/2fa-reset/{reset_id}/cancel",
        f"/v1/customers/{CHEN}/2fa-reset/R0/cancel",
        b"{}",
        404,
    ),
]


def test_every_demo_answer_matches_the_document(spec: dict[str, Any], demo: RunningService) -> None:
    with httpx.Client(base_url=demo.url) as http:
        for method, path, target, body, status in CASES:
            headers = signed_headers(KEY_ID, SECRET, method, target, body)
            headers["Content-Type"] = "application/json"
            answer = http.request(method, target, content=body, headers=headers)
            assert answer.status_code == status, f"{method} {target}: {answer.text}"
            schema = _response_schema(spec, path, method.lower(), status)
            errors = [e.message for e in _validator(spec, schema).iter_errors(answer.json())]
            assert not errors, f"{method} {target}: {errors[:3]}"
            unsigned = http.request(method, target, content=body)
            assert unsigned.status_code == 401
            schema = _response_schema(spec, path, method.lower(), 401)
            assert _validator(spec, schema).is_valid(unsigned.json())


def test_enum_codes_in_the_document_are_the_clients(spec: dict[str, Any]) -> None:
    from ledgerdesk.exchange import records

    schemas = spec["components"]["schemas"]
    assert tuple(schemas["HoldReason"]["enum"]) == records.HOLD_REASONS
    assert tuple(schemas["FailureReason"]["enum"]) == records.FAILURE_REASONS
    status = schemas["WithdrawalRecord"]["properties"]["status"]["enum"]
    assert tuple(status) == records.WITHDRAWAL_STATUSES
    assert tuple(schemas["DepositRecord"]["properties"]["status"]["enum"]) == (
        records.DEPOSIT_STATUSES
    )
    for code in (*records.HOLD_REASONS, *records.FAILURE_REASONS):
        described = schemas["HoldReason"]["description"] + schemas["FailureReason"]["description"]
        assert f"`{code}`" in described


def test_client_errors_are_exchange_errors_not_crashes(client: ExchangeClient) -> None:
    with pytest.raises(ExchangeError):
        client.withdrawal(CHEN, "W/../../7000000101")
