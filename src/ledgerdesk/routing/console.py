"""Routing in the agent console (/console/routing): admins edit the rules that turn triage into
a team, a priority and tags; leads and admins review the agents' intent corrections and download
them as training data. Forms post, then redirect (PRG); a refused rule re-renders the form with
what the admin entered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.triage.language import LANGUAGES
from ledgerdesk.ai.triage.priority import LEVELS
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.text import clean
from ledgerdesk.core.types import PageNumber
from ledgerdesk.routing import presenters
from ledgerdesk.routing import services as svc
from ledgerdesk.routing.models import RoutingRule
from ledgerdesk.routing.schemas import MAX_ID
from ledgerdesk.web.deps import ConsoleAgent, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/routing", include_in_schema=False)
PER_PAGE = 50
RuleId = Annotated[int, PathParam(ge=1, le=MAX_ID)]


async def _console_admin(actor: ConsoleAgent) -> Actor:
    accounts.require_role(actor, Role.admin)
    return actor


async def _console_lead(actor: ConsoleAgent) -> Actor:
    accounts.require_role(actor, Role.lead, Role.admin)
    return actor


ConsoleAdmin = Annotated[Actor, Depends(_console_admin)]
ConsoleLead = Annotated[Actor, Depends(_console_lead)]


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    return {"me": accounts.get_agent(db, actor.id or 0), "is_admin": actor.role == Role.admin}


def _choices(db: Any) -> dict[str, Any]:
    """What the rule form offers."""
    return {
        "teams": accounts.list_teams(db),
        "intents": svc.known_intents(),
        "languages": LANGUAGES,
        "levels": LEVELS,
    }


# --- reading the rule form --------------------------------------------------------------------


def _posted_rule(
    name: Annotated[str, Form(max_length=20_000)] = "",
    intents: Annotated[list[str] | None, Form()] = None,
    languages: Annotated[list[str] | None, Form()] = None,
    vip: Annotated[str, Form(max_length=200)] = "",
    distressed: Annotated[str, Form(max_length=200)] = "",
    uncertain: Annotated[str, Form(max_length=200)] = "",
    team_id: Annotated[str, Form(max_length=200)] = "",
    priority: Annotated[str, Form(max_length=200)] = "",
    tag: Annotated[str, Form(max_length=2000)] = "",
    stop: Annotated[str, Form(max_length=20)] = "",
    enabled: Annotated[str, Form(max_length=20)] = "",
    escalate: Annotated[str, Form(max_length=20)] = "",
) -> dict[str, Any]:
    """The rule form as typed (checkboxes are absent when unticked)."""
    return {
        "name": name,
        "intents": intents or [],
        "languages": languages or [],
        "vip": vip,
        "distressed": distressed,
        "uncertain": uncertain,
        "team_id": team_id,
        "priority": priority,
        "tag": tag,
        "stop": bool(stop),
        "enabled": bool(enabled),
        "escalate": bool(escalate),
    }


PostedRule = Annotated[dict[str, Any], Depends(_posted_rule)]


def _tri(value: str, field: str, label: str) -> bool | None:
    choices = {"": None, "any": None, "yes": True, "no": False}
    if value not in choices:
        raise InvalidInput(
            f"'{clean(value[:20])}' is not a choice for {label}: any, yes or no", field=field
        )
    return choices[value]


def _labels(values: list[str], field: str, limit: int) -> list[str]:
    if len(values) > 200 or any(len(v) > limit for v in values):
        raise InvalidInput(f"Unknown {field}: choose from the list", field=field)
    return values


def _rule_in(form: dict[str, Any]) -> svc.RuleIn:
    team = form["team_id"].strip()
    if team and not (team.isascii() and team.isdigit() and int(team) <= MAX_ID):
        raise InvalidInput(f"'{clean(team[:20])}' is not a team", field="team_id")
    return svc.RuleIn(
        name=form["name"],
        intents=_labels(form["intents"], "intents", 64),
        languages=_labels(form["languages"], "languages", 16),
        vip=_tri(form["vip"], "vip", "VIP"),
        distressed=_tri(form["distressed"], "distressed", "distressed"),
        uncertain=_tri(form["uncertain"], "uncertain", "uncertain"),
        team_id=int(team) if team else None,
        priority=form["priority"].strip() or None,
        tag=form["tag"].strip() or None,
        stop=form["stop"],
        enabled=form["enabled"],
        escalate=form["escalate"],
    )


def _kept(form: dict[str, Any]) -> dict[str, Any]:
    """What the admin typed, to show again (capped: an absurd value is not echoed whole)."""
    return {k: clean(v[:200]) if isinstance(v, str) else v for k, v in form.items()}


# --- rules --------------------------------------------------------------------------------------


def _rules_page(
    request: Request, db: Any, actor: Actor, status_code: int = 200, **extra: Any
) -> Response:
    teams = {t.id: t.name for t in accounts.list_teams(db)}
    rules = svc.list_rules(db)
    rows = [(rule, presenters.conditions(rule), presenters.actions(rule, teams)) for rule in rules]
    extra.setdefault("warnings", presenters.warnings(rules))
    return render(
        request,
        "routing/rules.html",
        status_code=status_code,
        **_shell(db, actor),
        **_choices(db),
        rows=rows,
        form=extra.pop("form", presenters.rule_form()),
        **extra,
    )


def _rule_page(
    request: Request, db: Any, actor: Actor, rule: RoutingRule, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "routing/rule.html",
        status_code=status_code,
        **_shell(db, actor),
        **_choices(db),
        rule=rule,
        warning=presenters.warnings(svc.list_rules(db)).get(rule.id),
        form=extra.pop("form", presenters.rule_form(rule)),
        **extra,
    )


@router.get("")
def routing_home(agent_actor: ConsoleLead) -> RedirectResponse:
    target = "rules" if agent_actor.role == Role.admin else "corrections"
    return RedirectResponse(f"/console/routing/{target}", status_code=303)


@router.get("/rules")
def rules_page(request: Request, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _rules_page(request, db, agent_actor)


@router.post("/rules")
def create_rule(request: Request, db: Db, agent_actor: ConsoleAdmin, form: PostedRule) -> Response:
    try:
        rule = svc.do_create_rule(db, agent_actor, _rule_in(form))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _rules_page(
            request, db, agent_actor, exc.status_code, error=gettext(exc.message), form=_kept(form)
        )
    flash(request, "ok", gettext("Rule created: %(name)s") % {"name": rule.name})
    _flash_warning(request, db, rule)
    return RedirectResponse("/console/routing/rules", status_code=303)


def _flash_warning(request: Request, db: Any, rule: RoutingRule) -> None:
    """Say so when the saved rule cannot fire (or cannot set its team) where it stands."""
    warning = presenters.warnings(svc.list_rules(db)).get(rule.id)
    if warning:
        flash(request, "error", f"{rule.name}: {warning}")


@router.get("/rules/{rule_id}")
def rule_page(request: Request, rule_id: RuleId, db: Db, agent_actor: ConsoleAdmin) -> Response:
    return _rule_page(request, db, agent_actor, svc.access_rule(db, rule_id))


@router.post("/rules/{rule_id}")
def update_rule(
    request: Request, rule_id: RuleId, db: Db, agent_actor: ConsoleAdmin, form: PostedRule
) -> Response:
    rule = svc.access_rule(db, rule_id)
    try:
        svc.do_update_rule(db, agent_actor, rule, _rule_in(form))
        db.commit()
    except DomainError as exc:
        db.rollback()
        rule = svc.access_rule(db, rule_id)
        return _rule_page(
            request,
            db,
            agent_actor,
            rule,
            exc.status_code,
            error=gettext(exc.message),
            form=_kept(form),
        )
    flash(request, "ok", gettext("Rule saved: %(name)s") % {"name": rule.name})
    _flash_warning(request, db, rule)
    return RedirectResponse("/console/routing/rules", status_code=303)


@router.post("/rules/{rule_id}/delete")
def delete_rule(request: Request, rule_id: RuleId, db: Db, agent_actor: ConsoleAdmin) -> Response:
    rule = svc.access_rule(db, rule_id)
    name = rule.name
    svc.do_delete_rule(db, agent_actor, rule)
    db.commit()
    flash(request, "ok", gettext("Rule deleted: %(name)s") % {"name": name})
    return RedirectResponse("/console/routing/rules", status_code=303)


@router.post("/rules/{rule_id}/move")
def move_rule(
    request: Request,
    rule_id: RuleId,
    db: Db,
    agent_actor: ConsoleAdmin,
    direction: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    offsets = {"up": -1, "down": 1}
    if direction not in offsets:
        raise InvalidInput("Move a rule 'up' or 'down'", field="direction")
    rule = svc.access_rule(db, rule_id)
    svc.do_move_rule(db, agent_actor, rule, offsets[direction])
    db.commit()
    _flash_warning(request, db, rule)
    return RedirectResponse(f"/console/routing/rules#rule-{rule_id}", status_code=303)


# --- corrections --------------------------------------------------------------------------------


@router.get("/corrections")
def corrections_page(
    request: Request, db: Db, agent_actor: ConsoleLead, page: PageNumber = 1
) -> Response:
    """The latest corrections, newest first (one more row is read to know if a next page
    exists, so no count query)."""
    page = max(1, min(page, 10_000))
    examples = svc.list_examples(db, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render(
        request,
        "routing/corrections.html",
        **_shell(db, agent_actor),
        rows=presenters.correction_rows(db, examples[:PER_PAGE]),
        page=page,
        has_next=len(examples) > PER_PAGE,
    )


@router.get("/corrections.csv")
def corrections_csv(db: Db, agent_actor: ConsoleLead, bundled: bool = False) -> Response:
    """The corrections as training data (``ledgerdesk triage train --data``); ``bundled=1``
    adds the bundled training set."""
    name = "triage-training.csv" if bundled else "triage-corrections.csv"
    return Response(
        svc.examples_csv(db, bundled=bundled),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
