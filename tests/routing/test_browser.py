"""Triage and routing in a real headless Chromium against the page tests' served desk: an agent
corrects a triaged ticket's intent from the ticket page, an admin creates, moves and deletes a
routing rule on the rules page, and a plain agent is refused that page.

Like the other browser tests this runs on the page tests' freshly migrated SQLite desk (one
uvicorn server and one Chromium per module), so the rows committed here touch no other test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.models import RoutingRule, TrainingExample
from ledgerdesk.tickets.models import Message, Ticket
from ledgerdesk.web.labels import label
from tests.conftest import PASSWORD, make_agent, make_customer, make_team, make_ticket, unique
from tests.routing.test_api import delete_rules_except, rule_ids
from tests.web.test_pages import (  # the page tests' served desk and browser
    Desk,
    _new_context,
    _sign_in_agent,
    browser,
    desk,
)

pytestmark = pytest.mark.browser
__all__ = ["browser", "desk"]

HACKED_SUBJECT = "Account hacked"
HACKED = "My account was hacked, someone withdrew all my BTC and changed my email"
PREDICTED = "account_compromised"
RULE_INTENT = "account_compromised"


# --- people and signed-in tabs --------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    team_id: int
    team_name: str
    agent_id: int
    agent_email: str
    admin_id: int
    admin_email: str


@pytest.fixture(scope="module")
def staff(desk: Desk) -> Staff:
    """A plain agent in a new team and an admin, with fresh e-mail addresses."""
    with desk.app.state.sessionmaker() as session:
        team = make_team(session)
        agent = make_agent(session, Role.agent, [team])
        admin = make_agent(session, Role.admin)
        session.commit()
        return Staff(team.id, team.name, agent.id, agent.email, admin.id, admin.email)


@dataclass
class Tab:
    """One signed-in page, reused by the module's tests, with the script errors it logged."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.problems.append(message.text)

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda exc: self.problems.append(str(exc)))


def _signed_in(browser: Browser, desk: Desk, email: str) -> Iterator[Tab]:
    context = _new_context(browser, desk)
    try:
        tab = Tab(context.new_page())
        tab.watch()
        _sign_in_agent(tab.page, email, PASSWORD)
        expect(tab.page).to_have_url(re.compile(r"/console/inbox\?view=mine$"))
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def agent_tab(browser: Browser, desk: Desk, staff: Staff) -> Iterator[Tab]:
    yield from _signed_in(browser, desk, staff.agent_email)


@pytest.fixture(scope="module")
def admin_tab(browser: Browser, desk: Desk, staff: Staff) -> Iterator[Tab]:
    yield from _signed_in(browser, desk, staff.admin_email)


# --- database helpers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Triaged:
    ticket_id: int
    intent: str
    uncertain: bool
    priority: str
    model_version: str


def _triaged_ticket(desk: Desk, staff: Staff) -> Triaged:
    """A new customer's ticket in the agent's team, its opening message triaged and committed
    (the team keeps triage from moving it and keeps a correction from re-routing it)."""
    with desk.app.state.sessionmaker() as session:
        customer = make_customer(session)
        ticket = make_ticket(
            session,
            customer,
            actor=SYSTEM,
            subject=HACKED_SUBJECT,
            body=HACKED,
            team_id=staff.team_id,
        )
        message_id = session.scalar(select(Message.id).where(Message.ticket_id == ticket.id))
        assert message_id is not None
        prediction = svc.triage_message(session, message_id)
        assert prediction is not None
        session.commit()
        return Triaged(
            ticket.id,
            prediction.intent,
            prediction.uncertain,
            prediction.priority,
            prediction.model_version,
        )


def _examples(desk: Desk, ticket_id: int) -> list[TrainingExample]:
    with desk.app.state.sessionmaker() as session:
        query = select(TrainingExample).where(TrainingExample.ticket_id == ticket_id)
        return list(session.scalars(query))


def _ticket_intent(desk: Desk, ticket_id: int) -> str | None:
    with desk.app.state.sessionmaker() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket.intent


def _rules(desk: Desk) -> list[RoutingRule]:
    """The rules in their order."""
    with desk.app.state.sessionmaker() as session:
        return svc.list_rules(session)


def _rule_named(desk: Desk, name: str) -> RoutingRule | None:
    return next((r for r in _rules(desk) if r.name == name), None)


