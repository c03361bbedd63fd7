"""Load the demo desk: teams, agents, customers and a month of bilingual tickets.

Everything is created through the account and ticket services, so the demo carries the same
events and invariants as real work. Every load builds the same desk (one
``random.Random(SEED)``); only the timestamps move: they are relative to the moment of loading,
truncated to the hour, and each service call runs under ``frozen_at`` so the history reads as
if it had happened over the last month. The caller owns the transaction and commits.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Customer, Role, Team, Tier
from ledgerdesk.accounts.services import (
    SYSTEM,
    Actor,
    agent_actor,
    customer_actor,
    do_add_team_member,
    do_create_agent,
    do_create_team,
    do_upsert_customer,
)
from ledgerdesk.channels.outgoing import recording_history
from ledgerdesk.core.clock import frozen_at, utcnow
from ledgerdesk.core.errors import Conflict
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.core.settings import get_settings
from ledgerdesk.demo import fakes
from ledgerdesk.demo import sla as demo_sla
from ledgerdesk.demo.cases import load_cases
from ledgerdesk.demo.content import Scenario, demo_text, fill
from ledgerdesk.demo.desk import AgentSpec, demo_desk
from ledgerdesk.demo.incidents import load_incidents
from ledgerdesk.demo.macros import load_macros
from ledgerdesk.kb.importer import ImportReport, import_path
from ledgerdesk.kb.models import Article
from ledgerdesk.kb.queries import count_articles
from ledgerdesk.reports.facts import refresh as refresh_report_facts
from ledgerdesk.routing.services import (
    RuleIn,
    do_create_rule,
    first_message_id,
    triage_message,
)
from ledgerdesk.search.services import index_article
from ledgerdesk.tickets.models import Channel, Priority, Status, Ticket
from ledgerdesk.tickets.queries import count_tickets
from ledgerdesk.tickets.services import (
    NewTicket,
    do_add_note,
    do_agent_reply,
    do_assign,
    do_create_ticket,
    do_customer_reply,
    do_set_priority,
    do_set_status,
)
from ledgerdesk.tickets.tags import do_tag
from ledgerdesk.tickets.triage import TRIAGE_INLINE
from ledgerdesk.trust.services import do_add_channel

SEED = 20261121
OFFICIAL_CHANNELS_FILE = "official_channels.json"
# The published password of every demo login; the demo is for local trials only.
DEMO_PASSWORD = "ledgerdesk-demo"  # noqa: S105
CUSTOMER_COUNT = 200
TICKET_COUNT = 500
CHINESE_SHARE = 0.55
VIP_SHARE = 0.10

# The cast and the mixes come from data/demo/desk.yaml (see ledgerdesk.demo.desk).
DESK = demo_desk()
L1 = DESK.team("l1")
WALLET = DESK.team("wallet")
SECURITY = DESK.team("security")
COMPLIANCE = DESK.team("compliance")
FIRST_LINE = DESK.first_line
TEAMS: tuple[tuple[str, Tier], ...] = tuple((t.name, t.tier) for t in DESK.teams.values())
AGENTS = DESK.agents
STATUS_MIX = DESK.status_mix
AGE_HOURS = DESK.age_hours
INTENT_WEIGHTS = DESK.intent_weights
TEAM_OF = DESK.team_of
ON_CHAIN_INTENTS = DESK.on_chain_intents
USDT_INTENTS = DESK.usdt_intents
TRADITIONAL_MARKS = DESK.traditional_marks
QUICK_INTENTS = DESK.quick_intents
CHANNELS = DESK.channels
NUDGE_PACE = (24 * 60, 72 * 60)  # minutes before an agent chases a silent customer


class DemoLogin(NamedTuple):
    email: str
    password: str
    role: Role


@dataclass
class DemoSummary:
    """What ``load_demo`` created, and how to sign in to it."""

    teams: int = 0
    agents: int = 0
    customers: int = 0
    tickets: int = 0
    messages: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


@dataclass
class _Staff:
    spec: AgentSpec
    agent: Agent
    actor: Actor = SYSTEM

    def signature(self, language: str) -> str:
        return self.spec.signature_en if language == "en" else self.spec.name


@dataclass
class _Plan:
    """One ticket to create: who, what, in which language, and how it should end."""

    customer: Customer
    person: fakes.Person
    language: str
    intent: str
    scenario: Scenario
    status: Status
    channel: Channel
    created: datetime
    values: dict[str, str]
    tags: list[str]
    priority: Priority
    triaged: bool

    @property
    def by_system(self) -> bool:
        """E-mail and API tickets arrive through the system, which may route them at once."""
        return self.channel in (Channel.email, Channel.api)


def demo_is_needed(session: Session) -> bool:
    """True for an empty desk: no tickets and no agents yet."""
    return count_tickets(session) == 0 and session.scalar(select(Agent.id).limit(1)) is None


def load_default_kb(session: Session) -> ImportReport | None:
    """Import the shipped help center (``data/kb``) into an empty knowledge base and build its
    search documents now, so the help center answers from the server's first page instead of
    after the queued index jobs; the caller commits. ``None`` when articles exist already or
    this installation ships no KB."""
    folder = shipped_data_dir() / "kb"
    if count_articles(session) > 0 or not folder.is_dir():
        return None
    report = import_path(session, folder, SYSTEM)
    session.flush()
    for article_id in session.scalars(select(Article.id).order_by(Article.id)):
        index_article(session, article_id)
    return report


def official_channels() -> list[dict[str, str]]:
    """The demo exchange's official channels (kind, value, label, note), from the shipped
    ``data/demo/official_channels.json``; none when this installation ships no demo data."""
    path = shipped_data_dir() / "demo" / OFFICIAL_CHANNELS_FILE
    if not path.is_file():
        return []
    rows = json.loads(path.read_text(encoding="utf-8"))["channels"]
    return [{k: str(row.get(k, "")) for k in ("kind", "value", "label", "note")} for row in rows]


def load_demo(session: Session, *, now: datetime | None = None) -> DemoSummary:
    """Create the demo desk in ``session`` (the caller commits) and say what was made."""
    if not demo_is_needed(session):
        raise Conflict("The demo loads only into an empty desk (no agents and no tickets)")
    moment = now or utcnow()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    with recording_history(session):  # no e-mails about the demo's past replies
        hour = moment.replace(minute=0, second=0, microsecond=0)
        summary = _Loader(session, hour).run()
        load_incidents(session, hour)
    session.flush()
    refresh_report_facts(session)  # what the reports job does with the history, at once
    return summary


class _Loader:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.rng = random.Random(SEED)
        self.summary = DemoSummary()
        self.teams: dict[str, Team] = {}
        self.staff: list[_Staff] = []
        self.customers: list[tuple[Customer, fakes.Person]] = []
        self.triage_on = get_settings().triage

    def run(self) -> DemoSummary:
        self._create_teams()
        keys = {key: spec.name for key, spec in DESK.teams.items()}
        demo_sla.load(self.session, self.teams, keys, self.ago(days=420))
        self._create_routing_rules()
        self._create_agents()
        with frozen_at(self.ago(days=90)):  # the desk's macros and escalation path
            load_macros(self.session, self.teams)
        self._register_official_channels()
        self._create_customers()
        # Each customer message is triaged as it arrives (``triage``), not by a job queued for
        # later: a job would change priority, team and ``updated_at`` of a month-old desk.
        self.session.info[TRIAGE_INLINE] = True
        try:
            for plan in self._plans():
                self._play(plan)
            # Complaints and appeals (their working tickets say what they are: no triage),
            # before the past SLA breaches are recorded, so theirs are recorded too.
            case_tickets, case_messages = load_cases(self.session, self.now)
            self.summary.tickets += case_tickets
            self.summary.messages += case_messages
        finally:
            self.session.info.pop(TRIAGE_INLINE, None)
        demo_sla.record_past_breaches(self.session, self.now)
        return self.summary

    def triage(self, message_id: int | None) -> None:
        """Triage one customer message now, at the (frozen) moment it arrived."""
        if self.triage_on and message_id is not None:
            triage_message(self.session, message_id)

    def ago(self, *, days: float = 0, hours: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    # --- people ---------------------------------------------------------------------------

    def _create_teams(self) -> None:
        with frozen_at(self.ago(days=420)):
            for name, tier in TEAMS:
                self.teams[name] = do_create_team(self.session, SYSTEM, name=name, tier=tier)
        self.summary.teams = len(self.teams)

    def _create_routing_rules(self) -> None:
        """The rules a small exchange desk starts with; admins edit them in the console."""
        team = {name: t.id for name, t in self.teams.items()}
        rules = (
            RuleIn("VIP customers: at least high", vip=True, priority="high", tag="vip"),
            RuleIn(
                "Stolen accounts: Security, urgent",
                intents=["account_compromised"],
                team_id=team[SECURITY],
                priority="urgent",
                stop=True,
            ),
            RuleIn("Scams and phishing: Security", intents=["scam_report"], team_id=team[SECURITY]),
            RuleIn(
                "Money in flight: Wallet operations",
                intents=[
                    "deposit_missing",
                    "withdrawal_delayed",
                    "withdrawal_failed",
                    "balance_discrepancy",
                ],
                team_id=team[WALLET],
            ),
            RuleIn(
                "Frozen accounts, KYC, complaints: Compliance",
                intents=["account_locked", "kyc_verification", "complaint"],
                team_id=team[COMPLIANCE],
            ),
            RuleIn("Uncertain intent: first line", uncertain=True, team_id=team[L1], stop=True),
            RuleIn("Everything else: first line", team_id=team[L1]),
        )
        with frozen_at(self.ago(days=400)):
            for rule in rules:
                do_create_rule(self.session, SYSTEM, rule)

    def _create_agents(self) -> None:
        for spec in AGENTS:
            with frozen_at(self.ago(days=self.rng.randint(60, 400))):
                agent = do_create_agent(
                    self.session,
                    SYSTEM,
                    email=spec.email,
                    name=spec.name,
                    password=DEMO_PASSWORD,
                    role=spec.role,
                    locale=spec.locale,
                )
                for team_name in spec.teams:
                    do_add_team_member(self.session, SYSTEM, self.teams[team_name], agent)
            self.staff.append(_Staff(spec, agent))
            self.summary.logins.append(DemoLogin(spec.email, DEMO_PASSWORD, spec.role))
        for member in self.staff:
            member.actor = agent_actor(member.agent)
        self.summary.agents = len(self.staff)

    def _register_official_channels(self) -> None:
        """The website, support address and accounts the demo help center names, so that
        /verify calls them official (``data/demo/official_channels.json``)."""
        admin = next(s for s in self.staff if s.spec.role == Role.admin)
        with frozen_at(self.ago(days=380)):
            for channel in official_channels():
                do_add_channel(self.session, admin.actor, **channel)

    def _create_customers(self) -> None:
        emails: set[str] = set()
        uids: set[str] = set()
        for _ in range(CUSTOMER_COUNT):
            chinese = self.rng.random() < CHINESE_SHARE
            person = (fakes.chinese_person if chinese else fakes.english_person)(self.rng, emails)
            with frozen_at(self.ago(days=self.rng.randint(31, 900), hours=self.rng.randint(0, 23))):
                customer = do_upsert_customer(
                    self.session,
                    email=person.email,
                    external_id=fakes.external_id(self.rng, uids),
                    name=person.name,
                    locale=person.locale,
                    vip=self.rng.random() < VIP_SHARE,
                )
            self.customers.append((customer, person))
        self.summary.customers = len(self.customers)

    @property
    def lead(self) -> _Staff:
        return next(s for s in self.staff if s.spec.role == Role.lead)

    def pick_staff(self, team_name: str, language: str) -> _Staff:
        """Someone from the team, preferring agents who write the ticket's language."""
        members = [s for s in self.staff if team_name in s.spec.teams]
        weights = [
            (3.0 if (s.spec.locale == "en") == (language == "en") else 1.0)
            * (0.4 if s.spec.role == Role.lead else 1.0)
            for s in members
        ]
        return self.rng.choices(members, weights=weights)[0]

    # --- planning -------------------------------------------------------------------------

    def _plans(self) -> list[_Plan]:
        statuses = [s for s, share in STATUS_MIX for _ in range(round(share * TICKET_COUNT))]
        self.rng.shuffle(statuses)
        plans = [self._plan(status) for status in statuses]
        plans.sort(key=lambda p: p.created)
        return plans

    def _plan(self, status: Status) -> _Plan:
        rng = self.rng
        customer, person = rng.choice(self.customers)
        language = "zh" if person.locale.startswith("zh") else "en"
        intent = rng.choices(INTENTS, weights=[INTENT_WEIGHTS[i] for i in INTENTS])[0]
        scenario = rng.choice(demo_text()[language].intents[intent].scenarios)
        channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
        if intent == "human_agent":
            channel = Channel.chat
        low, high = AGE_HOURS[status]
        values = self._values(intent, scenario, language, customer, person)
        return _Plan(
            customer=customer,
            person=person,
            language=language,
            intent=intent,
            scenario=scenario,
            status=status,
            channel=channel,
            created=self.ago(hours=rng.uniform(low, high)).replace(second=0, microsecond=0),
            values=values,
            tags=_tags(intent, values, customer.vip),
            priority=_priority(intent, customer.vip),
            triaged=status != Status.new or rng.random() < 0.4,
        )

    def _values(
        self,
        intent: str,
        scenario: Scenario,
        language: str,
        customer: Customer,
        person: fakes.Person,
    ) -> dict[str, str]:
        """A value for every placeholder, consistent within the ticket."""
        rng = self.rng
        routes = scenario.routes or (("USDT/TRC20",) if intent in USDT_INTENTS else ())
        asset, network = fakes.route(rng, routes)
        amount = fakes.amount(rng, asset)
        currency = rng.choice(fakes.CURRENCIES[language])
        return {
            "name": person.greeting_name,
            "uid": customer.external_id,
            "asset": asset,
            "network": network,
            "amount": amount,
            "address": fakes.address(rng, network),
            "txid": fakes.txid(rng, network),
            "memo": str(rng.randint(100_000, 999_999_999)) if network == "XRP Ledger" else "",
            "confirmations": str(fakes.CONFIRMATIONS[network]),
            "order_id": fakes.order_id(rng),
            "minutes": str(rng.randint(10, 90)),
            "hours": str(rng.randint(2, 30)),
            "fiat_amount": fakes.fiat_value(amount, asset, currency),
            "currency": currency,
            "pair": rng.choice(fakes.PAIRS),
            "device": rng.choice(fakes.DEVICES),
            "app_version": f"{rng.randint(5, 6)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
            "credit": rng.choice(fakes.CREDITS),
            "agent": "",
        }

    # --- playing a ticket -----------------------------------------------------------------

    def _play(self, plan: _Plan) -> None:
        talk = _Conversation(self, plan)
        talk.open_ticket()
        if plan.triaged:
            talk.triage(assign=plan.status != Status.new)
        FLOWS[plan.status](talk)
        self.summary.tickets += 1


