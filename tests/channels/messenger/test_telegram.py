"""Telegram updates (real Bot API shapes from samples/) become tickets: secret checked, each
update once, secrets redacted before storage, the warning pinned once per chat, groups ignored
politely."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.channels.messenger.conftest import Bots, eventually, new_user_id, telegram_update
from tests.channels.messenger.platform import SAMPLES, TELEGRAM_TOKEN

from ledgerdesk.accounts.models import Customer
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.models import MessengerUpdate
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import ActorKind, Channel, Status, Ticket

SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"


def _chat_ticket(bots: Bots, user_id: int) -> int:
    chat = bots.chat("telegram", str(user_id))
    assert chat is not None and chat.ticket_id is not None
    return chat.ticket_id


def test_missing_wrong_or_unconfigured_secret_is_refused(bots: Bots, app: object) -> None:
    update = telegram_update("telegram_private_text.json", new_user_id())
    missing = bots.telegram(update, secret=None)
    assert missing.status_code == 401
    wrong = bots.telegram(update, secret="tg-webhook-secret_0123456780")
    assert wrong.status_code == 403
    assert bots.telegram(update, secret="").status_code == 401
    settings = app.state.settings  # type: ignore[attr-defined]
    app.state.settings = settings.model_copy(update={"telegram_webhook_secret": ""})  # type: ignore[attr-defined]
    try:
        assert bots.telegram(update).status_code == 404
    finally:
        app.state.settings = settings  # type: ignore[attr-defined]
    with bots.factory() as session:
        seen = select(func.count()).where(MessengerUpdate.update_id == str(update["update_id"]))
        assert session.scalar(seen) == 0
    assert bots.chat("telegram", str(update["message"]["chat"]["id"])) is None


def test_private_message_opens_a_ticket_for_the_telegram_customer(bots: Bots) -> None:
    user_id = new_user_id()
    response = bots.telegram(telegram_update("telegram_private_text.json", user_id))
    assert response.status_code == 200 and response.json() == {}
    ticket = bots.ticket(_chat_ticket(bots, user_id))
    assert ticket.channel == Channel.telegram and ticket.status == Status.new
    assert ticket.subject == "我的USDT充值三个小时还没到账，TRC20网络"
    with bots.factory() as session:
        customer = session.get(Customer, ticket.requester_id)
        assert customer is not None
        assert customer.external_id == f"telegram:{user_id}"
        assert customer.email == f"telegram-{user_id}@users.invalid"
        assert customer.name == "Wei Zhang" and customer.locale == "zh-CN"
    (message,) = bots.messages(ticket.id)
    assert message.author_kind == ActorKind.customer


def test_a_redelivered_update_is_stored_once(bots: Bots) -> None:
    user_id = new_user_id()
    update = telegram_update("telegram_private_text.json", user_id)
    assert bots.telegram(update).status_code == 200
    assert bots.telegram(update).status_code == 200
    ticket_id = _chat_ticket(bots, user_id)
    assert len(bots.messages(ticket_id)) == 1
    follow_up = telegram_update("telegram_edited_message.json", user_id)
    bots.telegram(follow_up)
    bots.telegram(follow_up)
    bodies = [m.body for m in bots.messages(ticket_id)]
    assert bodies[-1] == "✏️ Sorry, the amount was 250 USDT, not 25" and len(bodies) == 2


def test_a_seed_phrase_is_redacted_before_storage_and_the_bot_warns(bots: Bots) -> None:
    user_id = new_user_id()
    update = telegram_update("telegram_private_text.json", user_id)
    update["message"]["from"]["language_code"] = "en"
    update["message"]["text"] = f"Support asked me to verify my wallet: {SEED}"
    assert bots.telegram(update).status_code == 200
    ticket_id = _chat_ticket(bots, user_id)
    stored = " ".join(m.body for m in bots.messages(ticket_id)) + bots.ticket(ticket_id).subject
    assert "abandon ability" not in stored and "absurd abuse" not in stored
    bots.run_jobs()
    texts = [c.body["text"] for c in bots.platform.wait_for(r"/sendMessage$", count=2)]
    assert any("removed it before storing your message" in t for t in texts)


def test_the_warning_is_pinned_once_per_chat(bots: Bots) -> None:
    user_id = new_user_id()
    bots.telegram(telegram_update("telegram_start.json", user_id))
    bots.telegram(telegram_update("telegram_private_text.json", user_id))
    bots.run_jobs()
    (pin,) = bots.platform.wait_for(r"/pinChatMessage$")
    sent = bots.platform.matching(r"/sendMessage$")
    warning = next(c for c in sent if "we never message you first" in c.body["text"])
    assert pin.body["message_id"] == warning.result_id and pin.body["disable_notification"]
    assert str(pin.body["chat_id"]) == str(user_id) and warning.body["chat_id"] == str(user_id)
    welcome = next(c for c in sent if c.body["text"].startswith("Hello! This is"))
    button = welcome.body["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Start a new request", "callback_data": "ticket:new"}
    bots.telegram(telegram_update("telegram_edited_message.json", user_id))
    bots.run_jobs()
    assert eventually(lambda: bots.chat("telegram", str(user_id)).warning_pinned_at)
    assert len(bots.platform.matching(r"/pinChatMessage$")) == 1
    assert all(c.path.startswith(f"/bot{TELEGRAM_TOKEN}/") for c in bots.platform.calls)


def test_groups_get_one_polite_line_and_no_ticket(bots: Bots) -> None:
    user_id = new_user_id()
    update = telegram_update("telegram_group_command.json", user_id)
    answer = bots.telegram(update).json()
    assert answer["method"] == "sendMessage" and answer["chat_id"] == -1001987654321
    assert "only answers in a private chat" in answer["text"]
    chatter = telegram_update("telegram_group_command.json", user_id)
    chatter["message"]["text"] = "anyone else waiting for withdrawals?"
    assert bots.telegram(chatter).json() == {}
    with bots.factory() as session:
        found = select(Customer).where(Customer.external_id == f"telegram:{user_id}")
        assert session.scalar(found) is None


def test_a_document_is_fetched_and_stored_with_its_caption(bots: Bots) -> None:
    receipt = (SAMPLES / "deposit-receipt.png").read_bytes()
    bots.platform.files["documents/file_7.png"] = receipt
    user_id = new_user_id()
    bots.telegram(telegram_update("telegram_private_text.json", user_id))
    bots.telegram(telegram_update("telegram_document.json", user_id))
    ticket_id = _chat_ticket(bots, user_id)
    bots.run_jobs()
    assert eventually(lambda: len(bots.messages(ticket_id)) == 2)
    last = bots.messages(ticket_id)[-1]
    assert last.body == "Receipt from my bank for the deposit"
    (attachment,) = last.attachments
    assert (attachment.filename, attachment.content_type) == ("deposit-receipt.png", "image/png")
    assert attachment.size == len(receipt)
    (get_file,) = bots.platform.matching(r"/getFile$")
    assert get_file.body == {"file_id": "BQACAgIAAxkBAAIBaGVx-receipt"}
    bots.platform.wait_for(rf"GET /file/bot{TELEGRAM_TOKEN}/documents/file_7.png$")


def test_files_too_large_of_other_types_or_stickers_get_a_polite_answer(bots: Bots) -> None:
    bots.platform.files["documents/file_7.png"] = b"MZ\x90\x00 not a document we keep"
    user_id = new_user_id()
    big_photo = telegram_update("telegram_photo_caption.json", user_id)
    big_photo["message"]["photo"][-1]["file_size"] = 50 * 1024 * 1024
    bots.telegram(big_photo)
    bots.telegram(telegram_update("telegram_document.json", user_id))
    sticker = telegram_update("telegram_photo_caption.json", user_id)
    sticker["message"]["sticker"] = sticker["message"].pop("photo")[0]
    del sticker["message"]["caption"]
    bots.telegram(sticker)
    bots.run_jobs()
    texts = [c.body["text"] for c in bots.platform.wait_for(r"/sendMessage$", count=4)]
    refused = [t for t in texts if t.startswith("We could not accept this file.")]
    assert len(refused) == 2 and "up to 10 MB" in refused[0]
    assert any(t.startswith("Files cannot be received in this chat") for t in texts)
    assert len(bots.platform.matching(r"/getFile$")) == 1  # the big photo was never fetched
    chat = bots.chat("telegram", str(user_id))
    assert chat is not None and chat.ticket_id is None  # nothing was stored


def test_the_button_starts_a_new_request_and_a_closed_ticket_is_not_reused(bots: Bots) -> None:
    user_id = new_user_id()
    bots.telegram(telegram_update("telegram_private_text.json", user_id))
    first = _chat_ticket(bots, user_id)
    answer = bots.telegram(telegram_update("telegram_callback_query.json", user_id)).json()
    assert answer == {
        "method": "answerCallbackQuery",
        "callback_query_id": "4382bfdwdsb323b2d9",
        "text": "您的下一条消息将开启一个新的请求。",
    }
    bots.telegram(telegram_update("telegram_private_text.json", user_id))
    second = _chat_ticket(bots, user_id)
    assert second != first
    with bots.factory() as session:
        ticket = session.get(Ticket, second)
        assert ticket is not None
        tickets.do_set_status(session, SYSTEM, ticket, Status.solved, notify=False)
        tickets.do_set_status(session, SYSTEM, ticket, Status.closed)
        session.commit()
    bots.telegram(telegram_update("telegram_private_text.json", user_id))
    assert _chat_ticket(bots, user_id) not in (first, second)


def test_malformed_updates_get_a_clear_422(bots: Bots) -> None:
    response = bots.client.post(
        "/api/v1/channels/telegram/webhook",
        content=b"[1, 2]",
        headers={"X-Telegram-Bot-Api-Secret-Token": "tg-webhook-secret_0123456789"},
    )
    assert response.status_code == 422
    assert bots.telegram({"message": {}}).status_code == 422
