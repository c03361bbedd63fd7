"""The demo desk file: the shipped one reads, and a bad one is refused naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ledgerdesk.accounts.models import Role, Tier
from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.desk import DESK_FILE, DemoDeskError, demo_desk, read_desk
from ledgerdesk.tickets.models import Channel, Status

SHIPPED = shipped_data_dir() / "demo" / DESK_FILE


def test_shipped_desk_reads_in_file_order() -> None:
    desk = demo_desk()
    assert list(desk.teams) == ["l1", "wallet", "security", "compliance"]
    assert desk.teams["wallet"].tier is Tier.l2
    assert desk.agents[0].role is Role.admin and desk.agents[0].teams == ()
    assert desk.agents[1].teams == (desk.team("l1"), desk.team("compliance"))
    assert [s for s, _ in desk.status_mix] == list(Status)[: len(desk.status_mix)]
    assert sum(share for _, share in desk.status_mix) == pytest.approx(1.0)
    assert desk.age_hours[Status.new] == (0.2, 72.0)
    assert set(desk.intent_weights) == set(INTENTS)
    assert desk.channels[0] == (Channel.portal, 40)
    assert desk.first_line == desk.team("l1")


def _broken(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    path = tmp_path / DESK_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"agents.2.teams": ["l1", "treasury"]}, "agents[2].teams[1]", "unknown team key"),
        ({"agents.0.role": "boss"}, "agents[0].role", "unknown role"),
        ({"teams.wallet.tier": "L3"}, "teams.wallet.tier", "unknown tier"),
        ({"status_mix.archived": 0.1}, "status_mix.archived", "unknown status"),
        ({"channels.fax": 3}, "channels.fax", "unknown channel"),
        ({"team_of.refund_request": "wallet"}, "team_of.refund_request", "unknown intent"),
        ({"quick_intents": ["how_to", "nope"]}, "quick_intents[1]", "unknown intent"),
        ({"first_line": "front"}, "first_line", "unknown team key"),
        ({"age_hours.new": [80, 2]}, "age_hours.new", "older than oldest"),
        ({"channels.api": 0}, "channels.api", "above 0"),
    ],
)
def test_bad_desk_names_file_and_key(
    tmp_path: Path, change: dict[str, object], key: str, words: str
) -> None:
    path = _broken(tmp_path, change)
    with pytest.raises(DemoDeskError) as caught:
        read_desk(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert words in message


def test_missing_weight_and_duplicate_key_are_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    del data["intent_weights"]["how_to"]
    path = tmp_path / DESK_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DemoDeskError, match="intent_weights: no weight for intent 'how_to'"):
        read_desk(path)
    path.write_text("teams: {}\nteams: {}\n", encoding="utf-8")
    with pytest.raises(DemoDeskError, match="found the key 'teams' twice"):
        read_desk(path)
    with pytest.raises(DemoDeskError, match="cannot be read"):
        read_desk(tmp_path / "absent.yaml")
