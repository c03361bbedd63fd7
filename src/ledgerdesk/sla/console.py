"""SLA pages in the agent console (/console/sla, admins): policies and their order, business
calendars with holidays, and which calendar each team follows. Forms post and redirect; a
refused form re-renders the page with the message and a 4xx."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from ledgerdesk.accounts import services as accounts
from ledgerdesk.accounts.services import Actor
from ledgerdesk.ai.triage.priority import LEVELS
from ledgerdesk.core.errors import DomainError, InvalidInput
from ledgerdesk.core.i18n import gettext
from ledgerdesk.core.types import PathId
from ledgerdesk.sla import services as svc
from ledgerdesk.sla.models import SlaPolicy
from ledgerdesk.sla.schemas import CalendarIn, HolidayIn, PolicyIn
from ledgerdesk.tickets.models import Channel
from ledgerdesk.web.deps import ConsoleAdmin, Db
from ledgerdesk.web.templating import flash, render

router = APIRouter(prefix="/console/sla", include_in_schema=False)
Model = TypeVar("Model", bound=BaseModel)
Text = Annotated[str, Form(max_length=2000)]
Many = Annotated[list[str] | None, Form()]
HOME = "/console/sla"


def _valid(model: type[Model], data: dict[str, Any]) -> Model:
    """``model`` from form values; its first complaint as InvalidInput."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "form"
        raise InvalidInput(f"{field}: {first.get('msg', 'invalid')}", field=field) from None


def _minutes(value: str, field: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 7):
        raise InvalidInput(f"'{value[:20]}' is not a number of minutes", field=field)
    return int(value)


def _ids(values: list[str] | None, field: str) -> list[int]:
    out = []
    for value in values or []:
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            raise InvalidInput(f"Unknown {field}: choose from the list", field=field)
        out.append(int(value))
    return out


def _shell(db: Any, actor: Actor) -> dict[str, Any]:
    return {"me": accounts.get_agent(db, actor.id or 0), "teams": accounts.list_teams(db)}


def _choices() -> dict[str, Any]:
    from ledgerdesk.routing.services import known_intents

    return {"levels": LEVELS, "intents": known_intents(), "channels": [c.value for c in Channel]}


def _home(request: Request, db: Db, actor: Actor, status_code: int = 200, **extra: Any) -> Response:
    return render(
        request,
        "sla/console.html",
        status_code=status_code,
        **_shell(db, actor),
        **_choices(),
        policies=svc.list_policies(db),
        calendars=svc.list_calendars(db),
        team_calendars=svc.team_calendars(db),
        **extra,
    )


def _refused(request: Request, db: Db, actor: Actor, exc: DomainError) -> Response:
    db.rollback()
    return _home(request, db, actor, exc.status_code, error=gettext(exc.message))


@router.get("")
def home(request: Request, db: Db, actor: ConsoleAdmin) -> Response:
    return _home(request, db, actor)


# --- policies -------------------------------------------------------------------------------


def _policy_in(
    name: str,
    enabled: str,
    priorities: list[str] | None,
    intents: list[str] | None,
    channels: list[str] | None,
    team_ids: list[str] | None,
    vip: str,
    first_reply: str,
    next_reply: str,
    periodic_update: str,
    resolution: str,
    hours: str,
) -> PolicyIn:
    vips = {"": None, "any": None, "yes": True, "no": False}
    if vip not in vips:
        raise InvalidInput("VIP: choose any, yes or no", field="vip")
    return _valid(
        PolicyIn,
        {
            "name": name,
            "enabled": bool(enabled),
            "priorities": priorities or [],
            "intents": intents or [],
            "channels": channels or [],
            "team_ids": _ids(team_ids, "team"),
            "vip": vips[vip],
            "first_reply": _minutes(first_reply, "first_reply"),
            "next_reply": _minutes(next_reply, "next_reply"),
            "periodic_update": _minutes(periodic_update, "periodic_update"),
            "resolution": _minutes(resolution, "resolution"),
            "hours": hours or "business",
        },
    )


@router.post("/policies")
def create_policy(
    request: Request,
    db: Db,
    actor: ConsoleAdmin,
    name: Text = "",
    enabled: Text = "",
    priorities: Many = None,
    intents: Many = None,
    channels: Many = None,
    team_ids: Many = None,
    vip: Text = "",
    first_reply: Text = "",
    next_reply: Text = "",
    periodic_update: Text = "",
    resolution: Text = "",
    hours: Text = "",
) -> Response:
    try:
        data = _policy_in(
            name, enabled, priorities, intents, channels, team_ids, vip,
            first_reply, next_reply, periodic_update, resolution, hours,
        )  # fmt: skip
        policy = svc.do_create_policy(db, actor, data)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, actor, exc)
    flash(request, "ok", gettext("SLA policy saved: %(name)s") % {"name": policy.name})
    return RedirectResponse(HOME, status_code=303)


def _policy_page(
    request: Request, db: Db, actor: Actor, policy: SlaPolicy, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "sla/policy.html",
        status_code=status_code,
        **_shell(db, actor),
        **_choices(),
        policy=policy,
        **extra,
    )


@router.get("/policies/{policy_id}")
def policy_page(request: Request, policy_id: PathId, db: Db, actor: ConsoleAdmin) -> Response:
    return _policy_page(request, db, actor, svc.access_policy(db, actor, policy_id))


