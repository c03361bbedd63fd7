"""Deposit questions through live chat, answered by the real assistant from the real chain:
the demo world's local EVM chains and the demo exchange (tests/demo_world.py), a desk with the
shipped help center, the embedded worker running the ``assistant.reply`` job.

For every deposit of the demo world, a signed-in customer writes "my USDT deposit hasn't
arrived, txid …" (in English, and in Chinese for a few) and the assistant's reply must be the
chain diagnosis of that very transfer: its verdict, its reviewed title and explanation, in the
customer's language. A verdict that needs a person hands over, and the check is kept on the
conversation's ticket; the others answer and ask whether that solved it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.ai.assistant.models import AssistantReply
from ledgerdesk.chain.adapters import adapter_for
from ledgerdesk.chain.diagnosis import Diagnoser
from ledgerdesk.chain.explain import explain
from ledgerdesk.chain.models import ChainCheck
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import Settings
from ledgerdesk.demo.world import world_plan
from ledgerdesk.kb.importer import import_path
from tests.chat.support import SECRET, chat_settings, sign
from tests.conftest import _DATA_DIR, unique
from tests.demo_world import DEMO_EMAIL, World, fresh_node_state

PLAN = world_plan()
CUSTOMER = PLAN["customer"]
WAIT = 60.0
MESSAGES = {
    "en": "my {asset} deposit hasn't arrived, txid {tx}",
    "zh-CN": "我的{asset}充值还没到账 急 交易哈希 {tx}",
}
# Chinese for a few verdicts (one that answers, two that hand over): the language follows.
IN_CHINESE = {"pending", "not_credited", "memo_missing"}


@pytest.fixture(autouse=True)
def _fresh_nodes() -> Iterator[None]:
    with fresh_node_state():
        yield


@pytest.fixture(scope="module")
def chat_desk() -> Iterator[dict[str, Any]]:
    """A desk of its own (SQLite) with the shipped help center and the assistant on."""
    url = f"sqlite:///{_DATA_DIR / f'assistant-chain-{unique()}.db'}"
    engine_ = make_engine(url)
    upgrade(engine_)
    engine_.dispose()
    env = {"LEDGERDESK_ASSISTANT_ENABLED": "true", "LEDGERDESK_CHAT_JWT_SECRET": SECRET}
    with chat_settings(**env):
        from ledgerdesk.web.app import create_app

        settings = Settings(
            database_url=url,
            data_dir=Path(_DATA_DIR),
            secret_key="test-secret-key-" + "x" * 40,
            chat_jwt_secret=SECRET,
        )
        app = create_app(settings)
        with app.state.sessionmaker() as session:
            report = import_path(session, shipped_data_dir() / "kb", SYSTEM)
            assert not report.errors, report.errors
            session.commit()
        with TestClient(app, raise_server_exceptions=False) as client:
            yield {"client": client, "app": app}
        app.state.engine.dispose()


def _signed_visitor(client: TestClient) -> str:
    token = sign({"sub": CUSTOMER, "email": DEMO_EMAIL, "name": "Demo Customer"})
    answer = client.post("/chat/api/identify", json={"token": token})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["visitor_token"])


def _ask(client: TestClient, token: str, text: str) -> tuple[int, dict[str, Any]]:
    """Open a conversation with ``text``; the assistant's reply item once it is there."""
    headers = {"Authorization": f"Chat {token}"}
    sent = client.post(
        "/chat/api/messages", data={"client_id": unique("cid"), "body": text}, headers=headers
    )
    assert sent.status_code == 200, sent.text
    ack = sent.json()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        page = client.get(
            f"/chat/api/conversations/{ack['conversation']}?after={ack['seq']}", headers=headers
        )
        for item in page.json()["items"]:
            if item["author"]["kind"] == "assistant" and item["assistant"]:
                return int(ack["conversation"]), item
        time.sleep(0.1)
    raise AssertionError(f"no answer to {text!r} in {WAIT:.0f} s")


@pytest.mark.parametrize("planned", PLAN["deposits"], ids=[d["name"] for d in PLAN["deposits"]])
def test_a_deposit_question_gets_the_chain_verdict_in_chat(
    chat_desk: dict[str, Any], demo_desk: World, planned: dict[str, str]
) -> None:
    client, app = chat_desk["client"], chat_desk["app"]
    deposit = demo_desk.deposit(planned["name"])
    lang = "zh-CN" if planned["name"] in IN_CHINESE else "en"
    text = MESSAGES[lang].format(asset=deposit.asset, tx=deposit.tx_hash)

    conversation, reply = _ask(client, _signed_visitor(client), text)

    # What the chain says of this transfer, asked directly with its network and asset.
    diagnosis = Diagnoser(demo_desk.registry, demo_desk.exchange, adapter_for).deposit(
        network_id=deposit.network,
        asset=deposit.asset,
        tx_hash=deposit.tx_hash,
        customer_ref=CUSTOMER,
    )
    assert diagnosis.verdict == planned["expect"]
    said = explain(diagnosis, demo_desk.registry, lang)
    body = reply["body"]
    assert said.title in body and said.explanation in body, body
    assert reply["assistant"]["language"] == ("zh-Hans" if lang == "zh-CN" else "en")
    with app.state.sessionmaker() as session:
        row = session.scalars(
            select(AssistantReply)
            .where(AssistantReply.ticket_id == conversation)
            .order_by(AssistantReply.id.desc())
        ).first()
        assert row is not None and row.tool is not None
        assert row.tool["name"] == "deposit_check" and row.tool["verdict"] == diagnosis.verdict
        checks = session.scalars(
            select(ChainCheck).where(ChainCheck.ticket_id == conversation)
        ).all()
        assert [c.verdict for c in checks] == [diagnosis.verdict]
        if diagnosis.needs_person or diagnosis.verdict == "unavailable":
            assert reply["assistant"]["action"] == "handover" and row.reason == "needs_person"
            assert not reply["assistant"]["asks_feedback"]
        else:
            assert reply["assistant"]["action"] == "answer" and reply["assistant"]["asks_feedback"]
            assert said.next_step in body
        # It never asks again for what the message already said (the hash, the network).
        assert not {s["ref"] for s in row.sources} & {"ask_tx_hash", "ask_network"}, row.sources