def _row_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("#rules tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.rule)"
    )
    return ids


# --- the ticket page's triage panel -----------------------------------------------------------


def test_agent_corrects_the_triaged_intent(agent_tab: Tab, desk: Desk, staff: Staff) -> None:
    triaged = _triaged_ticket(desk, staff)
    assert (triaged.intent, triaged.uncertain) == (PREDICTED, False)
    assert _ticket_intent(desk, triaged.ticket_id) == PREDICTED
    page = agent_tab.page
    agent_tab.problems.clear()

    page.goto(f"/console/tickets/{triaged.ticket_id}")
    expect(page.locator("h2")).to_contain_text(HACKED_SUBJECT)
    panel = page.locator("#triage-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#triage-intent strong")).to_have_text(label(PREDICTED))
    expect(page.locator("#triage-uncertain")).to_have_count(0)
    level = label(triaged.priority)
    expect(page.locator("#triage-priority")).to_contain_text(f"priority: {level}")
    expect(page.locator(f"#triage-priority .pr-{triaged.priority}")).to_have_text(level)
    expect(page.locator("#triage-model code")).to_have_text(triaged.model_version)
    expect(page.locator("#triage-rules")).to_contain_text("None")
    expect(page.locator("#triage-corrected")).to_have_count(0)
    select = page.locator("#intent-form select[name=intent]")
    expect(select).to_have_value(PREDICTED)
    save = page.locator("#intent-form").get_by_role("button", name="Save")

    select.select_option("scam_report")
    save.click()
    expect(page).to_have_url(re.compile(rf"/console/tickets/{triaged.ticket_id}$"))
    expect(page.locator(".flash.ok")).to_have_text("Intent corrected: Scam report")
    expect(select).to_have_value("scam_report")
    expect(page.locator("#triage-corrected")).to_contain_text("Corrected by an agent to")
    expect(page.locator("#triage-corrected strong")).to_have_text("Scam report")
    expect(page.locator("#triage-intent strong")).to_have_text(label(PREDICTED))  # the model
    [example] = _examples(desk, triaged.ticket_id)
    assert (example.label, example.previous_label) == ("scam_report", PREDICTED)
    assert example.agent_id == staff.agent_id
    assert example.model_version == triaged.model_version
    assert HACKED in example.text
    assert _ticket_intent(desk, triaged.ticket_id) == "scam_report"

    # A second correction updates the ticket's one example instead of adding another.
    select.select_option("account_locked")
    save.click()
    expect(page.locator(".flash.ok")).to_have_text("Intent corrected: Account locked")
    expect(select).to_have_value("account_locked")
    expect(page.locator("#triage-corrected strong")).to_have_text("Account locked")
    [example] = _examples(desk, triaged.ticket_id)
    assert (example.label, example.previous_label) == ("account_locked", PREDICTED)
    assert _ticket_intent(desk, triaged.ticket_id) == "account_locked"
    assert agent_tab.problems == []


# --- the rules page -------------------------------------------------------------------------


