"""The demo desk's words in both languages, as typed records, and the placeholders they use.

The text itself lives in ``content_zh`` and ``content_en``; this module gives it one shape and
one place to check it (every intent present in both languages, only known placeholders).
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ledgerdesk.demo import content_en, content_zh

LANGUAGES: tuple[str, ...] = ("zh", "en")


# Every ``{name}`` a template may use; the loader fills each of them for every ticket.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "address",
        "agent",
        "amount",
        "app_version",
        "asset",
        "confirmations",
        "credit",
        "currency",
        "device",
        "fiat_amount",
        "hours",
        "memo",
        "minutes",
        "name",
        "network",
        "order_id",
        "pair",
        "txid",
        "uid",
    }
)


SCENARIO_PARTS: tuple[str, ...] = (
    "subjects",
    "openings",
    "replies",
    "resolutions",
    "followups",
    "notes",
)


@dataclass(frozen=True)
class Scenario:
    """One kind of case within an intent: lines that make sense in the same conversation."""

    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    resolutions: tuple[str, ...]
    followups: tuple[str, ...]
    notes: tuple[str, ...]
    routes: tuple[str, ...] = ()  # "ASSET/NETWORK" pairs the case fits; empty means any

    def part(self, name: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, name)
        return value

    def templates(self) -> Iterator[str]:
        for name in SCENARIO_PARTS:
            yield from self.part(name)


@dataclass(frozen=True)
class IntentText:
    """What one intent sounds like in one language."""

    scenarios: tuple[Scenario, ...]

    def part(self, name: str) -> tuple[str, ...]:
        """Every line of one part (``subjects``, ``replies``...) across the scenarios."""
        return tuple(line for scenario in self.scenarios for line in scenario.part(name))

    def templates(self) -> Iterator[str]:
        for scenario in self.scenarios:
            yield from scenario.templates()


@dataclass(frozen=True)
class LanguageText:
    """All demo text of one language: per intent, plus lines any ticket can use."""

    intents: Mapping[str, IntentText]
    chasers: tuple[str, ...]
    nudges: tuple[str, ...]
    escalations: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    hold_notes: tuple[str, ...]

    def templates(self) -> Iterator[str]:
        for intent in self.intents.values():
            yield from intent.templates()
        for group in (
            self.chasers,
            self.nudges,
            self.escalations,
            self.acknowledgements,
            self.hold_notes,
        ):
            yield from group


RawScenario = Mapping[str, tuple[str, ...]]


def _scenario(raw: RawScenario) -> Scenario:
    return Scenario(
        subjects=raw["subjects"],
        openings=raw["openings"],
        replies=raw["replies"],
        resolutions=raw["resolutions"],
        followups=raw["followups"],
        notes=raw["notes"],
        routes=raw.get("routes", ()),
    )


def _intents(raw: Mapping[str, tuple[RawScenario, ...]]) -> dict[str, IntentText]:
    return {
        name: IntentText(tuple(_scenario(s) for s in scenarios)) for name, scenarios in raw.items()
    }


TEXT: Mapping[str, LanguageText] = {
    "zh": LanguageText(
        intents=_intents(content_zh.INTENTS),
        chasers=content_zh.CHASERS,
        nudges=content_zh.NUDGES,
        escalations=content_zh.ESCALATIONS,
        acknowledgements=content_zh.ACKNOWLEDGEMENTS,
        hold_notes=content_zh.HOLD_NOTES,
    ),
    "en": LanguageText(
        intents=_intents(content_en.INTENTS),
        chasers=content_en.CHASERS,
        nudges=content_en.NUDGES,
        escalations=content_en.ESCALATIONS,
        acknowledgements=content_en.ACKNOWLEDGEMENTS,
        hold_notes=content_en.HOLD_NOTES,
    ),
}


def placeholders_in(template: str) -> set[str]:
    """The ``{names}`` that ``template`` uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its placeholders replaced from ``values``."""
    return template.format_map(values)
