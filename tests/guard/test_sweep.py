"""The secret sweep (issue 11): a seed phrase (English and Chinese, valid BIP39), a private key
and a password pushed through every writable field of every API operation and every console
and portal form, then searched for everywhere they could be left: every column of every table,
the SQLite file and its WAL after a checkpoint, the attachment store and the log output.

Generic on purpose: operations come from ``app.openapi()`` (POST/PUT/PATCH with a JSON or
multipart body, and every GET with query parameters), forms from the app's POST routes and
their form parameters, with defaults read from the forms on the app's own pages. An endpoint
added tomorrow is swept without touching this file, and fails it if it stores a field
unguarded. Each field gets a secret alone once (so a refusal of one field cannot hide another),
and every field gets one together, for each secret.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import ApiToken, Role, Tier
from ledgerdesk.accounts.services import SYSTEM
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.cases import complaints_lifecycle, watchlist
from ledgerdesk.cases import register as cases_register
from ledgerdesk.cases.models import CaseKind
from ledgerdesk.channels import csat
from ledgerdesk.channels.webhooks import services as webhooks
from ledgerdesk.chat import identity as chat_identity
from ledgerdesk.chat import services as chat
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.db import make_engine
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings, get_settings
from ledgerdesk.incidents import services as incidents
from ledgerdesk.jobs import outbox
from ledgerdesk.kb.deflection import do_start_deflection
from ledgerdesk.kb.models import ArticleVersion
from ledgerdesk.macros import services as macros
from ledgerdesk.reports import surges
from ledgerdesk.routing import services as routing
from ledgerdesk.sla import schemas as sla_schemas
from ledgerdesk.sla import services as sla
from ledgerdesk.tickets import services as tickets
from ledgerdesk.tickets.inbox_query import parse_query
from ledgerdesk.tickets.models import Status
from ledgerdesk.tickets.saved_views import do_create_view
from ledgerdesk.trust import services as trust
from ledgerdesk.web.app import create_app
from tests.conftest import (
    _DATA_DIR,
    PASSWORD,
    _create_pg_database,
    _drop_pg_database,
    actor_of,
    bearer,
    make_agent,
    make_customer,
    make_team,
    make_ticket,
)
from tests.guard import sweep
from tests.search.test_pipeline import _new_article
from tests.tickets.test_api import portal_login

BUDGET_SECONDS = 240  # per database: about 35-55 s on a busy 2-core machine; this catches a blow-up


@pytest.fixture(params=["sqlite", "postgresql"])
def sweep_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, Path | None]]:
    """A fresh database for the sweep alone, so every row in it came from the sweep."""
    if request.param == "sqlite":
        path = _DATA_DIR / f"sweep-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url, path
        return
    url, admin = _create_pg_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url, None
    _drop_pg_database(url, admin)


@dataclass
class World:
    """Real objects whose ids fill paths and id fields, made through the services."""

    app: Any
    ids: dict[str, int]
    strings: dict[str, str]
    admin_email: str
    admin_token: str
    customer_id: int
    customer_email: str
    visitor_token: str  # a chat widget visitor's ('Authorization: Chat …')
    tickets_made: list[int] = field(default_factory=list)

    def fresh_ticket(self) -> int:
        with self.app.state.sessionmaker() as session:
            customer = accounts.get_customer(session, self.customer_id)
            ticket = tickets.do_create_ticket(
                session,
                accounts.customer_actor(customer),
                customer,
                tickets.NewTicket(subject="Deposit missing", body="USDT deposit not credited"),
            )
            session.commit()
            self.tickets_made.append(ticket.id)
            return ticket.id

    def fresh_case(self) -> int:
        with self.app.state.sessionmaker() as session:
            customer = accounts.get_customer(session, self.customer_id)
            case = cases_register.do_open_case(
                session,
                accounts.customer_actor(customer),
                cases_register.NewCase(
                    kind=CaseKind.complaint,
                    customer_id=customer.id,
                    subject="Sweep complaint",
                    ticket_id=self.fresh_ticket(),
                    points=["Fee charged twice"],
                ),
            )
            if next(_counter) % 2:  # half of them admitted (notes, delays), half waiting
                complaints_lifecycle.do_admit(
                    session, SYSTEM, case, jurisdiction="mica_eu", payment_services=False
                )
            session.commit()
            return case.id

    def id_for(self, name: str) -> int | None:
        """A real id for a field or path parameter called ``name``."""
        name = name.lower()
        if name in ("ticket_id", "source_id", "target_id", "id"):
            return self.fresh_ticket()
        if name == "case_id":  # each call its own complaint: a refusal closes the one before
            return self.fresh_case()
        for key, value in self.ids.items():
            if name == key or name == key.replace("_id", "s"):
                return value
        return None

    def string_for(self, name: str) -> str:
        return self.strings.get(name, "sweep")


def _make_world(app: Any) -> World:
    with app.state.sessionmaker() as session:
        team = make_team(session)
        admin = make_agent(session, Role.admin, [team])
        other = make_agent(session, Role.agent, [team])
        customer = make_customer(session)
        token = do_create_api_token(session, SYSTEM, admin, "sweep")
        do_create_api_token(session, SYSTEM, other, "other")
        other_token = session.scalars(select(ApiToken).where(ApiToken.agent_id == other.id)).one()
        article = _new_article(session, "Sweep article", "How deposits are credited.")
        version = session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id)
        ).first()
        rule = routing.do_create_rule(
            session, actor_of(admin), routing.RuleIn(name="Sweep rule", priority="high")
        )
        channel = trust.do_add_channel(
            session, actor_of(admin), "email", "help@example.com", "Help desk"
        )
        attempt = do_start_deflection(session, "deposit", customer_id=customer.id)
        visitor, visitor_token = chat_identity.identify_email(session, "sweep-chat@example.com")
        chat_opened = chat.send_customer_message(session, visitor, None, "sweep-open", "Hello")
        # an endpoint (its loopback URL allowed only while creating it; off, so nothing is sent)
        loopback = app.state.settings.model_copy(update={"webhooks_allow_private": True})
        hook = webhooks.do_create_endpoint(
            session, actor_of(admin), loopback, url="http://127.0.0.1:9/hook", active=False
        ).endpoint
        # a solved ticket with its satisfaction survey (an open review for the console form)
        solved = make_ticket(session, customer, subject="Withdrawal slow", body="Three hours")
        tickets.do_set_status(session, actor_of(admin), solved, Status.solved)
        csat.request_survey(session, {"ticket_id": solved.id})
        survey = csat.survey_of(session, solved.id)
        assert survey is not None
        csat.do_answer(session, survey, csat.Answer(1, "slow", "email"))
        saved_view = do_create_view(
            session, actor_of(admin), "Sweep view", parse_query({"priority": "high"})
        )
        surge = surges.Finding("fees_question", "sweepnet", 12, 1.0, 8.0, True)
        alert = surges.do_raise_alert(session, surge, utcnow())
        assert alert is not None
        incident = incidents.do_create_incident(
            session,
            actor_of(admin),
            incidents.IncidentIn(title_en="Sweep incident", title_zh="故障", network="tron"),
        )
        upper = make_team(session, Tier.l2)  # fresh tickets escalate to it
        macro = macros.do_create_macro(
            session, actor_of(admin), macros.MacroIn("Sweep macro", "Hello", shared=True)
        )
        # an SLA calendar with a holiday, and a policy
        sla_calendar = sla.do_create_calendar(
            session, actor_of(admin), sla_schemas.CalendarIn(name="Sweep")
        )
        sla_holiday = sla.do_add_holiday(
            session, actor_of(admin), sla_calendar, sla_schemas.HolidayIn(day=date(2026, 10, 1))
        )
        sla_policy = sla.do_create_policy(
            session, actor_of(admin), sla_schemas.PolicyIn(name="Sweep", first_reply=60)
        )
        # a complaint waiting for its admissibility decision, a scam report, a watchlist entry
        complaint = cases_register.do_open_case(
            session,
            accounts.customer_actor(customer),
            cases_register.NewCase(
                kind=CaseKind.complaint,
                customer_id=customer.id,
                subject="Sweep complaint",
                ticket_id=solved.id,
                points=["Fee charged twice"],
            ),
        )
        scam = cases_register.do_open_case(
            session,
            accounts.customer_actor(customer),
            cases_register.NewCase(
                kind=CaseKind.scam_report, customer_id=customer.id, subject="Sweep scam report"
            ),
        )
        entry = watchlist.do_add_entry(
            session,
            actor_of(admin),
            watchlist.NewEntry(value="sweep-scam.example.com", kind="domain"),
        )
        session.commit()
        return World(
            app=app,
            ids={
                "team_id": team.id,
                "agent_id": other.id,
                "assignee_id": other.id,
                "member_id": other.id,
                "customer_id": customer.id,
                "article_id": article.id,
                "section_id": article.section_id,
                "rule_id": rule.id,
                "channel_id": channel.id,
                "token_id": other_token.id,
                "version_id": version.id if version else 1,
                "conversation_id": chat_opened.conversation,
                "webhook_id": hook.id,
                "survey_id": survey.id,
                "view_id": saved_view.id,
                "alert_id": alert.id,
                "incident_id": incident.id,
                "macro_id": macro.id,
                "escalation_team_id": upper.id,
                "calendar_id": sla_calendar.id,
                "holiday_id": sla_holiday.id,
                "policy_id": sla_policy.id,
                "case_id": complaint.id,
                "report_id": scam.id,
                "entry_id": entry.id,
            },
            strings={
                "slug": article.slug,
                "lang": "en",
                "token": attempt.token,
                "csat_token": csat.survey_token(survey),
                "email": customer.email,  # a complaint's contact address
                "value": "sweep-other-scam.example.net",  # a watchlist entry
            },
            admin_email=admin.email,
            admin_token=token,
            customer_id=customer.id,
            customer_email=customer.email,
            visitor_token=visitor_token,
        )


@dataclass
class Driver:
    """Sends the requests and remembers what answered how."""

    world: World
    secrets: sweep.Secrets
    clients: dict[str, TestClient]
    answers: dict[str, set[int]] = field(default_factory=dict)
    errors: dict[str, set[str]] = field(default_factory=dict)
    sent: int = 0
    # Forms whose every field is picked from the page's choices (checkboxes, selects): the
    # sweep still sends secrets there, but their refusal is expected, not a blind spot.
    choices_only: set[str] = field(default_factory=set)

    def send(self, role: str, method: str, url: str, **kwargs: Any) -> int:
        client = self.clients[role]
        headers = bearer(self.world.admin_token) if role == "admin" else {}
        if role == "visitor":
            headers = {"authorization": f"Chat {self.world.visitor_token}"}
        response = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
        self.sent += 1
        if self.sent % 50 == 0:
            self.world.app.state.limiter.reset()
        key = f"{role} {method} {_template(url)}"
        self.answers.setdefault(key, set()).add(response.status_code)
        if response.status_code >= 400:
            at = max(response.text.find("<main"), response.text.find('role="alert'))
            found = re.sub(
                r"<[^>]+>|\s+",
                " ",
                response.text[at : at + 600] if at >= 0 else response.text[:300],
            )
            self.errors.setdefault(key, set()).add(found)
        if role == "console" and response.headers.get("location", "").startswith("/console/login"):
            _console_login(client, self.world)
        if role == "customer" and response.headers.get("location", "").startswith("/portal/login"):
            portal_login(client, self.world.app, self.world.customer_email)
        return response.status_code


def _template(url: str) -> str:
    return re.sub(r"/\d+(?=/|$|\?)", "/{id}", url.split("?", 1)[0])


def _console_login(client: TestClient, world: World) -> None:
    response = client.post(
        "/console/login",
        data={"email": world.admin_email, "password": PASSWORD},
        follow_redirects=False,
    )
    if response.status_code != 303:  # the sweep changed the admin's password: use a new one
        with world.app.state.sessionmaker() as session:
            admin = make_agent(session, Role.admin)
            session.commit()
            world.admin_email = admin.email
        _console_login(client, world)


# --- the API, from its OpenAPI document ---------------------------------------------------------


def _fill_path(path: str, world: World) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":", 1)[0]
        found = world.id_for(name)
        return str(found) if found is not None else world.string_for(name)

    return re.sub(r"\{([^}]+)\}", one, path)


def _sweep_api_writes(driver: Driver, spec: dict[str, Any]) -> None:
    world, filler = (
        driver.world,
        sweep.Filler(driver.world.id_for, strings={"value": driver.world.strings["value"]}),
    )
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            if method not in ("post", "put", "patch") or not content:
                continue
            for role in _api_roles(path):
                if "application/json" in content:
                    schema = content["application/json"]["schema"]
                    for secret, target in _rounds(driver, spec, schema):
                        body = sweep.build(spec, schema, filler, secret, target)
                        url = _fill_path(path, world)
                        driver.send(role, method.upper(), url, json=body)
                elif "multipart/form-data" in content:
                    schema = sweep.resolve(spec, content["multipart/form-data"]["schema"])
                    for secret in driver.secrets.texts:
                        data, files = _multipart(spec, schema, secret, driver.secrets, filler)
                        url = _fill_path(path, world)
                        driver.send(role, method.upper(), url, data=data, files=files)


def _rounds(
    driver: Driver, spec: dict[str, Any], schema: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    """Every secret in every field together, then each field alone with one secret."""
    texts = driver.secrets.texts
    for secret in texts:
        yield secret, sweep.ALL
    for number, target in enumerate(sweep.string_paths(spec, schema)):
        yield texts[number % len(texts)], target


def _is_file(schema: dict[str, Any]) -> bool:
    items = schema.get("items", {})
    return (
        schema.get("format") == "binary"
        or items.get("format") == "binary"
        or ("contentMediaType" in schema or "contentMediaType" in items)
    )


def _multipart(
    spec: dict[str, Any],
    schema: dict[str, Any],
    secret: str,
    all_secrets: sweep.Secrets,
    filler: sweep.Filler,
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    data: dict[str, str] = {}
    files = []
    content = ("notes\n" + "\n".join(all_secrets.texts) + "\n").encode()
    for name, sub in schema.get("properties", {}).items():
        sub = sweep.resolve(spec, sub)
        if _is_file(sub) or any(_is_file(sweep.resolve(spec, o)) for o in sub.get("anyOf", [])):
            files.append((name, (f"{secret}.txt", content, "text/plain")))
        else:
            value = sweep.build(spec, sub, filler, secret, sweep.ALL, f".{name}", name)
            if value is not None:
                data[name] = str(value)
    return data, files


def _sweep_api_reads(driver: Driver, spec: dict[str, Any]) -> None:
    """GETs that take text (searches, the official-channel check) may log what they read."""
    for path, operations in spec["paths"].items():
        op = operations.get("get")
        if not op:
            continue
        params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
        texts = [p["name"] for p in params if _free(spec, p.get("schema", {}))]
        if not texts:
            continue
        for secret in driver.secrets.texts:
            query = {name: secret for name in texts}
            for role in _api_roles(path):
                driver.send(role, "GET", _fill_path(path, driver.world), params=query)


def _api_roles(path: str) -> tuple[str, ...]:
    """Who calls an API path: the chat widget's API is a visitor's, the rest an agent's
    (bearer token) and a signed-in customer's."""
    return ("visitor",) if path.startswith("/chat/api") else ("admin", "customer")


