"""Discord interactions (real shapes from samples/), verified with an Ed25519 key made here:
forged, tampered, stale and unsigned requests are refused with 401; PING answers PONG; the
/support command opens or continues the user's ticket with an ephemeral answer."""

from __future__ import annotations

import json
import secrets
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mnemonic import Mnemonic
from tests.channels.messenger.conftest import Bots, discord_interaction, eventually, new_user_id
from tests.channels.messenger.platform import DISCORD_TOKEN, discord_id, sample
from tests.conftest import make_agent

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Status, Ticket


def test_ping_is_answered_with_pong(bots: Bots) -> None:
    response = bots.discord(sample("discord_ping.json"))
    assert response.status_code == 200 and response.json() == {"type": 1}


def test_forged_tampered_stale_and_unsigned_requests_are_refused(bots: Bots, app: object) -> None:
    ping = json.dumps(sample("discord_ping.json")).encode()
    url = "/api/v1/channels/discord/interactions"

    def post(body: bytes, headers: dict[str, str]) -> int:
        response = bots.client.post(url, content=body, headers=headers)
        return int(response.status_code)

    assert post(ping, {}) == 401
    assert post(ping, {"X-Signature-Timestamp": str(int(time.time()))}) == 401
    assert post(ping, bots.signed(ping, key=Ed25519PrivateKey.generate())) == 401
    assert post(ping.replace(b'"type": 1', b'"type": 2'), bots.signed(ping)) == 401
    assert post(ping, bots.signed(ping, at=time.time() - 600)) == 401
    assert post(ping, bots.signed(ping, at=time.time() + 600)) == 401
    assert post(ping, {**bots.signed(ping), "X-Signature-Ed25519": "zz"}) == 401
    assert post(ping, bots.signed(ping)) == 200
    settings = app.state.settings  # type: ignore[attr-defined]
    app.state.settings = settings.model_copy(update={"discord_public_key": ""})  # type: ignore[attr-defined]
    try:
        assert post(ping, bots.signed(ping)) == 404
    finally:
        app.state.settings = settings  # type: ignore[attr-defined]


def test_support_command_in_a_dm_opens_a_ticket_and_warns(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    response = bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))
    answer = response.json()
    assert response.status_code == 200 and answer["type"] == 4
    assert answer["data"]["flags"] == 64
    content = answer["data"]["content"]
    assert content.startswith("Security notice from ledgerdesk Support: we never message you")
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id is not None
    assert f"your request is #{chat.ticket_id}" in content
    ticket = bots.ticket(chat.ticket_id)
    assert ticket.channel == Channel.discord
    assert [m.body for m in bots.messages(ticket.id)] == [
        "My ETH withdrawal has been pending for 2 hours"
    ]
    bots.run_jobs()
    (sent,) = bots.platform.wait_for(rf"POST /channels/{dm}/messages$")
    assert sent.headers["Authorization"] == f"Bot {DISCORD_TOKEN}"
    assert "we never message you first" in sent.body["content"]
    assert sent.body["allowed_mentions"] == {"parse": []}
    bots.platform.wait_for(rf"PUT /channels/{dm}/messages/pins/{discord_id('8', sent.result_id)}$")

    def warned() -> bool:  # the embedded worker may be the one that ran the job
        chat = bots.chat("discord", dm)
        return chat is not None and chat.warning_pinned_at is not None

    assert eventually(warned)
    again = bots.discord(discord_interaction("discord_command_dm.json", user_id, dm)).json()
    assert "Security notice" not in again["data"]["content"]
    assert len(bots.messages(ticket.id)) == 2
    bots.run_jobs()
    assert len(bots.platform.matching(rf"/channels/{dm}/messages/pins/")) == 1


def test_a_pin_refused_in_a_dm_still_counts_as_warned(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    bots.platform.fail_next(
        rf"PUT /channels/{dm}/", 403, sample("discord_missing_permissions.json")
    )
    bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))
    bots.run_jobs()
    bots.platform.wait_for(rf"PUT /channels/{dm}/messages/pins/")

    def warned() -> bool:
        chat = bots.chat("discord", dm)
        return chat is not None and chat.warning_pinned_at is not None

    assert eventually(warned)
    assert len(bots.platform.matching(rf"POST /channels/{dm}/messages$")) == 1


