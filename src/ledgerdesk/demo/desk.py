"""The demo desk's cast and mixes, read from ``data/demo/desk.yaml``.

The file names the teams, the agents and the weights the demo loader draws tickets from
(statuses, ages, intents, channels). It is read and checked once, on first use; a problem
raises :class:`DemoDeskError` naming the file and the key. Order is kept exactly as written,
since the seeded loader draws in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.yamlcheck import CheckedFile, kind_of
from ledgerdesk.tickets.models import Channel, Status

DESK_FILE = "desk.yaml"
_AGENT_KEYS = ("email", "name", "signature_en", "role", "locale", "teams")
_Choice = TypeVar("_Choice", Role, Tier, Status, Channel)


class DemoDeskError(ValueError):
    """``desk.yaml`` is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    tier: Tier


@dataclass(frozen=True)
class AgentSpec:
    email: str
    name: str
    signature_en: str  # how the agent signs English replies
    role: Role
    locale: str
    teams: tuple[str, ...]  # team names (not keys), as the desk shows them


@dataclass(frozen=True)
class DemoDesk:
    teams: dict[str, TeamSpec]  # by key, in file order
    agents: tuple[AgentSpec, ...]
    status_mix: tuple[tuple[Status, float], ...]
    age_hours: dict[Status, tuple[float, float]]
    intent_weights: dict[str, int]
    first_line: str  # team name
    team_of: dict[str, str]  # intent -> team name
    on_chain_intents: tuple[str, ...]
    usdt_intents: tuple[str, ...]
    quick_intents: tuple[str, ...]
    traditional_marks: frozenset[str]
    channels: tuple[tuple[Channel, int], ...]

    def team(self, key: str) -> str:
        """The name of the team with that key."""
        if key not in self.teams:
            raise DemoDeskError(f"{DESK_FILE}: teams: no team with the key {key!r}")
        return self.teams[key].name


