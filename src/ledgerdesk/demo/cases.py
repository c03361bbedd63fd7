"""The demo desk's complaints, appeals and watchlist, from ``data/demo/cases.yaml``: a closed
complaint (decided and closed weeks ago), one under investigation, a fresh appeal, and two
reported values on the watchlist. Each step runs through the same services the console uses,
with the clock frozen at the moment it happened, inside the demo's ``recording_history`` (no
letter is e-mailed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Customer, Role
from ledgerdesk.accounts.services import SYSTEM, Actor, agent_actor, customer_actor
from ledgerdesk.cases import complaints, watchlist
from ledgerdesk.cases import complaints_lifecycle as life
from ledgerdesk.cases.models import Case, CaseKind
from ledgerdesk.core.clock import frozen_at
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.yamlcheck import StrictLoader, kind_of
from ledgerdesk.tickets.models import Message

FILE = "cases.yaml"


class CasesFileError(ValueError):
    """The demo's cases file is not what it should be (the message names file and entry)."""


def read_cases(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    path = path or shipped_data_dir() / "demo" / FILE
    if not path.is_file():
        return {"cases": [], "watchlist": []}
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise CasesFileError(f"{path.name}: {exc}") from None
    if not isinstance(loaded, dict):
        raise CasesFileError(f"{path.name}: expected a mapping, not {kind_of(loaded)}")
    out: dict[str, list[dict[str, Any]]] = {}
    for key in ("cases", "watchlist"):
        rows = loaded.get(key) or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CasesFileError(f"{path.name}: '{key}' must be a list of mappings")
        out[key] = rows
    return out


def load_cases(session: Session, now: datetime) -> tuple[int, int]:
    """Create the demo's cases and watchlist (the caller is inside ``recording_history``);
    returns how many working tickets and messages they made."""
    data = read_cases()
    lead_row = session.scalar(select(Agent).where(Agent.role == Role.lead).order_by(Agent.id))
    lead: Actor = agent_actor(lead_row) if lead_row is not None else SYSTEM
    customers = list(session.scalars(select(Customer).order_by(Customer.id)))
    made = 0
    for number, row in enumerate(data["cases"], 1):
        where = f"{FILE}: case {number}"
        try:
            customer = customers[int(row["customer"])]
            _play(session, lead, customer, row, now)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise CasesFileError(f"{where}: {exc!r}") from None
        made += 1
    with frozen_at(now - timedelta(days=20)):
        for row in data["watchlist"]:
            watchlist.do_add_entry(
                session,
                lead,
                watchlist.NewEntry(
                    value=str(row["value"]),
                    kind=str(row.get("kind", "")),
                    network=str(row.get("network", "")),
                    note=str(row.get("note", "")),
                ),
            )
    session.flush()
    tickets = select(Case.ticket_id).where(Case.ticket_id.is_not(None))
    messages = session.scalar(
        select(func.count()).select_from(Message).where(Message.ticket_id.in_(tickets))
    )
    return made, int(messages or 0)


def _play(
    session: Session, lead: Actor, customer: Customer, row: dict[str, Any], now: datetime
) -> None:
    form = dict(row["form"])
    form["name"] = customer.name  # the demo customer's own name, as the portal fills it in
    form.setdefault("email", customer.email)
    kind = CaseKind(str(row.get("kind", "complaint")))
    with frozen_at(now - timedelta(hours=float(row["filed_hours_ago"]))):
        case = complaints.do_file(
            session, customer_actor(customer), complaints.ComplaintForm(**form), kind
        )
    for step in row.get("steps") or []:
        with frozen_at(now - timedelta(hours=float(step["hours_ago"]))):
            action = str(step["do"])
            if action == "take":
                life.do_take(session, lead, case)
            elif action == "note":
                life.do_add_note(session, lead, case, str(step["text"]))
            elif action == "decide":
                answers = [str(a) for a in step["answers"]]
                life.do_decide(session, lead, case, answers, str(step["outcome"]))
            elif action == "close":
                life.do_close(
                    session, lead, case, str(step["outcome"]), str(step.get("measures", ""))
                )
            else:
                raise ValueError(f"unknown step {action!r}")