def test_command_in_a_server_replies_by_dm_in_chinese(bots: Bots) -> None:
    user_id = str(new_user_id())
    answer = bots.discord(discord_interaction("discord_command_guild.json", user_id)).json()
    assert answer["data"]["flags"] == 64
    assert "客服安全提示" in answer["data"]["content"]
    chat = bots.chat("discord", f"user:{user_id}")
    assert chat is not None
    bots.run_jobs()
    (opened,) = bots.platform.wait_for(r"POST /users/@me/channels$")
    assert opened.body == {"recipient_id": user_id}
    dm = discord_id("9", opened.result_id)
    bots.platform.wait_for(rf"POST /channels/{dm}/messages$")
    assert eventually(lambda: bots.chat("discord", dm) is not None)


def test_button_starts_a_new_request_and_unknown_commands_get_help(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id is not None
    first = chat.ticket_id
    answer = bots.discord(discord_interaction("discord_button.json", user_id, dm)).json()
    assert answer["data"] == {
        "content": "Your next message starts a new request.",
        "flags": 64,
        "allowed_mentions": {"parse": []},
    }
    bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id not in (None, first)
    other = discord_interaction("discord_command_dm.json", user_id, dm)
    other["data"] = {"id": "1", "name": "balance", "type": 1}
    help_answer = bots.discord(other).json()
    assert help_answer["data"]["content"].startswith("Use /support with your message")


def test_a_redelivered_interaction_adds_one_message(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    interaction = discord_interaction("discord_command_dm.json", user_id, dm)
    first = bots.discord(interaction).json()
    second = bots.discord(interaction).json()
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id is not None
    assert len(bots.messages(chat.ticket_id)) == 1
    assert f"#{chat.ticket_id}" in first["data"]["content"]
    assert f"#{chat.ticket_id}" in second["data"]["content"]


def test_a_console_reply_and_solved_reach_the_dm(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id is not None
    with bots.factory() as session:
        agent = accounts.agent_actor(make_agent(session, Role.admin))
        ticket = session.get(Ticket, chat.ticket_id)
        assert ticket is not None
        tickets.do_agent_reply(
            session, agent, ticket, "The withdrawal is broadcast.", status=Status.solved
        )
        session.commit()
    bots.run_jobs()
    calls = bots.platform.wait_for(rf"POST /channels/{dm}/messages$", count=2)
    reply = next(c for c in calls if "The withdrawal is broadcast." in c.body["content"])
    assert "(ledgerdesk Support) replied to your request" in reply.body["content"]
    assert "as solved" in reply.body["content"]
    (row,) = reply.body["components"]
    assert row["components"][0]["custom_id"] == "ticket:new"


def test_secrets_in_a_command_never_reach_the_database(bots: Bots) -> None:
    seed_zh = Mnemonic("chinese_simplified").generate(128)
    key_hex = secrets.token_hex(32)
    user_id, dm = str(new_user_id()), str(new_user_id())
    interaction = discord_interaction("discord_command_dm.json", user_id, dm)
    interaction["data"]["options"][0]["value"] = f"助记词 {seed_zh} private key: {key_hex}"
    answer = bots.discord(interaction).json()["data"]["content"]
    assert "removed it before storing your message" in answer
    chat = bots.chat("discord", dm)
    assert chat is not None and chat.ticket_id is not None
    stored = bots.ticket(chat.ticket_id).subject + " ".join(
        m.body for m in bots.messages(chat.ticket_id)
    )
    chars = seed_zh.replace(" ", "")
    assert not any(chars[i : i + 3] in stored for i in range(len(chars) - 2))
    assert key_hex[:20] not in stored and key_hex[-20:] not in stored


def test_a_discord_rate_limit_is_waited_out(bots: Bots) -> None:
    user_id, dm = str(new_user_id()), str(new_user_id())
    limited = sample("discord_rate_limited.json")
    bots.platform.fail_next(rf"POST /channels/{dm}/messages$", 429, limited, {"Retry-After": "1"})
    started = time.monotonic()
    bots.discord(discord_interaction("discord_command_dm.json", user_id, dm))

    def pinned() -> bool:
        bots.run_jobs()
        return bool(bots.platform.matching(rf"PUT /channels/{dm}/messages/pins/"))

    assert eventually(pinned, timeout=20)
    first, second = bots.platform.matching(rf"POST /channels/{dm}/messages$")
    assert first.body == second.body  # the same warning, sent again after the wait
    assert time.monotonic() - started >= 1.0