@router.post("/policies/{policy_id}")
def update_policy(
    request: Request,
    policy_id: PathId,
    db: Db,
    actor: ConsoleAdmin,
    name: Text = "",
    enabled: Text = "",
    priorities: Many = None,
    intents: Many = None,
    channels: Many = None,
    team_ids: Many = None,
    vip: Text = "",
    first_reply: Text = "",
    next_reply: Text = "",
    periodic_update: Text = "",
    resolution: Text = "",
    hours: Text = "",
) -> Response:
    policy = svc.access_policy(db, actor, policy_id)
    try:
        data = _policy_in(
            name, enabled, priorities, intents, channels, team_ids, vip,
            first_reply, next_reply, periodic_update, resolution, hours,
        )  # fmt: skip
        svc.do_update_policy(db, actor, policy, data)
        db.commit()
    except DomainError as exc:
        db.rollback()
        policy = svc.access_policy(db, actor, policy_id)
        return _policy_page(request, db, actor, policy, exc.status_code, error=gettext(exc.message))
    flash(request, "ok", gettext("SLA policy saved: %(name)s") % {"name": policy.name})
    return RedirectResponse(HOME, status_code=303)


@router.post("/policies/{policy_id}/move")
def move_policy(
    request: Request, policy_id: PathId, db: Db, actor: ConsoleAdmin, direction: Text = ""
) -> Response:
    policy = svc.access_policy(db, actor, policy_id)
    if direction not in ("up", "down"):
        return _refused(request, db, actor, InvalidInput("Move up or down", field="direction"))
    svc.do_move_policy(db, actor, policy, direction)
    db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/policies/{policy_id}/delete")
def delete_policy(request: Request, policy_id: PathId, db: Db, actor: ConsoleAdmin) -> Response:
    policy = svc.access_policy(db, actor, policy_id)
    svc.do_delete_policy(db, actor, policy)
    db.commit()
    flash(request, "ok", gettext("SLA policy deleted"))
    return RedirectResponse(HOME, status_code=303)


# --- calendars ------------------------------------------------------------------------------


@router.post("/calendars")
def create_calendar(
    request: Request,
    db: Db,
    actor: ConsoleAdmin,
    name: Text = "",
    timezone: Text = "UTC",
    hours: Text = "",
    is_default: Text = "",
) -> Response:
    try:
        data = _valid(
            CalendarIn,
            {"name": name, "timezone": timezone, "hours": hours, "is_default": bool(is_default)},
        )
        calendar = svc.do_create_calendar(db, actor, data)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, actor, exc)
    return RedirectResponse(f"{HOME}/calendars/{calendar.id}", status_code=303)


def _calendar_page(
    request: Request, db: Db, actor: Actor, calendar_id: int, status_code: int = 200, **extra: Any
) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    return render(
        request,
        "sla/calendar.html",
        status_code=status_code,
        **_shell(db, actor),
        calendar=calendar,
        **extra,
    )


@router.get("/calendars/{calendar_id}")
def calendar_page(request: Request, calendar_id: PathId, db: Db, actor: ConsoleAdmin) -> Response:
    return _calendar_page(request, db, actor, calendar_id)


@router.post("/calendars/{calendar_id}")
def update_calendar(
    request: Request,
    calendar_id: PathId,
    db: Db,
    actor: ConsoleAdmin,
    name: Text = "",
    timezone: Text = "UTC",
    hours: Text = "",
    is_default: Text = "",
) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    try:
        data = _valid(
            CalendarIn,
            {"name": name, "timezone": timezone, "hours": hours, "is_default": bool(is_default)},
        )
        svc.do_update_calendar(db, actor, calendar, data)
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _calendar_page(
            request, db, actor, calendar_id, exc.status_code, error=gettext(exc.message)
        )
    flash(request, "ok", gettext("Calendar saved"))
    return RedirectResponse(f"{HOME}/calendars/{calendar_id}", status_code=303)


@router.post("/calendars/{calendar_id}/delete")
def delete_calendar(request: Request, calendar_id: PathId, db: Db, actor: ConsoleAdmin) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    try:
        svc.do_delete_calendar(db, actor, calendar)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, actor, exc)
    flash(request, "ok", gettext("Calendar deleted"))
    return RedirectResponse(HOME, status_code=303)


@router.post("/calendars/{calendar_id}/holidays")
def add_holiday(
    request: Request,
    calendar_id: PathId,
    db: Db,
    actor: ConsoleAdmin,
    day: Text = "",
    name: Text = "",
) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    try:
        svc.do_add_holiday(db, actor, calendar, _valid(HolidayIn, {"day": day, "name": name}))
        db.commit()
    except DomainError as exc:
        db.rollback()
        return _calendar_page(
            request, db, actor, calendar_id, exc.status_code, error=gettext(exc.message)
        )
    return RedirectResponse(f"{HOME}/calendars/{calendar_id}", status_code=303)


@router.post("/calendars/{calendar_id}/holidays/{holiday_id}/delete")
def remove_holiday(
    request: Request, calendar_id: PathId, holiday_id: PathId, db: Db, actor: ConsoleAdmin
) -> Response:
    calendar = svc.access_calendar(db, actor, calendar_id)
    svc.do_remove_holiday(db, actor, calendar, holiday_id)
    db.commit()
    return RedirectResponse(f"{HOME}/calendars/{calendar_id}", status_code=303)


@router.post("/teams")
def set_team_calendar(
    request: Request, db: Db, actor: ConsoleAdmin, team_id: Text = "", calendar_id: Text = ""
) -> Response:
    try:
        team = _ids([team_id], "team")
        calendar = _ids([calendar_id], "calendar") if calendar_id else []
        if not team:
            raise InvalidInput("Choose a team", field="team_id")
        svc.do_set_team_calendar(db, actor, team[0], calendar[0] if calendar else None)
        db.commit()
    except DomainError as exc:
        return _refused(request, db, actor, exc)
    flash(request, "ok", gettext("Team calendar saved"))
    return RedirectResponse(HOME, status_code=303)
