"""The survey from the customer's side, in a real headless Chromium: a ticket is solved, the
survey e-mail arrives at a real SMTP server, its link opens the page with the clicked score
chosen, the customer picks another, writes a comment and sends; the thank-you page shows and
the answer is stored. In English and in Chinese. Screenshots go to /tmp."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from ledgerdesk.accounts import services as accounts
from ledgerdesk.channels import csat
from ledgerdesk.channels.mail import text_of
from ledgerdesk.jobs.outbox import run_pending
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.models import Status
from tests.browser import chromium
from tests.channels.smtp import PUBLIC_URL, PointMail, SmtpServer
from tests.conftest import make_agent, make_customer, make_ticket
from tests.web.test_pages import fresh_app, served

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir())
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/csat/[A-Za-z0-9_.\-]+\?score=)([1-5])")
WORDS = {
    "en": {"button": "Send rating", "thanks": "Thank you for your feedback!"},
    "zh-CN": {"button": "提交评价", "thanks": "感谢您的反馈！"},
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def solved_ticket(app: Any, locale: str) -> tuple[int, str]:
    with app.state.sessionmaker() as session:
        agent = make_agent(session)
        customer = make_customer(session, locale=locale)
        ticket = make_ticket(session, customer, subject="USDT 提币未到账 withdrawal missing")
        tickets.do_set_status(session, accounts.agent_actor(agent), ticket, Status.solved)
        session.commit()
        return ticket.id, customer.email


def survey_link(app: Any, smtp: SmtpServer, email: str, score: int) -> str:
    """The path of the ``score`` link in the survey e-mail, once the jobs have sent it."""
    for _ in range(3):  # the request job, then the mail it queued
        run_pending(app.state.sessionmaker)
    mails = smtp.inbox.wait_for(email, count=2)  # the solved notice and the survey
    (survey,) = [m for m in mails if LINK.search(text_of(m))]
    links = {int(s): path + s for path, s in LINK.findall(text_of(survey))}
    assert sorted(links) == [1, 2, 3, 4, 5]
    return links[score]


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_rating_a_solved_ticket_from_the_email_link(
    browser: Browser,
    tmp_path: Path,
    smtp_server: SmtpServer,
    configure_mail: PointMail,
    locale: str,
) -> None:
    configure_mail(smtp_server.port, LEDGERDESK_CSAT_DELAY_MINUTES="0")
    app = fresh_app(tmp_path)
    ticket_id, email = solved_ticket(app, locale)
    words = WORDS[locale]
    with served(app) as base:
        link = survey_link(app, smtp_server, email, score=2)
        context = browser.new_context(base_url=base, viewport={"width": 1000, "height": 900})
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator("#csat-score-2")).to_be_checked()  # the clicked score, not stored
        with app.state.sessionmaker() as session:
            survey = csat.survey_of(session, ticket_id)
            assert survey is not None and survey.score is None
        page.locator("label[for=csat-score-4]").click()
        page.locator("#csat-comment").fill("快，谢谢 quick, thanks")
        page.screenshot(path=str(SHOTS / f"ledgerdesk-csat-form-{locale}.png"))
        page.get_by_role("button", name=words["button"]).click()
        expect(page.locator("#csat-thanks h2")).to_have_text(words["thanks"])
        expect(page.locator("#csat-thanks-comment")).to_have_text("快，谢谢 quick, thanks")
        page.screenshot(path=str(SHOTS / f"ledgerdesk-csat-thanks-{locale}.png"))
        context.close()
    with app.state.sessionmaker() as session:
        survey = csat.survey_of(session, ticket_id)
        assert survey is not None
        assert (survey.score, survey.comment) == (4, "快，谢谢 quick, thanks")
        assert survey.answer_channel == "email" and survey.review_state is None
    assert errors == []
