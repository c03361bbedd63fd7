"""No raw key and no English sentence on a Chinese page; no raw key on an English one.

Every GET page of the app (taken from its routes, so a new page is checked without touching
this test) is rendered as an admin agent or as a customer, with ids of a ticket that has
replies, a note, tags, a guard finding, triage and a merged ticket, and of a published
article, a deflection and a routing rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts.models import Agent, Customer, Role, Team, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.cases import watchlist
from ledgerdesk.channels import csat
from ledgerdesk.channels.webhooks import services as webhooks
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.incidents import services as incidents
from ledgerdesk.incidents.linking import do_link
from ledgerdesk.incidents.models import Incident
from ledgerdesk.kb.deflection import do_start_deflection
from ledgerdesk.kb.models import ArticleStatus
from ledgerdesk.macros import services as macros
from ledgerdesk.routing import services as routing
from ledgerdesk.routing.models import RoutingRule
from ledgerdesk.routing.services import triage_message
from ledgerdesk.sla import schemas as sla_schemas
from ledgerdesk.sla import services as sla
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.merge import do_merge
from ledgerdesk.tickets.models import (
    ActorKind,
    Channel,
    GuardFinding,
    Message,
    MessageKind,
    Priority,
    Status,
    Tag,
    Ticket,
)
from ledgerdesk.tickets.timeline import ACTIONS, FIELDS
from ledgerdesk.trust import services as trust
from ledgerdesk.web.app import create_app
from ledgerdesk.web.labels import LABELS
from tests.conftest import (
    _DATA_DIR,
    PASSWORD,
    _create_pg_database,
    _drop_pg_database,
    actor_of,
    make_agent,
    make_customer,
    make_team,
    make_ticket,
    unique,
)
from tests.guard.factory import phrase
from tests.kb.conftest import make_article
from tests.tickets.test_api import portal_login
from tests.web.i18n_pages import (
    Finder,
    catalogue,
    fields_without_maxlength,
    get_routes,
    stored_keys,
    visible_text,
)

ANONYMOUS = frozenset({"/console/login", "/portal/login"})


@dataclass
class Ids:
    values: dict[str, int | str]
    agent_email: str
    customer_email: str

    def path(self, template: str) -> str:
        values = dict(self.values)
        values["slug"] = values["category" if "/categories/" in template else "article"]
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{template}: add a real value for {unknown} to the seed"
        return template.format(**{n: values[n] for n in names})


def _reset_cancel_token(session: Any, customer: Any) -> str:
    """A running 2FA reset of the customer: its cancel page (account_security)."""
    from ledgerdesk.account_security.models import RequestKind, RequestStatus, SecurityRequest
    from ledgerdesk.account_security.reset import cancel_link
    from ledgerdesk.core.clock import utcnow

    request = SecurityRequest(
        kind=RequestKind.twofa_reset,
        status=RequestStatus.on_hold,
        customer_id=customer.id,
        exchange_customer_id="UID-i18n",
        email=customer.email,
        source="portal",
        reset_id="R-i18n",
        hold_until=utcnow().replace(year=utcnow().year + 1),
        cancel_nonce="0" * 32,
    )
    session.add(request)
    session.flush()
    return cancel_link(request).rsplit("/", 1)[1]


def _answered_survey(session: Any, agent: Any, customer: Any) -> str:
    """A solved ticket rated 1: the survey page, and a review on /console/csat."""
    ticket = make_ticket(session, customer, subject="提现太慢", body="提现三个小时才到")
    tickets.do_set_status(session, actor_of(agent), ticket, Status.solved)
    csat.request_survey(session, {"ticket_id": ticket.id})
    survey = csat.survey_of(session, ticket.id)
    csat.do_answer(session, survey, csat.Answer(1, "太慢了", "email"))
    return csat.survey_token(survey)


def _seed_incident(session: Any, agent: Any, ticket_id: int) -> int:
    """An open incident with an update and a linked ticket (the console page and /status)."""
    incident = incidents.do_create_incident(
        session,
        actor_of(agent),
        incidents.IncidentIn(
            title_en="TRON deposits delayed",
            title_zh="TRON 充值延迟",
            body_en="Deposits are credited late.",
            body_zh="充值到账延迟。",
            intent="deposit_missing",
            network="tron",
        ),
    )
    incidents.do_post_update(session, actor_of(agent), incident, "Catching up.", "正在同步。")
    do_link(session, actor_of(agent), incident, ticket_id)
    return incident.id


def _seed_ticket(session: Any, agent: Any, team: Any, customer: Any, brand: str) -> int:
    words = " ".join(phrase(seed=7))
    ticket = make_ticket(
        session,
        customer,
        subject="充值没有到账",
        body=f"我充值的 USDT 一个小时了还没有到账。我的助记词是 {words}，"
        f"客服让我去 https://{brand}-support.com/login 验证",
    )
    first = select(Message.id).where(
        Message.ticket_id == ticket.id, Message.author_kind == ActorKind.customer
    )
    triage_message(session, session.scalars(first.order_by(Message.id)).first() or 0)
    actor = actor_of(agent)
    tickets.do_update_ticket(
        session,
        actor,
        ticket,
        tickets.TicketChanges(
            fields_set={"priority", "assignee_id", "team_id"},
            priority=Priority.high,
            assignee_id=agent.id,
            team_id=team.id,
            add_tags=["deposit-check"],
        ),
    )
    found = select(GuardFinding.kind).where(GuardFinding.ticket_id == ticket.id)
    kinds = set(session.scalars(found))
    assert {"seed_phrase", "phishing_link"} <= kinds  # the page shows both kinds of finding
    # The look-alike site is on the watchlist: the warning under the message, a list row.
    watchlist.do_add_entry(
        session, SYSTEM, watchlist.NewEntry(f"{brand}-support.com", note="钓鱼网站", source="SCM")
    )
    tickets.do_add_message(session, actor, ticket, "请提供交易哈希。", status=Status.on_hold)
    tickets.do_add_message(session, actor, ticket, "已转交钱包团队。", kind=MessageKind.note)
    other = make_ticket(session, customer, subject="再次询问充值", body="还是没有到账")
    do_merge(session, actor, other, ticket)
    return ticket.id


def _seed_scam_report(session: Any, customer: Any) -> int:
    from ledgerdesk.accounts.services import customer_actor
    from ledgerdesk.cases.scam import ScamReportIn, check_report, do_file_scam_report
    from ledgerdesk.chain.registry import get_registry

    form = ScamReportIn(
        scam_type="fake_support",
        happened_on="2026-01-02",
        story="冒充客服的人让我把 USDT 转到“安全钱包”。",
        tx_hashes=[("tron", "ab" * 32)],
        addresses=[("tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")],
    )
    details = check_report(get_registry(), form, form_today())
    case = do_file_scam_report(
        session, customer_actor(customer), customer, details, [], locale="zh-CN"
    )
    return int(case.id)


def form_today() -> Any:
    from datetime import date

    return date(2026, 1, 3)


def _seed_notification(session: Any, agent_id: int, ticket_id: int) -> int:
    from ledgerdesk.channels.notifications import notify

    row = notify(session, agent_id, "customer_replied", "i18n-seed", ticket_id=ticket_id)
    assert row is not None
    return row.id


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[Any]:
    """A desk of this module's own, on a fresh database of the same kind: rows other tests
    leave behind (English article titles, channel labels, random names) are data a person
    typed, not interface text, and would make this check depend on the order of the run."""
    if database_url.startswith("sqlite"):
        url, admin = f"sqlite:///{_DATA_DIR / f'i18n-{uuid.uuid4().hex[:8]}.db'}", None
    else:
        url, admin = _create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    application = create_app(
        Settings(database_url=url, data_dir=_DATA_DIR, secret_key="test-secret-key-" + "x" * 40)
    )
    yield application
    application.state.engine.dispose()
    if admin is not None:
        _drop_pg_database(url, admin)


@pytest.fixture(scope="module")
def ids(app: Any) -> Iterator[Ids]:
    with app.state.sessionmaker() as session:
        team = make_team(session)
        make_team(session, Tier.specialist)  # every tier shows in the rule form's team list
        agent = make_agent(session, Role.admin, [team])
        customer = make_customer(session, name="张三")
        brand = unique("brand").replace("-", "")
        channel = trust.do_add_channel(
            session, actor_of(agent), "domain", f"{brand}.com", "官网", ""
        )
        # SLA: a calendar and a policy first, so the seeded ticket shows its due time
        sla_calendar = sla.do_create_calendar(
            session,
            SYSTEM,
            sla_schemas.CalendarIn(
                name="上海", timezone="Asia/Shanghai", hours="mon-fri 09:00-18:00"
            ),
        )
        sla_policy = sla.do_create_policy(
            session, SYSTEM, sla_schemas.PolicyIn(name="默认", first_reply=60, resolution=480)
        )
        ticket_id = _seed_ticket(session, agent, team, customer, brand)
        # a waiting live chat: the chat queue (/console/chat) shows a row with its wait
        make_ticket(
            session, customer, subject="提现还没到", body="提现两个小时了", channel=Channel.chat
        )
        article = make_article(session, zh=True, status=ArticleStatus.published)
        attempt = do_start_deflection(session, "充值没有到账", customer_id=customer.id)
        rule = routing.do_create_rule(
            session,
            actor_of(agent),
            routing.RuleIn(name="争议", intents=["p2p_dispute"], tag="p2p", enabled=False),
        )
        # a webhook (off; its loopback URL allowed only while seeding) with a test delivery
        loopback = app.state.settings.model_copy(update={"webhooks_allow_private": True})
        hook = webhooks.do_create_endpoint(
            session, actor_of(agent), loopback, url="http://127.0.0.1:9/hook", active=False
        ).endpoint
        webhooks.do_send_test(session, actor_of(agent), hook)
        values: dict[str, int | str] = {
            "ticket_id": ticket_id,
            "customer_id": customer.id,  # the customer page (accounts/customers_console.py)
            "article_id": article.id,
            "article": article.slug,
            "category": article.section.category.slug,
            "token": attempt.token,
            "rule_id": rule.id,
            "csat_token": _answered_survey(session, agent, customer),
            "cancel_token": _reset_cancel_token(session, customer),
            "webhook_id": hook.id,
            "calendar_id": sla_calendar.id,
            "policy_id": sla_policy.id,
            # the notification page and its ticket link (channels/notifications_views.py)
            "notification_id": _seed_notification(session, agent.id, ticket_id),
            "incident_id": _seed_incident(session, agent, ticket_id),
            "case_id": _seed_case(session, customer),  # a complaint (cases/console.py, portal.py)
            "macro_id": macros.do_create_macro(
                session, actor_of(agent), macros.MacroIn("退款说明", body_zh="您好", shared=True)
            ).id,
        }
        # a scam report: its portal confirmation, and the console export of a case
        values["report_id"] = values["case_id"] = _seed_scam_report(session, customer)
        channel_id = channel.id
        session.commit()
    yield Ids(values, agent.email, customer.email)
    with app.state.sessionmaker() as session:
        found = session.get(RoutingRule, values["rule_id"])
        if found is not None:
            routing.do_delete_rule(session, SYSTEM, found)
        trust.do_deactivate_channel(session, SYSTEM, channel_id)
        incident = session.get(Incident, values["incident_id"])
        if incident is not None and incident.is_open:  # the chat widget shows open ones
            incidents.do_resolve(session, SYSTEM, incident)
        session.commit()


def _seed_case(session: Any, customer: Customer) -> int:
    from ledgerdesk.accounts.services import customer_actor
    from ledgerdesk.cases.complaints import ComplaintForm, do_file
    from ledgerdesk.cases.models import CaseKind

    form = ComplaintForm(
        name="王芳",
        email=customer.email,
        what_happened="提现被冻结",
        points="提现被冻结\n没有解释",
        wants="解冻",
        language="zh-CN",
    )
    return do_file(session, customer_actor(customer), form, CaseKind.complaint).id


@pytest.fixture(params=["zh-CN", "en"])
def clients(request: pytest.FixtureRequest, app: Any, ids: Ids) -> Iterator[dict[str, Any]]:
    lang = request.param

    def agent(client: TestClient) -> None:
        data = {"email": ids.agent_email, "password": PASSWORD}
        assert client.post("/console/login", data=data).status_code == 200

    app.state.limiter.reset()
    with (
        TestClient(app, raise_server_exceptions=False) as anonymous,
        TestClient(app, raise_server_exceptions=False) as console,
        TestClient(app, raise_server_exceptions=False) as portal,
    ):
        agent(console)
        portal_login(portal, app, ids.customer_email)
        for client in (anonymous, console, portal):
            client.post("/lang", data={"lang": lang, "next": "/"})
        yield {"lang": lang, "anonymous": anonymous, "console": console, "portal": portal}


def _pages(app: Any, ids: Ids, clients: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for template, _route in get_routes(app):
        path = ids.path(template)
        if template in ANONYMOUS:
            client = clients["anonymous"]
        elif template.startswith("/console"):
            client = clients["console"]
        else:
            client = clients["portal"]
        response = client.get(path)
        assert response.status_code < 400, f"{path}: {response.status_code}"
        if response.headers.get("content-type", "").startswith("text/html"):
            yield path, response.text


def test_every_text_field_says_its_limit(app: Any, ids: Ids, clients: dict[str, Any]) -> None:
    """A field without ``maxlength`` lets a person type past the server's limit and lose the
    text to an error page."""
    if clients["lang"] != "en":
        pytest.skip("the same fields in both languages")
    problems = [
        f"{path}: {field}"
        for path, html in _pages(app, ids, clients)
        for field in fields_without_maxlength(html)
    ]
    assert not problems, "\n".join(problems)


def _stored_names(app: Any) -> set[str]:
    """Names people gave things (an agent called "New", a team, a tag, a subject): shown as
    typed, they are data, not interface text. Other tests share the database."""
    columns = (Agent.name, Team.name, Customer.name, Tag.name, Ticket.subject)
    with app.state.sessionmaker() as session:
        return {str(v) for column in columns for v in session.scalars(select(column).distinct())}


def _without_names(node: str, names: set[str]) -> str:
    """The text node with any stored name inside it blanked (``New (new@desk.test)``)."""
    for name in names:
        if len(name) > 1 and name in node:
            node = node.replace(name, " ")
    return node


def test_pages_show_no_raw_key_or_english_in_chinese(
    app: Any, ids: Ids, clients: dict[str, Any]
) -> None:
    finder = Finder.build()
    chinese = clients["lang"] == "zh-CN"
    problems: list[str] = []
    checked = 0
    names = _stored_names(app)
    for path, html in _pages(app, ids, clients):
        checked += 1
        nodes = [_without_names(n, names) for n in visible_text(html) if n not in names]
        problems += [f"{path}: raw key {k}" for k in finder.raw_keys(nodes, anywhere=chinese)]
        if chinese:
            problems += [f"{path}: English {m}" for m in finder.untranslated(nodes)]
    assert checked >= 25, f"only {checked} pages rendered"
    assert not problems, "\n".join(sorted(problems))


def test_every_message_and_label_has_a_chinese_translation() -> None:
    read = catalogue()
    assert not read.missing, f"msgids without a zh-CN msgstr: {read.missing}"
    labels = [*LABELS.values(), *ACTIONS.values(), *FIELDS.values()]
    untranslated = [text for text in labels if text not in read.present]
    assert not untranslated, f"labels without a zh-CN msgstr: {untranslated}"


def test_every_stored_key_has_a_label() -> None:
    """A new enum value, intent or guard kind must get a label before a page can show it."""
    assert stored_keys() - set(LABELS) == set()


def test_the_finder_sees_raw_keys_and_english() -> None:
    finder = Finder.build()
    nodes = visible_text(
        "<p>状态 <b>on_hold</b></p><p>Open</p><script>x = 'open'</script>"
        "<p>agent-1@desk.test</p><p title='seed_phrase'>Tags</p>"
    )
    assert finder.raw_keys(nodes, anywhere=True) == {"'on_hold' in 'on_hold'"}
    assert finder.untranslated(nodes) == {
        "'on_hold' in 'on_hold'",  # a msgid of its own (the old way of labelling a status)
        "'Open' in 'Open'",
        "'Tags' in 'Tags'",
    }


def test_fields_without_maxlength_are_found() -> None:
    html = (
        '<input type="text" name="q"><input type="hidden" name="x">'
        '<textarea name="b" maxlength="5"></textarea><textarea name="c"></textarea>'
    )
    assert fields_without_maxlength(html) == ['<input type="text" name="q">', '<textarea name="c">']
