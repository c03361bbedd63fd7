"""The chat websocket in process (Starlette's test client): who may connect, the protocol
frames, delivery rules (notes never reach customers), typing, presence, marks and the queue;
the database re-check that covers a lost publish."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from ledgerdesk.accounts.models import Agent
from ledgerdesk.accounts.services import agent_actor
from ledgerdesk.chat import identity
from ledgerdesk.chat import services as chat
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status, Ticket
from tests.conftest import PASSWORD, unique

ORIGIN = {"origin": "http://testserver"}
pytestmark = pytest.mark.timeout(60)


def visitor_token(app: Any, email: str | None = None) -> str:
    with app.state.sessionmaker() as session:
        _, token = identity.identify_email(session, email or f"{unique('chat')}@example.com")
        session.commit()
    return token


def sign_in(client: TestClient, email: str) -> None:
    response = client.post(
        "/console/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def hello(ws: WebSocketTestSession, token: str | None = None, lang: str = "en") -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token, "lang": lang})
    return dict(ws.receive_json())


_backlog: weakref.WeakKeyDictionary[WebSocketTestSession, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def until(
    ws: WebSocketTestSession,
    kind: str,
    matches: Callable[[dict[str, Any]], bool] | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """The next frame of ``kind`` (that ``matches``, if given; earlier ones of that kind are
    dropped); frames of other kinds received meanwhile are kept, in order, for later calls."""
    backlog = _backlog.setdefault(ws, [])
    for frame in list(backlog):
        if frame["type"] == kind:
            backlog.remove(frame)
            if matches is None or matches(frame):
                return frame
    for _ in range(limit):
        frame = dict(ws.receive_json())
        if frame["type"] == kind and (matches is None or matches(frame)):
            return frame
        if frame["type"] != kind:
            backlog.append(frame)
    raise AssertionError(f"no {kind} frame in {limit}: {backlog}")


def closed_with(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as info:
        for _ in range(1000):
            ws.receive_json()
    return info.value.code


def send_frame(
    client_id: str, conversation: int | None, body: str, kind: str = "public"
) -> dict[str, Any]:
    return {
        "type": "send",
        "client_id": client_id,
        "conversation": conversation,
        "body": body,
        "kind": kind,
    }


def open_chat(ws: WebSocketTestSession, body: str = "我的USDT充值没到账") -> dict[str, Any]:
    ws.send_json(send_frame(unique("open"), None, body))
    ack = until(ws, "ack")
    assert ack["seq"] == 1 and ack["duplicate"] is False
    return ack


@pytest.fixture
def desk(client: TestClient, seeded: dict[str, Any]) -> Iterator[TestClient]:
    """The test client, signed in to the console as a lead (who sees every ticket)."""
    sign_in(client, seeded["lead"].email)
    yield client


def test_customer_opens_a_chat_and_a_resend_is_acknowledged_once(
    client: TestClient, app: Any
) -> None:
    token = visitor_token(app)
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        assert hello(ws, token) == {"type": "welcome", "role": "customer", "heartbeat": 25}
        frame = send_frame("first-message-1", None, "Deposit of 500 USDT missing")
        ws.send_json(frame)
        ack = until(ws, "ack")
        conversation = ack["conversation"]
        expected = {"type": "ack", "client_id": "first-message-1", "conversation": conversation}
        assert ack == {**expected, "seq": 1, "message_id": ack["message_id"], "duplicate": False}
        ws.send_json(frame)  # the ack was lost, say: the resend changes nothing
        again = until(ws, "ack")
        assert again == {**ack, "duplicate": True}
        ws.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        subscribed = until(ws, "subscribed")
        assert subscribed["state"]["last_seq"] == 1
        item = until(ws, "message")
        assert (item["seq"], item["body"], item["client_id"]) == (
            1,
            "Deposit of 500 USDT missing",
            "first-message-1",
        )
        ws.send_json({"type": "ping"})
        assert until(ws, "pong") == {"type": "pong"}


def test_agent_and_customer_talk_and_notes_stay_with_agents(
    desk: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    token = visitor_token(app)
    with (
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as customer,
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as agent,
    ):
        hello(customer, token)
        conversation = open_chat(customer)["conversation"]
        customer.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 1})
        until(customer, "subscribed")
        assert hello(agent)["role"] == "agent"  # the console session cookie
        agent.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert until(agent, "subscribed")["state"]["status"] == "new"
        assert until(agent, "message")["seq"] == 1
        for n, kind in enumerate(["public", "note", "public"], start=1):
            agent.send_json(send_frame(f"agent-msg-{n:04d}", conversation, f"{kind} {n}", kind))
            assert until(agent, "ack")["seq"] == n + 1
        agent_items = [until(agent, "message") for _ in range(3)]
        seqs_and_kinds = [(i["seq"], i["kind"]) for i in agent_items]
        assert seqs_and_kinds == [(2, "public"), (3, "note"), (4, "public")]
        assert agent_items[0]["author"] == {"kind": "agent", "name": seeded["lead"].name}
        # The customer sees 2 and 4 only; its cursor moved past the note, so 4 came at once.
        customer_items = [until(customer, "message") for _ in range(2)]
        assert [i["seq"] for i in customer_items] == [2, 4]
        customer.send_json(send_frame("customer-msg-2", conversation, "thanks"))
        assert until(customer, "ack")["seq"] == 5
        assert until(customer, "message")["seq"] == 5
        assert until(agent, "message")["body"] == "thanks"


def test_a_visitor_cannot_follow_or_write_to_another_customers_chat(
    client: TestClient, app: Any
) -> None:
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as owner:
        hello(owner, visitor_token(app))
        conversation = open_chat(owner)["conversation"]
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as stranger:
        hello(stranger, visitor_token(app))
        stranger.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        error = until(stranger, "error")
        assert (error["code"], error["conversation"]) == ("not_found", conversation)
        stranger.send_json(send_frame("intruder-0001", conversation, "hi"))
        error = until(stranger, "error")
        assert (error["code"], error["client_id"]) == ("not_found", "intruder-0001")
        stranger.send_json(send_frame("intruder-0002", None, "note?", "note"))
        assert until(stranger, "error")["code"] == "not_permitted"


def test_a_closed_conversation_refuses_new_messages(
    desk: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    with desk.websocket_connect("/chat/ws", headers=ORIGIN) as customer:
        hello(customer, visitor_token(app))
        conversation = open_chat(customer)["conversation"]
        with app.state.sessionmaker() as session:
            ticket = session.get(Ticket, conversation)
            actor = agent_actor(session.merge(seeded["lead"]))
            tickets.do_set_status(session, actor, ticket, Status.solved, notify=False)
            tickets.do_set_status(session, actor, ticket, Status.closed, notify=False)
            session.commit()
        customer.send_json(send_frame("too-late-0001", conversation, "hello?"))
        error = until(customer, "error")
        assert (error["code"], error["client_id"]) == ("closed", "too-late-0001")


def test_no_sign_in_means_no_connection(client: TestClient, app: Any) -> None:
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        ws.send_json({"type": "hello", "token": None})  # no console cookie either
        assert closed_with(ws) == 4401
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        ws.send_json({"type": "hello", "token": "not-a-visitor-token"})
        assert closed_with(ws) == 4401
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        ws.send_json({"type": "subscribe", "conversation": 1, "last_seq": 0})  # no hello
        assert closed_with(ws) == 4401


def test_a_customers_portal_session_is_not_an_agent(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    """Only an agent's console session signs a cookie-only connection in."""
    from ledgerdesk.accounts import sessions

    with app.state.sessionmaker() as session:
        customer = session.merge(seeded["alice"])
        sid = sessions.do_start_session(session, customer=customer, max_age_seconds=600)
        session.commit()
    signed = _session_cookie(app, {"sid": sid})
    client.cookies.set("ledgerdesk_session", signed)
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        ws.send_json({"type": "hello", "token": None})
        assert closed_with(ws) == 4401


