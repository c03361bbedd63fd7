"""Knowledge-base services on SQLite and PostgreSQL: versions, diffs, restore, permissions,
feedback, placeholders, search log, deflection, analytics, and the re-index job queued with
every change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, customer_actor
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
)
from ledgerdesk.kb import queries
from ledgerdesk.kb import services as kb
from ledgerdesk.kb.deflection import (
    do_link_deflection_ticket,
    do_mark_deflected,
    do_record_deflection_click,
    do_record_suggestions,
    do_start_deflection,
)
from ledgerdesk.kb.feedback import do_log_search, do_record_feedback, do_record_search_click
from ledgerdesk.kb.indexing import all_article_ids, searchable_documents
from ledgerdesk.kb.models import (
    ArticleStatus,
    ArticleVersion,
    DeflectionOutcome,
    FeedbackReason,
    SearchClick,
    SearchSource,
    Section,
)
from tests.conftest import actor_of, make_agent, make_customer, make_ticket, unique
from tests.kb.conftest import EN_BODY, make_article, outbox_for


def versions(session: Session, article_id: int, lang: str = "en") -> list[int]:
    return list(
        session.scalars(
            select(ArticleVersion.number)
            .where(ArticleVersion.article_id == article_id, ArticleVersion.lang == lang)
            .order_by(ArticleVersion.number)
        )
    )


def test_create_writes_version_one_and_queues_reindex(
    db_session: Session, section: Section
) -> None:
    agent = make_agent(db_session)
    article = make_article(db_session, section, actor_of(agent), title="  Deposit   missing ")
    assert article.status == ArticleStatus.draft and article.published_at is None
    assert article.created_by_id == agent.id
    (translation,) = article.translations
    assert (translation.lang, translation.title, translation.version) == (
        "en",
        "Deposit missing",
        1,
    )
    version = db_session.scalar(
        select(ArticleVersion).where(ArticleVersion.article_id == article.id)
    )
    assert version is not None and version.author_id == agent.id and version.number == 1
    assert outbox_for(db_session, article.id) == 1


def test_every_save_is_a_version_and_an_unchanged_save_is_nothing(
    db_session: Session, section: Section
) -> None:
    agent = actor_of(make_agent(db_session))
    article = make_article(db_session, section, agent)
    same = kb.do_save_translation(
        db_session, agent, article, "en", article.translations[0].title, EN_BODY + "\n\n"
    )
    assert same is None and versions(db_session, article.id) == [1]
    assert outbox_for(db_session, article.id) == 1

    second = kb.do_save_translation(
        db_session, agent, article, "en", "Deposit not credited", EN_BODY, "retitle"
    )
    assert second is not None and second.number == 2 and second.note == "retitle"
    assert second.author_id == agent.id
    zh = kb.do_save_translation(db_session, agent, article, "zh", "充值未到账", "请等待确认。")
    assert zh is not None and zh.lang == "zh-CN" and zh.number == 1
    assert versions(db_session, article.id) == [1, 2]
    assert versions(db_session, article.id, "zh-CN") == [1]
    assert {t.lang: t.version for t in article.translations} == {"en": 2, "zh-CN": 1}
    assert outbox_for(db_session, article.id) == 3


def test_agents_edit_but_only_leads_and_admins_change_status(
    db_session: Session, section: Section
) -> None:
    agent = actor_of(make_agent(db_session))
    lead = actor_of(make_agent(db_session, Role.lead))
    article = make_article(db_session, section, agent)
    with pytest.raises(NotPermitted):
        kb.do_set_status(db_session, agent, article, ArticleStatus.published)
    with pytest.raises(NotPermitted):
        make_article(db_session, section, agent, status=ArticleStatus.published)
    with pytest.raises(NotPermitted):
        kb.do_save_translation(
            db_session, customer_actor(make_customer(db_session)), article, "en", "x", "y"
        )

    assert kb.do_set_status(db_session, lead, article, ArticleStatus.published)
    assert article.status == ArticleStatus.published and article.published_at is not None
    assert not kb.do_set_status(db_session, lead, article, ArticleStatus.published)
    for status in (ArticleStatus.internal, ArticleStatus.archived, ArticleStatus.draft):
        kb.do_set_status(db_session, lead, article, status)
        assert article.status == status
    assert outbox_for(db_session, article.id) == 1 + 4


def test_readers_see_published_articles_only(db_session: Session, section: Section) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    agent = actor_of(make_agent(db_session))
    customer = customer_actor(make_customer(db_session))
    article = make_article(db_session, section)
    for status in (ArticleStatus.draft, ArticleStatus.internal, ArticleStatus.archived):
        kb.do_set_status(db_session, lead, article, status)
        for reader in (None, customer):
            with pytest.raises(NotFound):
                kb.access_article(db_session, reader, article.slug)
            with pytest.raises(NotFound):
                kb.access_article_id(db_session, reader, article.id)
        assert kb.access_article(db_session, agent, article.slug) is article
    kb.do_set_status(db_session, lead, article, ArticleStatus.published)
    assert kb.access_article(db_session, None, article.slug) is article
    with pytest.raises(NotFound):
        kb.access_article(db_session, None, "no-such-article")


def test_diff_between_versions_is_line_based(db_session: Session, section: Section) -> None:
    article = make_article(db_session, section, body="line one\nline two\nline three")
    kb.do_save_translation(
        db_session, SYSTEM, article, "en", "New title", "line one\nline 2\nline three\nline four"
    )
    v1, v2 = queries.list_versions(db_session, article, "en")[::-1]
    diff = queries.version_diff(db_session, article, v1.id, v2.id)
    assert [(d.kind, d.text) for d in diff.title if d.kind != "hunk"] == [
        ("del", "My deposit has not arrived"),
        ("add", "New title"),
    ]
    body = [(d.kind, d.text) for d in diff.body if d.kind != "hunk"]
    assert ("del", "line two") in body and ("add", "line 2") in body
    assert ("add", "line four") in body and ("same", "line one") in body
    assert queries.version_diff(db_session, article, v1.id, v1.id).unchanged

    kb.do_save_translation(db_session, SYSTEM, article, "zh-CN", "标题", "正文")
    zh = queries.list_versions(db_session, article, "zh-CN")[0]
    with pytest.raises(InvalidInput, match="same language"):
        queries.version_diff(db_session, article, v1.id, zh.id)
    other = make_article(db_session, section)
    with pytest.raises(NotFound):
        queries.version_diff(db_session, article, v1.id, other.translations[0].id + 10**6)


def test_restore_makes_a_new_version_by_the_restorer(db_session: Session, section: Section) -> None:
    lead_agent = make_agent(db_session, Role.lead)
    lead, agent = actor_of(lead_agent), actor_of(make_agent(db_session))
    article = make_article(db_session, section, agent, body="first text")
    kb.do_save_translation(db_session, agent, article, "en", "Second", "second text")
    first = queries.list_versions(db_session, article, "en")[-1]
    with pytest.raises(NotPermitted):
        kb.do_restore_version(db_session, agent, article, first.id)

    restored = kb.do_restore_version(db_session, lead, article, first.id)
    assert restored.number == 3 and restored.author_id == lead_agent.id
    assert restored.body == "first text" and restored.note == "Restored version 1"
    assert article.translations[0].body == "first text" and article.translations[0].version == 3
    assert versions(db_session, article.id) == [1, 2, 3]
    with pytest.raises(Conflict, match="already the current"):
        kb.do_restore_version(db_session, lead, article, first.id)
    assert outbox_for(db_session, article.id) == 3


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("slug", "Bad Slug!", "not valid"),
        ("slug", "x" * 81, "not valid"),
        ("lang", "fr", "Unknown language"),
        ("title", " \x00 ", "must not be empty"),
        ("title", "t" * 301, "longer than 300"),
        ("body", "  ", "must not be empty"),
        ("body", "Wait {{ confirmations.BTX }} blocks", "{{ confirmations.BTX }}"),
        ("intents", ["deposit_missing", "moon"], "Unknown intent 'moon'"),
        ("tags", ["ok", "not ok"], "Tag 'not ok'"),
    ],
)
def test_bad_article_input_is_refused(
    db_session: Session, section: Section, field: str, value: Any, needle: str
) -> None:
    kwargs: dict[str, Any] = {field: value}
    with pytest.raises(InvalidInput) as caught:
        make_article(db_session, section, **kwargs)
    assert needle in caught.value.message


def test_duplicate_slug_and_unknown_section(db_session: Session, section: Section) -> None:
    article = make_article(db_session, section)
    with pytest.raises(Conflict):
        make_article(db_session, section, slug=article.slug)
    with pytest.raises(InvalidInput, match="Section"):
        kb.do_create_article(
            db_session,
            SYSTEM,
            kb.NewArticle(slug=unique("a"), section_id=10**8, lang="en", title="t", body="b"),
        )


def test_control_characters_are_cleaned(db_session: Session, section: Section) -> None:
    article = make_article(db_session, section, title="Dep\x00osit", body="Body\x07 text\r\nnext")
    assert article.translations[0].title == "Deposit"
    assert article.translations[0].body == "Body text\nnext"


def test_properties_change_queues_reindex_only_when_changed(
    db_session: Session, section: Section
) -> None:
    agent = actor_of(make_agent(db_session))
    article = make_article(db_session, section, agent, tags=["usdt"])
    same = kb.ArticleChanges(section_id=section.id, intents=["deposit_missing"], tags=["USDT"])
    assert not kb.do_update_article(db_session, agent, article, same)
    assert outbox_for(db_session, article.id) == 1
    changes = kb.ArticleChanges(intents=["deposit_missing", "how_to"], tags=["usdt", "trc20"])
    assert kb.do_update_article(db_session, agent, article, changes)
    assert article.intents == ["deposit_missing", "how_to"] and article.tags == ["usdt", "trc20"]
    assert outbox_for(db_session, article.id) == 2


def test_feedback_rules(db_session: Session, section: Section) -> None:
    article = make_article(db_session, section)
    yes = do_record_feedback(db_session, article, lang="zh", helpful=True, comment=" 好\x00 ")
    assert yes.lang == "zh-CN" and yes.comment == "好" and yes.reason is None
    no = do_record_feedback(
        db_session, article, lang="en", helpful=False, reason=FeedbackReason.missing_steps
    )
    assert no.reason == FeedbackReason.missing_steps
    pasted = do_record_feedback(
        db_session, article, lang="zh", helpful=False, comment="没用，我的谷歌验证码：482913"
    )
    assert pasted.comment == "没用，我的谷歌验证码：[已删除：验证码]"
    with pytest.raises(InvalidInput, match="only given when"):
        do_record_feedback(
            db_session, article, lang="en", helpful=True, reason=FeedbackReason.unclear
        )
    with pytest.raises(InvalidInput, match="longer than 1000"):
        do_record_feedback(db_session, article, lang="en", helpful=False, comment="x" * 1001)
    with pytest.raises(InvalidInput, match="Unknown language"):
        do_record_feedback(db_session, article, lang="de", helpful=False)
    assert outbox_for(db_session, article.id) == 1  # feedback does not touch the article
    (counts,) = queries.helpfulness(db_session, article.created_at, article_id=article.id)
    assert (counts.helpful, counts.not_helpful) == (1, 2)
    assert counts.ratio == pytest.approx(1 / 3, abs=0.01)


def test_search_log_and_clicks(db_session: Session, section: Section) -> None:
    a, b = make_article(db_session, section), make_article(db_session, section)
    assert (
        do_log_search(db_session, "  ", lang="en", source=SearchSource.help, article_ids=[]) is None
    )
    log = do_log_search(
        db_session,
        " usdt \x00 deposit ",
        lang="en",
        source=SearchSource.help,
        article_ids=[a.id, b.id],
    )
    assert log is not None and log.query == "usdt deposit" and log.result_count == 2
    assert do_record_search_click(db_session, log.id, b.id, 2) is not None
    assert do_record_search_click(db_session, log.id, b.id, 2) is None  # counted once
    assert do_record_search_click(db_session, log.id, b.id, 7) is None  # not that position
    assert do_record_search_click(db_session, log.id, 10**8, 1) is None  # not a result
    assert do_record_search_click(db_session, 10**8, a.id, 1) is None  # no such search
    clicks = db_session.scalar(
        select(func.count()).select_from(SearchClick).where(SearchClick.search_log_id == log.id)
    )
    assert clicks == 1
    with pytest.raises(InvalidInput, match="longer than 500"):
        do_log_search(db_session, "q" * 501, lang="en", source=SearchSource.api, article_ids=[])


def test_deflection_flow(db_session: Session, section: Section) -> None:
    article = make_article(db_session, section)
    customer = make_customer(db_session)
    attempt = do_start_deflection(db_session, "usdt not arrived", customer_id=customer.id)
    assert attempt.outcome == DeflectionOutcome.open and len(attempt.token) >= 30
    do_record_suggestions(db_session, attempt.token, [article.id], query="usdt trc20 missing")
    do_record_deflection_click(db_session, attempt.token, article.id)
    assert attempt.suggested_article_ids == [article.id]
    assert attempt.clicked_article_id == article.id and attempt.query == "usdt trc20 missing"
    deflected = do_mark_deflected(db_session, attempt.token)
    assert deflected.outcome == DeflectionOutcome.deflected

    second = do_start_deflection(db_session, "still no deposit")
    ticket = make_ticket(db_session, customer)
    do_link_deflection_ticket(db_session, second.token, ticket.id)
    assert second.outcome == DeflectionOutcome.ticket_created and second.ticket_id == ticket.id
    with pytest.raises(InvalidTransition):
        do_mark_deflected(db_session, second.token)
    with pytest.raises(NotFound):
        do_mark_deflected(db_session, "no-such-token")
    with pytest.raises(NotFound):
        do_record_deflection_click(db_session, attempt.token, 10**8)


def test_analytics(db_session: Session, section: Section) -> None:
    since = utcnow() - timedelta(seconds=1)
    article = make_article(db_session, section)
    word = unique("q")
    for query, ids in ((word, [article.id]), (word.upper(), [article.id]), (word + " zz", [])):
        log = do_log_search(db_session, query, lang="en", source=SearchSource.help, article_ids=ids)
        assert log is not None
        if ids and query == word:
            do_record_search_click(db_session, log.id, article.id, 1)
    do_mark_deflected(db_session, do_start_deflection(db_session, "q").token)
    do_start_deflection(db_session, "q2")

    top = {q.query: q for q in queries.top_queries(db_session, since)}
    assert top[word].searches == 2 and top[word].clicks == 1 and top[word].click_through == 0.5
    missing = {q.query: q for q in queries.zero_result_queries(db_session, since)}
    assert set(missing) == {word + " zz"} and missing[word + " zz"].zero_results == 1
    totals = queries.search_totals(db_session, since)
    assert (totals.searches, totals.zero_results, totals.with_click) == (3, 1, 1)
    counts = queries.deflection_counts(db_session, since)
    assert counts == {"open": 1, "deflected": 1, "ticket_created": 0}


def test_searchable_documents(db_session: Session, section: Section) -> None:
    lead = actor_of(make_agent(db_session, Role.lead))
    article = make_article(db_session, section, zh=True, intents=["deposit_missing", "how_to"])
    docs = {d.lang: d for d in searchable_documents(db_session, article.id)}
    assert set(docs) == {"en", "zh-CN"}
    en = docs["en"]
    assert en.visibility == "hidden" and en.slug == article.slug
    assert en.category == section.category.slug and en.section == section.slug
    assert en.intents == ("deposit_missing", "how_to")
    assert "Wait for 2 confirmations." in en.text and "support@example-exchange.com" in en.text
    assert "**" not in en.text and "##" not in en.text and "{{" not in en.text
    kb.do_set_status(db_session, lead, article, ArticleStatus.published)
    assert {d.visibility for d in searchable_documents(db_session, article.id)} == {"public"}
    kb.do_set_status(db_session, lead, article, ArticleStatus.internal)
    assert {d.visibility for d in searchable_documents(db_session, article.id)} == {"internal"}
    assert searchable_documents(db_session, 10**9) == []
    assert article.id in all_article_ids(db_session)