def _tags(intent: str, values: dict[str, str], vip: bool) -> list[str]:
    tags = [intent]
    if intent in ON_CHAIN_INTENTS or intent in ("balance_discrepancy", "scam_report"):
        tags.append(values["asset"].lower())
    if intent in ON_CHAIN_INTENTS:
        tags.append(values["network"].lower().replace(" ", "-"))
    if vip:
        tags.append("vip")
    return tags


def _priority(intent: str, vip: bool) -> Priority:
    if intent == "account_compromised":
        return Priority.urgent
    if vip or intent in ("scam_report", "complaint"):
        return Priority.high
    if intent in ("feedback", "how_to"):
        return Priority.low
    return Priority.normal


def _writes_traditional(text: str) -> bool:
    return any(char in TRADITIONAL_MARKS for char in text)


class _Conversation:
    """One ticket's life: opened, triaged, answered; each step a little after the last."""

    def __init__(self, loader: _Loader, plan: _Plan) -> None:
        self.loader = loader
        self.session = loader.session
        self.rng = loader.rng
        self.plan = plan
        self.text = demo_text()[plan.language]
        self.lines = plan.scenario
        self.clock = plan.created
        self.used: list[str] = []
        self.staff: _Staff | None = None
        self.ticket: Ticket | None = None
        chat = plan.channel == Channel.chat
        self.agent_pace = (1, 8) if chat else ((10, 90) if plan.customer.vip else (15, 300))
        self.customer_pace = (1, 10) if chat else (20, 1440)
        # Work behind the scenes (recoveries, reviews, investigations) takes hours to days.
        specialist = plan.intent in TEAM_OF
        self.work_pace = (120, 2880) if specialist else ((3, 20) if chat else self.agent_pace)

    @property
    def current(self) -> Ticket:
        assert self.ticket is not None, "open_ticket() comes first"
        return self.ticket

    @property
    def agent(self) -> _Staff:
        assert self.staff is not None, "triage() comes first"
        return self.staff

    def later(self, pace: tuple[int, int]) -> datetime:
        """A moment ``pace`` minutes after the previous step, never after loading time."""
        self.clock = min(self.clock + timedelta(minutes=self.rng.randint(*pace)), self.loader.now)
        return self.clock

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def fresh(self, templates: Sequence[str]) -> list[str]:
        """The templates not used yet on this ticket."""
        return [t for t in templates if t not in self.used]

    def say(self, templates: Sequence[str], *, by_customer: bool = False) -> str:
        """One of ``templates`` (unused ones first) filled in; customers from Hong Kong and
        Taiwan pick traditional-character lines where there are some, others avoid them."""
        pool = self.fresh(templates) or list(templates)
        if by_customer and self.plan.language == "zh":
            script = [t for t in pool if _writes_traditional(t) == self.plan.person.traditional]
            pool = script or pool
        template = self.rng.choice(pool)
        self.used.append(template)
        values = dict(self.plan.values)
        if self.staff is not None:
            values["agent"] = self.staff.signature(self.plan.language)
        return fill(template, values)

    # --- steps --------------------------------------------------------------------------

    def open_ticket(self) -> None:
        plan, routed = self.plan, self.plan.by_system and self.plan.triaged
        data = NewTicket(
            subject=self.say(self.lines.subjects, by_customer=True),
            body=self.say(self.lines.openings, by_customer=True),
            channel=plan.channel,
            language=plan.language,
            priority=plan.priority if routed else None,
            team_id=self.loader.teams[TEAM_OF.get(plan.intent, FIRST_LINE)].id if routed else None,
            tags=plan.tags if routed else [],
        )
        actor = SYSTEM if plan.by_system else customer_actor(plan.customer)
        with frozen_at(plan.created):
            self.ticket = do_create_ticket(self.session, actor, plan.customer, data)
            self.loader.triage(first_message_id(self.session, self.ticket))
        self.loader.summary.messages += 1

    def triage(self, *, assign: bool) -> None:
        """Route to the intent's team; a lead assigns, or an agent takes the ticket."""
        team_name = TEAM_OF.get(self.plan.intent, FIRST_LINE)
        self.staff = self.loader.pick_staff(team_name, self.plan.language)
        by_lead = not assign or self.chance(0.65)
        actor = self.loader.lead.actor if by_lead else self.staff.actor
        team_id = self.loader.teams[team_name].id
        with frozen_at(self.later(self.agent_pace)):
            if assign:
                do_assign(
                    self.session, actor, self.current, team_id=team_id, agent_id=self.staff.agent.id
                )
            else:
                do_assign(self.session, actor, self.current, team_id=team_id)
            if not self.plan.by_system:
                do_tag(self.session, actor, self.current, self.plan.tags)
                if self.plan.priority != Priority.normal:
                    do_set_priority(self.session, actor, self.current, self.plan.priority)

    def customer(self, templates: Sequence[str]) -> None:
        body = self.say(templates, by_customer=True)
        with frozen_at(self.later(self.customer_pace)):
            message = do_customer_reply(
                self.session, customer_actor(self.plan.customer), self.current, body
            )
            self.loader.triage(message.id)
        self.loader.summary.messages += 1

    def reply(
        self,
        templates: Sequence[str],
        status: Status | None = None,
        pace: tuple[int, int] | None = None,
    ) -> None:
        """An agent's public reply; once the scenario's replies are used up, an acknowledgement."""
        body = self.say(self.fresh(templates) or self.text.acknowledgements)
        with frozen_at(self.later(pace or self.agent_pace)):
            do_agent_reply(self.session, self.agent.actor, self.current, body, status=status)
        self.loader.summary.messages += 1

    def note(self, templates: Sequence[str]) -> None:
        body = self.say(templates)
        with frozen_at(self.later((2, 30))):
            do_add_note(self.session, self.agent.actor, self.current, body)
        self.loader.summary.messages += 1

    def close(self) -> None:
        """The system's auto-close, a few days after the ticket was solved."""
        with frozen_at(self.later((72 * 60, 120 * 60))):
            do_set_status(self.session, SYSTEM, self.current, Status.closed)