def _session_cookie(app: Any, data: dict[str, Any]) -> str:
    """A cookie as SessionMiddleware signs it."""
    import json
    from base64 import b64encode

    import itsdangerous

    signer = itsdangerous.TimestampSigner(app.state.settings.resolved_secret_key())
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def test_an_agent_signed_out_elsewhere_is_disconnected(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    sign_in(client, seeded["admin"].email)
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        assert hello(ws)["role"] == "agent"
        from ledgerdesk.accounts import sessions

        with app.state.sessionmaker() as session:
            sessions.do_end_agent_sessions(session, seeded["admin"].id)
            session.commit()
        hub = app.state.chat
        (connection,) = hub.connections
        # As the hub's ticker does once a minute (every due connection in one batch).
        client.portal.call(hub._check_sign_ins, connection.auth_checked_at + 3600)
        assert closed_with(ws) == 4401


def test_an_agent_moved_off_the_team_stops_following_its_chat(
    client: TestClient, app: Any, seeded: dict[str, Any]
) -> None:
    """The once-a-minute re-check reads the agent's teams again: a chat of a team they left
    (or that moved to another team) is unsubscribed with a not-found error."""
    with app.state.sessionmaker() as session:
        visitor, _ = identity.identify_email(session, f"{unique('moved')}@example.com")
        opened = chat.send_customer_message(session, visitor, None, unique("m"), "USDT missing")
        agent = session.get(Agent, seeded["agent"].id)
        assert agent is not None
        team_id = agent.teams[0].id
        session.get(Ticket, opened.conversation).team_id = team_id  # type: ignore[union-attr]
        session.commit()
    conversation = opened.conversation
    sign_in(client, seeded["agent"].email)
    with client.websocket_connect("/chat/ws", headers=ORIGIN) as ws:
        assert hello(ws)["role"] == "agent"
        ws.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 0})
        assert until(ws, "subscribed")["conversation"] == conversation
        (connection,) = app.state.chat.connections
        client.portal.call(connection.check_sign_in)  # still on the team: nothing changes
        assert connection.cursors() == {conversation: 1}
        with app.state.sessionmaker() as session:
            ticket = session.get(Ticket, conversation)
            assert ticket is not None
            other = session.get(Agent, seeded["security_agent"].id)
            assert other is not None
            ticket.team_id = other.teams[0].id
            session.commit()
        client.portal.call(connection.check_sign_in)
        error = until(ws, "error")
        assert (error["code"], error["conversation"]) == ("not_found", conversation)
        assert connection.cursors() == {}


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://testserver.evil.example", "null"]
)
def test_another_sites_page_cannot_use_the_console_cookie(desk: TestClient, origin: str) -> None:
    with desk.websocket_connect("/chat/ws", headers={"origin": origin}) as ws:
        assert closed_with(ws) == 4403


