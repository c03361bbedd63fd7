"""The log's CT-shaped API and the /transparency page, over HTTP (TestClient), on the shared
database: each test logs rows it committed itself and only reasons about those leaves and the
heads covering them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.core.errors import NotFound
from ledgerdesk.tickets.models import Message
from ledgerdesk.trust import log, log_reads, merkle, signing
from tests.conftest import bearer, make_ticket
from tests.trust_log.conftest import drain


def _commit_and_log(app: Any) -> tuple[int, int, int]:
    """A new ticket committed and logged, and a head signed over it: (message id, leaf
    index, head size)."""
    with app.state.sessionmaker() as session:
        ticket = make_ticket(session)
        session.commit()
        message = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
        assert message is not None
        # as the job runs (the app's embedded worker may be running it too): on SQLite with
        # the write lock taken first, on PostgreSQL under the appender's advisory lock
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        drain(session)
        session.commit()
        leaf = log.leaf_for(session, "message", message)
        head = log.latest_head(session)
        assert leaf is not None and head is not None and head.tree_size > leaf.idx
        return message, leaf.idx, head.tree_size


def _leaf_hash(app: Any, index: int) -> bytes:
    with app.state.sessionmaker() as session:
        value = log.leaf_hash_at(session, index)
    assert value is not None
    return value


def test_tree_heads_and_keys(client: TestClient, app: Any) -> None:
    _, _, size = _commit_and_log(app)
    sth = client.get("/api/v1/log/sth")
    assert sth.status_code == 200, sth.text
    head = sth.json()
    assert head["tree_size"] >= size
    keys = {k["key_id"]: k["public_key"] for k in client.get("/api/v1/log/keys").json()["keys"]}
    public = keys[head["key_id"]]
    assert signing.key_id(public) == head["key_id"]
    message = merkle.head_message(
        head["tree_size"], head["timestamp"], head["root_hash"], head["key_id"]
    )
    assert signing.verify(public, message, head["signature"])
    stored = client.get(f"/api/v1/log/sth/{size}")
    assert stored.status_code == 200 and stored.json()["tree_size"] == size


def test_inclusion_and_consistency_proofs_verify(client: TestClient, app: Any) -> None:
    _, index, first = _commit_and_log(app)
    _, _, second = _commit_and_log(app)
    digest = _leaf_hash(app, index)
    roots = {
        n: bytes.fromhex(client.get(f"/api/v1/log/sth/{n}").json()["root_hash"])
        for n in (first, second)
    }
    for size in (first, second):
        answer = client.get("/api/v1/log/proof", params={"hash": digest.hex(), "tree_size": size})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["leaf_index"] == index and body["tree_size"] == size
        path = [bytes.fromhex(h) for h in body["audit_path"]]
        assert merkle.verify_inclusion(index, size, digest, path, roots[size])
    answer = client.get("/api/v1/log/consistency", params={"first": first, "second": second})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["first"], body["second"]) == (first, second)
    proof = [bytes.fromhex(h) for h in body["consistency"]]
    assert merkle.verify_consistency(first, second, roots[first], roots[second], proof)
    # upper-case hex is the same hash
    upper = client.get(
        "/api/v1/log/proof", params={"hash": digest.hex().upper(), "tree_size": first}
    )
    assert upper.status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/api/v1/log/proof", {"hash": "zz" * 32, "tree_size": 1}, 422, "hexadecimal"),
        ("/api/v1/log/proof", {"hash": "ab" * 31, "tree_size": 1}, 422, "hash"),
        ("/api/v1/log/proof", {"hash": "ab" * 32, "tree_size": 0}, 422, "tree_size"),
        ("/api/v1/log/proof", {"hash": "ab" * 32}, 422, "tree_size"),
        ("/api/v1/log/proof", {"hash": "ab" * 32, "tree_size": 2**40}, 422, "latest signed"),
        ("/api/v1/log/proof", {"hash": "ab" * 32, "tree_size": 1}, 404, "No leaf"),
        ("/api/v1/log/consistency", {"first": 3, "second": 2}, 422, "must not be larger"),
        ("/api/v1/log/consistency", {"first": -1, "second": 2}, 422, "first"),
        ("/api/v1/log/consistency", {"first": 1, "second": 2**40}, 422, "latest signed"),
        ("/api/v1/log/consistency", {"first": "x", "second": 2}, 422, "first"),
        ("/api/v1/log/sth/0", {}, 422, "tree_size"),
        ("/api/v1/log/sth/abc", {}, 422, "tree_size"),
        ("/api/v1/log/sth/1099511627776", {}, 404, "No tree head"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: TestClient, app: Any, path: str, params: dict[str, Any], status: int, says: str
) -> None:
    _commit_and_log(app)
    answer = client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert says in answer.text


def test_a_leaf_past_the_requested_size(client: TestClient, app: Any) -> None:
    _, index, size = _commit_and_log(app)
    answer = client.get(
        "/api/v1/log/proof", params={"hash": _leaf_hash(app, index).hex(), "tree_size": index}
    )
    if index == 0:  # tree_size 0 is refused as input
        assert answer.status_code == 422
    else:
        assert answer.status_code == 404
        assert f"not among the first {index} leaves" in answer.json()["error"]["message"]
    assert size > index


def test_no_head_yet(empty_log: Session) -> None:
    with pytest.raises(NotFound, match="no signed tree head yet"):
        log_reads.published_head(empty_log)


def test_a_rows_leaf_is_for_admins(client: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    message, index, _ = _commit_and_log(app)
    url = f"/api/v1/log/leaves/message/{message}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(seeded["agent_token"])).status_code == 403
    answer = client.get(url, headers=bearer(seeded["admin_token"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["leaf_index"] == index and body["row_matches"] is True
    assert body["leaf"]["type"] == "message" and body["leaf"]["id"] == message
    digest = bytes.fromhex(body["leaf_hash"])
    assert digest == merkle.leaf_hash(merkle.canonical_json(body["leaf"]))
    root = bytes.fromhex(client.get(f"/api/v1/log/sth/{body['tree_size']}").json()["root_hash"])
    path = [bytes.fromhex(h) for h in body["audit_path"]]
    assert merkle.verify_inclusion(index, body["tree_size"], digest, path, root)
    admin = bearer(seeded["admin_token"])
    assert client.get("/api/v1/log/leaves/letter/1", headers=admin).status_code == 422
    missing = client.get(f"/api/v1/log/leaves/event/{2**31 - 1}", headers=admin)
    assert missing.status_code == 404 and "not in the log" in missing.text


def test_the_transparency_page(client: TestClient, app: Any) -> None:
    _commit_and_log(app)
    head = client.get("/api/v1/log/sth").json()
    page = client.get("/transparency")
    assert page.status_code == 200
    assert head["root_hash"] in page.text and "Transparency log" in page.text
    assert "/api/v1/log/proof" in page.text
    chinese = client.get("/transparency", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 200 and "透明日志" in chinese.text and "如何验证" in chinese.text


def test_the_transparency_page_shows_the_latest_anchor(client: TestClient, app: Any) -> None:
    from sqlalchemy import delete

    from ledgerdesk.trust.anchoring_models import CONFIRMED, Anchor

    size = 2**40  # above any real head, so no transcript of another test proves against it
    with app.state.sessionmaker() as session:
        session.add(
            Anchor(
                tree_size=size,
                root_hash="ef" * 32,
                chain_id=1337,
                network="devnet",
                contract="0x" + "12" * 20,
                tx_hash="0x" + "34" * 32,
                block_number=777,
                status=CONFIRMED,
            )
        )
        session.commit()
    try:
        page = client.get("/transparency")
        assert page.status_code == 200
        assert "Anchored on chain" in page.text and ">777<" in page.text and "ef" * 32 in page.text
        chinese = client.get("/transparency", headers={"Accept-Language": "zh-CN"})
        assert "已上链锚定" in chinese.text and "锚定合约" in chinese.text
    finally:
        with app.state.sessionmaker() as session:
            session.execute(delete(Anchor).where(Anchor.tree_size == size))
            session.commit()
