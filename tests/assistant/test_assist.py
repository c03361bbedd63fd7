"""Agent assist: the suggested reply (engine.answer on the ticket's latest customer message, with
the customer's context, only for agents who may see the ticket), the summary of long tickets
(built from recorded facts, in the reader's language) and the portal's yes/no buttons."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.ai.assistant import assist
from ledgerdesk.ai.assistant.summary import first_sentence
from ledgerdesk.chain import services as chain
from ledgerdesk.chain.diagnosis import Diagnosis
from ledgerdesk.core.errors import NotFound, NotPermitted
from ledgerdesk.kb.models import ArticleStatus
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Channel, Status
from tests.assistant.factory import (
    answer_reply,
    customer_says,
    fake_engine,
    handover_reply,
    post_reply,
)
from tests.conftest import actor_of, make_agent, make_customer, make_team, make_ticket
from tests.guard.factory import phrase
from tests.kb.conftest import make_article


def test_suggest_answers_the_latest_customer_message_with_their_context(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = make_customer(db_session, external_id="ex-4711", locale="zh-CN")
    ticket = make_ticket(db_session, customer, body="My USDT deposit is missing.")
    customer_says(db_session, ticket, "It was sent on TRC20 two hours ago.")
    agent = actor_of(make_agent(db_session))
    fake = fake_engine(monkeypatch)
    reply = assist.suggest(db_session, agent, ticket)
    assert reply is fake.reply
    ((text, context),) = fake.asked
    assert text == "It was sent on TRC20 two hours ago."
    assert context.channel == "console" and context.history == ()
    assert (context.customer_ref, context.customer_id) == ("ex-4711", customer.id)
    assert context.locale == "zh-CN"


def test_suggest_gets_the_guarded_text(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = " ".join(phrase(seed=3))
    ticket = make_ticket(db_session, body=f"Deposit missing. My seed phrase is {words}")
    fake = fake_engine(monkeypatch)
    assist.suggest(db_session, actor_of(make_agent(db_session)), ticket)
    ((text, _),) = fake.asked
    assert words not in text and "[removed: seed phrase]" in text


def test_no_customer_message_means_no_suggestion(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = actor_of(make_agent(db_session))
    ticket = make_ticket(
        db_session, actor=agent, body="We noticed a failed withdrawal.", channel=Channel.agent
    )
    fake = fake_engine(monkeypatch)
    assert assist.suggest(db_session, agent, ticket) is None
    assert fake.asked == []


def test_only_agents_who_see_the_ticket_get_a_suggestion(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    specialists, l1 = make_team(db_session, Tier.specialist), make_team(db_session)
    ticket = make_ticket(db_session)
    tickets.do_update_ticket(
        db_session,
        accounts.SYSTEM,
        ticket,
        tickets.TicketChanges(fields_set={"team_id"}, team_id=specialists.id),
    )
    fake = fake_engine(monkeypatch)
    outsider = actor_of(make_agent(db_session, Role.agent, [l1]))
    with pytest.raises(NotFound):
        assist.suggest(db_session, outsider, ticket)
    with pytest.raises(NotPermitted):
        assist.suggest(db_session, accounts.customer_actor(ticket.requester), ticket)
    assert fake.asked == []
    member = actor_of(make_agent(db_session, Role.agent, [specialists]))
    assert assist.suggest(db_session, member, ticket) is fake.reply


def test_an_engine_failure_is_assistant_unavailable(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = make_ticket(db_session)
    fake_engine(monkeypatch, error=RuntimeError("backend down"))
    with pytest.raises(assist.AssistantUnavailable):
        assist.suggest(db_session, actor_of(make_agent(db_session)), ticket)


# --- the summary ------------------------------------------------------------------------------


def _long_ticket(db_session: Session) -> tuple[object, str]:
    article = make_article(db_session, zh=True, status=ArticleStatus.published)
    ticket = make_ticket(
        db_session,
        subject="USDT deposit",
        body="My 500 USDT deposit on Tron has not arrived. I sent it at 10:00 from my wallet.",
    )
    ticket.intent = "deposit_missing"
    post_reply(db_session, ticket, answer_reply(article.slug), feedback="no")
    customer_says(db_session, ticket, "No, I still need help")
    post_reply(db_session, ticket, handover_reply("unsolved"))
    agent = make_agent(db_session)
    tickets.do_add_message(
        db_session, actor_of(agent), ticket, "Checking now.", status=Status.pending
    )
    diagnosis = Diagnosis(
        kind="deposit", verdict="not_found", network="tron", asset="USDT", tx_hash="ab" * 32
    )
    chain.do_record_check(
        db_session, actor_of(agent), diagnosis, customer=ticket.requester, ticket=ticket
    )
    customer_says(db_session, ticket, "Any news?")
    return ticket, article.slug


def test_summary_of_a_long_ticket_in_english(db_session: Session) -> None:
    ticket, _slug = _long_ticket(db_session)
    text = assist.summarize(db_session, ticket, "en")
    assert "\n" not in text
    assert "The customer wrote: “My 500 USDT deposit on Tron has not arrived.”" in text
    assert "Triage classed the request as Deposit missing." in text
    assert "The assistant pointed to “My deposit has not arrived”." in text
    assert "The customer said the answers did not solve it." in text
    assert "The assistant handed over: The answers did not solve it." in text
    assert "Chain checks: “Transaction not found (USDT)”." in text
    assert "Now Open, 6 messages; the customer wrote last and is waiting." in text


def test_summary_in_chinese_uses_chinese_sentences_and_labels(db_session: Session) -> None:
    ticket, _slug = _long_ticket(db_session)
    text = assist.summarize(db_session, ticket, "zh-CN")
    assert "客户写道：“My 500 USDT deposit on Tron has not arrived.”" in text  # quoted as written
    assert "分诊将此请求归类为充值未到账。" in text
    assert "“充值未到账怎么办”" in text
    assert "智能助手已转人工：回答未能解决问题。" in text
    assert "链上检查：“未找到该交易 (USDT)”。" in text
    assert "The customer" not in text and "Triage" not in text


def test_short_tickets_get_no_summary(db_session: Session) -> None:
    ticket = make_ticket(db_session)
    for n in range(assist.MIN_SUMMARY_MESSAGES - 2):
        customer_says(db_session, ticket, f"More detail {n}")
    assert assist.summarize(db_session, ticket, "en") == ""
    customer_says(db_session, ticket, "And one more")
    assert assist.summarize(db_session, ticket, "en").startswith("The customer wrote")


def test_summary_leaves_out_what_was_not_recorded(db_session: Session) -> None:
    ticket = make_ticket(db_session, body="提现一直没到账，怎么回事？已经三个小时了")
    for n in range(5):
        customer_says(db_session, ticket, f"还在等 {n}")
    text = assist.summarize(db_session, ticket, "en")
    assert text.startswith("The customer wrote: “提现一直没到账，怎么回事？”")
    for absent in ("Triage", "assistant", "Chain checks"):
        assert absent not in text


def test_first_sentence() -> None:
    assert first_sentence("Hello there. More text") == "Hello there."
    assert first_sentence("  \n\n第一句。第二句") == "第一句。"
    assert first_sentence("x" * 300).endswith("…") and len(first_sentence("x" * 300)) == 200
    assert first_sentence("") == ""


# --- the portal's buttons ---------------------------------------------------------------------


def test_buttons_follow_the_latest_reply_that_asked_for_feedback(db_session: Session) -> None:
    ticket = make_ticket(db_session)
    assert assist.feedback_prompt(db_session, ticket) is None
    first = post_reply(db_session, ticket, answer_reply(language="zh-Hant"))
    prompt = assist.feedback_prompt(db_session, ticket)
    assert prompt is not None and prompt.message_id == first.message_id
    assert (prompt.yes, prompt.no) == ("是的，已解決", "沒有，還需要幫助")
    customer_says(db_session, ticket, prompt.no)
    assert assist.feedback_prompt(db_session, ticket) is None  # answered
    second = post_reply(db_session, ticket, answer_reply())
    prompt = assist.feedback_prompt(db_session, ticket)
    assert prompt is not None and prompt.message_id == second.message_id
    assert prompt.yes == "Yes, that solved it"
    post_reply(db_session, ticket, handover_reply())
    assert assist.feedback_prompt(db_session, ticket) is None  # the latest did not ask


def test_no_buttons_once_answered_or_closed(db_session: Session) -> None:
    ticket = make_ticket(db_session)
    row = post_reply(db_session, ticket, answer_reply())
    row.feedback = "yes"
    assert assist.feedback_prompt(db_session, ticket) is None
    row.feedback = None
    ticket.status = Status.closed
    assert assist.feedback_prompt(db_session, ticket) is None


def test_every_handover_reason_has_a_label() -> None:
    from ledgerdesk.ai.assistant.types import HANDOVER_REASONS
    from ledgerdesk.web.labels import HANDOVER_LABELS

    assert set(HANDOVER_REASONS) == set(HANDOVER_LABELS)