class _Reader(CheckedFile):
    """Checks one file's values; every problem names the file and the key."""

    error = DemoDeskError

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"expected non-empty text, got {kind_of(value)}")
        return value

    def number(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(key, f"expected a number of at least 0, got {value!r}")
        return float(value)

    def weight(self, value: object, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(key, f"expected a whole number above 0, got {value!r}")
        return value

    def texts(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {kind_of(value)}")
        return tuple(self.text(item, f"{key}[{i}]") for i, item in enumerate(value))

    def choice(self, kind: type[_Choice], value: object, key: str) -> _Choice:
        allowed = [member.value for member in kind]
        if not isinstance(value, str) or value not in allowed:
            self.fail(key, f"unknown {kind.__name__.lower()} {value!r} (one of {allowed})")
        return kind(value)

    def intent(self, value: object, key: str) -> str:
        if value not in INTENTS:
            self.fail(key, f"unknown intent {value!r}")
        return str(value)

    def intents(self, value: object, key: str) -> tuple[str, ...]:
        return tuple(
            self.intent(item, f"{key}[{i}]") for i, item in enumerate(self.texts(value, key))
        )

    def team(self, teams: dict[str, TeamSpec], value: object, key: str) -> str:
        if not isinstance(value, str) or value not in teams:
            self.fail(key, f"unknown team key {value!r} (one of {list(teams)})")
        return teams[value].name

    def fields(self, value: dict[str, Any], key: str, required: tuple[str, ...]) -> None:
        missing = [name for name in required if name not in value]
        if missing:
            self.fail(key, f"missing {', '.join(missing)}")
        extra = [name for name in value if name not in required]
        if extra:
            self.fail(key, f"unknown field {extra[0]!r}")


def read_desk(path: Path) -> DemoDesk:
    """Read and check a desk file."""
    r = _Reader(path)
    data = r.read()
    r.fields(
        data,
        "",
        (
            "teams",
            "agents",
            "status_mix",
            "age_hours",
            "intent_weights",
            "first_line",
            "team_of",
            "on_chain_intents",
            "usdt_intents",
            "quick_intents",
            "traditional_marks",
            "channels",
        ),
    )
    teams: dict[str, TeamSpec] = {}
    for key, raw in r.mapping(data["teams"], "teams").items():
        where = f"teams.{key}"
        team = r.mapping(raw, where)
        r.fields(team, where, ("name", "tier"))
        teams[key] = TeamSpec(
            key,
            r.text(team["name"], f"{where}.name"),
            r.choice(Tier, team["tier"], f"{where}.tier"),
        )
    if not isinstance(data["agents"], list) or not data["agents"]:
        r.fail("agents", f"expected a non-empty list, got {kind_of(data['agents'])}")
    agents: list[AgentSpec] = []
    for i, raw in enumerate(data["agents"]):
        where = f"agents[{i}]"
        agent = r.mapping(raw, where)
        r.fields(agent, where, _AGENT_KEYS)
        team_keys = r.texts(agent["teams"], f"{where}.teams")
        agents.append(
            AgentSpec(
                email=r.text(agent["email"], f"{where}.email"),
                name=r.text(agent["name"], f"{where}.name"),
                signature_en=r.text(agent["signature_en"], f"{where}.signature_en"),
                role=r.choice(Role, agent["role"], f"{where}.role"),
                locale=r.text(agent["locale"], f"{where}.locale"),
                teams=tuple(
                    r.team(teams, k, f"{where}.teams[{j}]") for j, k in enumerate(team_keys)
                ),
            )
        )
    emails = [a.email for a in agents]
    if len(set(emails)) != len(emails):
        r.fail("agents", "an e-mail is given twice")
    status_mix = tuple(
        (r.choice(Status, s, f"status_mix.{s}"), r.number(share, f"status_mix.{s}"))
        for s, share in r.mapping(data["status_mix"], "status_mix").items()
    )
    age_hours: dict[Status, tuple[float, float]] = {}
    for s, span in r.mapping(data["age_hours"], "age_hours").items():
        where = f"age_hours.{s}"
        status = r.choice(Status, s, where)
        if not isinstance(span, list) or len(span) != 2:
            r.fail(where, f"expected [youngest, oldest], got {span!r}")
        low, high = r.number(span[0], where), r.number(span[1], where)
        if low > high:
            r.fail(where, f"youngest {span[0]} is older than oldest {span[1]}")
        age_hours[status] = (low, high)
    for status, _ in status_mix:
        if status not in age_hours:
            r.fail("age_hours", f"no range for status {status.value!r}")
    weights = {
        r.intent(i, f"intent_weights.{i}"): r.weight(w, f"intent_weights.{i}")
        for i, w in r.mapping(data["intent_weights"], "intent_weights").items()
    }
    missing = [i for i in INTENTS if i not in weights]
    if missing:
        r.fail("intent_weights", f"no weight for intent {missing[0]!r}")
    team_of = {
        r.intent(i, f"team_of.{i}"): r.team(teams, t, f"team_of.{i}")
        for i, t in r.mapping(data["team_of"], "team_of").items()
    }
    channels = tuple(
        (r.choice(Channel, c, f"channels.{c}"), r.weight(w, f"channels.{c}"))
        for c, w in r.mapping(data["channels"], "channels").items()
    )
    return DemoDesk(
        teams=teams,
        agents=tuple(agents),
        status_mix=status_mix,
        age_hours=age_hours,
        intent_weights=weights,
        first_line=r.team(teams, data["first_line"], "first_line"),
        team_of=team_of,
        on_chain_intents=r.intents(data["on_chain_intents"], "on_chain_intents"),
        usdt_intents=r.intents(data["usdt_intents"], "usdt_intents"),
        quick_intents=r.intents(data["quick_intents"], "quick_intents"),
        traditional_marks=frozenset(r.text(data["traditional_marks"], "traditional_marks")),
        channels=channels,
    )


@cache
def demo_desk() -> DemoDesk:
    """The shipped desk, read once."""
    return read_desk(shipped_data_dir() / "demo" / DESK_FILE)