def _free(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    return any(True for _ in sweep.string_paths(spec, schema))


# --- the HTML forms, from the routes ------------------------------------------------------------


def _html_routes(app: Any) -> Iterator[tuple[Any, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path or ""
        api = path.startswith(("/api", "/chat/api"))  # swept from the OpenAPI document
        if isinstance(route, APIRoute) and not api and path != "/docs":
            yield context, route


def _role_for(path: str) -> str:
    return "console" if path.startswith("/console") else "customer"


Forms = dict[str, tuple[dict[str, list[str]], set[str]]]  # action -> (defaults, picked fields)


def _scrape_forms(driver: Driver) -> Forms:
    """The POST forms on every page the app serves (defaults for the fields we do not fill)."""
    forms: Forms = {}
    for context, _route in _html_routes(driver.world.app):
        if "GET" not in (context.methods or set()):
            continue
        role = _role_for(context.path)
        url = _fill_path(context.path, driver.world)
        response = driver.clients[role].get(url, follow_redirects=False)
        if response.status_code == 200 and "html" in response.headers.get("content-type", ""):
            page = sweep.page_forms(response.text)
            for action, fields in page.forms.items():
                picked = {name for a, name in page.choices if a == action}
                forms.setdefault(action.split("?", 1)[0], (fields, picked))
    return forms


def _dependants(route: APIRoute) -> Iterator[Any]:
    """The route's dependant and all its sub-dependencies (forms read in a dependency too)."""
    todo = [route.dependant]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(current.dependencies)


def _form_fields(route: APIRoute) -> tuple[dict[str, Any], list[str], dict[str, int]]:
    """Declared form fields (name -> annotation), file fields, and length limits."""
    fields: dict[str, Any] = {}
    files: list[str] = []
    limits: dict[str, int] = {}
    for param in (p for d in _dependants(route) for p in d.body_params):
        annotation, name = param.field_info.annotation, param.alias or param.name
        if "UploadFile" in str(annotation):
            files.append(name)
            continue
        fields[name] = annotation
        for rule in param.field_info.metadata:
            if getattr(rule, "max_length", None) is not None:
                limits[name] = rule.max_length
    return fields, files, limits


def _defaults(context: Any, forms: Forms) -> tuple[dict[str, list[str]], set[str]]:
    for action, (fields, picked) in forms.items():
        if context.path_regex.match(action):
            return {k: list(v) for k, v in fields.items()}, picked
    return {}, set()


def _value_for(
    name: str, annotation: Any, world: World, scraped: list[str] | None = None
) -> list[str]:
    """A value for a field the page left empty (or that no page shows)."""
    if "int" in str(annotation) or name.endswith("_id"):
        found = world.id_for(name)
        return [str(found)] if found is not None else ["1"]
    if name in FORM_VALUES:  # a field that takes only one shape (a date, a choice)
        return [FORM_VALUES[name]]
    if scraped == [] or "list" in str(annotation):
        return []  # an unticked box, an empty multiple choice: the browser sends nothing
    return [_FRESH]


# Valid values for form fields that accept only one shape, where no page offers a default.
FORM_VALUES = {
    "happened_on": "2026-11-30",
    "happened_time": "10:00",
    "new_date": "2099-01-10 10:00",
    "jurisdiction": "mica_eu",
    "outcome": "upheld",
    "topic": "deposit",
    "appeal_of": "frozen_account",
    "scam_type": "fake_support",
    # a complaint's required texts (each still gets the secret in its own round)
    "what_happened": "My deposit has not arrived for three days.",
    "points": "Deposit not credited",
    "wants": "Credit it",
}
_FRESH = "sweep-{n}"  # a unique value per request (slugs, names that must not repeat)
_counter = iter(range(1, 10**9))


def _fresh(values: list[str], style: str = _FRESH) -> list[str]:
    return [style.replace("{n}", str(next(_counter))) if v == _FRESH else v for v in values]


def _sweep_forms(driver: Driver, forms: Forms) -> None:
    world = driver.world
    for context, route in _html_routes(world.app):
        if "POST" not in (context.methods or set()) or "logout" in context.path:
            continue
        declared, file_fields, limits = _form_fields(route)
        base, picked = _defaults(context, forms)
        for name, annotation in declared.items():
            if name not in base or (name not in picked and not any(base[name])):
                base[name] = _value_for(name, annotation, world, scraped=base.get(name))
        for name in base:  # a form read whole (no declared fields) still needs its shapes
            if name in FORM_VALUES and not any(base[name]):
                base[name] = [FORM_VALUES[name]]
        free = [n for n in base if not n.endswith("_id") and "int" not in str(declared.get(n))]
        if free and set(free) <= picked:
            template = re.sub(r"\{\w*id\}", "{id}", context.path)
            driver.choices_only.add(f"{_role_for(context.path)} POST {template}")
        texts = driver.secrets.texts
        rounds: list[tuple[str, list[str]]] = [(s, free) for s in texts]
        rounds += [(texts[i % len(texts)], [n]) for i, n in enumerate(free)]
        for secret, targets in rounds:
            fits = [n for n in targets if limits.get(n, 10**9) >= len(secret)]
            if fits:
                _send_form(driver, context.path, base, secret, fits, file_fields)


# Fillers for the fields without the secret, tried in turn until the form is accepted: a name,
# then a domain and an e-mail address (fields that must be one of those).
_STYLES = ("sweep-{n}", "sweep-{n}.example.com", "sweep{n}@example.com")


def _send_form(
    driver: Driver,
    path: str,
    base: dict[str, list[str]],
    secret: str,
    targets: list[str],
    file_fields: list[str],
) -> None:
    for style in _STYLES:
        data = {n: ([secret] if n in targets else _fresh(v, style)) for n, v in base.items()}
        files = [(n, (f"{secret}.txt", f"{secret}\n".encode(), "text/plain")) for n in file_fields]
        url = _fill_path(path, driver.world)
        code = driver.send(_role_for(path), "POST", url, data=data, files=files or None)
        if code < 400 or not any(v == [_FRESH] for v in base.values()):
            return


def _sweep_page_reads(driver: Driver) -> None:
    """Pages that take text in the query string (help-center search, /verify)."""
    for context, route in _html_routes(driver.world.app):
        if "GET" not in (context.methods or set()):
            continue
        texts = [
            p.alias or p.name
            for d in _dependants(route)
            for p in d.query_params
            if "str" in str(p.field_info.annotation)
        ]
        for secret in driver.secrets.texts if texts else []:
            url = _fill_path(context.path, driver.world)
            driver.send(_role_for(context.path), "GET", url, params=dict.fromkeys(texts, secret))


# --- the test -----------------------------------------------------------------------------------


def _file_leaks(db_path: Path | None, started: float, needles: list[tuple[str, str]]) -> list[str]:
    """The SQLite file and its WAL as they are, then again after a checkpoint that folds the WAL
    into the file (an overwritten row can survive in either); and the attachment store."""
    found = []
    if db_path is not None:
        files = [db_path, Path(f"{db_path}-wal")]
        found += sweep.file_leaks(files, needles)
        with sqlite3.connect(db_path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found += [f"{leak} (after a checkpoint)" for leak in sweep.file_leaks(files, needles)]
    store = get_settings().attachments_dir
    if store.exists():
        new = [p for p in store.rglob("*") if p.is_file() and p.stat().st_mtime >= started - 1]
        found += sweep.file_leaks(new, needles)
    return found


def _refused(driver: Driver) -> str:
    lines = []
    for key, codes in sorted(driver.answers.items()):
        if all(code >= 400 for code in codes):
            lines.append(f"  {key}: {sorted(codes)} {sorted(driver.errors.get(key, ()))[:2]}")
    return "\n".join(lines)


def test_no_secret_is_stored_anywhere(
    sweep_database: tuple[str, Path | None], caplog: pytest.LogCaptureFixture
) -> None:
    url, db_path = sweep_database
    caplog.set_level(logging.DEBUG)
    for noisy in ("sqlalchemy", "httpx", "httpcore", "asyncio", "multipart", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)  # client side or SQL echo, not ours
    started = time.time()
    settings = Settings(
        database_url=url,
        data_dir=_DATA_DIR,
        secret_key="test-secret-key-" + "x" * 40,
        login_rate_limit="100000/minute",
        code_rate_limit="100000/minute",
        verify_rate_limit="100000/minute",
        chat_rate_limit="100000/minute",
        chat_message_rate="100000/minute",
    )
    app = create_app(settings)
    try:
        world = _make_world(app)
        existing = sweep.all_values(app.state.engine)
        secrets = sweep.make_secrets(lambda chunk: chunk in existing)
        with (
            TestClient(app, raise_server_exceptions=False) as admin,
            TestClient(app, raise_server_exceptions=False) as console,
            TestClient(app, raise_server_exceptions=False) as customer,
            TestClient(app, raise_server_exceptions=False) as visitor,
        ):
            _console_login(console, world)
            portal_login(customer, app, world.customer_email)
            clients = {"admin": admin, "console": console, "customer": customer, "visitor": visitor}
            driver = Driver(world, secrets, clients)
            spec = app.openapi()
            _sweep_api_writes(driver, spec)
            _sweep_api_reads(driver, spec)
            forms = _scrape_forms(driver)
            _sweep_forms(driver, forms)
            _sweep_page_reads(driver)
        outbox.run_pending(app.state.sessionmaker)  # background jobs write derived rows too
        needles = secrets.needles()
        leaks = sweep.database_leaks(app.state.engine, needles)
    finally:
        app.state.engine.dispose()
    leaks += _file_leaks(db_path, started, needles)
    log_text = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    leaks += [f"log output: {what}" for what in sweep.leaks_in(log_text, needles)]
    elapsed = time.time() - started
    summary = "\n".join(f"  {k}: {sorted(v)}" for k, v in sorted(driver.answers.items()))
    assert not leaks, "secrets were stored:\n" + "\n".join(leaks) + "\nanswers:\n" + summary
    errors = [k for k, v in driver.answers.items() if any(code >= 500 for code in v)]
    assert not errors, f"server errors: {errors}"
    ok = [k for k, v in driver.answers.items() if any(code < 400 for code in v)]
    # Operations a role may not use at all (403 every time) are not entry points for it.
    permitted = [
        k for k, v in driver.answers.items() if v != {403} and k not in driver.choices_only
    ]
    assert len(ok) >= len(permitted) * 2 // 3, "refused every body:\n" + _refused(driver)
    assert elapsed < BUDGET_SECONDS, f"the sweep took {elapsed:.0f} s ({driver.sent} requests)"