def test_admin_creates_moves_and_deletes_a_rule(admin_tab: Tab, desk: Desk, staff: Staff) -> None:
    before = rule_ids(desk.app)
    page = admin_tab.page
    admin_tab.problems.clear()
    try:
        with desk.app.state.sessionmaker() as session:  # a rule to move the new one above
            first = svc.do_create_rule(session, SYSTEM, svc.RuleIn(name=unique("first"), tag="b1"))
            session.commit()
            first_id = first.id
        name = unique("Hacked accounts")
        existing = [str(r.id) for r in _rules(desk)]

        page.goto("/console/inbox?view=mine")
        page.locator("#nav-routing").click()  # an admin's routing link opens the rules
        expect(page).to_have_url(re.compile(r"/console/routing/rules$"))
        expect(page.locator("h2")).to_contain_text("Routing rules")
        expect(page.locator("#routing-nav a.active")).to_have_text("Routing rules")
        assert _row_ids(page) == existing
        form = page.locator("#new-rule")
        form.locator("#rule-name").fill(name)
        form.locator(f"#rule-intents input[value={RULE_INTENT}]").check()
        form.locator("#rule-team").select_option(str(staff.team_id))
        form.locator("#rule-priority").select_option("high")
        expect(form.locator("#rule-enabled")).to_be_checked()
        expect(form.locator("#rule-stop")).not_to_be_checked()
        form.get_by_role("button", name="Create rule").click()

        # Created: shown last in the table, stored as entered.
        expect(page).to_have_url(re.compile(r"/console/routing/rules$"))
        expect(page.locator(".flash.ok")).to_have_text(f"Rule created: {name}")
        rule = _rule_named(desk, name)
        assert rule is not None
        assert (rule.intents, rule.languages) == ([RULE_INTENT], [])
        assert (rule.team_id, rule.priority, rule.tag) == (staff.team_id, "high", None)
        assert (rule.enabled, rule.stop) == (True, False)
        assert (rule.vip, rule.distressed, rule.uncertain) == (None, None, None)
        assert [r.id for r in _rules(desk)] == [*map(int, existing), rule.id]
        row = page.locator(f"#rule-{rule.id}")
        expect(row.get_by_role("link", name=name)).to_be_visible()
        conditions = row.locator("td").nth(2).locator(".tag")
        expect(conditions).to_have_text([f"intent: {label(RULE_INTENT)}"])
        expect(row.locator("td").nth(3).locator(".tag")).to_have_text(
            [f"team: {staff.team_name}", "priority at least: High"]
        )
        expect(row).to_have_attribute("data-enabled", "yes")
        expect(row.get_by_role("button", name="Move down")).to_be_disabled()
        assert _row_ids(page) == [*existing, str(rule.id)]

        # Moved up: above the rule that was before it, on the page and in the database.
        row.get_by_role("button", name="Move up").click()
        expect(page).to_have_url(re.compile(rf"/console/routing/rules#rule-{rule.id}$"))
        expect(page.locator("#rules tbody tr").nth(len(existing))).to_have_attribute(
            "data-rule", str(first_id)
        )
        order = [*existing[:-1], str(rule.id), existing[-1]]
        assert _row_ids(page) == order
        expect(row.locator("td").first).to_have_text(str(len(existing)))
        expect(row.get_by_role("button", name="Move down")).to_be_enabled()
        assert [str(r.id) for r in _rules(desk)] == order
        assert [r.position for r in _rules(desk)] == list(range(1, len(order) + 1))

        # Deleted from its own page.
        row.get_by_role("link", name=name).click()
        expect(page).to_have_url(re.compile(rf"/console/routing/rules/{rule.id}$"))
        edit = page.locator("#edit-rule")
        expect(edit.locator("#rule-name")).to_have_value(name)
        expect(edit.locator(f"#rule-intents input[value={RULE_INTENT}]")).to_be_checked()
        expect(edit.locator("#rule-team")).to_have_value(str(staff.team_id))
        expect(edit.locator("#rule-priority")).to_have_value("high")
        page.locator("#delete-rule").get_by_role("button", name="Delete this rule").click()
        expect(page).to_have_url(re.compile(r"/console/routing/rules$"))
        expect(page.locator(".flash.ok")).to_have_text(f"Rule deleted: {name}")
        expect(page.locator(f"#rule-{rule.id}")).to_have_count(0)
        assert _row_ids(page) == existing
        assert _rule_named(desk, name) is None
        assert [str(r.id) for r in _rules(desk)] == existing
        assert admin_tab.problems == []
    finally:
        delete_rules_except(desk.app, before)


# --- access ---------------------------------------------------------------------------------


def test_plain_agent_is_refused_the_rules_page(agent_tab: Tab, desk: Desk) -> None:
    page = agent_tab.page
    agent_tab.problems.clear()
    page.goto("/console/inbox?view=mine")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#nav-routing")).to_have_count(0)

    response = page.goto("/console/routing/rules")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Something is not right")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Only an admin can do this")
    expect(page.locator("#new-rule")).to_have_count(0)
    expect(page.locator("#rules")).to_have_count(0)

    # A same-origin form post of a rule is refused too, and nothing is stored.
    name = unique("sneaky")
    with page.expect_navigation() as navigation:
        page.evaluate(
            """name => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = "/console/routing/rules";
                for (const [key, value] of [["name", name], ["tag", "x"], ["enabled", "1"]]) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = key;
                    input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            name,
        )
    posted = navigation.value
    assert posted is not None and posted.status == 403
    expect(page.locator("body")).to_contain_text("Only an admin can do this")
    assert _rule_named(desk, name) is None
    # The refusals answer 403 on purpose; Chromium reports that status in the console.
    assert [p for p in agent_tab.problems if "status of 403" not in p] == []
