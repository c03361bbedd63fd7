"""The demo desk's macros and escalation path, from ``data/demo/macros.yaml``.

The loader calls ``load_macros`` once its teams and agents exist. Every macro goes through
``macros.services.do_create_macro`` as its owner (shared ones as the first lead); article
slugs are checked against the shipped help center's files, since the help center itself is
imported after the demo (``ledgerdesk demo`` loads it next)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Agent, Role, Team
from ledgerdesk.accounts.services import SYSTEM, agent_actor
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.desk import demo_desk
from ledgerdesk.demo.yamlcheck import StrictLoader
from ledgerdesk.macros import services as macros
from ledgerdesk.sla.escalation import do_set_escalation_team

MACROS_FILE = "macros.yaml"
_KEYS = frozenset({"name", "owner", "status", "tags", "team", "body_en", "body_zh"})


class DemoMacrosError(ValueError):
    """``macros.yaml`` is malformed; the message names the file and the key."""


@dataclass
class MacrosLoaded:
    macros: int = 0
    escalations: int = 0


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise DemoMacrosError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise DemoMacrosError(f"{path.name}: expected a mapping at the top")
    return data


def _team(teams: dict[str, Team], key: object, where: str) -> Team:
    spec = demo_desk().teams.get(str(key))
    if spec is None or spec.name not in teams:
        raise DemoMacrosError(f"{MACROS_FILE}: {where}: unknown team key {key!r}")
    return teams[spec.name]


def _check_slugs(text: str, where: str) -> None:
    articles = shipped_data_dir() / "kb" / "articles"
    for name in macros.placeholders(text):
        if name.startswith("kb:") and not (articles / f"{name[3:].strip()}.en.md").is_file():
            raise DemoMacrosError(f"{MACROS_FILE}: {where}: no shipped article {name[3:]!r}")


def _owner(session: Session, value: object, where: str) -> Agent:
    if value == "shared":
        query = select(Agent).where(Agent.role == Role.lead).order_by(Agent.id).limit(1)
    else:
        query = select(Agent).where(Agent.email == str(value))
    agent = session.scalar(query)
    if agent is None:
        raise DemoMacrosError(f"{MACROS_FILE}: {where}: no agent {value!r}")
    return agent


def load_macros(session: Session, teams: dict[str, Team]) -> MacrosLoaded:
    """Wire the escalation path and create the macros; ``teams`` by name, as the loader has
    them. Nothing when this installation ships no demo data."""
    path = shipped_data_dir() / "demo" / MACROS_FILE
    loaded = MacrosLoaded()
    if not path.is_file():
        return loaded
    data = _read(path)
    for source, target in (data.get("escalation") or {}).items():
        team = _team(teams, source, f"escalation.{source}")
        upper = _team(teams, target, f"escalation.{source}")
        do_set_escalation_team(session, SYSTEM, team, upper.id)
        loaded.escalations += 1
    for number, row in enumerate(data.get("macros") or []):
        where = f"macros[{number}]"
        if not isinstance(row, dict) or set(row) - _KEYS:
            raise DemoMacrosError(f"{MACROS_FILE}: {where}: expected the keys {sorted(_KEYS)}")
        owner = _owner(session, row.get("owner"), where)
        body_en, body_zh = str(row.get("body_en") or ""), str(row.get("body_zh") or "")
        _check_slugs(body_en + body_zh, where)
        team_id = _team(teams, row["team"], where).id if row.get("team") else None
        data_in = macros.MacroIn(
            name=str(row.get("name") or ""),
            body_en=body_en,
            body_zh=body_zh,
            shared=row.get("owner") == "shared",
            status=row.get("status"),
            tags=[str(t) for t in row.get("tags") or []],
            team_id=team_id,
        )
        macros.do_create_macro(session, agent_actor(owner), data_in, check_articles=False)
        loaded.macros += 1
    return loaded