# --- how tickets in each final status got there -------------------------------------------


def _flow_new(talk: _Conversation) -> None:
    if talk.chance(0.3):
        talk.customer(talk.text.chasers)


def _flow_open(talk: _Conversation) -> None:
    if talk.chance(0.3):
        talk.note(talk.lines.notes)
    if talk.chance(0.35):
        talk.reply(talk.lines.replies, Status.pending)
        talk.customer(talk.lines.followups)
        return
    talk.reply(talk.lines.replies)
    if talk.chance(0.5):
        talk.customer(talk.lines.followups if talk.chance(0.6) else talk.text.chasers)


def _flow_pending(talk: _Conversation) -> None:
    talk.reply(talk.lines.replies, Status.pending)
    if talk.chance(0.4):
        talk.customer(talk.lines.followups)
        talk.reply(talk.lines.replies, Status.pending)
    elif talk.chance(0.3):
        talk.reply(talk.text.nudges, Status.pending, pace=NUDGE_PACE)


def _flow_on_hold(talk: _Conversation) -> None:
    talk.reply(talk.lines.replies)
    if talk.chance(0.5):
        talk.customer(talk.lines.followups)
    talk.note(talk.text.hold_notes)
    talk.reply(talk.text.escalations, Status.on_hold, pace=(30, 600))


def _flow_solved(talk: _Conversation) -> None:
    if talk.plan.intent in QUICK_INTENTS and talk.chance(0.5):
        talk.reply(talk.lines.replies, Status.solved)  # answered and done in one go
        return
    talk.reply(talk.lines.replies, Status.pending)
    talk.customer(talk.lines.followups)
    if talk.chance(0.3):
        talk.note(talk.lines.notes)
    talk.reply(talk.lines.resolutions, Status.solved, pace=talk.work_pace)


def _flow_closed(talk: _Conversation) -> None:
    _flow_solved(talk)
    talk.close()


FLOWS: dict[Status, Callable[[_Conversation], None]] = {
    Status.new: _flow_new,
    Status.open: _flow_open,
    Status.pending: _flow_pending,
    Status.on_hold: _flow_on_hold,
    Status.solved: _flow_solved,
    Status.closed: _flow_closed,
}