def test_same_origin_and_non_browser_clients_connect(desk: TestClient) -> None:
    for headers in (ORIGIN, {}):
        with desk.websocket_connect("/chat/ws", headers=headers) as ws:
            assert hello(ws)["role"] == "agent"


def test_typing_presence_and_marks(desk: TestClient, app: Any, seeded: dict[str, Any]) -> None:
    # All sockets on one test client (one event loop, as in a server process); the cookie
    # jar holds the lead's session for the first two and the admin's for the third.
    with (
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as customer,
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as lead,
    ):
        sign_in(desk, seeded["admin"].email)
        with desk.websocket_connect("/chat/ws", headers=ORIGIN) as admin:
            hello(customer, visitor_token(app))
            conversation = open_chat(customer)["conversation"]
            customer.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 1})
            until(customer, "subscribed")
            hello(lead)
            hello(admin)
            for ws in (lead, admin):
                ws.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 1})
                until(ws, "subscribed")
            names = sorted([seeded["lead"].name, seeded["admin"].name])
            presence = until(lead, "presence", lambda f: len(f["viewers"]) == 2)
            assert sorted(v["name"] for v in presence["viewers"]) == names
            # The admin types: the lead sees it (event and presence), so does the customer.
            admin.send_json({"type": "typing", "conversation": conversation, "state": True})
            typing = until(lead, "typing")
            admin_author = {"kind": "agent", "name": seeded["admin"].name, "id": seeded["admin"].id}
            assert typing == {
                "type": "typing",
                "conversation": conversation,
                "state": True,
                "who": admin_author,
            }
            # (Earlier presence frames, from the joins, may still be queued: wait for this one.)
            until(lead, "presence", lambda f: any(v["typing"] for v in f["viewers"]))
            assert until(customer, "typing")["who"]["kind"] == "agent"
            # The customer types: agents see it.
            customer.send_json({"type": "typing", "conversation": conversation, "state": True})
            assert until(admin, "typing")["who"]["kind"] == "customer"
            # The customer read message 1: everybody gets the marks.
            customer.send_json({"type": "read", "conversation": conversation, "seq": 1})
            for ws in (customer, lead, admin):
                marks = until(ws, "marks")["marks"]
                assert (marks["customer_read"], marks["customer_delivered"]) == (1, 1)


def test_the_queue_follows_new_chats(desk: TestClient, app: Any) -> None:
    with (
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as agent,
        desk.websocket_connect("/chat/ws", headers=ORIGIN) as customer,
    ):
        hello(agent)
        agent.send_json({"type": "subscribe", "desk": True})
        before = {row["ticket_id"] for row in until(agent, "queue")["queue"]}
        hello(customer, visitor_token(app))
        conversation = open_chat(customer, "Withdrawal stuck for 2 hours")["conversation"]
        assert conversation not in before
        queue = until(agent, "queue")["queue"]
        assert conversation in {row["ticket_id"] for row in queue}


def test_a_lost_publish_is_caught_up_from_the_database(desk: TestClient, app: Any) -> None:
    """A message committed without a publish (another process died before publishing) still
    reaches the connection, by the hub's periodic re-check."""
    hub = app.state.chat
    with desk.websocket_connect("/chat/ws", headers=ORIGIN) as agent:
        hello(agent)
        with desk.websocket_connect("/chat/ws", headers=ORIGIN) as customer:
            hello(customer, visitor_token(app))
            conversation = open_chat(customer)["conversation"]
        agent.send_json({"type": "subscribe", "conversation": conversation, "last_seq": 1})
        until(agent, "subscribed")
        with Session(app.state.engine) as session:  # a plain session: no publish hooks
            ticket = session.get(Ticket, conversation)
            assert ticket is not None
            tickets.do_add_note(session, agent_actor(_lead(session)), ticket, "quiet note")
            session.commit()
        desk.portal.call(hub.recheck)  # as the hub does every 10 s
        item = until(agent, "message")
        assert (item["seq"], item["body"]) == (2, "quiet note")


def _lead(session: Session) -> Any:
    from ledgerdesk.accounts.models import Agent, Role

    return session.query(Agent).filter(Agent.role == Role.lead).first()
