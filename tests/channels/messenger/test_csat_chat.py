"""Satisfaction surveys in the chat: a solved Telegram ticket is asked there, and a reply such
as "5 非常好" is the rating (the ticket stays solved), while any other text stays a message."""

from __future__ import annotations

from tests.channels.messenger.conftest import Bots, telegram_update
from tests.channels.messenger.test_outbound import _open_chat, _wait_texts

from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.channels.csat import request_survey, survey_of
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status, Ticket


def _say(bots: Bots, user_id: int, text: str) -> None:
    update = telegram_update("telegram_private_text.json", user_id)
    update["message"]["text"] = text
    update["message"]["from"]["language_code"] = "en"
    assert bots.telegram(update).status_code == 200
    bots.run_jobs()


def test_a_solved_telegram_ticket_is_rated_in_the_chat(bots: Bots) -> None:
    user_id, ticket_id = _open_chat(bots)
    with bots.factory() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        tickets.do_set_status(session, SYSTEM, ticket, Status.solved)
        session.commit()
    with bots.factory() as session:  # the delayed csat.request job, run now
        request_survey(session, {"ticket_id": ticket_id})
        session.commit()
    texts = _wait_texts(bots, user_id, 3)
    assert any(f"Your request #{ticket_id} was solved. How satisfied" in t for t in texts)

    _say(bots, user_id, "5 非常好")
    with bots.factory() as session:
        survey = survey_of(session, ticket_id)
        assert survey is not None and survey.score == 5 and survey.comment == "非常好"
        assert survey.answer_channel == "telegram"
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.status == Status.solved  # not reopened
    assert _wait_texts(bots, user_id, 5)[-1] == "Thank you for your feedback!"
    before = len(bots.messages(ticket_id))

    _say(bots, user_id, "One more question about my withdrawal")
    assert len(bots.messages(ticket_id)) == before + 1
    assert bots.ticket(ticket_id).status == Status.open
